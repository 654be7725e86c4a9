//! JSON Schema (2020-12) of tool inputs, tool outputs and elicitation forms, from Rust types
//! through `schemars`.

use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

/// The JSON Schema generator for inputs (`deserialize` is true) or outputs: JSON Schema 2020-12.
pub fn schema_generator(deserialize: bool) -> SchemaGenerator {
    schema_settings(deserialize).into_generator()
}

/// The settings behind [`schema_generator`].
fn schema_settings(deserialize: bool) -> SchemaSettings {
    let settings = SchemaSettings::draft2020_12();
    let settings = if deserialize {
        settings.for_deserialize()
    } else {
        settings.for_serialize()
    };
    settings.with_transform(RecursiveTransform(drop_rust_formats))
}

/// Removes schemars' Rust-specific `format`s (`int64`, `uint8`, `double`...): they are not JSON
/// Schema formats, and validators in MCP clients warn about each one. The bounds schemars
/// writes beside them (`minimum`, `maximum`) stay.
fn drop_rust_formats(schema: &mut Schema) {
    const RUST_FORMATS: &[&str] = &[
        "int", "int8", "int16", "int32", "int64", "int128", "uint", "uint8", "uint16", "uint32",
        "uint64", "uint128", "float", "double",
    ];
    if schema
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| RUST_FORMATS.contains(&f))
    {
        schema.remove("format");
    }
}

/// Builds a tool's input schema, one argument at a time.
pub struct InputSchema<'a> {
    generator: &'a mut SchemaGenerator,
    properties: Map<String, Value>,
    required: Vec<Value>,
    whole: Option<Value>,
}

impl<'a> InputSchema<'a> {
    /// An empty object schema.
    pub fn new(generator: &'a mut SchemaGenerator) -> Self {
        InputSchema {
            generator,
            properties: Map::new(),
            required: Vec::new(),
            whole: None,
        }
    }

    /// Adds the argument `name` of type `T`.
    pub fn arg<T: JsonSchema>(&mut self, name: &str, description: Option<&str>, required: bool) {
        let mut schema = self.generator.subschema_for::<T>();
        if let Some(description) = description {
            schema.insert("description".into(), description.into());
        }
        self.properties.insert(name.into(), schema.to_value());
        if required {
            self.required.push(name.into());
        }
    }

    /// Uses `T`'s schema for the whole input (`Args<T>`).
    pub fn flatten<T: JsonSchema>(&mut self) {
        let mut schema = self.generator.root_schema_for::<T>().to_value();
        if let Some(object) = schema.as_object_mut() {
            object.remove("title");
            object.entry("properties").or_insert_with(|| json!({}));
        }
        self.whole = Some(schema);
    }

    /// The finished schema: `type: object`, `properties`, `required`, no additional properties,
    /// in the JSON Schema 2020-12 dialect, which it names in `$schema`.
    pub fn finish(self) -> Value {
        let definitions = self.generator.take_definitions(true);
        let mut schema = match self.whole {
            Some(whole) => whole,
            None => {
                let mut schema = json!({
                    "$schema": DIALECT,
                    "type": "object",
                    "properties": self.properties,
                    "additionalProperties": false,
                });
                if !self.required.is_empty() {
                    schema["required"] = Value::Array(self.required);
                }
                schema
            }
        };
        if let (Some(object), false) = (schema.as_object_mut(), definitions.is_empty()) {
            object.entry("$defs").or_insert(Value::Object(definitions));
        }
        schema
    }
}

/// A tool's output schema for `T`, which should serialize to a JSON object.
pub(crate) fn output_schema_for<T: JsonSchema>() -> Value {
    let mut schema = schema_generator(false)
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
    }
    schema
}

/// The JSON Schema dialect of every schema the server sends.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// `T`'s schema as MCP elicitation wants it: a flat object, without `$schema` and `title`.
pub(crate) fn elicitation_schema<T: JsonSchema>() -> Value {
    let mut settings = schema_settings(true);
    settings.inline_subschemas = true;
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(object) = schema.as_object_mut() {
        for key in ["$schema", "title", "additionalProperties", "$defs"] {
            object.remove(key);
        }
        object.entry("properties").or_insert_with(|| json!({}));
    }
    schema
}

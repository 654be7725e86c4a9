//! Tools: what `#[tool]` generates code against, and the types a tool takes and returns.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::auth::{Auth, Denial, Granted, Permission, Requirement};
use crate::content::{CallToolResult, Content};
use crate::context::Context;

/// A boxed, sendable future, as tool handlers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a client sees of a tool in `tools/list`. Built once, when the server starts.
#[derive(Debug, Clone)]
pub struct ToolDescriptor {
    /// The tool's name, unique in its server.
    pub name: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// What the tool does, for the model (from the function's doc comment).
    pub description: Option<&'static str>,
    /// JSON Schema (2020-12) of the tool's arguments.
    pub input_schema: Value,
    /// JSON Schema of the tool's structured output, when it returns [`Json<T>`].
    pub output_schema: Option<Value>,
    /// Hints about the tool's behaviour.
    pub annotations: ToolAnnotations,
    /// Who may call the tool.
    pub requires: Requirement,
    /// What a caller without the permission gets, when the tool overrides the server's choice.
    pub on_denied: Option<Denial>,
    /// Whether the tool takes a [`Context`], and so may talk back (progress, logs, requests).
    pub talks_back: bool,
    /// The tool's own time limit (`#[tool(timeout_secs = ...)]`), instead of the server's.
    pub timeout: Option<std::time::Duration>,
}

/// Hints about a tool's behaviour, from the flags of `#[tool(...)]`.
///
/// Clients treat them as hints from the server, never as guarantees.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// A human-readable title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'static str>,
    /// `read_only`: the tool does not modify its environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// `destructive`: the tool may delete or overwrite data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// `idempotent`: calling it twice with the same arguments has no further effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// `open_world`: the tool reaches entities outside the server (the web, other systems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl ToolDescriptor {
    /// The tool as listed by `tools/list`.
    pub(crate) fn to_json(&self) -> Value {
        let mut tool = Map::new();
        tool.insert("name".into(), self.name.into());
        if let Some(title) = self.title {
            tool.insert("title".into(), title.into());
        }
        if let Some(description) = self.description {
            tool.insert("description".into(), description.into());
        }
        tool.insert("inputSchema".into(), self.input_schema.clone());
        if let Some(output) = &self.output_schema {
            tool.insert("outputSchema".into(), output.clone());
        }
        let annotations = serde_json::to_value(&self.annotations).unwrap_or_default();
        if annotations.as_object().is_some_and(|a| !a.is_empty()) {
            tool.insert("annotations".into(), annotations);
        }
        Value::Object(tool)
    }
}

/// The compile-time facts of a tool, used by `#[mcp_server]` to check a server's tools together.
pub trait ToolMeta {
    /// The tool's wire name.
    const NAME: &'static str;
    /// Who may call the tool.
    const REQUIRES: Requirement;
    /// What a caller without the permission gets, if the tool chose.
    const ON_DENIED: Option<Denial>;
}

/// A tool that a server with state `S` can serve. Implemented by `#[tool]`.
pub trait ToolHandler<S>: ToolMeta + 'static {
    /// The tool's description, schemas and annotations.
    fn descriptor() -> ToolDescriptor;
    /// Runs the tool.
    fn call(state: &S, call: ToolCall) -> BoxFuture<'static, CallToolResult>;
}

pub(crate) type CallFn<S> = fn(&S, ToolCall) -> BoxFuture<'static, CallToolResult>;

/// The tools of a server, in the order `#[mcp_server(tools = [...])]` lists them.
pub struct ToolSet<S> {
    pub(crate) entries: Vec<(ToolDescriptor, CallFn<S>)>,
}

impl<S> ToolSet<S> {
    /// An empty set.
    #[allow(clippy::new_without_default)] // generated code calls `new`; `Default` would add nothing
    pub fn new() -> Self {
        ToolSet {
            entries: Vec::new(),
        }
    }

    /// Adds the tool `T`.
    pub fn push<T: ToolHandler<S>>(&mut self) {
        let mut descriptor = T::descriptor();
        descriptor.requires = T::REQUIRES;
        descriptor.on_denied = T::ON_DENIED;
        self.entries.push((descriptor, T::call));
    }
}

/// One `tools/call` on its way to a tool: the raw arguments and the request context.
pub struct ToolCall {
    pub(crate) arguments: Map<String, Value>,
    pub(crate) context: Context,
}

impl ToolCall {
    /// Splits the call into an argument reader and the context.
    pub fn into_parts(self, tool: &'static str) -> (ArgReader, Context) {
        (
            ArgReader {
                tool,
                arguments: self.arguments,
                errors: Vec::new(),
            },
            self.context,
        )
    }
}

/// Takes a tool's arguments out of the call, collecting every problem into one message.
pub struct ArgReader {
    tool: &'static str,
    arguments: Map<String, Value>,
    errors: Vec<String>,
}

impl ArgReader {
    /// Takes the argument `name`.
    pub fn take<T: DeserializeOwned>(&mut self, name: &str, required: bool) -> Option<T> {
        let value = match self.arguments.remove(name) {
            Some(value) => value,
            None if required => {
                self.errors
                    .push(format!("missing required argument `{name}`"));
                return None;
            }
            // An optional argument: `Option<T>` reads `null` as `None`.
            None => Value::Null,
        };
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(value) => Some(value),
            Err(err) => {
                let path = err.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!(" at `{path}`")
                };
                self.errors
                    .push(format!("argument `{name}`{at}: {}", err.into_inner()));
                None
            }
        }
    }

    /// Takes all arguments as one `Args<T>`.
    pub fn take_all<T: DeserializeOwned>(&mut self) -> Option<Args<T>> {
        let arguments = Value::Object(std::mem::take(&mut self.arguments));
        match serde_path_to_error::deserialize::<_, T>(arguments) {
            Ok(value) => Some(Args(value)),
            Err(err) => {
                let path = err.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!("`{path}`: ")
                };
                self.errors.push(format!("{at}{}", err.into_inner()));
                None
            }
        }
    }

    /// Fails when an argument was missing or malformed, or when an unknown argument remains.
    pub fn finish(self) -> Result<(), CallToolResult> {
        let mut errors = self.errors;
        for unknown in self.arguments.keys() {
            errors.push(format!("unknown argument `{unknown}`"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CallToolResult::error(format!(
                "Invalid arguments for tool `{}`: {}. Check the tool's input schema and call it again.",
                self.tool,
                errors.join("; ")
            )))
        }
    }
}

/// Unwraps an argument that [`ArgReader::finish`] has checked.
pub fn checked<T>(value: Option<T>) -> T {
    match value {
        Some(value) => value,
        // `finish` returns an error whenever a `take` returned `None`.
        None => unreachable!("argument checked by ArgReader::finish"),
    }
}

/// The JSON Schema generator for inputs (`deserialize` is true) or outputs: JSON Schema 2020-12.
pub fn schema_generator(deserialize: bool) -> SchemaGenerator {
    schema_settings(deserialize).into_generator()
}

/// The settings behind [`schema_generator`].
pub(crate) fn schema_settings(deserialize: bool) -> SchemaSettings {
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

/// What a tool function may return.
///
/// Implemented for text (`String`, `&'static str`), [`Content`], `Vec<Content>`, [`Json<T>`],
/// [`CallToolResult`], `()` and `Result<T, E>` where `T` is one of these and `E: Display`
/// (an `Err` becomes a result with `isError: true` and the error's message).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    note = "return a `String`, `Content`, `Vec<Content>`, `Json<T>`, `CallToolResult`, `()`, or a `Result` of one of these"
)]
pub trait IntoToolResult {
    /// The JSON Schema of the structured output, if the tool has one.
    fn output_schema() -> Option<Value> {
        None
    }

    /// Converts the tool's return value into the result sent to the client.
    fn into_tool_result(self) -> CallToolResult;
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![Content::text(self)])
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![Content::text(self)])
    }
}

impl IntoToolResult for Content {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![self])
    }
}

impl IntoToolResult for Vec<Content> {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(self)
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> CallToolResult {
        self
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(Vec::new())
    }
}

impl<T: IntoToolResult, E: fmt::Display> IntoToolResult for Result<T, E> {
    fn output_schema() -> Option<Value> {
        T::output_schema()
    }

    fn into_tool_result(self) -> CallToolResult {
        match self {
            Ok(value) => value.into_tool_result(),
            Err(err) => CallToolResult::error(err.to_string()),
        }
    }
}

/// Structured output: the tool's result is `T` serialized as JSON, sent both as
/// `structuredContent` and as a text block, and `T`'s schema is the tool's `outputSchema`.
///
/// `T` should serialize to a JSON object (a struct), as MCP requires of structured content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize + JsonSchema> IntoToolResult for Json<T> {
    fn output_schema() -> Option<Value> {
        Some(output_schema_for::<T>())
    }

    fn into_tool_result(self) -> CallToolResult {
        match serde_json::to_value(&self.0) {
            Ok(value) => CallToolResult {
                content: vec![Content::text(value.to_string())],
                structured_content: Some(value),
                is_error: false,
            },
            Err(err) => {
                tracing::error!(error = %err, "a tool's structured output failed to serialize");
                CallToolResult::error("The tool's output could not be serialized.")
            }
        }
    }
}

/// All of a tool's arguments as one type: `async fn create(input: Args<NewDocument>)`.
///
/// `T` derives `Deserialize` and `JsonSchema`; its schema is the tool's input schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Args<T>(pub T);

impl<T> std::ops::Deref for Args<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Shared application state, taken from the server: `async fn f(db: State<Db>)`.
///
/// The server struct provides it through [`FromRef`]: a server struct that is itself
/// `Clone` provides `State<Self>`; for a field, implement `FromRef<Server> for Field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<T> std::ops::Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Extracts a piece of state from the server struct (the same trait as axum's).
pub use axum::extract::FromRef;

/// An error a tool returns: the model sees its message in a result with `isError: true`.
///
/// Any `std::error::Error` converts into it with `?`; build one from a message with
/// [`ToolError::new`].
pub struct ToolError {
    message: String,
}

impl ToolError {
    /// An error with a message for the model: say what went wrong and what to do instead.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError {
            message: message.into(),
        }
    }
}

impl<E: std::error::Error> From<E> for ToolError {
    fn from(err: E) -> Self {
        ToolError {
            message: err.to_string(),
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ToolError").field(&self.message).finish()
    }
}

/// A future that turns a panic into an error result, so a panicking tool does not take
/// the connection (or the server) down with it.
pub(crate) struct CatchUnwind<F> {
    inner: F,
    tool: &'static str,
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F, tool: &'static str) -> Self {
        CatchUnwind { inner, tool }
    }
}

impl<F: Future<Output = CallToolResult> + Unpin> Future for CatchUnwind<F> {
    type Output = CallToolResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<CallToolResult> {
        let tool = self.tool;
        let inner = &mut self.inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(poll) => poll,
            Err(_) => {
                tracing::error!(tool, "tool panicked");
                Poll::Ready(CallToolResult::error(format!(
                    "The tool `{tool}` failed with an internal error."
                )))
            }
        }
    }
}

/// Compares two strings in a constant, for the duplicate-name check of `#[mcp_server]`.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The verified caller, for a tool that takes `&Auth`; the guard has made sure there is one.
pub fn caller(context: &Context) -> Result<&Auth, CallToolResult> {
    context.auth().ok_or_else(|| {
        // Only reachable if a tool taking `&Auth` runs on a server without OAuth, which
        // `#[mcp_server]` rejects at compile time.
        CallToolResult::error("This tool needs an authenticated caller.")
    })
}

/// The caller, if any, for a tool that takes `Option<Auth>`.
pub fn optional_caller(context: &Context) -> Option<Auth> {
    context.auth().cloned()
}

/// The proof for `Granted<P>`: called only after the tool's guard passed, for a `P` that
/// the tool requires (checked at compile time).
pub fn grant<P: Permission>() -> Granted<P> {
    Granted::new()
}

/// Whether a requirement lists `permission` among those it demands all of.
pub const fn requirement_includes(requirement: Requirement, permission: &str) -> bool {
    let Requirement::AllOf(all) = requirement else {
        return false;
    };
    let mut i = 0;
    while i < all.len() {
        if str_eq(all[i], permission) {
            return true;
        }
        i += 1;
    }
    false
}

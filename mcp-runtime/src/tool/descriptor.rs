//! What a client sees of a tool in `tools/list`, as `#[tool]` describes it.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::permission::{Denial, Requirement};
use crate::content::Icon;

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
    /// JSON Schema of the tool's structured output, when it returns [`Json<T>`](crate::Json).
    pub output_schema: Option<Value>,
    /// Hints about the tool's behaviour.
    pub annotations: ToolAnnotations,
    /// Its icons.
    pub icons: &'static [Icon],
    /// Who may call the tool.
    pub requires: Requirement,
    /// What a caller without the permission gets, when the tool overrides the server's choice.
    pub on_denied: Option<Denial>,
    /// Whether the tool takes a [`Context`](crate::Context), and so may talk back (progress, logs, requests).
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
        if let Some(icons) = Icon::list(self.icons) {
            tool.insert("icons".into(), icons);
        }
        Value::Object(tool)
    }
}

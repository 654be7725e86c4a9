//! What a client sees of a prompt in `prompts/list`, as `#[prompt]` describes it.

use serde_json::{Map, Value};

use crate::auth::permission::{Denial, Requirement};
use crate::content::Icon;

/// One argument of a prompt.
#[derive(Debug, Clone, Copy)]
pub struct PromptArgument {
    /// Its name.
    pub name: &'static str,
    /// What it is, from the parameter's doc comment.
    pub description: Option<&'static str>,
    /// Whether the prompt needs it (every parameter but an `Option`).
    pub required: bool,
}

/// A prompt. Built once, when the server starts.
#[derive(Debug, Clone)]
pub struct PromptDescriptor {
    /// The prompt's name, unique in its server.
    pub name: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// What it is for, from the function's doc comment.
    pub description: Option<&'static str>,
    /// Its arguments.
    pub arguments: &'static [PromptArgument],
    /// Its icons.
    pub icons: &'static [Icon],
    /// Who may use it.
    pub requires: Requirement,
    /// What a caller without the permission gets, when the prompt overrides the server.
    pub on_denied: Option<Denial>,
}

impl PromptDescriptor {
    /// The prompt as `prompts/list` shows it.
    pub(crate) fn to_json(&self) -> Value {
        let mut prompt = Map::new();
        prompt.insert("name".into(), self.name.into());
        if let Some(title) = self.title {
            prompt.insert("title".into(), title.into());
        }
        if let Some(description) = self.description {
            prompt.insert("description".into(), description.into());
        }
        if !self.arguments.is_empty() {
            let arguments = self
                .arguments
                .iter()
                .map(|argument| {
                    let mut entry = Map::new();
                    entry.insert("name".into(), argument.name.into());
                    if let Some(description) = argument.description {
                        entry.insert("description".into(), description.into());
                    }
                    entry.insert("required".into(), argument.required.into());
                    Value::Object(entry)
                })
                .collect();
            prompt.insert("arguments".into(), Value::Array(arguments));
        }
        if let Some(icons) = Icon::list(self.icons) {
            prompt.insert("icons".into(), icons);
        }
        Value::Object(prompt)
    }
}

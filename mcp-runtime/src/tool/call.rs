//! One `tools/call` on its way into a tool: its arguments read and checked, and a refusal
//! turned into an error result.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::params::Args;
use crate::content::CallToolResult;
use crate::context::Context;
use crate::extract::Refused;

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

impl From<Refused> for CallToolResult {
    fn from(refused: Refused) -> Self {
        CallToolResult::error(refused.message)
    }
}

/// The error result of a tool that panicked.
pub(crate) fn panicked(tool: &'static str) -> CallToolResult {
    CallToolResult::error(format!("The tool `{tool}` failed with an internal error."))
}

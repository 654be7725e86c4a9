//! What a tool function returns, and how it becomes the result the client sees.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::content::{CallToolResult, Content};
use crate::schema::output_schema_for;

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

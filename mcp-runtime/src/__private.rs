//! What the macros' generated code uses. Not a public API: it changes without notice.

pub use crate::content::CallToolResult;
pub use crate::server::ServerInfo;
pub use crate::tool::{
    ArgReader, BoxFuture, FromRef, InputSchema, IntoToolResult, State, ToolAnnotations, ToolCall,
    ToolDescriptor, ToolHandler, ToolMeta, ToolSet, checked, schema_generator, str_eq,
};

//! What the macros' generated code uses. Not a public API: it changes without notice.

pub use crate::auth::{Denial, OAuthMode, Permission, Requirement};
pub use crate::content::CallToolResult;
pub use crate::server::ServerInfo;
pub use crate::tool::{
    ArgReader, BoxFuture, FromRef, InputSchema, IntoToolResult, State, ToolAnnotations, ToolCall,
    ToolDescriptor, ToolHandler, ToolMeta, ToolSet, caller, checked, grant, optional_caller,
    requirement_includes, schema_generator, str_eq,
};

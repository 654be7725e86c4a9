//! What the macros' generated code uses. Not a public API: it changes without notice.

pub use crate::auth::permission::{Denial, Permission, Requirement, str_eq};
pub use crate::content::CallToolResult;
pub use crate::engine::info::ServerInfo;
pub use crate::schema::{InputSchema, schema_generator};
pub use crate::server::mode::Mode;
pub use crate::tool::call::{ArgReader, ToolCall, caller, checked, optional_caller, proof};
pub use crate::tool::descriptor::{ToolAnnotations, ToolDescriptor};
pub use crate::tool::handler::{BoxFuture, ToolHandler, ToolMeta, ToolSet};
pub use crate::tool::params::{FromRef, State};
pub use crate::tool::result::IntoToolResult;

//! What the macros' generated code uses. Not a public API: it changes without notice.

pub use crate::auth::permission::{Denial, Permission, Requirement, str_eq};
pub use crate::completion::{Completion, Completions, IntoCompletions};
pub use crate::content::{CallToolResult, Icon};
pub use crate::engine::info::ServerInfo;
pub use crate::extract::{Refused, caller, optional_caller, proof};
pub use crate::prompt::descriptor::{PromptArgument, PromptDescriptor};
pub use crate::prompt::get::{IntoPromptResult, PromptArgs, PromptCall, PromptError};
pub use crate::prompt::handler::{PromptHandler, PromptMeta, PromptSet};
pub use crate::resource::descriptor::ResourceDescriptor;
pub use crate::resource::handler::{ResourceHandler, ResourceMeta, ResourceSet};
pub use crate::resource::read::{IntoResourceContents, ReadError, ResourceRead, Variables};
pub use crate::resource::template::TemplatePart;
pub use crate::schema::{InputSchema, schema_generator};
pub use crate::server::mode::Mode;
pub use crate::task::BoxFuture;
pub use crate::tool::call::{ArgReader, ToolCall, checked};
pub use crate::tool::descriptor::{ToolAnnotations, ToolDescriptor};
pub use crate::tool::handler::{ToolHandler, ToolMeta, ToolSet};
pub use crate::tool::params::{FromRef, State};
pub use crate::tool::result::IntoToolResult;

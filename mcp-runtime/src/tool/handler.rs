//! The traits `#[tool]` implements, and the set of tools `#[mcp_server]` builds from them.

use super::call::ToolCall;
use super::descriptor::ToolDescriptor;
use crate::auth::permission::{Denial, Requirement};
use crate::content::CallToolResult;
use crate::task::BoxFuture;

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

/// How the engine calls a tool of a server with state `S`.
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

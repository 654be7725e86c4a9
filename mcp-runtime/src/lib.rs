#![doc = include_str!("../docs/crate.md")]
// On docs.rs, each item that needs a feature says which.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(hidden)]
pub mod __private;
mod auth;
mod auth0;
mod completion;
mod content;
mod context;
mod engine;
mod error;
mod extract;
mod observe;
mod prompt;
mod protocol;
mod resource;
mod schema;
mod server;
mod store;
mod task;
mod tool;
mod transport;
mod web;

pub use axum;
pub use schemars;
pub use serde_json;

#[doc(inline)]
pub use auth::caller::{Auth, User};
#[doc(inline)]
pub use auth::exchange::DelegatedToken;
#[doc(inline)]
pub use auth::jwt::{InvalidToken, JwtConfig, SigningAlgorithm, TokenVerifier};
#[doc(inline)]
pub use auth::permission::{Granted, Permission};
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub use auth::testing;
#[doc(inline)]
pub use auth0::config::{Auth0Config, ForwardedHeader, MissingSettings};
#[doc(inline)]
pub use completion::{Completion, Completions, IntoCompletions};
#[doc(inline)]
pub use content::{CallToolResult, Content, Message, ResourceContents, Role};
#[doc(inline)]
pub use context::{Context, Elicitation, HttpRequest, Root, SamplingRequest, SamplingResponse};
#[doc(inline)]
pub use error::{Error, Result, ToolError};
#[doc(inline)]
pub use prompt::get::{GetPromptResult, IntoPromptResult};
#[doc(inline)]
pub use protocol::log::LogLevel;
#[doc(inline)]
pub use resource::read::IntoResourceContents;
#[doc(inline)]
pub use server::metrics;
#[doc(inline)]
pub use server::notifier::Notifier;
#[doc(inline)]
pub use server::shutdown::{ShutdownHandle, shutdown_signal};
#[doc(inline)]
pub use server::{McpServer, Server};
#[doc(inline)]
pub use store::Store;
#[doc(inline)]
pub use tool::params::{Args, FromRef, State};
#[doc(inline)]
pub use tool::result::{IntoToolResult, Json};

/// The OAuth modes of `#[mcp_server(oauth = ...)]`, as the types that a [`Server`] is
/// configured by.
pub mod oauth {
    #[doc(inline)]
    pub use crate::server::mode::{Auth0, Auth0Proxy, Authenticated, Jwt, NoAuth, OAuthMode};
}

#[doc = include_str!("../docs/tool.md")]
#[doc(inline)]
pub use mcp_macros::tool;

#[doc = include_str!("../docs/mcp_server.md")]
#[doc(inline)]
pub use mcp_macros::mcp_server;

#[doc = include_str!("../docs/resource.md")]
#[doc(inline)]
pub use mcp_macros::resource;

#[doc = include_str!("../docs/resource_template.md")]
#[doc(inline)]
pub use mcp_macros::resource_template;

#[doc = include_str!("../docs/prompt.md")]
#[doc(inline)]
pub use mcp_macros::prompt;

#[doc = include_str!("../docs/permissions.md")]
#[doc(inline)]
pub use mcp_macros::permissions;

/// Everything a server module needs: `use mcp_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Args, Auth, CallToolResult, Completion, Completions, Content, Context, Elicitation,
        FromRef, Granted, Json, LogLevel, McpServer, Message, ResourceContents, State, ToolError,
        mcp_server, permissions, prompt, resource, resource_template, tool,
    };
}

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

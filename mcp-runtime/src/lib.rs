#![doc = include_str!("../docs/crate.md")]

#[doc(hidden)]
pub mod __private;
mod auth;
mod auth0;
mod content;
mod context;
mod engine;
mod error;
mod protocol;
mod schema;
mod server;
mod tool;
mod transport;
mod web;

pub use axum;
pub use schemars;
pub use serde_json;

#[doc(inline)]
pub use auth::caller::{Auth, User};
#[doc(inline)]
pub use auth::jwt::{JwtConfig, SigningAlgorithm};
#[doc(inline)]
pub use auth::permission::{Granted, Permission};
#[cfg(feature = "testing")]
pub use auth::testing;
#[doc(inline)]
pub use auth0::config::{Auth0Config, MissingSettings};
#[doc(inline)]
pub use content::{CallToolResult, Content, ResourceContents};
#[doc(inline)]
pub use context::{Context, Elicitation, SamplingMessage, SamplingRequest, SamplingResponse};
#[doc(inline)]
pub use error::{Error, Result, ToolError};
#[doc(inline)]
pub use protocol::log::LogLevel;
#[doc(inline)]
pub use server::shutdown::{ShutdownHandle, shutdown_signal};
#[doc(inline)]
pub use server::{McpServer, Server};
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

#[doc = include_str!("../docs/permissions.md")]
#[doc(inline)]
pub use mcp_macros::permissions;

/// Everything a server module needs: `use mcp_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Args, Auth, CallToolResult, Content, Context, Elicitation, FromRef, Granted, Json,
        LogLevel, McpServer, State, ToolError, mcp_server, permissions, tool,
    };
}

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

//! Declare MCP tools with `#[tool]`, collect them into a server with `#[mcp_server]`, and
//! serve them over MCP Streamable HTTP (or stdio).
//!
//! ```no_run
//! use mcp_runtime::prelude::*;
//!
//! /// Add two numbers.
//! #[tool(read_only, idempotent)]
//! async fn add(
//!     /// The first addend.
//!     a: i64,
//!     /// The second addend.
//!     b: i64,
//! ) -> String {
//!     (a + b).to_string()
//! }
//!
//! #[mcp_server(name = "calculator", version = "1.0.0", oauth = none, tools = [add])]
//! struct Calculator;
//!
//! #[tokio::main]
//! async fn main() -> mcp_runtime::Result<()> {
//!     Calculator.serve("127.0.0.1:3000").await
//! }
//! ```
//!
//! # Tools
//!
//! A tool is an `async fn` under [`#[tool]`](tool). Its doc comment is the tool's description,
//! its parameters are the tool's arguments (their doc comments describe them), and its
//! return value is the result the model sees. The input schema (JSON Schema 2020-12) is
//! generated from the parameter types with [`schemars`] when the server starts, and every
//! call's arguments are checked against the parameter types before the function runs: a
//! missing, malformed or unknown argument is an error result (`isError: true`) that tells
//! the model what to fix.
//!
//! Parameters of these types are context, not arguments, and never appear in the schema:
//!
//! | parameter | what it gives |
//! |---|---|
//! | [`&Context`](Context) or [`Context`] | the request: id, `_meta`, progress token, session |
//! | [`State<T>`](State) | shared state taken from the server struct (see [`FromRef`]) |
//! | [`Args<T>`](Args) | all arguments as one `T: Deserialize + JsonSchema` |
//!
//! Return a `String`, a [`Content`], a `Vec<Content>`, a [`Json<T>`](Json) (structured output with
//! an `outputSchema`), a [`CallToolResult`], `()`, or a `Result` of one of these whose error
//! implements `Display` (such as [`ToolError`]). A tool that panics answers with an error
//! result; the server keeps running.
//!
//! # Servers
//!
//! [`#[mcp_server]`](mcp_server) on a struct lists its tools and says how callers are
//! authenticated. The struct implements [`McpServer`]: [`serve`](McpServer::serve) it, turn it
//! into an [`axum::Router`] to nest in an application you already have, or configure a
//! [`Server`] first (sessions, allowed hosts and origins, body limit).
//!
//! ```
//! use mcp_runtime::prelude::*;
//! use std::sync::{Arc, Mutex};
//!
//! #[derive(Clone, Default)]
//! struct Notes(Arc<Mutex<Vec<String>>>);
//!
//! /// Remember a note.
//! #[tool]
//! async fn remember(notes: State<Notes>, /// The note.
//!     text: String) -> String {
//!     let mut notes = notes.0.0.lock().unwrap();
//!     notes.push(text);
//!     format!("{} notes", notes.len())
//! }
//!
//! #[mcp_server(name = "notes", version = "1.0.0", oauth = none, tools = [remember])]
//! #[derive(Clone, Default)]
//! struct NotesServer {
//!     notes: Notes,
//! }
//!
//! impl FromRef<NotesServer> for Notes {
//!     fn from_ref(server: &NotesServer) -> Notes {
//!         server.notes.clone()
//!     }
//! }
//!
//! let app = axum::Router::new().merge(NotesServer::default().router()?);
//! # let _ = app;
//! # Ok::<(), mcp_runtime::Error>(())
//! ```
//!
//! # Authorization
//!
//! With `#[mcp_server(oauth = jwt, permissions = perms, ...)]` the server is an OAuth 2.1
//! resource server: every request's bearer token is verified against the authorization
//! server's keys ([`JwtConfig`]), and each tool states who may call it with
//! `#[tool(requires = "...")]`, `requires_any = [...]` or `public`. A tool sees its caller as
//! [`&Auth`](Auth), and can take a [`Granted<P>`](Granted), proof that its guard checked the
//! permission `P`. The vocabulary is declared once with [`permissions!`]; a permission outside
//! it, or a tool on an OAuth server that says nothing about who may call it, does not compile.
//! See [`Denial`] for what a caller without the permission gets.
//!
//! # Feature flags
//!
//! | feature | what it adds |
//! |---|---|
//! | `testing` | `testing::TestIssuer`: an in-process issuer with a generated key, its JWKS on a loopback port, and tokens with the claims you choose; `testing::DevIssuer`: a loopback stand-in for an Auth0 tenant (login page, test users `alice` and `bob`) for trying the Auth0 modes offline |
//!
//! # Auth0
//!
//! `oauth = auth0` makes the server a resource server for Auth0's own dynamic client
//! registration; `oauth = auth0_proxy` makes it the authorization server clients see, in front
//! of a pre-registered Auth0 Regular Web Application (registration, consent, PKCE, token
//! relay). Both read `AUTH0_DOMAIN`, `AUTH0_AUDIENCE` (and for the proxy `AUTH0_CLIENT_ID`,
//! `AUTH0_CLIENT_SECRET`) from the environment, or take an [`Auth0Config`].
//!
//! # Transport
//!
//! MCP revision 2025-11-25 over Streamable HTTP (2025-06-18 and 2025-03-26 are accepted at
//! `initialize`): POST answers in `application/json`, notifications get 202, `Mcp-Session-Id`
//! sessions (or [`Server::stateless`]), `MCP-Protocol-Version` checks, and `Host`/`Origin`
//! validation against an allow-list (loopback names by default) to stop DNS rebinding.
//! A request is answered with JSON unless its tool talks back through its [`Context`]
//! (progress, logs, sampling, elicitation); then the answer is an SSE stream. Sessions are
//! bounded and expire; tools have time limits and results a size cap (see [`Server`]).

#[doc(hidden)]
pub mod __private;
mod auth;
mod auth0;
mod content;
mod context;
mod error;
mod http_util;
mod protocol;
mod server;
mod tool;
mod transport;

pub use axum;
pub use schemars;
pub use serde_json;

#[doc(inline)]
pub use auth::jwt::SigningAlgorithm;
#[cfg(feature = "testing")]
pub use auth::testing;
#[doc(inline)]
pub use auth::{Auth, Denial, Granted, JwtConfig, OAuthMode, Permission, Requirement, User};
#[doc(inline)]
pub use auth0::{Auth0Config, MissingSettings};
#[doc(inline)]
pub use content::{CallToolResult, Content, ResourceContents};
#[doc(inline)]
pub use context::{
    Context, Elicitation, LogLevel, SamplingMessage, SamplingRequest, SamplingResponse,
};
#[doc(inline)]
pub use error::{Error, Result};
#[doc(inline)]
pub use server::{McpServer, Server, ServerInfo};
#[doc(inline)]
pub use tool::{
    Args, FromRef, IntoToolResult, Json, State, ToolAnnotations, ToolDescriptor, ToolError,
};

/// Declares an MCP tool from an `async fn`.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Delete a document. (The doc comment is the tool's description.)
/// #[tool(destructive, idempotent, rename_all = "camelCase")]
/// async fn delete_document(
///     /// Id of the document. (Listed as `documentId`.)
///     document_id: String,
///     /// Skip the trash.
///     permanent: Option<bool>,
/// ) -> Result<String, ToolError> {
///     if document_id.is_empty() {
///         return Err(ToolError::new("documentId is empty: pass the id from `list_documents`"));
///     }
///     Ok(format!("deleted {document_id} (permanent: {})", permanent.unwrap_or(false)))
/// }
/// ```
///
/// The function stays callable as it is. Beside it, `#[tool]` defines a type of the same
/// name that `#[mcp_server(tools = [...])]` refers to.
///
/// # Arguments of `#[tool(...)]`
///
/// | argument | meaning |
/// |---|---|
/// | `name = "..."` | the tool's name (default: the function's); 1-128 of `[A-Za-z0-9_.-]`, checked at compile time |
/// | `title = "..."` | a human-readable title |
/// | `description = "..."` | the description, instead of the doc comment |
/// | `read_only`, `destructive`, `idempotent`, `open_world` | the tool's annotations (hints for clients) |
/// | `rename_all = "camelCase"` | renames every argument (serde's rule names) |
/// | `crate = path` | where `mcp_runtime` is, if you re-export it |
///
/// A parameter takes `#[arg(rename = "documentId")]` to rename one argument. An `Option<T>`
/// argument is optional; all others are required.
#[doc(inline)]
pub use mcp_macros::tool;

/// Declares an MCP server: its name, its tools and how callers are authenticated.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Say hello.
/// #[tool]
/// async fn hello() -> &'static str { "hello" }
///
/// #[mcp_server(name = "hello", version = "1.0.0", oauth = none, tools = [hello])]
/// struct Hello;
/// ```
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `oauth = none` | required: how callers are authenticated (`none`: they are not) |
/// | `tools = [a, b, path::c]` | the tools, by function name; a name used twice is a compile error |
/// | `name = "..."`, `version = "..."` | reported at `initialize` (default: the crate's name and version) |
/// | `title = "..."`, `instructions = "..."` | a title, and how to use the server, for the model |
/// | `crate = path` | where `mcp_runtime` is, if you re-export it |
#[doc(inline)]
pub use mcp_macros::mcp_server;

/// Declares a server's permission vocabulary, once: a module with one type per permission.
///
/// ```
/// mcp_runtime::permissions! {
///     /// What callers of the documents server may be granted.
///     pub mod perms {
///         /// Read documents.
///         ReadData = "read:data",
///         /// Delete documents.
///         DeleteDocuments = "delete:documents",
///     }
/// }
/// ```
///
/// A server names it with `#[mcp_server(permissions = perms, ...)]`; each tool's `requires`
/// is then checked against it at compile time, on the permission's literal, and the
/// protected resource metadata lists it as `scopes_supported`. The types (`DeleteDocuments`)
/// name permissions in [`Granted<P>`](Granted).
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

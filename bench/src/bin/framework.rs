//! This framework: the `echo` tool with `#[tool]`, stateless. `AUTH=jwt` serves it with
//! `oauth = jwt` and a `requires = "read:data"` guard; tokens are verified against the
//! issuer's JWKS (and remembered in the verified-token cache).

use mcp_bench::{AUDIENCE, issuer_with_token, listen_addr, with_jwt};
use mcp_runtime::prelude::*;

mcp_runtime::permissions! {
    /// The benchmark's vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
    }
}

/// Echo the message.
#[tool]
async fn echo(
    /// The message.
    message: String,
) -> String {
    message
}

/// Echo the message, for callers granted read:data.
#[tool(name = "echo", requires = "read:data")]
async fn guarded_echo(
    /// The message.
    message: String,
) -> String {
    message
}

#[mcp_server(name = "bench", oauth = none, tools = [echo])]
struct Open;

#[mcp_server(name = "bench", oauth = jwt, permissions = perms, tools = [guarded_echo])]
struct Guarded;

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    if with_jwt() {
        let issuer = issuer_with_token().await;
        Guarded.into_server().stateless().jwt(issuer.config(AUDIENCE)).serve(&listen_addr()).await
    } else {
        Open.into_server().stateless().serve(&listen_addr()).await
    }
}

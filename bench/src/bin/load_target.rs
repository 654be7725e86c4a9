//! The load test's server: `oauth = jwt`, stateless, one tool the benchmark token may call
//! (`echo`, `read:data`) and one it may not (`purge`, `admin`).

use mcp_bench::{AUDIENCE, issuer_with_token, listen_addr};
use mcp_runtime::prelude::*;

mcp_runtime::permissions! {
    /// The load test's vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
        /// Administer.
        Admin = "admin",
    }
}

/// Echo the message.
#[tool(requires = "read:data")]
async fn echo(
    /// The message.
    message: String,
) -> String {
    message
}

/// Purge everything (never allowed to the load test's token).
#[tool(requires = "admin", destructive)]
async fn purge(
    /// The message.
    message: String,
) -> String {
    format!("purged {message}")
}

#[mcp_server(name = "load", oauth = jwt, permissions = perms, tools = [echo, purge])]
struct Load;

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    let issuer = issuer_with_token().await;
    Load.into_server().stateless().jwt(issuer.config(AUDIENCE)).serve(&listen_addr()).await
}

//! This framework: the `echo` tool with `#[tool]`, stateless. `AUTH=jwt` serves it with
//! `oauth = jwt` and a `requires = "read:data"` guard; tokens are verified against the
//! issuer's JWKS (and remembered in the verified-token cache). `METRICS=prometheus` installs
//! the Prometheus recorder, so that every request is counted and timed.

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
    let metrics = std::env::var("METRICS").is_ok_and(|m| m == "prometheus");
    let scrape = || mcp_runtime::metrics::prometheus("/metrics");
    if with_jwt() {
        let issuer = issuer_with_token().await;
        let server = Guarded.into_server().stateless().jwt(issuer.config(AUDIENCE));
        let server = if metrics { server.merge(scrape()?) } else { server };
        server.serve(&listen_addr()).await
    } else {
        let server = Open.into_server().stateless();
        let server = if metrics { server.merge(scrape()?) } else { server };
        server.serve(&listen_addr()).await
    }
}

//! The smallest MCP server: one tool, no authentication.
//!
//! `cargo run --example hello`, then point an MCP client at http://127.0.0.1:3000/mcp
//! (`PORT` changes the port).

use mcp_runtime::prelude::*;

/// Add two numbers.
#[tool(read_only, idempotent)]
async fn add(
    /// The first addend.
    a: i64,
    /// The second addend.
    b: i64,
) -> String {
    (a + b).to_string()
}

#[mcp_server(name = "hello", version = "1.0.0", oauth = none, tools = [add])]
struct Hello;

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    // RUST_LOG picks what is logged (`info` by default); colours only on a terminal.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    // 127.0.0.1:3000, or as MCP_HOST, PORT, MCP_PUBLIC_URL and MCP_CORS_ORIGINS say.
    Hello.into_server().serve_from_env().await
}

use mcp_runtime::prelude::*;

/// Ping.
#[tool]
async fn ping() -> &'static str {
    "pong"
}

#[mcp_server(name = "s", oauth = none, tools = [ping], port = 3000)]
struct Server;

fn main() {}

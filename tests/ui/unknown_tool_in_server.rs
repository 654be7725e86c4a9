use mcp_runtime::prelude::*;

/// Ping.
#[tool]
async fn ping() -> &'static str {
    "pong"
}

#[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [ping, pnig])]
struct Server;

fn main() {}

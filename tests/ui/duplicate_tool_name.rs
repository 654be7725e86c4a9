use mcp_runtime::prelude::*;

/// One.
#[tool(name = "ping")]
async fn ping_one() -> &'static str {
    "one"
}

/// Two.
#[tool(name = "ping")]
async fn ping_two() -> &'static str {
    "two"
}

#[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [ping_one, ping_two])]
struct Server;

fn main() {}

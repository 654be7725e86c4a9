use mcp_runtime::prelude::*;

/// Public.
#[tool(public)]
async fn ping() -> &'static str {
    "pong"
}

#[mcp_server(name = "docs", version = "1.0.0", oauth = jwt, tools = [ping])]
struct Docs;

fn main() {}

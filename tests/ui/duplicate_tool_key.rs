use mcp_runtime::prelude::*;

/// Named twice.
#[tool(name = "a", name = "b")]
async fn ping() -> &'static str {
    "pong"
}

fn main() {}

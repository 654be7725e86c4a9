use mcp_runtime::prelude::*;

/// Misspelled flag.
#[tool(readonly)]
async fn ping() -> &'static str {
    "pong"
}

fn main() {}

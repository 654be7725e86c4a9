use mcp_runtime::prelude::*;

/// Flags take no value.
#[tool(read_only = true)]
async fn ping() -> &'static str {
    "pong"
}

fn main() {}

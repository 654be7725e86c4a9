use mcp_runtime::prelude::*;

/// Unknown denial mode.
#[tool(requires = "read:data", on_denied = ignore)]
async fn read() -> &'static str {
    "data"
}

fn main() {}

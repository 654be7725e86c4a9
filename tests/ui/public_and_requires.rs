use mcp_runtime::prelude::*;

/// Both public and guarded.
#[tool(public, requires = "read:data")]
async fn read() -> &'static str {
    "data"
}

fn main() {}

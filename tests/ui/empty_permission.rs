use mcp_runtime::prelude::*;

/// An empty permission.
#[tool(requires = "")]
async fn delete_document() -> &'static str {
    "deleted"
}

fn main() {}

use mcp_runtime::prelude::*;

/// Spaces are not allowed in tool names.
#[tool(name = "delete document")]
async fn delete_document() -> &'static str {
    "deleted"
}

fn main() {}

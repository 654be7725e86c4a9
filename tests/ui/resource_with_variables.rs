use mcp_runtime::prelude::*;

/// A document.
#[resource(uri = "docs://{id}")]
async fn document() -> &'static str {
    "a document"
}

fn main() {}

use mcp_runtime::prelude::*;

/// A document.
#[resource_template(uri = "docs://{folder}/{id}")]
async fn document(id: String) -> String {
    id
}

fn main() {}

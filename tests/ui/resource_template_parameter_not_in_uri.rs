use mcp_runtime::prelude::*;

/// A document.
#[resource_template(uri = "docs://{id}")]
async fn document(id: String, version: u32) -> String {
    format!("{id} v{version}")
}

fn main() {}

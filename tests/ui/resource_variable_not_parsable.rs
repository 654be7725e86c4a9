use mcp_runtime::prelude::*;

struct Id(u64);

/// A document.
#[resource_template(uri = "docs://{id}")]
async fn document(id: Id) -> String {
    id.0.to_string()
}

fn main() {}

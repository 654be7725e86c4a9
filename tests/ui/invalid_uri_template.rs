use mcp_runtime::prelude::*;

/// A search.
#[resource_template(uri = "search://{query,page}")]
async fn search(query: String) -> String {
    query
}

fn main() {}

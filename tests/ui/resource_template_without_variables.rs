use mcp_runtime::prelude::*;

/// The README.
#[resource_template(uri = "docs://readme")]
async fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme", priority = 1.5)]
async fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

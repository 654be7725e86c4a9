use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme", last_modified = "yesterday")]
async fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

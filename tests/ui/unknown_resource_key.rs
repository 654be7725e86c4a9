use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme", mimetype = "text/markdown")]
async fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

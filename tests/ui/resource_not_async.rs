use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme")]
fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

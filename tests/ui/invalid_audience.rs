use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme", audience = ["user", "robot"])]
async fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

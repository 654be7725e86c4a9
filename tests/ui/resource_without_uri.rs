use mcp_runtime::prelude::*;

/// The README.
#[resource(name = "readme")]
async fn readme() -> &'static str {
    "# Hello"
}

fn main() {}

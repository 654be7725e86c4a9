use mcp_runtime::prelude::*;

/// Say hello.
#[tool(icon(src = "https://example.com/hello.png", theme = sepia))]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}

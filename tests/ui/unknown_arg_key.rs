use mcp_runtime::prelude::*;

/// Echo.
#[tool]
async fn echo(#[arg(alias = "t")] text: String) -> String {
    text
}

fn main() {}

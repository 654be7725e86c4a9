use mcp_runtime::prelude::*;

/// Summarize.
#[prompt(name = "summarize this")]
async fn summarize() -> &'static str {
    "Summarize."
}

fn main() {}

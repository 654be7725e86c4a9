use mcp_runtime::prelude::*;

/// Summarize.
#[prompt]
async fn summarize() -> &'static str {
    "Summarize."
}

/// Summarize, shorter.
#[prompt(name = "summarize")]
async fn summarize_short() -> &'static str {
    "Summarize briefly."
}

#[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [], prompts = [summarize, summarize_short])]
struct Server;

fn main() {}

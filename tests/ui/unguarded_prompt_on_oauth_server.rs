use mcp_runtime::prelude::*;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
    }
}

/// Summarize.
#[prompt]
async fn summarize() -> &'static str {
    "Summarize."
}

#[mcp_server(name = "s", version = "1.0.0", oauth = jwt, permissions = perms, tools = [], prompts = [summarize])]
struct Server;

fn main() {}

use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme")]
async fn readme() -> &'static str {
    "# Hello"
}

#[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [], resources = [readme, readme])]
struct Server;

fn main() {}

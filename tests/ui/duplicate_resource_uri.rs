use mcp_runtime::prelude::*;

/// The README.
#[resource(uri = "docs://readme")]
async fn readme() -> &'static str {
    "# Hello"
}

/// The README again, under another function.
#[resource(uri = "docs://readme", name = "readme-again")]
async fn readme_again() -> &'static str {
    "# Hello again"
}

#[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [], resources = [readme, readme_again])]
struct Server;

fn main() {}

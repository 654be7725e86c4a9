use mcp_runtime::prelude::*;

/// A permission means nothing without OAuth.
#[tool(requires = "delete:documents")]
async fn delete_document() -> &'static str {
    "deleted"
}

#[mcp_server(name = "docs", version = "1.0.0", oauth = none, tools = [delete_document])]
struct Docs;

fn main() {}

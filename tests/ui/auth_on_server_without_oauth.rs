use mcp_runtime::prelude::*;

/// Asks who the caller is on a server that never knows.
#[tool(public)]
async fn whoami(auth: Option<Auth>) -> String {
    auth.map(|a| a.user().user_id.clone()).unwrap_or_default()
}

#[mcp_server(name = "docs", version = "1.0.0", oauth = none, tools = [whoami])]
struct Docs;

fn main() {}

use mcp_runtime::prelude::*;

/// A public tool may be called without a token.
#[tool(public)]
async fn whoami(auth: &Auth) -> String {
    auth.user().user_id.clone()
}

fn main() {}

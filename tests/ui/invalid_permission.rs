use mcp_runtime::prelude::*;

/// A space is not allowed in an OAuth scope.
#[tool(requires = "delete documents")]
async fn delete_document(auth: &Auth) -> String {
    auth.user().user_id.clone()
}

fn main() {}

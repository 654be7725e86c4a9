use mcp_runtime::prelude::*;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
        /// Delete documents.
        DeleteDocuments = "delete:documents",
    }
}

/// Requires a permission the server does not declare (a typo).
#[tool(requires = "delete:document")]
async fn delete_document() -> &'static str {
    "deleted"
}

#[mcp_server(name = "docs", version = "1.0.0", oauth = jwt, permissions = perms, tools = [delete_document])]
struct Docs;

fn main() {}

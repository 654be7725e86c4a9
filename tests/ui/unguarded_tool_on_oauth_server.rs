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

/// Says nothing about who may call it.
#[tool]
async fn delete_everything() -> &'static str {
    "deleted"
}

#[mcp_server(name = "docs", version = "1.0.0", oauth = jwt, permissions = perms, tools = [delete_everything])]
struct Docs;

fn main() {}

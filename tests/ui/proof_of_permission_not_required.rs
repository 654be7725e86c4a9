use mcp_runtime::prelude::*;
use perms::DeleteDocuments;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
        /// Delete documents.
        DeleteDocuments = "delete:documents",
    }
}

/// Requires read:data but asks for proof of delete:documents.
#[tool(requires = "read:data")]
async fn delete_document(proof: Granted<DeleteDocuments>) -> String {
    format!("{proof:?}")
}

fn main() {}

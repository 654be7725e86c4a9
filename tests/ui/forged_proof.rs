use mcp_runtime::Granted;
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

fn delete_all(_proof: Granted<DeleteDocuments>) {}

fn main() {
    // Only a tool's guard can make a proof.
    delete_all(Granted { _permission: std::marker::PhantomData });
}

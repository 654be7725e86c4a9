// Besides a struct literal (`forged_proof.rs`), no public way makes a `Granted<P>` without a
// verified caller: no constructor, no default, nothing in the macros' hidden module. The one
// way, `Granted::check`, needs an `Auth` (see `forged_caller.rs`).
use mcp_runtime::Granted;
use perms::DeleteDocuments;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Delete documents.
        DeleteDocuments = "delete:documents",
    }
}

fn delete_all(_proof: Granted<DeleteDocuments>) {}

fn main() {
    delete_all(Granted::new());
    delete_all(Default::default());
    delete_all(mcp_runtime::__private::grant::<DeleteDocuments>());
}

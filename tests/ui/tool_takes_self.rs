use mcp_runtime::prelude::*;

struct Db;

impl Db {
    /// A method.
    #[tool]
    async fn count(&self) -> String {
        String::new()
    }
}

fn main() {}

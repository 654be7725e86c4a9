use mcp_runtime::prelude::*;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
    }
}

/// A document.
#[resource_template(uri = "docs://{id}", requires = "read:dta")]
async fn document(id: String) -> String {
    id
}

#[mcp_server(name = "s", version = "1.0.0", oauth = jwt, permissions = perms, tools = [], resources = [document])]
struct Server;

fn main() {}

use mcp_runtime::prelude::*;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
    }
}

/// The payroll: nobody said who may read it.
#[resource(uri = "hr://payroll")]
async fn payroll() -> &'static str {
    "salaries"
}

#[mcp_server(name = "s", version = "1.0.0", oauth = jwt, permissions = perms, tools = [], resources = [payroll])]
struct Server;

fn main() {}

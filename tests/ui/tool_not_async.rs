use mcp_runtime::prelude::*;

/// Not async.
#[tool]
fn add(a: i64) -> String {
    a.to_string()
}

fn main() {}

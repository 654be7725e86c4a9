use mcp_runtime::prelude::*;

/// A tuple pattern has no name for the schema.
#[tool]
async fn add((a, b): (i64, i64)) -> String {
    (a + b).to_string()
}

fn main() {}

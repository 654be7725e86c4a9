use mcp_runtime::prelude::*;

/// A number is not a tool result: return a `String` or `Json<T>`.
#[tool]
async fn answer() -> u32 {
    42
}

fn main() {}

use mcp_runtime::prelude::*;

/// Count.
#[prompt]
async fn count() -> u32 {
    3
}

fn main() {}

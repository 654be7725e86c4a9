use mcp_runtime::prelude::*;

async fn complete_city(prefix: String) -> Vec<String> {
    vec![prefix]
}

/// Weather.
#[prompt]
async fn weather(
    /// The city.
    #[arg(complete = complete_city)]
    city: String,
) -> String {
    city
}

fn main() {}

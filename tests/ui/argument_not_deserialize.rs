use mcp_runtime::prelude::*;

struct Point {
    x: i64,
}

/// The argument type implements neither `Deserialize` nor `JsonSchema`.
#[tool]
async fn plot(point: Point) -> String {
    point.x.to_string()
}

fn main() {}

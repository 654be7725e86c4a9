//! The fixture tools that the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`) calls, written with `#[tool]`.
//!
//! `PORT=3000 cargo run --example conformance`, then
//! `npx @modelcontextprotocol/conformance server --url http://127.0.0.1:3000/mcp`
//! (`scripts/conformance` does both).

use mcp_runtime::prelude::*;
use mcp_runtime::{CallToolResult, ResourceContents};
use schemars::JsonSchema;
use serde::Deserialize;

/// A 1x1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A tiny WAV file.
const WAV: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/// Tests simple text content response.
#[tool]
async fn test_simple_text() -> &'static str {
    "This is a simple text response for testing."
}

/// Tests image content response.
#[tool]
async fn test_image_content() -> Content {
    Content::Image {
        data: PNG.into(),
        mime_type: "image/png".into(),
    }
}

/// Tests audio content response.
#[tool]
async fn test_audio_content() -> Content {
    Content::Audio {
        data: WAV.into(),
        mime_type: "audio/wav".into(),
    }
}

/// Tests embedded resource content response.
#[tool]
async fn test_embedded_resource() -> Content {
    Content::resource_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    )
}

/// Tests response with multiple content types (text, image, resource).
#[tool]
async fn test_multiple_content_types() -> Vec<Content> {
    vec![
        Content::text("Multiple content types test:"),
        Content::Image {
            data: PNG.into(),
            mime_type: "image/png".into(),
        },
        Content::Resource {
            resource: ResourceContents::Text {
                uri: "test://mixed-content-resource".into(),
                mime_type: Some("application/json".into()),
                text: r#"{"test":"data","value":123}"#.into(),
            },
        },
    ]
}

/// Tests error response handling.
#[tool]
async fn test_error_handling() -> Result<CallToolResult, ToolError> {
    Err(ToolError::new(
        "This tool intentionally returns an error for testing",
    ))
}

/// A street address.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "address")]
#[allow(dead_code)] // the fixture only checks the schema
struct Address {
    street: Option<String>,
    city: Option<String>,
}

/// Tool with JSON Schema 2020-12 features.
#[tool]
async fn json_schema_2020_12_tool(name: Option<String>, address: Option<Address>) -> String {
    let city = address.and_then(|a| a.city).unwrap_or_default();
    format!("name={}, city={city}", name.unwrap_or_default())
}

#[mcp_server(
    name = "mcp-runtime-conformance",
    version = "1.0.0",
    oauth = none,
    tools = [
        test_simple_text,
        test_image_content,
        test_audio_content,
        test_embedded_resource,
        test_multiple_content_types,
        test_error_handling,
        json_schema_2020_12_tool,
    ]
)]
struct Conformance;

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    tracing_subscriber::fmt().init();
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    Conformance.serve(&format!("127.0.0.1:{port}")).await
}

//! The fixture tools, resources and prompts that the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`) calls, written with `#[tool]`, `#[resource]`,
//! `#[resource_template]` and `#[prompt]`.
//!
//! `PORT=3000 cargo run --example conformance`, then
//! `npx @modelcontextprotocol/conformance server --url http://127.0.0.1:3000/mcp`
//! (`scripts/conformance` does both).

use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::serde_json::{Value, json};
use mcp_runtime::{CallToolResult, ResourceContents, SamplingRequest};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// Tests tool that emits log messages during execution.
#[tool]
async fn test_tool_with_logging(ctx: &Context) -> &'static str {
    for message in [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
    ] {
        ctx.log(LogLevel::Info, message);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    "Tool with logging executed successfully"
}

/// Tests tool that reports progress notifications.
#[tool]
async fn test_tool_with_progress(ctx: &Context) -> String {
    for done in [0.0, 50.0, 100.0] {
        ctx.progress(done, Some(100.0), Some(&format!("Completed step {done}")));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ctx.progress_token()
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Tests server-initiated sampling (LLM completion request).
#[tool]
async fn test_sampling(
    ctx: &Context,
    /// The prompt to send to the LLM.
    prompt: String,
) -> Result<String, ToolError> {
    let answer = ctx.sample(SamplingRequest::text(prompt, 100)).await?;
    Ok(format!(
        "LLM response: {}",
        answer.text().unwrap_or_default()
    ))
}

/// Tests server-initiated elicitation (user input request).
#[tool]
async fn test_elicitation(
    ctx: &Context,
    /// The message to show the user.
    message: String,
) -> Result<String, ToolError> {
    let schema = json!({
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"},
        },
        "required": ["username", "email"],
    });
    Ok(match ctx.elicit_with_schema(&message, schema).await? {
        Elicitation::Accepted(content) => format!(
            "User response: action=accept, content={}",
            Value::Object(content)
        ),
        Elicitation::Declined => "User response: action=decline".into(),
        Elicitation::Cancelled => "User response: action=cancel".into(),
    })
}

/// The account status.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Status {
    Active,
    Inactive,
    Pending,
}

/// A form whose fields have defaults (SEP-1034), derived from a Rust type.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
struct Profile {
    /// User name
    #[serde(default = "default_name")]
    name: String,
    /// User age
    #[serde(default = "default_age")]
    age: i64,
    /// User score
    #[serde(default = "default_score")]
    score: f64,
    /// User status
    #[serde(default = "default_status")]
    status: Status,
    /// Verification status
    #[serde(default = "default_verified")]
    verified: bool,
}

fn default_name() -> String {
    "John Doe".into()
}
fn default_age() -> i64 {
    30
}
fn default_score() -> f64 {
    95.5
}
fn default_status() -> Status {
    Status::Active
}
fn default_verified() -> bool {
    true
}

/// Tests elicitation with default values for all primitive types (SEP-1034).
#[tool]
async fn test_elicitation_sep1034_defaults(ctx: &Context) -> Result<String, ToolError> {
    Ok(
        match ctx
            .elicit::<Profile>("Please review and update the form fields with defaults")
            .await?
        {
            Elicitation::Accepted(profile) => {
                format!("Elicitation completed: action=accept, content={profile:?}")
            }
            Elicitation::Declined => "Elicitation completed: action=decline".into(),
            Elicitation::Cancelled => "Elicitation completed: action=cancel".into(),
        },
    )
}

/// Tests elicitation with the enum schema variants of SEP-1330.
#[tool]
async fn test_elicitation_sep1330_enums(ctx: &Context) -> Result<String, ToolError> {
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "description": "Untitled single-select", "enum": ["option1", "option2", "option3"]},
            "titledSingle": {"type": "string", "description": "Titled single-select", "oneOf": [
                {"const": "value1", "title": "First Option"},
                {"const": "value2", "title": "Second Option"},
                {"const": "value3", "title": "Third Option"}]},
            "legacyEnum": {"type": "string", "description": "Legacy titled enum", "enum": ["opt1", "opt2", "opt3"],
                           "enumNames": ["Option One", "Option Two", "Option Three"]},
            "untitledMulti": {"type": "array", "description": "Untitled multi-select", "minItems": 1, "maxItems": 3,
                              "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
            "titledMulti": {"type": "array", "description": "Titled multi-select", "minItems": 1, "maxItems": 3,
                            "items": {"anyOf": [
                                {"const": "value1", "title": "First Choice"},
                                {"const": "value2", "title": "Second Choice"},
                                {"const": "value3", "title": "Third Choice"}]}},
        },
        "required": [],
    });
    Ok(
        match ctx
            .elicit_with_schema("Please select options from the enum fields", schema)
            .await?
        {
            Elicitation::Accepted(content) => format!(
                "Elicitation completed: action=accept, content={}",
                Value::Object(content)
            ),
            Elicitation::Declined => "Elicitation completed: action=decline".into(),
            Elicitation::Cancelled => "Elicitation completed: action=cancel".into(),
        },
    )
}

/// A static text resource for testing
#[resource(
    uri = "test://static-text",
    name = "static-text",
    title = "Static Text Resource",
    mime_type = "text/plain"
)]
async fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

/// A static binary resource (image) for testing
#[resource(
    uri = "test://static-binary",
    name = "static-binary",
    title = "Static Binary Resource",
    mime_type = "image/png"
)]
async fn static_binary() -> ResourceContents {
    ResourceContents::Blob {
        uri: "test://static-binary".into(),
        mime_type: Some("image/png".into()),
        blob: PNG.into(),
    }
}

/// A resource that auto-updates every 3 seconds
#[resource(
    uri = "test://watched-resource",
    name = "watched-resource",
    title = "Watched Resource",
    mime_type = "text/plain"
)]
async fn watched_resource() -> &'static str {
    "Watched resource content"
}

/// A resource template with parameter substitution
#[resource_template(
    uri = "test://template/{id}/data",
    name = "template",
    title = "Resource Template",
    mime_type = "application/json"
)]
async fn template(id: String) -> Json<Value> {
    Json(json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")}))
}

/// A simple prompt without arguments
#[prompt(title = "Simple Test Prompt")]
async fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

/// Completes `arg1` from a fixed list.
async fn complete_arg1(input: Completion) -> Vec<&'static str> {
    ["paris", "park", "party", "test", "testing"]
        .into_iter()
        .filter(|value| value.starts_with(input.value()))
        .collect()
}

/// A prompt with required arguments
#[prompt(title = "Prompt With Arguments")]
async fn test_prompt_with_arguments(
    /// First test argument
    #[arg(complete = complete_arg1)]
    arg1: String,
    /// Second test argument
    arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// A prompt that includes an embedded resource
#[prompt(title = "Prompt With Embedded Resource")]
async fn test_prompt_with_embedded_resource(
    /// URI of the resource to embed
    #[arg(rename = "resourceUri")]
    resource_uri: String,
) -> Vec<Message> {
    vec![
        Message::user(Content::resource_text(
            resource_uri,
            "text/plain",
            "Embedded resource content for testing.",
        )),
        Message::user("Please process the embedded resource above."),
    ]
}

/// A prompt that includes image content
#[prompt(title = "Prompt With Image")]
async fn test_prompt_with_image() -> Vec<Message> {
    vec![
        Message::user(Content::Image {
            data: PNG.into(),
            mime_type: "image/png".into(),
        }),
        Message::user("Please analyze the image above."),
    ]
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
        test_tool_with_logging,
        test_tool_with_progress,
        test_sampling,
        test_elicitation,
        test_elicitation_sep1034_defaults,
        test_elicitation_sep1330_enums,
    ],
    resources = [static_text, static_binary, watched_resource, template],
    prompts = [test_simple_prompt, test_prompt_with_arguments, test_prompt_with_embedded_resource, test_prompt_with_image]
)]
struct Conformance;

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    tracing_subscriber::fmt().init();
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    Conformance.serve(&format!("127.0.0.1:{port}")).await
}

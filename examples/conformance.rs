//! The fixture tools, resources and prompts that the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`) calls, written with `#[tool]`, `#[resource]`,
//! `#[resource_template]` and `#[prompt]`. One server for both eras: the `test_input_required_*`
//! tools ask through `Context` as any tool does, and in MCP 2026-07-28 their questions become
//! `InputRequiredResult`s.
//!
//! `PORT=3000 cargo run --example conformance`, then, for each revision,
//! `npx @modelcontextprotocol/conformance@0.2.0-alpha.12 server --url http://127.0.0.1:3000/mcp --requirements 2026-07-28`
//! (and `--requirements 2025-11-25`); `tests/e2e/conformance.test.mjs` runs both.

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

/// Test tool requiring sampling
#[tool]
async fn test_missing_capability(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx.sample(SamplingRequest::text("Say hello", 20)).await?;
    Ok(format!("Success: {}", answer.text().unwrap_or_default()))
}

/// Diagnostic tool validating response progress streams
#[tool]
async fn test_streaming_elicitation(ctx: &Context) -> &'static str {
    ctx.progress(50.0, Some(100.0), Some("Half way"));
    "Streaming complete"
}

/// Diagnostic logging validator tool
#[tool]
async fn test_logging_tool(ctx: &Context) -> &'static str {
    ctx.log(LogLevel::Info, "Diagnostic trace logging activated");
    "Logging evaluated"
}

/// A name, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct Name {
    name: String,
}

/// A favourite colour, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct Colour {
    color: String,
}

/// A confirmation, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct Confirm {
    ok: bool,
}

/// What the user answered, in a few words.
fn answered<T>(answer: Elicitation<T>, accepted: impl FnOnce(T) -> String) -> String {
    match answer {
        Elicitation::Accepted(value) => accepted(value),
        Elicitation::Declined => "The user declined".into(),
        Elicitation::Cancelled => "The user cancelled".into(),
    }
}

/// MRTR: returns InputRequiredResult with elicitation request
#[tool]
async fn test_input_required_result_elicitation(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx
        .elicit_as::<Name>("user_name", "What is your name?")
        .await?;
    Ok(answered(answer, |n| format!("Hello, {}!", n.name)))
}

/// MRTR: returns InputRequiredResult with sampling request
#[tool]
async fn test_input_required_result_sampling(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx
        .sample(SamplingRequest::text("What is the capital of France?", 100))
        .await?;
    Ok(format!(
        "Sampling result: {}",
        answer.text().unwrap_or("no response")
    ))
}

/// MRTR: returns InputRequiredResult with roots/list request
#[tool]
async fn test_input_required_result_list_roots(ctx: &Context) -> Result<String, ToolError> {
    let roots = ctx.list_roots().await?;
    Ok(format!("Found {} root(s)", roots.len()))
}

/// MRTR: returns InputRequiredResult with requestState
#[tool]
async fn test_input_required_result_request_state(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx.elicit::<Confirm>("Please confirm").await?;
    Ok(answered(answer, |c| {
        format!("state-ok: requestState validated, ok={}", c.ok)
    }))
}

/// MRTR: returns InputRequiredResult with multiple input requests
#[tool]
async fn test_input_required_result_multiple_inputs(ctx: &Context) -> Result<String, ToolError> {
    // Awaited together, the three are asked in one round.
    let (name, greeting, roots) = tokio::join!(
        ctx.elicit_as::<Name>("user_name", "What is your name?"),
        ctx.sample(SamplingRequest::text("Generate a greeting", 50)),
        ctx.list_roots(),
    );
    let name = answered(name?, |n| n.name);
    let greeting = greeting?;
    Ok(format!(
        "Name: {name}; Greeting: {}; Roots: {}",
        greeting.text().unwrap_or_default(),
        roots?.len()
    ))
}

/// MRTR: multi-round InputRequiredResult workflow
#[tool]
async fn test_input_required_result_multi_round(ctx: &Context) -> Result<String, ToolError> {
    let Elicitation::Accepted(name) = ctx.elicit::<Name>("Step 1: What is your name?").await?
    else {
        return Ok("Multi-round stopped at step 1".into());
    };
    let colour = ctx
        .elicit::<Colour>("Step 2: What is your favorite color?")
        .await?;
    Ok(answered(colour, |c| {
        format!(
            "Multi-round complete for {} who likes {}",
            name.name, c.color
        )
    }))
}

/// MRTR: HMAC-signed requestState integrity test
#[tool]
async fn test_input_required_result_tampered_state(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx.elicit::<Confirm>("Please confirm").await?;
    Ok(answered(answer, |_| "integrity-ok: state verified".into()))
}

/// MRTR: respects client capabilities in inputRequests
#[tool]
async fn test_input_required_result_capabilities(ctx: &Context) -> Result<String, ToolError> {
    let mut received = Vec::new();
    if ctx.client_supports("elicitation") {
        ctx.elicit::<Name>("Elicitation input").await?;
        received.push("elicitation");
    }
    if ctx.client_supports("sampling") {
        ctx.sample(SamplingRequest::text("Sample request", 50))
            .await?;
        received.push("sampling");
    }
    Ok(match received.is_empty() {
        true => "No supported capabilities declared".into(),
        false => format!("capabilities-ok: received {}", received.join(",")),
    })
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

/// Context asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct UserContext {
    context: String,
}

/// MRTR: prompt that requires elicitation input
#[prompt]
async fn test_input_required_result_prompt(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx
        .elicit_as::<UserContext>("user_context", "What context should the prompt use?")
        .await?;
    Ok(answered(answer, |c| {
        format!("Use this context: {}", c.context)
    }))
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
        test_missing_capability,
        test_streaming_elicitation,
        test_logging_tool,
        test_input_required_result_elicitation,
        test_input_required_result_sampling,
        test_input_required_result_list_roots,
        test_input_required_result_request_state,
        test_input_required_result_multiple_inputs,
        test_input_required_result_multi_round,
        test_input_required_result_tampered_state,
        test_input_required_result_capabilities,
    ],
    resources = [static_text, static_binary, watched_resource, template],
    prompts = [
        test_simple_prompt,
        test_prompt_with_arguments,
        test_prompt_with_embedded_resource,
        test_prompt_with_image,
        test_input_required_result_prompt,
    ]
)]
struct Conformance;

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    // RUST_LOG picks what is logged (`info` by default); colours only on a terminal.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    Conformance.serve(&format!("127.0.0.1:{port}")).await
}

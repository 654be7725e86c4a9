//! Tools that talk back, through the `Router`: progress and logs streamed before the result,
//! cancellation (by notification and by the client going away), sampling and elicitation
//! answered by later POSTs, and a client that never answers.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::Events;
use http_body_util::BodyExt;
use mcp_runtime::SamplingRequest;
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::axum::{self};
use mcp_runtime::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Reports progress three times and logs at two levels.
#[tool]
async fn chatty(ctx: &Context) -> &'static str {
    for n in 1..=3 {
        ctx.progress(f64::from(n), Some(3.0), None);
    }
    ctx.log(LogLevel::Info, "an info message");
    ctx.log(LogLevel::Error, json!({"problem": "an error message"}));
    "done"
}

/// Reports progress only.
#[tool]
async fn progress_only(ctx: &Context) -> &'static str {
    ctx.progress(1.0, None, None);
    "done"
}

static CANCELLED_TOOL_DROPPED: AtomicBool = AtomicBool::new(false);
static DISCONNECTED_TOOL_DROPPED: AtomicBool = AtomicBool::new(false);

struct SetOnDrop(&'static AtomicBool);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs until cancelled.
#[tool]
async fn forever(ctx: &Context, which: String) -> &'static str {
    let _guard = SetOnDrop(if which == "cancel" {
        &CANCELLED_TOOL_DROPPED
    } else {
        &DISCONNECTED_TOOL_DROPPED
    });
    ctx.progress(0.0, None, Some("started"));
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A confirmation.
#[derive(Debug, Deserialize, JsonSchema)]
struct Confirm {
    /// Say yes.
    yes: bool,
}

/// Asks the user.
#[tool]
async fn ask(ctx: &Context) -> Result<String, ToolError> {
    Ok(match ctx.elicit::<Confirm>("Sure?").await? {
        Elicitation::Accepted(Confirm { yes }) => format!("accepted: {yes}"),
        Elicitation::Declined => "declined".into(),
        Elicitation::Cancelled => "cancelled".into(),
    })
}

/// Asks the model.
#[tool]
async fn think(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx.sample(SamplingRequest::text("2+2?", 10)).await?;
    Ok(format!(
        "{} said {}",
        answer.model,
        answer.text().unwrap_or_default()
    ))
}

#[mcp_server(name = "talk", version = "1.0.0", oauth = none, tools = [chatty, progress_only, forever, ask, think])]
struct Talk;

fn app() -> axum::Router {
    Talk.into_server()
        .client_request_timeout(Duration::from_millis(300))
        .router()
}

/// A POST in `session`, without a token (the server has no OAuth).
fn post(body: &Value, session: &str) -> Request<Body> {
    common::post(body, None, Some(session))
}

async fn session(app: &axum::Router, capabilities: Value) -> String {
    common::session_with(app, None, capabilities).await
}

fn call(id: u64, tool: &str, arguments: Value, meta: Option<Value>) -> Value {
    let mut params = json!({"name": tool, "arguments": arguments});
    if let Some(meta) = meta {
        params["_meta"] = meta;
    }
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
}

async fn stream(app: &axum::Router, request: Request<Body>) -> Events {
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    Events::of(response.into_body())
}

#[tokio::test]
async fn progress_and_logs_stream_before_the_result() {
    let app = app();
    let id = session(&app, json!({})).await;
    let events = stream(
        &app,
        post(
            &call(1, "chatty", json!({}), Some(json!({"progressToken": "p1"}))),
            &id,
        ),
    )
    .await
    .all()
    .await;
    let methods: Vec<&str> = events
        .iter()
        .map(|e| e["method"].as_str().unwrap_or("result"))
        .collect();
    assert_eq!(
        methods,
        [
            "notifications/progress",
            "notifications/progress",
            "notifications/progress",
            "notifications/message",
            "notifications/message",
            "result"
        ]
    );
    assert_eq!(
        events[0]["params"],
        json!({"progressToken": "p1", "progress": 1.0, "total": 3.0})
    );
    assert_eq!(
        events[3]["params"],
        json!({"level": "info", "logger": "talk", "data": "an info message"})
    );
    assert_eq!(events[5]["id"], 1);
    assert_eq!(events[5]["result"]["content"][0]["text"], "done");

    // The client raises the level: the info message is no longer sent.
    let set = json!({"jsonrpc": "2.0", "id": 2, "method": "logging/setLevel", "params": {"level": "error"}});
    app.clone().oneshot(post(&set, &id)).await.unwrap();
    let events = stream(&app, post(&call(3, "chatty", json!({}), None), &id))
        .await
        .all()
        .await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["params"]["level"], "error");
}

#[tokio::test]
async fn without_anything_to_stream_the_answer_is_plain_json() {
    let app = app();
    let id = session(&app, json!({})).await;
    let response = app
        .clone()
        .oneshot(post(&call(1, "progress_only", json!({}), None), &id))
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "done");
}

#[tokio::test]
async fn a_cancelled_request_stops_the_tool_and_gets_no_answer() {
    let app = app();
    let id = session(&app, json!({})).await;
    let mut events = stream(
        &app,
        post(
            &call(
                7,
                "forever",
                json!({"which": "cancel"}),
                Some(json!({"progressToken": 1})),
            ),
            &id,
        ),
    )
    .await;
    assert_eq!(
        events.next().await.unwrap()["method"],
        "notifications/progress"
    );
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "user"}});
    let response = app.clone().oneshot(post(&cancel, &id)).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(
        events.next().await,
        None,
        "nothing more is sent for a cancelled request"
    );
    assert!(
        CANCELLED_TOOL_DROPPED.load(Ordering::SeqCst),
        "the tool's future was dropped"
    );
}

#[tokio::test]
async fn a_client_that_goes_away_stops_the_tool() {
    let app = app();
    let id = session(&app, json!({})).await;
    let mut events = stream(
        &app,
        post(
            &call(
                1,
                "forever",
                json!({"which": "disconnect"}),
                Some(json!({"progressToken": 1})),
            ),
            &id,
        ),
    )
    .await;
    assert_eq!(
        events.next().await.unwrap()["method"],
        "notifications/progress"
    );
    drop(events);
    for _ in 0..50 {
        if DISCONNECTED_TOOL_DROPPED.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the tool kept running after the client went away");
}

async fn answer(app: &axum::Router, session: &str, request: &Value, result: Value) {
    let reply = json!({"jsonrpc": "2.0", "id": request["id"], "result": result});
    let response = app.clone().oneshot(post(&reply, session)).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn elicitation_asks_the_user_and_types_the_answer() {
    let app = app();
    let id = session(&app, json!({"elicitation": {}})).await;
    for (result, expected) in [
        (
            json!({"action": "accept", "content": {"yes": true}}),
            "accepted: true",
        ),
        (json!({"action": "decline"}), "declined"),
    ] {
        let mut events = stream(&app, post(&call(1, "ask", json!({}), None), &id)).await;
        let request = events.next().await.unwrap();
        assert_eq!(request["method"], "elicitation/create");
        assert_eq!(request["params"]["message"], "Sure?");
        assert_eq!(
            request["params"]["requestedSchema"],
            json!({"description": "A confirmation.", "type": "object",
                   "properties": {"yes": {"type": "boolean", "description": "Say yes."}}, "required": ["yes"]})
        );
        answer(&app, &id, &request, result).await;
        let done = events.next().await.unwrap();
        assert_eq!(done["result"]["content"][0]["text"], expected);
    }
    // An answer that does not match the form is a tool error, not a panic.
    let mut events = stream(&app, post(&call(1, "ask", json!({}), None), &id)).await;
    let request = events.next().await.unwrap();
    answer(
        &app,
        &id,
        &request,
        json!({"action": "accept", "content": {"yes": "maybe"}}),
    )
    .await;
    let done = events.next().await.unwrap();
    assert_eq!(done["result"]["isError"], true);
}

#[tokio::test]
async fn sampling_asks_the_clients_model() {
    let app = app();
    let id = session(&app, json!({"sampling": {}})).await;
    let mut events = stream(&app, post(&call(1, "think", json!({}), None), &id)).await;
    let request = events.next().await.unwrap();
    assert_eq!(request["method"], "sampling/createMessage");
    assert_eq!(request["params"]["maxTokens"], 10);
    answer(
        &app,
        &id,
        &request,
        json!({"role": "assistant", "model": "m1", "content": {"type": "text", "text": "4"}}),
    )
    .await;
    assert_eq!(
        events.next().await.unwrap()["result"]["content"][0]["text"],
        "m1 said 4"
    );
}

#[tokio::test]
async fn a_client_that_never_answers_does_not_hold_the_tool() {
    let app = app();
    let id = session(&app, json!({"elicitation": {}})).await;
    let mut events = stream(&app, post(&call(1, "ask", json!({}), None), &id)).await;
    assert_eq!(events.next().await.unwrap()["method"], "elicitation/create");
    let done = events.next().await.unwrap();
    assert_eq!(done["result"]["isError"], true);
    assert!(
        done["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("did not answer")
    );
}

#[tokio::test]
async fn a_client_without_the_capability_gets_a_tool_error() {
    let app = app();
    let id = session(&app, json!({})).await;
    let response = app
        .clone()
        .oneshot(post(&call(1, "ask", json!({}), None), &id))
        .await
        .unwrap();
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["result"]["isError"], true);
    assert!(
        body["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("does not support elicitation")
    );
}

#[tokio::test]
async fn the_session_stream_opens_and_ends_with_the_session() {
    let app = app();
    let id = session(&app, json!({})).await;
    let get = Request::get("/mcp")
        .header("host", "localhost")
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id);
    let response = app
        .clone()
        .oneshot(get.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    // The first keep-alive comes at once.
    let first = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.into_data().unwrap(), ": keep-alive\n\n");
    // Ending the session ends its stream right away, not at the next keep-alive (15 s).
    let delete = Request::delete("/mcp")
        .header("host", "localhost")
        .header("mcp-session-id", &id);
    app.clone()
        .oneshot(delete.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let end = tokio::time::timeout(Duration::from_secs(2), body.frame())
        .await
        .expect("the stream ended");
    assert!(end.is_none(), "the stream ended without another event");
    let unknown = Request::get("/mcp")
        .header("host", "localhost")
        .header("accept", "text/event-stream")
        .header("mcp-session-id", "nope");
    assert_eq!(
        app.clone()
            .oneshot(unknown.body(Body::empty()).unwrap())
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

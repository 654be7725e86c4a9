//! Helpers shared by the integration tests: requests to a `Router` (no sockets), the JSON-RPC
//! messages they carry, and replies read back.

// Each test crate uses some of these helpers, never all of them.
#![allow(dead_code)]

use std::time::Duration;

use http_body_util::BodyExt;
use mcp_runtime::axum::Router;
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The host every request names (an allowed loopback host).
pub(crate) const HOST: &str = "127.0.0.1:3000";

/// An answer: its status, headers and body (JSON, or `null` when it is not JSON).
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    /// The `WWW-Authenticate` header, or an empty string.
    pub(crate) fn www_authenticate(&self) -> String {
        self.header("www-authenticate")
            .unwrap_or_default()
            .to_owned()
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// Sends `request` to `app` and reads the whole answer.
pub(crate) async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// A POST of `body` to `/mcp`, with a bearer `token` and a `session` id when given.
pub(crate) fn post(body: &Value, token: Option<&str>, session: Option<&str>) -> Request<Body> {
    post_raw(body.to_string(), token, session)
}

/// A POST of any bytes (not always JSON) to `/mcp`.
pub(crate) fn post_raw(
    body: impl Into<Body>,
    token: Option<&str>,
    session: Option<&str>,
) -> Request<Body> {
    let mut request = Request::post("/mcp")
        .header("host", HOST)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    request.body(body.into()).unwrap()
}

/// A JSON-RPC request.
pub(crate) fn request(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// `tools/call` of `tool` with `arguments`.
pub(crate) fn tool_call(id: u64, tool: &str, arguments: Value) -> Value {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}

/// `initialize` for `version`, declaring `capabilities`.
pub(crate) fn initialize(version: &str, capabilities: Value) -> Value {
    request(
        0,
        "initialize",
        json!({"protocolVersion": version, "capabilities": capabilities,
               "clientInfo": {"name": "t", "version": "1"}}),
    )
}

/// Opens a session (MCP 2025-11-25, no client capabilities) as `token`'s caller and returns
/// its id.
pub(crate) async fn session(app: &Router, token: Option<&str>) -> String {
    session_with(app, token, json!({})).await
}

/// Opens a session declaring `capabilities`.
pub(crate) async fn session_with(app: &Router, token: Option<&str>, capabilities: Value) -> String {
    let reply = send(
        app,
        post(&initialize("2025-11-25", capabilities), token, None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.header("mcp-session-id").unwrap().to_owned()
}

/// A request of `method` in `session`.
pub(crate) async fn rpc(
    app: &Router,
    token: Option<&str>,
    session: &str,
    method: &str,
    params: Value,
) -> Reply {
    send(app, post(&request(1, method, params), token, Some(session))).await
}

/// `tools/call` of `tool` in `session`.
pub(crate) async fn call(
    app: &Router,
    token: Option<&str>,
    session: &str,
    tool: &str,
    arguments: Value,
) -> Reply {
    send(
        app,
        post(&tool_call(1, tool, arguments), token, Some(session)),
    )
    .await
}

/// The text of a tool result's first content block.
pub(crate) fn text(reply: &Value) -> &str {
    reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
}

/// Reads SSE events from a streamed body.
pub(crate) struct Events {
    body: Body,
    buffer: String,
}

impl Events {
    /// The events of a body.
    pub(crate) fn of(body: Body) -> Self {
        Events {
            body,
            buffer: String::new(),
        }
    }

    /// The next event's data, as JSON; `None` when the stream ends.
    pub(crate) async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                let data: String = event
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                if data.is_empty() {
                    continue;
                }
                return Some(serde_json::from_str(&data).unwrap());
            }
            let frame = tokio::time::timeout(Duration::from_secs(5), self.body.frame())
                .await
                .expect("a frame in time")?;
            if let Ok(data) = frame.unwrap().into_data() {
                self.buffer.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }

    /// Every event until the stream ends.
    pub(crate) async fn all(mut self) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(event) = self.next().await {
            events.push(event);
        }
        events
    }
}

/// A log writer that keeps every line, for tests that read what was logged.
#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Captures what this thread logs at INFO and above (the tests' runtime is one thread),
    /// until the guard is dropped.
    pub(crate) fn install() -> (Captured, tracing::subscriber::DefaultGuard) {
        use tracing_subscriber::util::SubscriberInitExt as _;
        let captured = Captured::default();
        let writer = captured.clone();
        let guard = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish()
            .set_default();
        (captured, guard)
    }

    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

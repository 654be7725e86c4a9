//! Faults and bad input: tools that hang or return too much, bounded sessions, rate limits on
//! the OAuth proxy, malformed requests, oversized headers. After each, the server serves on.

mod common;

use std::time::Duration;

use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::axum::{self};
use mcp_runtime::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// Never finishes.
#[tool]
async fn hang() -> &'static str {
    std::future::pending::<()>().await;
    "never"
}

/// Never finishes, with its own limit.
#[tool(timeout_secs = 1)]
async fn hang_briefly() -> &'static str {
    std::future::pending::<()>().await;
    "never"
}

/// Returns `size` bytes.
#[tool]
async fn big(size: usize) -> String {
    "x".repeat(size)
}

/// Answers.
#[tool]
async fn ok() -> &'static str {
    "ok"
}

#[mcp_server(name = "faults", version = "1.0.0", oauth = none, tools = [hang, hang_briefly, big, ok])]
struct Faults;

async fn send(
    app: &axum::Router,
    body: impl Into<Body>,
    session: Option<&str>,
) -> (StatusCode, Value) {
    let reply = common::send(app, common::post_raw(body, None, session)).await;
    (reply.status, reply.body)
}

fn call(tool: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}).to_string()
}

async fn still_serving(app: &axum::Router) {
    let (status, body) = send(app, call("ok", json!({})), None).await;
    assert_eq!(
        (status, body["result"]["content"][0]["text"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

fn stateless() -> mcp_runtime::Server {
    Faults.into_server().stateless()
}

#[tokio::test]
async fn a_tool_that_hangs_is_stopped_at_its_time_limit() {
    let app = stateless()
        .tool_timeout(Duration::from_millis(200))
        .router();
    let started = std::time::Instant::now();
    let (_, body) = send(&app, call("hang", json!({})), None).await;
    assert_eq!(body["result"]["isError"], true);
    assert!(
        body["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("did not finish within 0.2 seconds")
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // A tool's own limit wins over the server's.
    let app = stateless().router();
    let (_, body) = send(&app, call("hang_briefly", json!({})), None).await;
    assert!(
        body["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("within 1 seconds"),
        "{body}"
    );
    still_serving(&app).await;
}

#[tokio::test]
async fn a_huge_result_is_replaced_by_an_error() {
    let app = stateless().max_result_bytes(1000).router();
    let (_, body) = send(&app, call("big", json!({"size": 999})), None).await;
    assert_eq!(
        body["result"]["content"][0]["text"].as_str().unwrap().len(),
        999
    );
    let (_, body) = send(&app, call("big", json!({"size": 5000})), None).await;
    assert_eq!(body["result"]["isError"], true);
    assert!(
        body["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("5000 bytes")
    );
    still_serving(&app).await;
}

fn initialize() -> String {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}}).to_string()
}

#[tokio::test]
async fn sessions_are_bounded_and_expire() {
    let app = Faults
        .into_server()
        .session_limits(2, Duration::from_secs(3600))
        .router();
    for _ in 0..2 {
        assert_eq!(send(&app, initialize(), None).await.0, StatusCode::OK);
    }
    let (status, body) = send(&app, initialize(), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too many sessions")
    );

    let app = Faults
        .into_server()
        .session_limits(2, Duration::from_millis(100))
        .router();
    let id = common::session(&app, None).await;
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string();
    assert_eq!(send(&app, ping.clone(), Some(&id)).await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        send(&app, ping, Some(&id)).await.0,
        StatusCode::NOT_FOUND,
        "an idle session expires"
    );
    // Expired sessions make room for new ones.
    for _ in 0..2 {
        assert_eq!(send(&app, initialize(), None).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn malformed_input_never_takes_the_server_down() {
    let app = stateless().router();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let nested = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{deep}}}}}"#);
    let cases: Vec<(&str, Vec<u8>, i64)> = vec![
        ("deep nesting", nested.into_bytes(), -32700),
        (
            "invalid UTF-8",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}".to_vec(),
            -32700,
        ),
        (
            "truncated",
            br#"{"jsonrpc":"2.0","id":1,"meth"#.to_vec(),
            -32700,
        ),
        ("a number", b"42".to_vec(), -32600),
        (
            "a batch",
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#.to_vec(),
            -32600,
        ),
        (
            "an object id",
            br#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#.to_vec(),
            -32600,
        ),
    ];
    for (case, body, code) in cases {
        let (status, reply) = send(&app, body, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(reply["error"]["code"], code, "{case}: {reply}");
    }
    // A request id used twice is answered twice: ids are the client's business.
    for _ in 0..2 {
        still_serving(&app).await;
    }
    let (_, reply) = send(
        &app,
        json!({"jsonrpc": "2.0", "id": 3, "method": "no/such"}).to_string(),
        None,
    )
    .await;
    assert_eq!(reply["error"]["code"], -32601);
}

#[tokio::test]
async fn oversized_headers_are_refused_by_a_real_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = stateless().router();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut request =
        String::from("POST /mcp HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n");
    for i in 0..200 {
        request.push_str(&format!("x-filler-{i}: {}\r\n", "y".repeat(100)));
    }
    request.push_str("content-length: 2\r\n\r\n{}");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let status_line = String::from_utf8_lossy(&answer[..n]);
    assert!(status_line.starts_with("HTTP/1.1 431"), "{status_line}");
}

#[tokio::test]
async fn the_oauth_proxy_is_rate_limited() {
    mcp_runtime::permissions! {
        /// The vocabulary.
        pub mod perms {
            /// Read.
            ReadData = "read:data",
        }
    }
    /// Read.
    #[tool(requires = "read:data")]
    async fn read() -> &'static str {
        "data"
    }
    #[mcp_server(name = "p", oauth = auth0_proxy, permissions = perms, tools = [read])]
    struct Proxied;
    let config = mcp_runtime::Auth0Config::new("tenant.example.com", "https://api.example.com")
        .client("id", "secret")
        .rate_limit(10);
    let app = Proxied
        .into_server()
        .auth0(config)
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    let register = || {
        Request::post("/register")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"redirect_uris":["http://127.0.0.1:9/cb"]}"#))
            .unwrap()
    };
    assert_eq!(
        app.clone().oneshot(register()).await.unwrap().status(),
        StatusCode::CREATED
    );
    let limited = app.clone().oneshot(register()).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    let token = Request::post("/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=x"))
        .unwrap();
    assert_ne!(
        app.clone().oneshot(token).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "each endpoint has its own bucket"
    );
}

//! `router()` is as good as `serve()`: mounted into an application with its own state and
//! routes, served by the application's own `axum::serve` with a graceful shutdown that the
//! server's `ShutdownHandle` completes by ending the open session streams.

mod common;

use std::time::Duration;

use common::{HOST, send};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::extract::State as AxumState;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::axum::routing::get;
use mcp_runtime::axum::{self, Router};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use mcp_runtime::{JwtConfig, ShutdownHandle};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
    }
}

/// Greet the caller.
#[tool(requires = "read:data")]
async fn greet(auth: &Auth) -> String {
    format!("hello, {}", auth.user().user_id)
}

#[mcp_server(name = "mounted", version = "1.0.0", oauth = jwt, permissions = perms, tools = [greet])]
struct Mounted;

/// Echo.
#[tool]
async fn echo(text: String) -> String {
    text
}

#[mcp_server(name = "open", version = "1.0.0", oauth = none, tools = [echo])]
struct Open;

/// The application's own state.
#[derive(Clone)]
struct AppState {
    greeting: &'static str,
}

async fn hello(AxumState(state): AxumState<AppState>) -> &'static str {
    state.greeting
}

/// An application with its own state and routes, and the MCP server merged in.
fn app(config: JwtConfig) -> Router {
    let mcp = Mounted
        .into_server()
        .jwt(config)
        .public_url("http://127.0.0.1:3000")
        .router()
        .expect("valid settings");
    Router::new()
        .route("/hello", get(hello))
        .with_state(AppState {
            greeting: "from the app",
        })
        .merge(mcp)
}

#[tokio::test]
async fn the_router_mounts_into_an_app_with_its_own_state_and_routes() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config("https://api.example.com"));
    let token = issuer
        .token("https://api.example.com")
        .subject("alice")
        .permissions(["read:data"])
        .sign();

    // The application's route and state.
    let reply = axum::body::to_bytes(
        tower::ServiceExt::oneshot(
            app.clone(),
            Request::get("/hello").body(Body::empty()).unwrap(),
        )
        .await
        .unwrap()
        .into_body(),
        1024,
    )
    .await
    .unwrap();
    assert_eq!(&reply[..], b"from the app");

    // The MCP endpoint, its challenge and its metadata beside them.
    let session = common::session(&app, Some(&token)).await;
    let greeted = common::call(&app, Some(&token), &session, "greet", json!({})).await;
    assert_eq!(common::text(&greeted.body), "hello, alice");
    let anonymous = send(
        &app,
        common::post(&common::initialize("2025-11-25", json!({})), None, None),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let metadata = send(
        &app,
        Request::get("/.well-known/oauth-protected-resource/mcp")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(metadata.body["resource"], "http://127.0.0.1:3000/mcp");
    // Paths of neither stay 404.
    let missing = send(&app, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Serves `app` on a loopback port with a graceful shutdown on `stop`, calling `handle`'s
/// `shutdown` when `end_streams`; returns the address and the server's task.
async fn serve(
    app: Router,
    handle: ShutdownHandle,
    stop: tokio::sync::oneshot::Receiver<()>,
    end_streams: bool,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.await;
                if end_streams {
                    handle.shutdown();
                }
            })
            .await
            .unwrap();
    });
    (addr, task)
}

/// Opens a session and its GET stream over a real connection, and reads the stream's head.
async fn open_stream(addr: std::net::SocketAddr) -> tokio::net::TcpStream {
    let init = common::initialize("2025-11-25", json!({})).to_string();
    let mut connection = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{init}",
        init.len()
    );
    connection.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).await.unwrap();
    let session = answer
        .lines()
        .find_map(|l| l.strip_prefix("mcp-session-id: "))
        .expect("a session id")
        .trim()
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /mcp HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {session}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 256];
    let n = stream.read(&mut head).await.unwrap();
    assert!(
        String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );
    stream
}

#[tokio::test]
async fn the_shutdown_handle_ends_open_streams_so_the_apps_graceful_shutdown_completes() {
    for end_streams in [true, false] {
        let server = Open.into_server();
        let handle = server.shutdown_handle();
        let app = Router::new()
            .route("/hello", get(|| async { "hi" }))
            .merge(server.router());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let (addr, task) = serve(app, handle.clone(), stop_rx, end_streams).await;
        let mut stream = open_stream(addr).await;
        stop_tx.send(()).unwrap();
        let finished = tokio::time::timeout(Duration::from_secs(3), task).await;
        if end_streams {
            assert!(
                finished.is_ok(),
                "with the handle, the graceful shutdown completes"
            );
            assert!(handle.is_shut_down());
            // The stream ended: the connection reads to its end.
            let mut rest = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut rest));
            assert!(read.await.is_ok(), "the open stream was ended");
        } else {
            // Without it, the open stream holds the shutdown: what the handle is for.
            assert!(
                finished.is_err(),
                "an open stream keeps a graceful shutdown waiting"
            );
        }
    }
}

//! What a slow or idle client can hold, through a real server (`Server::serve_on` on a
//! loopback port): its connection ends at the header or body timeout, connections past the
//! cap wait for a free one, and `/mcp` answers a foreign Host or a missing token before it
//! reads a byte of the body.

mod common;

use std::time::{Duration, Instant};

use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// Says hello.
#[tool]
async fn hello() -> &'static str {
    "hello"
}

/// Reads.
#[tool(requires = "read:data")]
async fn read() -> &'static str {
    "data"
}

#[mcp_server(name = "c", version = "1.0.0", oauth = none, tools = [hello])]
struct Plain;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
    }
}

#[mcp_server(name = "g", version = "1.0.0", oauth = jwt, permissions = perms, tools = [read])]
struct Guarded;

/// Serves `server` on a free loopback port; the task ends with the test.
async fn start<M: mcp_runtime::oauth::OAuthMode>(
    server: mcp_runtime::Server<M>,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server.serve_on(listener));
    addr
}

/// Reads until the server closes the connection (or `limit` passes); returns what came.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read).await.ok()?;
    Some(String::from_utf8_lossy(&received).into_owned())
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

fn initialize_request(connection: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nConnection: {connection}\r\n\
         Content-Length: {}\r\n\r\n{INITIALIZE}",
        INITIALIZE.len()
    )
}

#[tokio::test]
async fn a_client_that_sends_its_headers_slowly_loses_its_connection() {
    let addr = start(
        Plain
            .into_server()
            .header_timeout(Duration::from_millis(500)),
    )
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let closed = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "the connection stayed open");
    let after = started.elapsed();
    assert!(
        after >= Duration::from_millis(400) && after < Duration::from_secs(3),
        "closed after {after:?}"
    );
    // A kept-alive connection that goes idle after a request is closed the same way.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(initialize_request("keep-alive").as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the idle connection stayed open");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_client_that_sends_its_body_slowly_gets_408() {
    let addr = start(Plain.into_server().body_timeout(Duration::from_millis(500))).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\"";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("no answer to a body that never came");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("the body was not sent in time"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_an_idle_one_times_out() {
    let addr = start(
        Plain
            .into_server()
            .max_connections(2)
            .header_timeout(Duration::from_secs(1)),
    )
    .await;
    // Two connections that send nothing hold both places.
    let idle = [
        TcpStream::connect(addr).await.unwrap(),
        TcpStream::connect(addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(initialize_request("close").as_bytes())
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the request was never answered");
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        waited >= Duration::from_millis(700),
        "answered after {waited:?}: the cap did not hold"
    );
    assert!(waited < Duration::from_secs(4), "answered after {waited:?}");
    drop(idle);
}

/// A body that never ends: a handler that read it would wait forever.
fn endless_body() -> Body {
    Body::from_stream(futures_util::stream::pending::<
        Result<Vec<u8>, std::io::Error>,
    >())
}

#[tokio::test]
async fn mcp_admits_host_origin_and_token_before_it_reads_the_body() {
    let issuer = TestIssuer::start().await;
    let guarded = Guarded
        .into_server()
        .jwt(issuer.config("https://mcp.example.com/mcp"))
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    let plain = Plain.into_server().router();
    let request = |host: &str, origin: Option<&str>| {
        let mut request = Request::post("/mcp")
            .header("host", host)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("content-length", "4194304");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.body(endless_body()).unwrap()
    };
    for (app, request, expected) in [
        (&plain, request("evil.example", None), StatusCode::FORBIDDEN),
        (
            &plain,
            request("127.0.0.1:3000", Some("https://evil.example")),
            StatusCode::FORBIDDEN,
        ),
        (
            &guarded,
            request("127.0.0.1:3000", None),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let answer = tokio::time::timeout(Duration::from_secs(2), app.clone().oneshot(request))
            .await
            .expect("the handler waited for the body before it refused the request")
            .unwrap();
        assert_eq!(answer.status(), expected);
    }
}

#[tokio::test]
async fn a_bad_port_is_not_blamed_on_another_process() {
    let err = Plain.serve("127.0.0.1:abc").await.unwrap_err().to_string();
    assert!(!err.contains("another process"), "{err}");
    assert!(err.contains("port from 0 to 65535"), "{err}");
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = Plain.serve(&addr).await.unwrap_err().to_string();
    assert!(err.contains("another process"), "{err}");
}

/// `GET path` with `Host: host` on a new connection; the body of the answer.
async fn get(addr: std::net::SocketAddr, host: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_loopback_server_names_the_resource_as_the_client_spelled_it() {
    let issuer = TestIssuer::start().await;
    let config = || issuer.config("https://mcp.example.com/mcp");
    let addr = start(Guarded.into_server().jwt(config())).await;
    let port = addr.port();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let prm: serde_json::Value = serde_json::from_str(
            &get(addr, &host, "/.well-known/oauth-protected-resource/mcp").await,
        )
        .unwrap();
        assert_eq!(prm["resource"], format!("http://{host}/mcp"), "{host}");
    }
    // Another port is not this server's name: the canonical resource.
    let prm: serde_json::Value = serde_json::from_str(
        &get(
            addr,
            "localhost:1",
            "/.well-known/oauth-protected-resource/mcp",
        )
        .await,
    )
    .unwrap();
    assert_eq!(prm["resource"], format!("http://127.0.0.1:{port}/mcp"));
    // With a public URL configured, that one only.
    let addr = start(
        Guarded
            .into_server()
            .jwt(config())
            .public_url("https://mcp.example.com"),
    )
    .await;
    let prm: serde_json::Value = serde_json::from_str(
        &get(
            addr,
            &format!("localhost:{}", addr.port()),
            "/.well-known/oauth-protected-resource/mcp",
        )
        .await,
    )
    .unwrap();
    assert_eq!(prm["resource"], "https://mcp.example.com/mcp");
}

#[tokio::test]
async fn a_body_that_trickles_in_still_ends_at_the_body_timeout() {
    let addr = start(Plain.into_server().body_timeout(Duration::from_millis(600))).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // One byte every 200 ms: never a gap as long as the timeout, but never the whole body.
    let drip = async {
        loop {
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            if started.elapsed() > Duration::from_secs(5) {
                break;
            }
        }
    };
    drip.await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(4),
        "the connection outlived the body timeout: {waited:?}"
    );
}

//! The Streamable HTTP surface, driven in-process through the `Router` (no sockets).

mod common;

use common::{post, send, session};
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::axum::{self, body::Body};
use mcp_runtime::prelude::*;
use serde_json::{Value, json};

/// Add two numbers.
#[tool(read_only, idempotent)]
async fn add(
    /// The first addend.
    a: i64,
    /// The second addend.
    b: i64,
) -> String {
    (a + b).to_string()
}

/// Formats a greeting: a tool may be named like a standard macro, and the module keeps
/// using the macro.
#[tool]
async fn format(name: String) -> String {
    format!("hello, {name}")
}

/// Always panics.
#[tool]
async fn explode() -> String {
    panic!("boom")
}

#[mcp_server(name = "test", version = "0.0.1", oauth = none, tools = [add, explode])]
struct TestServer;

async fn call(app: &axum::Router, session: &str, method: &str, params: Value) -> Value {
    let reply = send(
        app,
        post(
            &json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}),
            None,
            Some(session),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["id"], 7);
    reply.body
}

#[tokio::test]
async fn initialize_negotiates_the_version_and_issues_a_session() {
    let app = TestServer.router();
    for (asked, answered) in [
        ("2025-11-25", "2025-11-25"),
        ("2025-06-18", "2025-06-18"),
        ("2025-03-26", "2025-03-26"),
        ("1999-01-01", "2025-11-25"),
    ] {
        let reply = send(
            &app,
            post(&common::initialize(asked, json!({})), None, None),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["result"]["protocolVersion"], answered);
        assert_eq!(
            reply.body["result"]["serverInfo"],
            json!({"name": "test", "version": "0.0.1"})
        );
        assert!(reply.body["result"]["capabilities"]["tools"].is_object());
        let id = reply.headers["mcp-session-id"].to_str().unwrap();
        assert!(id.len() >= 32 && id.bytes().all(|b| b.is_ascii_graphic()));
    }
}

#[tokio::test]
async fn session_ids_are_required_and_checked() {
    let app = TestServer.router();
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    assert_eq!(
        send(&app, post(&ping, None, None)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(&app, post(&ping, None, Some("no-such-session")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let id = session(&app, None).await;
    assert_eq!(
        call(&app, &id, "ping", json!({})).await["result"],
        json!({})
    );
    let delete = Request::delete("/mcp")
        .header("host", "localhost")
        .header("mcp-session-id", &id)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, delete).await.status, StatusCode::OK);
    assert_eq!(
        send(&app, post(&ping, None, Some(&id))).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn stateless_mode_needs_no_session() {
    let app = TestServer.into_server().stateless().router();
    let reply = send(
        &app,
        post(&common::initialize("2025-11-25", json!({})), None, None),
    )
    .await;
    assert!(reply.headers.get("mcp-session-id").is_none());
    let reply = send(
        &app,
        post(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            None,
            None,
        ),
    )
    .await;
    assert_eq!(reply.body["result"], json!({}));
}

#[tokio::test]
async fn notifications_and_responses_get_202() {
    let app = TestServer.router();
    let id = session(&app, None).await;
    let reply = send(
        &app,
        post(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            None,
            Some(&id),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.body, Value::Null);
    let reply = send(
        &app,
        post(
            &json!({"jsonrpc": "2.0", "id": 5, "result": {}}),
            None,
            Some(&id),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn protocol_version_header_is_checked() {
    let app = TestServer.router();
    let id = session(&app, None).await;
    let mut request = post(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        None,
        Some(&id),
    );
    request
        .headers_mut()
        .insert("mcp-protocol-version", "2099-01-01".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::BAD_REQUEST);
    let mut request = post(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        None,
        Some(&id),
    );
    request
        .headers_mut()
        .insert("mcp-protocol-version", "2025-03-26".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_host_with_anything_but_a_numeric_port_is_refused() {
    let app = TestServer.router();
    for host in [
        "localhost:5101:evil",
        "localhost:",
        "127.0.0.1:abc",
        "[::1]x",
    ] {
        let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
        request.headers_mut().insert("host", host.parse().unwrap());
        assert_eq!(
            send(&app, request).await.status,
            StatusCode::FORBIDDEN,
            "{host}"
        );
    }
    for origin in ["http://localhost:1:evil.example", "http://localhost:x"] {
        let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
        assert_eq!(
            send(&app, request).await.status,
            StatusCode::FORBIDDEN,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn refused_host_and_origin_warnings_are_rate_limited() {
    let (captured, _guard) = common::Captured::install();
    let app = TestServer.router();
    for i in 0..200 {
        let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
        if i % 2 == 0 {
            request
                .headers_mut()
                .insert("host", "evil.example.com".parse().unwrap());
        } else {
            request
                .headers_mut()
                .insert("origin", "http://evil.example.com".parse().unwrap());
        }
        assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
    }
    let log = captured.text();
    let warnings = log
        .lines()
        .filter(|l| l.contains("refused a request"))
        .count();
    assert_eq!(
        warnings, 1,
        "200 refusals in a moment are one warning:\n{log}"
    );
}

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused() {
    let app = TestServer.router();
    let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
    request
        .headers_mut()
        .insert("host", "evil.example.com".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
    let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
    request
        .headers_mut()
        .insert("origin", "http://evil.example.com".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
    let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
    request
        .headers_mut()
        .insert("origin", "http://localhost:6274".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::OK);

    let app = TestServer
        .into_server()
        .allowed_hosts(["mcp.example.com"])
        .router();
    let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
    request
        .headers_mut()
        .insert("host", "mcp.example.com".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::OK);
    assert_eq!(
        send(
            &app,
            post(&common::initialize("2025-11-25", json!({})), None, None)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn malformed_requests_get_json_rpc_errors() {
    let app = TestServer.router();
    let raw = |body: &str| {
        Request::post("/mcp")
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let reply = send(&app, raw("{not json")).await;
    assert_eq!(
        (reply.status, reply.body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(-32700))
    );
    let reply = send(&app, raw("[]")).await;
    assert_eq!(
        (reply.status, reply.body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(-32600))
    );
    let request = Request::post("/mcp")
        .header("host", "localhost")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        send(&app, request).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let mut request = raw("{}");
    request
        .headers_mut()
        .insert("accept", "text/html".parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::NOT_ACCEPTABLE);
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(5 << 20)
    );
    assert_eq!(
        send(&app, raw(&huge)).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let id = session(&app, None).await;
    assert_eq!(
        call(&app, &id, "no/such/method", json!({})).await["error"]["code"],
        -32601
    );
    assert_eq!(
        call(&app, &id, "tools/call", json!({"name": "nope"})).await["error"]["code"],
        -32602
    );
    assert_eq!(
        call(
            &app,
            &id,
            "tools/call",
            json!({"name": "add", "arguments": [1]})
        )
        .await["error"]["code"],
        -32602
    );
    assert_eq!(
        call(&app, &id, "logging/setLevel", json!({"level": "loud"})).await["error"]["code"],
        -32602
    );
    assert_eq!(
        call(&app, &id, "logging/setLevel", json!({"level": "debug"})).await["result"],
        json!({})
    );
}

#[tokio::test]
async fn get_needs_a_session_and_a_stateless_server_has_no_stream() {
    let get = || {
        Request::get("/mcp")
            .header("host", "localhost")
            .header("accept", "text/event-stream")
            .body(Body::empty())
            .unwrap()
    };
    let app = TestServer.router();
    assert_eq!(send(&app, get()).await.status, StatusCode::BAD_REQUEST);
    let app = TestServer.into_server().stateless().router();
    let reply = send(&app, get()).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.headers["allow"], "POST");
}

#[tokio::test]
async fn tools_are_listed_with_their_schemas() {
    let app = TestServer.router();
    let id = session(&app, None).await;
    let tools = call(&app, &id, "tools/list", json!({})).await["result"]["tools"].clone();
    assert_eq!(tools[0]["name"], "add");
    assert_eq!(tools[0]["description"], "Add two numbers.");
    assert_eq!(
        tools[0]["annotations"],
        json!({"readOnlyHint": true, "idempotentHint": true})
    );
    let schema = &tools[0]["inputSchema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], json!(["a", "b"]));
    assert_eq!(schema["properties"]["a"]["type"], "integer");
    assert_eq!(
        schema["properties"]["b"]["description"],
        "The second addend."
    );
    assert_eq!(tools[1]["inputSchema"]["properties"], json!({}));
}

#[tokio::test]
async fn tools_list_paginates() {
    let app = TestServer.into_server().page_size(1).router();
    let id = session(&app, None).await;
    let first = call(&app, &id, "tools/list", json!({})).await["result"].clone();
    assert_eq!(first["tools"].as_array().unwrap().len(), 1);
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let second = call(&app, &id, "tools/list", json!({"cursor": cursor})).await["result"].clone();
    assert_eq!(second["tools"][0]["name"], "explode");
    assert!(second.get("nextCursor").is_none());
    assert_eq!(
        call(&app, &id, "tools/list", json!({"cursor": "garbage"})).await["error"]["code"],
        -32602
    );
}

#[tokio::test]
async fn tools_are_called_and_bad_arguments_are_tool_errors() {
    let app = TestServer.router();
    let id = session(&app, None).await;
    let ok = call(
        &app,
        &id,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 2, "b": 3}}),
    )
    .await;
    assert_eq!(
        ok["result"],
        json!({"content": [{"type": "text", "text": "5"}]})
    );
    let bad = call(
        &app,
        &id,
        "tools/call",
        json!({"name": "add", "arguments": {"a": "x", "c": 1}}),
    )
    .await;
    assert_eq!(bad["result"]["isError"], true);
    let text = bad["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("argument `a`"), "{text}");
    assert!(text.contains("missing required argument `b`"), "{text}");
    assert!(text.contains("unknown argument `c`"), "{text}");
    let missing = call(&app, &id, "tools/call", json!({"name": "add"})).await;
    assert_eq!(missing["result"]["isError"], true);
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_result_and_the_server_lives_on() {
    let app = TestServer.router();
    let id = session(&app, None).await;
    let reply = call(&app, &id, "tools/call", json!({"name": "explode"})).await;
    assert_eq!(reply["result"]["isError"], true);
    assert!(
        !reply["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("boom")
    );
    let ok = call(
        &app,
        &id,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
    )
    .await;
    assert_eq!(ok["result"]["content"][0]["text"], "2");
}

#[tokio::test]
async fn the_host_can_come_from_the_uri_authority_as_in_http2() {
    let app = TestServer.router();
    let request = |uri: &str| {
        Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(
                common::initialize("2025-11-25", json!({})).to_string(),
            ))
            .unwrap()
    };
    assert_eq!(
        send(&app, request("http://localhost:3000/mcp"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, request("http://evil.example.com/mcp"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, request("/mcp")).await.status,
        StatusCode::FORBIDDEN,
        "no host at all"
    );
}

#[mcp_server(name = "macro-names", version = "0.0.1", oauth = none, tools = [format])]
struct MacroNames;

#[tokio::test]
async fn a_tool_may_be_named_like_a_standard_macro() {
    // This file compiles with a tool called `format` and calls `format!` itself.
    let app = MacroNames.router();
    let id = session(&app, None).await;
    let reply = call(
        &app,
        &id,
        "tools/call",
        json!({"name": "format", "arguments": {"name": "Ada"}}),
    )
    .await;
    assert_eq!(
        reply["result"]["content"][0]["text"],
        format!("hello, {}", "Ada")
    );
}

#[tokio::test]
async fn cors_is_off_by_default_and_answers_a_preflight_for_the_configured_origins() {
    use tower::ServiceExt;
    let preflight = |origin: &str| {
        Request::options("/mcp")
            .header("host", common::HOST)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, mcp-protocol-version",
            )
            .body(Body::empty())
            .unwrap()
    };
    // Off by default: no preflight answer, so browsers refuse the call.
    let response = TestServer
        .router()
        .oneshot(preflight("https://app.example"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let app = TestServer
        .into_server()
        .cors_origins(["https://app.example"])
        .router();
    let response = app
        .clone()
        .oneshot(preflight("https://app.example"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example"
    );
    let allowed = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(
        allowed.contains("authorization") && allowed.contains("mcp-protocol-version"),
        "{allowed}"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("DELETE")
    );
    // Another origin gets no allowance.
    let response = app
        .clone()
        .oneshot(preflight("https://evil.example"))
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    // The call itself: the origin passes the Origin check, and the session id is readable.
    let mut request = post(&common::initialize("2025-11-25", json!({})), None, None);
    request
        .headers_mut()
        .insert("origin", "https://app.example".parse().unwrap());
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let exposed = reply
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["mcp-session-id", "mcp-protocol-version", "www-authenticate"] {
        assert!(exposed.contains(name), "{exposed}");
    }
}

#[tokio::test]
async fn a_server_takes_tower_layers_and_keeps_serving_through_them() {
    use mcp_runtime::axum::{extract::Request as AxumRequest, middleware};
    let app = TestServer
        .into_server()
        .layer(middleware::from_fn(
            |request: AxumRequest, next: middleware::Next| async move {
                let mut response = next.run(request).await;
                response
                    .headers_mut()
                    .insert("x-layer", "outer".parse().unwrap());
                response
            },
        ))
        .router();
    let reply = send(
        &app,
        post(&common::initialize("2025-11-25", json!({})), None, None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-layer"), Some("outer"));
}

/// Lists the request headers it was given.
#[tool]
async fn headers_seen(context: &Context) -> String {
    let http = context.http().expect("an HTTP request");
    let mut names: Vec<&str> = http.headers().keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    let tenant = http
        .headers()
        .get("x-tenant")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format!(
        "{} {} tenant={tenant} headers={}",
        http.method(),
        http.uri().path(),
        names.join(",")
    )
}

#[mcp_server(name = "heads", version = "0.0.1", oauth = none, tools = [headers_seen])]
struct Heads;

#[tokio::test]
async fn a_tool_reads_the_request_headers_but_never_the_credentials() {
    let app = Heads.router();
    let session = session(&app, None).await;
    let mut request = post(
        &common::tool_call(3, "headers_seen", json!({})),
        None,
        Some(&session),
    );
    let headers = request.headers_mut();
    headers.insert("x-tenant", "acme".parse().unwrap());
    headers.insert("authorization", "Bearer secret-token".parse().unwrap());
    headers.insert("cookie", "sid=secret-cookie".parse().unwrap());
    let reply = send(&app, request).await;
    let text = common::text(&reply.body);
    assert!(text.starts_with("POST /mcp tenant=acme headers="), "{text}");
    assert!(
        text.contains("x-tenant") && text.contains("mcp-session-id"),
        "{text}"
    );
    assert!(
        !text.contains("authorization") && !text.contains("cookie"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}

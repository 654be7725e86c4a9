//! What operators see: a span per request with its method, tool, caller and client, outcome
//! and duration (never the token), and the metrics a Prometheus scrape serves.

mod common;

use common::{call, session};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use serde_json::json;
use tower::ServiceExt;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
        /// Delete documents.
        DeleteDocuments = "delete:documents",
    }
}

/// Reads.
#[tool(requires = "read:data")]
async fn read() -> &'static str {
    "data"
}

/// Deletes.
#[tool(requires = "delete:documents")]
async fn delete() -> &'static str {
    "deleted"
}

#[mcp_server(name = "obs", version = "1.0.0", oauth = jwt, permissions = perms, tools = [read, delete])]
struct Observed;

const AUDIENCE: &str = "https://obs.example/mcp";

async fn app(issuer: &TestIssuer) -> mcp_runtime::axum::Router {
    Observed
        .into_server()
        .jwt(issuer.config(AUDIENCE))
        .public_url("http://127.0.0.1:3000")
        .merge(mcp_runtime::metrics::prometheus("/metrics").unwrap())
        .router()
        .unwrap()
}

fn bob(issuer: &TestIssuer) -> String {
    issuer
        .token(AUDIENCE)
        .subject("auth0|bob")
        .claim("azp", "client-xyz")
        .permissions(["read:data"])
        .sign()
}

// One test, not two: tracing caches which call sites are enabled, and another test running
// at the same time without a subscriber would make this one's log empty.
#[tokio::test]
async fn spans_say_who_called_what_with_which_outcome_and_the_scrape_counts_it() {
    a_request_span_names_method_tool_caller_client_outcome_and_duration_never_the_token().await;
    the_metrics_endpoint_serves_requests_tool_calls_denials_and_token_checks().await;
}

async fn a_request_span_names_method_tool_caller_client_outcome_and_duration_never_the_token() {
    let (captured, _guard) = common::Captured::install();
    let issuer = TestIssuer::start().await;
    let app = app(&issuer).await;
    let token = bob(&issuer);
    let session = session(&app, Some(&token)).await;
    let reply = call(&app, Some(&token), &session, "read", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = call(&app, Some(&token), &session, "delete", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let log = captured.text().replace('"', "");
    let answered: Vec<&str> = log.lines().filter(|l| l.contains("answered")).collect();
    let read = answered
        .iter()
        .find(|l| l.contains("name=read"))
        .unwrap_or_else(|| panic!("no span for the read call:\n{log}"));
    for field in [
        "method=tools/call",
        "sub=auth0|bob",
        "client_id=client-xyz",
        "outcome=ok",
        "duration_ms=",
    ] {
        assert!(read.contains(field), "{field} in {read}");
    }
    // The denial: said within the span, with who and which client, and its reason.
    let denied = log
        .lines()
        .find(|l| l.contains("denied a request"))
        .unwrap_or_else(|| panic!("no denial:\n{log}"));
    for field in [
        "sub=auth0|bob",
        "client_id=client-xyz",
        "missing_permission",
        "delete",
    ] {
        assert!(denied.contains(field), "{field} in {denied}");
    }
    assert!(!log.contains(&token), "the token is in the log:\n{log}");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!log.contains(signature));
}

async fn the_metrics_endpoint_serves_requests_tool_calls_denials_and_token_checks() {
    let issuer = TestIssuer::start().await;
    let app = app(&issuer).await;
    let token = bob(&issuer);
    let session = session(&app, Some(&token)).await;
    for _ in 0..3 {
        call(&app, Some(&token), &session, "read", json!({})).await;
    }
    call(&app, Some(&token), &session, "delete", json!({})).await;
    call(&app, Some(&token), &session, "no-such-tool", json!({})).await;
    let scrape = app
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(scrape.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    println!("{text}");
    let value = |series: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(series))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert!(value(r#"mcp_tool_calls_total{tool="read",outcome="ok"}"#) >= 3.0);
    assert!(value(r#"mcp_tool_calls_total{tool="delete",outcome="tool_error"}"#) >= 1.0);
    assert!(value(r#"mcp_denials_total{kind="tool",reason="missing_permission"}"#) >= 1.0);
    assert!(value(r#"mcp_requests_total{method="tools/call",outcome="ok"}"#) >= 3.0);
    assert!(value(r#"mcp_token_verifications_total{result="valid",cache="hit"}"#) >= 3.0);
    assert!(value(r#"mcp_token_verifications_total{result="valid",cache="miss"}"#) >= 1.0);
    assert!(value(r#"mcp_jwks_refreshes_total{outcome="ok"}"#) >= 1.0);
    assert!(text.contains("mcp_request_duration_seconds"), "{text}");
    assert!(text.contains(r#"mcp_upstream_requests_total{endpoint="jwks",outcome="ok"}"#));
    // A client's made-up tool name is no series of its own.
    assert!(!text.contains("no-such-tool"), "{text}");
}

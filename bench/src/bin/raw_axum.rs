//! The limit: a hand-written axum JSON-RPC handler for `tools/call` of `echo`, with no MCP
//! framework. `AUTH=jwt` verifies an RS256 token on every request.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mcp_bench::{PerRequestJwt, issuer_with_token, listen_addr, with_jwt};
use serde_json::{Value, json};

async fn handle(State(jwt): State<Option<PerRequestJwt>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(jwt) = &jwt
        && !jwt.check(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()))
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let text = request["params"]["arguments"]["message"].as_str().unwrap_or_default();
    let answer = json!({"jsonrpc": "2.0", "id": request["id"], "result": {"content": [{"type": "text", "text": text}]}});
    ([(header::CONTENT_TYPE, "application/json")], answer.to_string()).into_response()
}

#[tokio::main]
async fn main() {
    let issuer = issuer_with_token().await;
    let jwt = with_jwt().then(|| PerRequestJwt::new(&issuer));
    let app = Router::new().route("/mcp", post(handle)).with_state(jwt);
    let listener = tokio::net::TcpListener::bind(listen_addr()).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}

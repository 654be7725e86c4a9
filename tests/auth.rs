//! Authorization through the `Router` (no sockets for the MCP side): token verification
//! against a real JWKS served by the testing kit, guards, denial modes, sessions bound to
//! their caller, and the protected resource metadata.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Reply, call, post, rpc, send, session};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::axum::{self};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use mcp_runtime::{Json, JwtConfig};
use perms::DeleteDocuments;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

const AUDIENCE: &str = "https://api.example.com";
const PUBLIC_URL: &str = "http://127.0.0.1:3000";

mcp_runtime::permissions! {
    /// The test vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
        /// Delete documents.
        DeleteDocuments = "delete:documents",
        /// Administer.
        Admin = "admin",
    }
}

/// Anyone may ping.
#[tool(public)]
async fn ping(auth: Option<Auth>) -> String {
    match auth {
        Some(auth) => format!("pong, {}", auth.user().user_id),
        None => "pong, stranger".into(),
    }
}

/// What the caller looks like.
#[derive(Serialize, JsonSchema)]
struct Who {
    user_id: String,
    email: Option<String>,
    permissions: Vec<String>,
    scopes: Vec<String>,
    client_id: Option<String>,
}

/// Who am I?
#[tool(requires = "read:data")]
async fn whoami(auth: &Auth) -> Json<Who> {
    Json(Who {
        user_id: auth.user().user_id.clone(),
        email: auth.user().email.clone(),
        permissions: auth.permissions().to_vec(),
        scopes: auth.scopes().to_vec(),
        client_id: auth.client_id().map(str::to_owned),
    })
}

fn really_delete(_proof: Granted<DeleteDocuments>, id: &str) -> String {
    format!("deleted {id}")
}

/// Delete a document.
#[tool(requires = "delete:documents", destructive, rename_all = "camelCase")]
async fn delete_document(proof: Granted<DeleteDocuments>, document_id: String) -> String {
    really_delete(proof, &document_id)
}

/// Needs admin; denial is a step-up 403.
#[tool(requires = "admin", on_denied = insufficient_scope)]
async fn admin_step_up() -> &'static str {
    "admin"
}

/// Needs admin; hidden from others.
#[tool(requires = "admin", on_denied = hide)]
async fn admin_hidden() -> &'static str {
    "secret"
}

/// Needs one of two.
#[tool(requires_any = ["admin", "delete:documents"])]
async fn either() -> &'static str {
    "either"
}

#[mcp_server(
    name = "docs",
    version = "1.0.0",
    oauth = jwt,
    permissions = perms,
    tools = [ping, whoami, delete_document, admin_step_up, admin_hidden, either]
)]
struct Docs;

fn app(config: JwtConfig, anonymous: bool) -> axum::Router {
    let server = Docs.into_server().jwt(config).public_url(PUBLIC_URL);
    let server = if anonymous {
        server.allow_anonymous()
    } else {
        server
    };
    server.router().expect("valid settings")
}

fn initialize() -> Value {
    common::initialize("2025-11-25", json!({}))
}

/// Sends `initialize` with `token` (no session): how most tests ask "is this token accepted?".
async fn initialize_as(app: &axum::Router, token: Option<&str>) -> Reply {
    send(app, post(&initialize(), token, None)).await
}

fn alice(issuer: &TestIssuer) -> String {
    issuer
        .token(AUDIENCE)
        .subject("alice")
        .claim("email", "alice@example.com")
        .claim("azp", "client-123")
        .permissions(["read:data", "delete:documents"])
        .scope("openid profile")
        .sign()
}

fn bob(issuer: &TestIssuer) -> String {
    issuer
        .token(AUDIENCE)
        .subject("bob")
        .permissions(["read:data"])
        .sign()
}

/// Asserts a 401 challenge: the metadata URL, and `error="invalid_token"` when a token was sent.
fn assert_challenge(reply: &Reply, token_sent: bool, case: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{case}: {}",
        reply.body
    );
    let header = reply.www_authenticate();
    assert!(header.starts_with("Bearer "), "{case}: {header}");
    assert!(
        header.contains(
            r#"resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp""#
        ),
        "{case}: {header}"
    );
    assert!(header.contains(r#"scope=""#), "{case}: {header}");
    assert_eq!(
        header.contains(r#"error="invalid_token""#),
        token_sent,
        "{case}: {header}"
    );
}

fn forge(header: Value, claims: &Value, signature: &str) -> String {
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.{signature}", encode(&header), encode(claims))
}

#[tokio::test]
async fn every_bad_token_gets_a_401_challenge() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let other = TestIssuer::start().await;
    let good = alice(&issuer);
    let claims = issuer
        .token(AUDIENCE)
        .subject("mallory")
        .permissions(["admin"])
        .claims()
        .clone();
    let claims = Value::Object(claims);

    // alg none, and HS256 keyed with the provider's public key (algorithm confusion).
    let none = forge(
        json!({"alg": "none", "typ": "JWT", "kid": issuer.kid()}),
        &claims,
        "",
    );
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some(issuer.kid()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(issuer.public_key_pem().as_bytes()),
    )
    .unwrap();
    // Claims edited after signing: alice's signature over bob's... no, over admin claims.
    let mut parts: Vec<&str> = good.split('.').collect();
    let edited_claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    parts[1] = &edited_claims;
    let edited = parts.join(".");

    let cases: Vec<(&str, String)> = vec![
        ("garbage", "not-a-token".into()),
        ("alg none", none),
        ("HS256 with the public key as secret", hs256),
        (
            "another key under a known kid",
            other.token(AUDIENCE).kid(&issuer.kid()).sign(),
        ),
        ("an unknown kid", other.token(AUDIENCE).sign()),
        ("expired", issuer.token(AUDIENCE).expires_in(-3600).sign()),
        (
            "nbf in the future",
            issuer.token(AUDIENCE).not_before_in(3600).sign(),
        ),
        ("no exp", issuer.token(AUDIENCE).without("exp").sign()),
        ("no sub", issuer.token(AUDIENCE).without("sub").sign()),
        (
            "wrong iss",
            issuer
                .token(AUDIENCE)
                .claim("iss", "https://evil.example.com/")
                .sign(),
        ),
        (
            "wrong aud",
            issuer.token("https://other-api.example.com").sign(),
        ),
        ("claims edited after signing", edited),
    ];
    for (case, token) in &cases {
        let reply = initialize_as(&app, Some(token)).await;
        assert_challenge(&reply, true, case);
        assert!(
            !reply.www_authenticate().contains(token.as_str()),
            "{case}: the token is echoed"
        );
        assert!(
            !reply.body.to_string().contains(token.as_str()),
            "{case}: the token is echoed"
        );
    }

    // No token, a token only in the query string, and the Basic scheme.
    assert_challenge(&initialize_as(&app, None).await, false, "no token");
    let mut query = post(&initialize(), None, None);
    *query.uri_mut() = format!("/mcp?access_token={good}").parse().unwrap();
    assert_challenge(&send(&app, query).await, false, "token in the query string");
    let mut basic = post(&initialize(), None, None);
    basic
        .headers_mut()
        .insert("authorization", "Basic YWxpY2U6c2VjcmV0".parse().unwrap());
    assert_challenge(&send(&app, basic).await, true, "Basic scheme");
    let mut empty = post(&initialize(), None, None);
    empty
        .headers_mut()
        .insert("authorization", "Bearer ".parse().unwrap());
    assert_challenge(&send(&app, empty).await, true, "empty bearer");

    // And the genuine token passes.
    let reply = initialize_as(&app, Some(&good)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn an_opaque_token_is_explained() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let reply = initialize_as(&app, Some("0pAqUe-auth0-token")).await;
    assert_challenge(&reply, true, "opaque");
    assert!(
        reply.www_authenticate().contains("opaque"),
        "{}",
        reply.www_authenticate()
    );
    assert!(reply.www_authenticate().contains(AUDIENCE));
}

#[tokio::test]
async fn the_caller_reaches_the_tool() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let token = alice(&issuer);
    let id = session(&app, Some(&token)).await;
    let reply = call(&app, Some(&token), &id, "whoami", json!({})).await;
    assert_eq!(
        reply.body["result"]["structuredContent"],
        json!({"user_id": "alice", "email": "alice@example.com", "permissions": ["read:data", "delete:documents"],
               "scopes": ["openid", "profile"], "client_id": "client-123"})
    );
    let reply = call(
        &app,
        Some(&token),
        &id,
        "delete_document",
        json!({"documentId": "d1"}),
    )
    .await;
    assert_eq!(reply.body["result"]["content"][0]["text"], "deleted d1");
    let reply = call(&app, Some(&token), &id, "either", json!({})).await;
    assert_eq!(reply.body["result"]["content"][0]["text"], "either");
}

#[tokio::test]
async fn a_denied_call_is_a_tool_error_by_default_and_never_runs_the_tool() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let token = bob(&issuer);
    let id = session(&app, Some(&token)).await;
    // Bad arguments too: the guard runs before they are read.
    let reply = call(
        &app,
        Some(&token),
        &id,
        "delete_document",
        json!({"nonsense": 1}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["result"],
        json!({"content": [{"type": "text", "text": "Forbidden: requires delete:documents"}], "isError": true})
    );
    let reply = call(&app, Some(&token), &id, "either", json!({})).await;
    assert_eq!(
        reply.body["result"]["content"][0]["text"],
        "Forbidden: requires one of admin, delete:documents"
    );
}

#[tokio::test]
async fn insufficient_scope_is_a_403_step_up() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let token = bob(&issuer);
    let id = session(&app, Some(&token)).await;
    let reply = call(&app, Some(&token), &id, "admin_step_up", json!({})).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let header = reply.www_authenticate();
    assert!(header.contains(r#"error="insufficient_scope""#), "{header}");
    assert!(header.contains(r#"scope="admin""#), "{header}");
    assert!(header.contains(
        "resource_metadata=\"http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp\""
    ));
    let admin = issuer.token(AUDIENCE).subject("root").scope("admin").sign();
    let id = session(&app, Some(&admin)).await;
    let reply = call(&app, Some(&admin), &id, "admin_step_up", json!({})).await;
    assert_eq!(reply.body["result"]["content"][0]["text"], "admin");
}

#[tokio::test]
async fn hidden_tools_are_listed_only_for_callers_who_may_call_them() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let names = |reply: &Reply| -> Vec<String> {
        reply.body["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let token = bob(&issuer);
    let id = session(&app, Some(&token)).await;
    let listed = rpc(&app, Some(&token), &id, "tools/list", json!({})).await;
    assert!(!names(&listed).contains(&"admin_hidden".to_owned()));
    assert!(names(&listed).contains(&"admin_step_up".to_owned()));
    let reply = call(&app, Some(&token), &id, "admin_hidden", json!({})).await;
    assert_eq!(reply.body["error"]["code"], -32602);
    assert_eq!(reply.body["error"]["message"], "Unknown tool: admin_hidden");

    let admin = issuer
        .token(AUDIENCE)
        .subject("root")
        .permissions(["admin"])
        .sign();
    let id = session(&app, Some(&admin)).await;
    let listed = rpc(&app, Some(&admin), &id, "tools/list", json!({})).await;
    assert!(names(&listed).contains(&"admin_hidden".to_owned()));
    let reply = call(&app, Some(&admin), &id, "admin_hidden", json!({})).await;
    assert_eq!(reply.body["result"]["content"][0]["text"], "secret");
}

#[tokio::test]
async fn tools_list_shows_each_tools_permissions() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    let token = alice(&issuer);
    let id = session(&app, Some(&token)).await;
    let listed = rpc(&app, Some(&token), &id, "tools/list", json!({})).await;
    let tools = listed.body["result"]["tools"].as_array().unwrap().clone();
    let meta = |name: &str| {
        tools.iter().find(|t| t["name"] == name).unwrap()["_meta"]["mcp-runtime/requires"].clone()
    };
    assert_eq!(meta("ping"), json!({"public": true}));
    assert_eq!(
        meta("delete_document"),
        json!({"allOf": ["delete:documents"]})
    );
    assert_eq!(
        meta("either"),
        json!({"anyOf": ["admin", "delete:documents"]})
    );
}

#[tokio::test]
async fn public_and_protected_tools_share_one_endpoint() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), true);
    let id = session(&app, None).await;
    let listed = rpc(&app, None, &id, "tools/list", json!({})).await;
    assert_eq!(listed.status, StatusCode::OK);
    let reply = call(&app, None, &id, "ping", json!({})).await;
    assert_eq!(reply.body["result"]["content"][0]["text"], "pong, stranger");
    let reply = call(
        &app,
        None,
        &id,
        "delete_document",
        json!({"documentId": "d1"}),
    )
    .await;
    assert_challenge(&reply, false, "anonymous call of a protected tool");
    // A hidden tool stays hidden from anonymous callers too: it answers as unknown.
    let hidden = call(&app, None, &id, "admin_hidden", json!({})).await;
    assert_eq!(
        hidden.body["error"]["message"],
        "Unknown tool: admin_hidden"
    );
    assert!(
        reply
            .www_authenticate()
            .contains(r#"scope="delete:documents""#),
        "{}",
        reply.www_authenticate()
    );
    // A bad token is refused even where anonymous requests are allowed.
    let reply = initialize_as(&app, Some("garbage")).await;
    assert_challenge(&reply, true, "garbage with anonymous allowed");
    // With a token, the public tool sees the caller.
    let token = alice(&issuer);
    let id = session(&app, Some(&token)).await;
    let reply = call(&app, Some(&token), &id, "ping", json!({})).await;
    assert_eq!(reply.body["result"]["content"][0]["text"], "pong, alice");
}

#[tokio::test]
async fn a_session_is_bound_to_its_caller() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), true);
    let alice = alice(&issuer);
    let id = session(&app, Some(&alice)).await;
    assert_eq!(
        rpc(&app, Some(&alice), &id, "ping", json!({})).await.status,
        StatusCode::OK
    );
    let bob = bob(&issuer);
    let refused = rpc(&app, Some(&bob), &id, "ping", json!({})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("belongs to the caller that opened it"),
        "{message}"
    );
    assert_eq!(
        rpc(&app, None, &id, "ping", json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let delete = Request::delete("/mcp")
        .header("host", "localhost")
        .header("authorization", format!("Bearer {bob}"))
        .header("mcp-session-id", &id)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, delete).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        rpc(&app, Some(&alice), &id, "ping", json!({})).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn protected_resource_metadata_is_served() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE), false);
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let request = Request::get(path)
            .header("host", "127.0.0.1:3000")
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.body,
            json!({
                "resource": "http://127.0.0.1:3000/mcp",
                "authorization_servers": [issuer.issuer()],
                "scopes_supported": ["read:data", "delete:documents", "admin"],
                "bearer_methods_supported": ["header"],
                "resource_name": "docs",
            })
        );
    }
}

#[tokio::test]
async fn a_new_signing_key_is_fetched_when_a_token_names_it() {
    let issuer = TestIssuer::start().await;
    let app = app_with_cache(&issuer, Duration::from_millis(200));
    assert_eq!(
        initialize_as(&app, Some(&alice(&issuer))).await.status,
        StatusCode::OK
    );
    assert_eq!(issuer.jwks_requests(), 1);
    issuer.rotate_key();
    tokio::time::sleep(Duration::from_millis(250)).await;
    // The keys are fresh (ten minutes to live), but the new kid is unknown: fetch again.
    assert_eq!(
        initialize_as(&app, Some(&alice(&issuer))).await.status,
        StatusCode::OK
    );
    assert_eq!(issuer.jwks_requests(), 2);
}

fn app_with_cache(issuer: &TestIssuer, min_refetch: Duration) -> axum::Router {
    app(
        issuer
            .config(AUDIENCE)
            .jwks_cache(Duration::from_secs(600), min_refetch),
        false,
    )
}

#[tokio::test]
async fn unknown_kids_cannot_make_us_hammer_the_provider() {
    let issuer = TestIssuer::start().await;
    let app = app_with_cache(&issuer, Duration::from_secs(60));
    assert_eq!(
        initialize_as(&app, Some(&alice(&issuer))).await.status,
        StatusCode::OK
    );
    let before = issuer.jwks_requests();
    for i in 0..50 {
        let token = issuer.token(AUDIENCE).kid(&format!("random-{i}")).sign();
        assert_challenge(&initialize_as(&app, Some(&token)).await, true, "random kid");
    }
    assert!(
        issuer.jwks_requests() - before <= 1,
        "{} fetches for 50 unknown kids",
        issuer.jwks_requests() - before
    );
}

#[tokio::test]
async fn cached_keys_survive_an_outage_and_fetching_recovers() {
    let issuer = TestIssuer::start().await;
    // Keys expire at once, so every request tries to refresh them.
    let app = app(
        issuer
            .config(AUDIENCE)
            .jwks_cache(Duration::ZERO, Duration::ZERO),
        false,
    );
    let token = alice(&issuer);
    assert_eq!(
        initialize_as(&app, Some(&token)).await.status,
        StatusCode::OK
    );
    issuer.set_available(false);
    let reply = initialize_as(&app, Some(&token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the last good keys stay in use: {}",
        reply.body
    );
    issuer.set_available(true);
    issuer.rotate_key();
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(reply.status, StatusCode::OK, "recovered: {}", reply.body);
}

#[tokio::test]
async fn without_any_keys_the_answer_is_503_not_500() {
    let issuer = TestIssuer::start().await;
    issuer.set_available(false);
    let app = app(
        issuer
            .config(AUDIENCE)
            .jwks_cache(Duration::from_secs(600), Duration::ZERO),
        false,
    );
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error"], "temporarily_unavailable");
    issuer.set_available(true);
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unreachable_provider_times_out_into_a_503() {
    // A port that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/.well-known/jwks.json",
        silent.local_addr().unwrap()
    );
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config(AUDIENCE)
        .jwks_url(url)
        .http_timeout(Duration::from_millis(300));
    let app = app(config, false);
    let started = std::time::Instant::now();
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn settings_errors_say_what_to_do() {
    let err = Docs.into_server().router().unwrap_err().to_string();
    assert!(err.contains("JwtConfig::new"), "{err}");
    let err = Docs
        .into_server()
        .jwt(JwtConfig::new("http://auth.example.com/", AUDIENCE))
        .public_url(PUBLIC_URL)
        .router()
        .unwrap_err()
        .to_string();
    assert!(err.contains("only https"), "{err}");
}

#[tokio::test]
async fn a_cached_token_is_refused_once_it_expires() {
    let issuer = TestIssuer::start().await;
    let app = app(issuer.config(AUDIENCE).leeway(Duration::ZERO), false);
    let token = issuer.token(AUDIENCE).subject("alice").expires_in(1).sign();
    assert_eq!(
        initialize_as(&app, Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        initialize_as(&app, Some(&token)).await.status,
        StatusCode::OK,
        "served from the cache"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let reply = initialize_as(&app, Some(&token)).await;
    assert_challenge(&reply, true, "expired after it was cached");
    assert!(
        reply.www_authenticate().contains("expired"),
        "{}",
        reply.www_authenticate()
    );
}

#[tokio::test]
async fn a_cached_token_is_refused_once_its_key_leaves_the_key_set() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config(AUDIENCE)
        .jwks_cache(Duration::from_millis(100), Duration::ZERO);
    let app = app(config, false);
    let token = alice(&issuer);
    assert_eq!(
        initialize_as(&app, Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        initialize_as(&app, Some(&token)).await.status,
        StatusCode::OK,
        "served from the cache"
    );
    issuer.rotate_key();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let reply = initialize_as(&app, Some(&token)).await;
    assert_challenge(
        &reply,
        true,
        "signed with a key that was revoked after it was cached",
    );
    // The new key's tokens work.
    assert_eq!(
        initialize_as(&app, Some(&alice(&issuer))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_jwks_endpoint_answering_garbage_is_a_503_until_it_recovers() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let issuer = TestIssuer::start().await;
    let healthy = Arc::new(AtomicBool::new(false));
    let (state, real) = (Arc::clone(&healthy), issuer.jwks_url());
    // Garbage until healthy; then a redirect to the real key set.
    let flaky = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (state, real) = (Arc::clone(&state), real.clone());
            async move {
                use mcp_runtime::axum::response::IntoResponse;
                if state.load(Ordering::SeqCst) {
                    (StatusCode::TEMPORARY_REDIRECT, [("location", real)]).into_response()
                } else {
                    (StatusCode::OK, "{\"keys\": \"not a list\"} <html>").into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, flaky).await });
    let app = app(
        issuer
            .config(AUDIENCE)
            .jwks_url(url)
            .jwks_cache(Duration::from_secs(600), Duration::ZERO),
        false,
    );
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    healthy.store(true, Ordering::SeqCst);
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn an_endless_jwks_body_is_cut_off_at_its_size_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server that answers with a chunked body that never ends.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request).await;
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    let issuer = TestIssuer::start().await;
    let app = app(
        issuer
            .config(AUDIENCE)
            .jwks_url(url)
            .http_timeout(Duration::from_secs(20)),
        false,
    );
    let started = std::time::Instant::now();
    let reply = initialize_as(&app, Some(&alice(&issuer))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped at the size limit, not the time limit"
    );
}

#[test]
fn a_proof_is_made_only_for_a_caller_who_holds_the_permission() {
    use mcp_runtime::testing;
    let alice = testing::auth(json!({"sub": "alice", "permissions": ["delete:documents"]}));
    let bob = testing::auth(json!({"sub": "bob", "permissions": ["read:data"], "scope": "openid"}));
    let proof = Granted::<DeleteDocuments>::check(&alice).expect("alice holds delete:documents");
    assert_eq!(really_delete(proof, "doc-1"), "deleted doc-1");
    assert!(
        Granted::<DeleteDocuments>::check(&bob).is_none(),
        "bob does not hold delete:documents"
    );
    assert!(Granted::<perms::Admin>::check(&alice).is_none());
}

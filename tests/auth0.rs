//! The Auth0 modes' failure paths, through the `Router`: an unreachable tenant, the
//! development-only switch, and the proxy's token endpoint when Auth0 is down.

use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use mcp_runtime::Auth0Config;
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::axum::{self};
use mcp_runtime::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
    }
}

/// Read.
#[tool(requires = "read:data")]
async fn read() -> &'static str {
    "data"
}

#[mcp_server(name = "dcr", oauth = auth0, permissions = perms, tools = [read])]
struct Dcr;

#[mcp_server(name = "proxy", oauth = auth0_proxy, permissions = perms, tools = [read])]
struct Proxied;

/// A loopback address where nothing listens.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn an_unreachable_tenant_is_a_prompt_502_with_a_reason() {
    let domain = closed_port().await;
    let app = Dcr
        .into_server()
        .auth0(Auth0Config::new(&domain, "https://api.example.com"))
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let started = Instant::now();
        let (status, body) = send(&app, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("cannot reach the Auth0 tenant"),
            "{body}"
        );
        assert!(started.elapsed() < Duration::from_secs(6));
    }
    let (status, body) = send(
        &app,
        Request::get("/.well-known/oauth-protected-resource/mcp")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["authorization_servers"][0], format!("{domain}/"));
}

#[test]
fn skipping_verification_is_refused_on_a_public_server() {
    let config = Auth0Config::new("tenant.example.com", "https://api.example.com")
        .dangerously_skip_jwt_verification();
    let err = Dcr
        .into_server()
        .auth0(config.clone())
        .public_url("https://mcp.example.com")
        .router()
        .unwrap_err();
    assert!(
        err.to_string().contains("only for local development"),
        "{err}"
    );
    assert!(
        Dcr.into_server()
            .auth0(config)
            .public_url("http://127.0.0.1:3000")
            .router()
            .is_ok()
    );
}

#[tokio::test]
async fn skipping_verification_is_refused_on_a_public_address() {
    let config = Auth0Config::new("tenant.example.com", "https://api.example.com")
        .dangerously_skip_jwt_verification();
    let err = Dcr
        .into_server()
        .auth0(config)
        .public_url("http://127.0.0.1:3000")
        .serve("0.0.0.0:0")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("must listen on a loopback address"),
        "{err}"
    );
}

#[test]
fn domains_need_https_except_on_loopback() {
    let err = Dcr
        .into_server()
        .auth0(Auth0Config::new(
            "http://tenant.example.com",
            "https://api.example.com",
        ))
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap_err();
    assert!(err.to_string().contains("AUTH0_DOMAIN"), "{err}");
    let err = Proxied
        .into_server()
        .auth0(Auth0Config::new(
            "tenant.example.com",
            "https://api.example.com",
        ))
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap_err();
    assert!(err.to_string().contains("AUTH0_CLIENT_ID"), "{err}");
}

#[test]
fn a_pasted_discovery_url_or_a_malformed_domain_is_refused_at_start_up() {
    for (domain, says) in [
        (
            "https://tenant.auth0.com/.well-known/openid-configuration",
            "has a path",
        ),
        ("tenant..auth0.com", "is not a host name"),
        ("tenant auth0.com", "is not a host name"),
        ("tenant.auth0.com?x=1", "has a path or query"),
    ] {
        let err = Dcr
            .into_server()
            .auth0(Auth0Config::new(domain, "https://api.example.com"))
            .public_url("http://127.0.0.1:3000")
            .router()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("AUTH0_DOMAIN") && err.contains(says),
            "{domain}: {err}"
        );
    }
    for domain in [
        "tenant.us.auth0.com",
        "https://tenant.eu.auth0.com/",
        "http://127.0.0.1:4000",
    ] {
        assert!(
            Dcr.into_server()
                .auth0(Auth0Config::new(domain, "https://api.example.com"))
                .public_url("http://127.0.0.1:3000")
                .router()
                .is_ok(),
            "{domain}"
        );
    }
}

#[tokio::test]
async fn the_proxy_answers_oauth_errors_for_unknown_clients_codes_and_refresh_tokens() {
    let domain = closed_port().await;
    let app = Proxied
        .into_server()
        .auth0(Auth0Config::new(&domain, "https://api.example.com").client("id", "secret"))
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    // Register, then try a refresh token this proxy did not issue: refused before Auth0 is
    // asked (Auth0 being down is in tests/proxy.rs).
    let registration = Request::post("/register")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"redirect_uris":["http://127.0.0.1:9/cb"]}"#))
        .unwrap();
    let (status, client) = send(&app, registration).await;
    assert_eq!(status, StatusCode::CREATED);
    let client_id = client["client_id"].as_str().unwrap();
    let form = format!("grant_type=refresh_token&refresh_token=r&client_id={client_id}");
    let refresh = Request::post("/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, body) = send(&app, refresh).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // An unknown client and an unknown code are OAuth errors too, not 500s.
    let bad = Request::post("/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "grant_type=authorization_code&code=x&code_verifier=y&client_id=nope",
        ))
        .unwrap();
    let (status, body) = send(&app, bad).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let form =
        format!("grant_type=authorization_code&code=unknown&code_verifier=y&client_id={client_id}");
    let unknown = Request::post("/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, body) = send(&app, unknown).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn without_signature_checks_only_callers_on_this_machine_are_served() {
    let config = Auth0Config::new("tenant.example.com", "https://api.example.com")
        .dangerously_skip_jwt_verification();
    // A router the application serves itself: the same rule as `serve`, checked per request
    // on the connection's address.
    let app = Dcr
        .into_server()
        .auth0(config)
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    let initialize = |peer: Option<&str>| {
        let mut request = Request::post("/mcp")
            .header("host", "127.0.0.1:3000")
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}"#,
            ))
            .unwrap();
        if let Some(peer) = peer {
            let addr: std::net::SocketAddr = peer.parse().unwrap();
            request
                .extensions_mut()
                .insert(mcp_runtime::axum::extract::ConnectInfo(addr));
        }
        request
    };
    let (status, body) = send(&app, initialize(None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "unknown peer: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("into_make_service_with_connect_info"),
        "{body}"
    );
    let (status, _) = send(&app, initialize(Some("203.0.113.7:5000"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a peer on another machine");
    // A local peer gets as far as the token check.
    let (status, body) = send(&app, initialize(Some("127.0.0.1:5000"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn the_consent_page_says_what_each_permission_means_and_trusts_nothing_it_is_sent() {
    let domain = closed_port().await;
    let app = Proxied
        .into_server()
        .auth0(Auth0Config::new(&domain, "https://api.example.com").client("id", "secret"))
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    let registration = Request::post("/register")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"client_name":"<script>alert(1)</script>","redirect_uris":["https://app.example/cb"]}"#,
        ))
        .unwrap();
    let (_, client) = send(&app, registration).await;
    let client_id = client["client_id"].as_str().unwrap();
    let query = format!(
        "/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
         &scope=read%3Adata%20openid&state=s&code_challenge={}&code_challenge_method=S256",
        "a".repeat(43)
    );
    let response = app
        .clone()
        .oneshot(Request::get(query).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let page = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    // The permission's doc comment, not only its string; a scope outside the vocabulary as is.
    assert!(
        page.contains("Read data. <span class=\"muted\">(<code>read:data</code>)"),
        "{page}"
    );
    // What is really asked of Auth0: the sign-in's scopes too, each said in words.
    assert!(
        page.contains("Sign you in <span class=\"muted\">(<code>openid</code>)"),
        "{page}"
    );
    assert!(page.contains("<code>offline_access</code>"), "{page}");
    // The client's name is escaped, and said to be its own claim.
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("what the application says of itself"));
    // A redirect off this machine is named and highlighted; Allow has the focus.
    assert!(
        page.contains("<strong class=\"warn\">app.example</strong>"),
        "{page}"
    );
    assert!(page.contains("value=\"approve\" autofocus>Allow</button>"));
    assert!(page.contains("<html lang=\"en\">"));
    // No script, no inline style but the one by hash, never in a frame.
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.starts_with("default-src 'none'; style-src 'sha256-"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"));
    assert!(policy.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn rate_limits_are_per_client_address_so_junk_from_one_does_not_lock_out_another() {
    let domain = closed_port().await;
    let app = Proxied
        .into_server()
        .auth0(
            Auth0Config::new(&domain, "https://api.example.com")
                .client("id", "secret")
                .rate_limit(60),
        )
        .public_url("http://127.0.0.1:3000")
        .router()
        .unwrap();
    let register = |peer: &str| {
        let mut request = Request::post("/register")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"redirect_uris":["http://127.0.0.1:9/cb"]}"#))
            .unwrap();
        let addr: std::net::SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(mcp_runtime::axum::extract::ConnectInfo(addr));
        request
    };
    let mut refused = None;
    for _ in 0..200 {
        let response = app
            .clone()
            .oneshot(register("203.0.113.7:4000"))
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
        }
    }
    let refused = refused.expect("200 registrations a moment from one address were all taken");
    assert_eq!(refused.headers()["retry-after"], "10");
    let body: Value =
        serde_json::from_slice(&refused.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    // Another address registers at once.
    let (status, _) = send(&app, register("198.51.100.1:4000")).await;
    assert_eq!(status, StatusCode::CREATED);
}

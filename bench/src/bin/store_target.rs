//! The paths that go through the shared store, for `bench/store.sh`, with `STORE=memory` or
//! `STORE=redis` (the Redis of `REDIS_URL`):
//!
//! - `KIND=token`: the OAuth proxy (`oauth = auth0_proxy`) in front of a fake Auth0 in this
//!   process that answers at once. At start-up it signs in `CODES` times through itself
//!   (register, `/authorize`, consent, callback: every step that writes to the store), from
//!   many forwarded addresses, and writes the codes to `CODES_FILE` for wrk to redeem at
//!   `/token` (a take from the store, the exchange at the fake Auth0, the refresh token sealed).
//! - `KIND=session`: the `echo` tool with 2025 sessions; wrk calls it on one session, which
//!   each request finds (and, with Redis, touches) in the store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::RawQuery;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use mcp_bench::listen_addr;
use mcp_runtime::prelude::*;
use mcp_runtime::{Auth0Config, ForwardedHeader, Store};

/// Echo the message.
#[tool]
async fn echo(
    /// The message.
    message: String,
) -> String {
    message
}

/// Echo the message, for callers granted read:data.
#[tool(name = "echo", requires = "read:data")]
async fn guarded_echo(
    /// The message.
    message: String,
) -> String {
    message
}

mcp_runtime::permissions! {
    /// The benchmark's vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
    }
}

#[mcp_server(name = "bench", oauth = none, tools = [echo])]
struct Open;

#[mcp_server(name = "bench", oauth = auth0_proxy, permissions = perms, tools = [guarded_echo])]
struct Proxied;

const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// `BASE64URL(SHA256(verifier))` of the verifier `token.lua` sends.
const CHALLENGE: &str = "qAA61GdCLumvz3sZdHDD_aNgYyyn5t00rJWpAoCXhaw";

async fn store() -> Store {
    match std::env::var("STORE").as_deref() {
        Ok("redis") => Store::from_env().await.expect("REDIS_URL must name a running Redis"),
        _ => Store::memory(),
    }
}

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    let store = store().await;
    let addr = listen_addr();
    if std::env::var("KIND").as_deref() != Ok("token") {
        return Open.into_server().store(store).serve(&addr).await;
    }
    let auth0 = fake_auth0().await;
    let config = Auth0Config::new(auth0, "https://bench.example/api")
        .client("bench-app", "bench-app-secret-that-is-long-enough")
        .rate_limit(100_000_000)
        .trust_forwarded_header(ForwardedHeader::XForwardedFor);
    let base = format!("http://{addr}");
    let server = Proxied.into_server().auth0(config).store(store).public_url(base.clone());
    let serving = tokio::spawn(async move { server.serve(&addr).await });
    let count: usize = std::env::var("CODES").ok().and_then(|n| n.parse().ok()).unwrap_or(9_000);
    let codes = sign_ins(&base, count).await;
    let path = std::env::var("CODES_FILE").unwrap_or_else(|_| "/tmp/mcp-bench-codes".into());
    std::fs::write(&path, codes.join("\n") + "\n").expect("cannot write the codes file");
    // Until SIGTERM ends the server (or it could not start: then its error).
    serving.await.expect("the server task")
}

/// A fake Auth0: `/authorize` sends the browser straight back with a code, `/oauth/token`
/// answers a token at once. Its origin.
async fn fake_auth0() -> String {
    let issued = Arc::new(AtomicUsize::new(0));
    let router = axum::Router::new()
        .route(
            "/authorize",
            get(move |RawQuery(query): RawQuery| {
                let issued = Arc::clone(&issued);
                async move {
                    let params: Vec<(String, String)> =
                        form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
                    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    let back = format!(
                        "{}?code=upstream-{n}&state={}",
                        param("redirect_uri"),
                        form_urlencoded::byte_serialize(param("state").as_bytes()).collect::<String>()
                    );
                    Redirect::to(&back).into_response()
                }
            }),
        )
        .route(
            "/oauth/token",
            post(|| async {
                (
                    [("content-type", "application/json")],
                    r#"{"access_token":"upstream-access-token","refresh_token":"upstream-refresh-token","token_type":"Bearer","expires_in":86400}"#,
                )
                    .into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let origin = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    origin
}

/// Signs in `count` times through the proxy at `base` and returns `client_id code` lines.
async fn sign_ins(base: &str, count: usize) -> Vec<String> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    for _ in 0..200 {
        if http.get(format!("{base}/.well-known/oauth-authorization-server")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let registered: serde_json::Value = http
        .post(format!("{base}/register"))
        .json(&serde_json::json!({"redirect_uris": [REDIRECT_URI], "client_name": "bench", "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("a registration");
    let client_id = registered["client_id"].as_str().expect("a client id").to_owned();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (http, base, client_id, next) = (http.clone(), base.to_owned(), client_id.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                let mut codes = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return codes;
                    }
                    // Fifty sign-ins per address: each address keeps its share of pending items.
                    let from = format!("10.{}.{}.1", (i / 50) / 256 % 256, (i / 50) % 256);
                    codes.push(format!("{client_id} {}", sign_in(&http, &base, &client_id, &from, i).await));
                }
            })
        })
        .collect();
    let mut codes = Vec::with_capacity(count);
    for worker in workers {
        codes.extend(worker.await.expect("a sign-in worker"));
    }
    codes
}

/// One sign-in: the consent page, the consent, Auth0 (fake), the callback; our code.
async fn sign_in(http: &reqwest::Client, base: &str, client_id: &str, from: &str, i: usize) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("response_type", "code")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scope", "read:data")
        .append_pair("state", &format!("client-state-{i}"))
        .finish();
    let page = http.get(format!("{base}/authorize?{query}")).header("x-forwarded-for", from).send().await.expect("authorize");
    let cookies = cookies_of(&page);
    let html = page.text().await.expect("the consent page");
    let hidden = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in the consent page: {html}")) + marker.len();
        html[start..].split('"').next().unwrap_or_default().to_owned()
    };
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("txn", &hidden("txn"))
        .append_pair("csrf", &hidden("csrf"))
        .append_pair("decision", "approve")
        .finish();
    let consented = http
        .post(format!("{base}/authorize/consent"))
        .header("x-forwarded-for", from)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies)
        .body(form)
        .send()
        .await
        .expect("consent");
    let to_auth0 = location(&consented);
    let cookies = cookies_of(&consented);
    let back = location(&http.get(&to_auth0).send().await.expect("fake Auth0"));
    let done = http.get(&back).header("x-forwarded-for", from).header("cookie", cookies).send().await.expect("callback");
    let to_client = location(&done);
    let url = reqwest::Url::parse(&to_client).expect("the client's redirect");
    url.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).unwrap_or_else(|| panic!("no code: {to_client}"))
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no redirect: {}", response.status()))
        .to_owned()
}

/// The cookies a response sets, as a `Cookie` header.
fn cookies_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

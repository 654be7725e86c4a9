//! Servers and a runtime shared by the fuzz targets. Every target sends arbitrary bytes into
//! a front door of a real `Router` and checks that the answer is never a server error.

use std::sync::OnceLock;

use mcp_runtime::axum::Router;
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use tower::ServiceExt;

mcp_runtime::permissions! {
    /// The fuzzed server's vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
    }
}

/// A tool with typed arguments.
#[tool]
pub async fn typed(count: i64, name: String, flag: Option<bool>, tags: Vec<String>) -> String {
    format!("{count} {name} {flag:?} {}", tags.len())
}

/// The same, guarded.
#[tool(name = "typed", requires = "read:data")]
pub async fn guarded(count: i64, name: String) -> String {
    format!("{count} {name}")
}

#[mcp_server(name = "fuzz", oauth = none, tools = [typed])]
pub struct Open;

#[mcp_server(name = "fuzz", oauth = jwt, permissions = perms, tools = [guarded])]
pub struct Guarded;

#[mcp_server(name = "fuzz", oauth = auth0_proxy, permissions = perms, tools = [guarded])]
pub struct Proxied;

/// One runtime for all inputs: the issuer's JWKS server keeps running on it.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap())
}

/// The open server (no auth, with sessions off).
pub fn open() -> &'static Router {
    static APP: OnceLock<Router> = OnceLock::new();
    APP.get_or_init(|| Open.into_server().stateless().router())
}

/// The guarded server, verifying tokens against a live test issuer.
pub fn guarded_app() -> &'static (Router, String) {
    static APP: OnceLock<(Router, String)> = OnceLock::new();
    APP.get_or_init(|| {
        let issuer = runtime().block_on(TestIssuer::start());
        let token = issuer.token("https://api.example").permissions(["read:data"]).sign();
        let app = Guarded.into_server().stateless().jwt(issuer.config("https://api.example")).public_url("http://127.0.0.1").router().unwrap();
        // The issuer lives as long as the process.
        std::mem::forget(issuer);
        (app, token)
    })
}

/// The OAuth proxy, in front of a tenant that is never reached.
pub fn proxy() -> &'static Router {
    static APP: OnceLock<Router> = OnceLock::new();
    APP.get_or_init(|| {
        let config = mcp_runtime::Auth0Config::new("http://127.0.0.1:9", "https://api.example").client("id", "secret").rate_limit(u32::MAX);
        Proxied.into_server().auth0(config).public_url("http://127.0.0.1:3000").router().unwrap()
    })
}

/// Sends `request` and checks that the server did not fail.
pub fn assert_no_server_error(app: &Router, request: Request<Body>) {
    let status = runtime().block_on(async { app.clone().oneshot(request).await.unwrap().status() });
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

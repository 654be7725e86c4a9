//! Test your guarded tools with real tokens: an in-process issuer with a generated RSA key,
//! its JWKS served on a loopback port, and tokens minted with the claims you choose.
//!
//! Enable the `testing` feature (in `[dev-dependencies]`):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use mcp_runtime::testing::TestIssuer;
//!
//! let issuer = TestIssuer::start().await;
//! let config = issuer.config("https://api.example.com");   // JwtConfig for the server
//! let token = issuer
//!     .token("https://api.example.com")
//!     .subject("alice")
//!     .permissions(["delete:documents"])
//!     .sign();
//! # let _ = (config, token); }
//! ```
//!
//! A domain function that takes [`Granted<P>`](crate::Granted) or [`&Auth`](crate::Auth) is
//! tested with a caller made by [`auth`].

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

use super::caller::{Auth, now};
use super::jwt::JwtConfig;
use super::signing::SigningKey;
use crate::web::loopback;

/// The caller that a verified token with `claims` would give a tool, for unit tests of code
/// that takes [`&Auth`](crate::Auth) or a [`Granted<P>`](crate::Granted) (through
/// [`Granted::check`](crate::Granted::check)).
///
/// ```
/// use mcp_runtime::testing;
/// let alice = testing::auth(serde_json::json!({"sub": "alice", "permissions": ["read:data"]}));
/// assert!(alice.is_granted("read:data"));
/// ```
///
/// Claims that are not a JSON object make a caller with no claims.
pub fn auth(claims: Value) -> Auth {
    match claims {
        Value::Object(claims) => Auth::from_claims(claims),
        _ => Auth::from_claims(Map::new()),
    }
}

struct Shared {
    keys: RwLock<Arc<SigningKey>>,
    available: AtomicBool,
    requests: AtomicUsize,
    next_kid: AtomicUsize,
}

/// An OAuth authorization server's token side, in-process: it signs tokens and serves its
/// JWKS at `http://127.0.0.1:{port}/.well-known/jwks.json`. It stops when dropped.
pub struct TestIssuer {
    issuer: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl TestIssuer {
    /// Generates a key and starts serving the JWKS on a free loopback port.
    pub async fn start() -> TestIssuer {
        let shared = Arc::new(Shared {
            keys: RwLock::new(Arc::new(SigningKey::generate("test-key-1".into()))),
            available: AtomicBool::new(true),
            requests: AtomicUsize::new(0),
            next_kid: AtomicUsize::new(2),
        });
        let state = Arc::clone(&shared);
        let app = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let state = Arc::clone(&state);
                async move {
                    state.requests.fetch_add(1, Ordering::SeqCst);
                    if !state.available.load(Ordering::SeqCst) {
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    let key = Arc::clone(&state.keys.read().unwrap_or_else(|e| e.into_inner()));
                    let body = json!({"keys": [key.jwk()]}).to_string();
                    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
                }
            }),
        );
        let (listener, addr) = loopback::bind(0)
            .await
            .expect("cannot bind a loopback port");
        TestIssuer {
            issuer: format!("http://{addr}/"),
            shared,
            task: loopback::spawn(listener, app),
        }
    }

    /// The issuer URL (`iss`), with a trailing slash as Auth0 writes it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Where the JWKS is served.
    pub fn jwks_url(&self) -> String {
        format!("{}.well-known/jwks.json", self.issuer)
    }

    /// A [`JwtConfig`] that accepts this issuer's tokens for `audience`.
    pub fn config(&self, audience: &str) -> JwtConfig {
        JwtConfig::new(self.issuer.clone(), audience).jwks_url(self.jwks_url())
    }

    /// Starts a token for `audience`, valid for an hour, signed with the current key.
    pub fn token(&self, audience: &str) -> TokenBuilder<'_> {
        let now = now();
        let mut claims = Map::new();
        claims.insert("iss".into(), self.issuer.clone().into());
        claims.insert("aud".into(), audience.into());
        claims.insert("sub".into(), "test-user".into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + 3600).into());
        TokenBuilder {
            issuer: self,
            claims,
            kid: None,
        }
    }

    /// Makes the JWKS endpoint answer 503 (`false`) or serve again (`true`), to test outages.
    pub fn set_available(&self, available: bool) {
        self.shared.available.store(available, Ordering::SeqCst);
    }

    /// How many times the JWKS was requested.
    pub fn jwks_requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Replaces the signing key with a new one under a new `kid`; the old key leaves the JWKS.
    pub fn rotate_key(&self) {
        let n = self.shared.next_kid.fetch_add(1, Ordering::SeqCst);
        let key = SigningKey::generate(format!("test-key-{n}"));
        *self.shared.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(key);
    }

    /// The current key's id.
    pub fn kid(&self) -> String {
        self.current().kid().to_owned()
    }

    /// The current public key in PEM, for tests of algorithm confusion.
    pub fn public_key_pem(&self) -> String {
        self.current().public_pem()
    }

    fn current(&self) -> Arc<SigningKey> {
        Arc::clone(&self.shared.keys.read().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A token being minted by a [`TestIssuer`].
#[must_use = "call .sign() to get the token"]
pub struct TokenBuilder<'a> {
    issuer: &'a TestIssuer,
    claims: Map<String, Value>,
    kid: Option<String>,
}

impl TokenBuilder<'_> {
    /// Sets `sub`.
    pub fn subject(self, subject: &str) -> Self {
        self.claim("sub", subject)
    }

    /// Sets the `permissions` claim (Auth0 RBAC).
    pub fn permissions<I: IntoIterator<Item = S>, S: Into<String>>(self, permissions: I) -> Self {
        let list: Vec<Value> = permissions
            .into_iter()
            .map(|p| Value::String(p.into()))
            .collect();
        self.claim("permissions", list)
    }

    /// Sets the `scope` claim (space separated).
    pub fn scope(self, scope: &str) -> Self {
        self.claim("scope", scope)
    }

    /// Sets any claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Removes a claim (such as `exp`).
    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Sets `exp` relative to now; a negative offset makes an expired token.
    pub fn expires_in(self, seconds: i64) -> Self {
        let exp = now() as i64 + seconds;
        self.claim("exp", exp)
    }

    /// Sets `nbf` relative to now.
    pub fn not_before_in(self, seconds: i64) -> Self {
        let nbf = now() as i64 + seconds;
        self.claim("nbf", nbf)
    }

    /// Writes another `kid` in the header than the signing key's.
    pub fn kid(mut self, kid: &str) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The claims as they will be signed.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Signs the token with RS256.
    pub fn sign(self) -> String {
        self.issuer
            .current()
            .sign(&self.claims, self.kid.as_deref())
    }
}

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

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

use super::JwtConfig;
pub use super::dev_issuer::DevIssuer;

/// A signing key with its id.
#[derive(Clone)]
struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    jwk: Value,
    public_pem: String,
}

impl SigningKey {
    fn generate(kid: String) -> Self {
        // A test key: generation failing means the crypto library itself is broken.
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation failed");
        let pkcs8 = pair.as_der().expect("PKCS#8 encoding failed");
        let pem = pem("PRIVATE KEY", pkcs8.as_ref());
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).expect("the generated key is valid");
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let public_der = pair
            .public_key()
            .as_der()
            .expect("public key encoding failed");
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        });
        SigningKey {
            kid,
            encoding,
            jwk,
            public_pem: pem_of("PUBLIC KEY", public_der.as_ref()),
        }
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    pem_of(label, der)
}

fn pem_of(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

struct Shared {
    keys: RwLock<Vec<SigningKey>>,
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

/// The issuer's keys, for the routes of the development issuer that sign tokens.
#[derive(Clone)]
pub(crate) struct KeyRing(Arc<Shared>);

impl KeyRing {
    /// Signs `claims` with RS256 and the current key.
    pub(crate) fn sign(&self, claims: &Map<String, Value>) -> String {
        let key = self.0.keys.read().unwrap_or_else(|e| e.into_inner())[0].clone();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid);
        jsonwebtoken::encode(&header, claims, &key.encoding).expect("signing a token failed")
    }
}

impl TestIssuer {
    /// Generates a key and starts serving the JWKS on a free loopback port.
    pub async fn start() -> TestIssuer {
        Self::start_with(|_, _| axum::Router::new())
            .await
            .expect("cannot bind a loopback port")
    }

    /// Starts the issuer with more routes beside the JWKS, built from its keys and issuer URL.
    pub(crate) async fn start_with(
        routes: impl FnOnce(KeyRing, String) -> axum::Router,
    ) -> std::io::Result<TestIssuer> {
        let shared = Arc::new(Shared {
            keys: RwLock::new(vec![SigningKey::generate("test-key-1".into())]),
            available: AtomicBool::new(true),
            requests: AtomicUsize::new(0),
            next_kid: AtomicUsize::new(2),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let issuer = format!("http://127.0.0.1:{port}/");
        let state = Arc::clone(&shared);
        let app = routes(KeyRing(Arc::clone(&shared)), issuer.clone()).route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let state = Arc::clone(&state);
                async move {
                    state.requests.fetch_add(1, Ordering::SeqCst);
                    if !state.available.load(Ordering::SeqCst) {
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    let keys: Vec<Value> = state
                        .keys
                        .read()
                        .unwrap_or_else(|e| e.into_inner())
                        .iter()
                        .map(|k| k.jwk.clone())
                        .collect();
                    let body = json!({"keys": keys}).to_string();
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                        .into_response()
                }
            }),
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(TestIssuer {
            issuer,
            shared,
            task,
        })
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
        *self.shared.keys.write().unwrap_or_else(|e| e.into_inner()) = vec![key];
    }

    /// The current key's id.
    pub fn kid(&self) -> String {
        self.current().kid
    }

    /// The current public key in PEM, for tests of algorithm confusion.
    pub fn public_key_pem(&self) -> String {
        self.current().public_pem
    }

    fn current(&self) -> SigningKey {
        self.shared.keys.read().unwrap_or_else(|e| e.into_inner())[0].clone()
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
        let key = self.issuer.current();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.unwrap_or(key.kid));
        jsonwebtoken::encode(&header, &self.claims, &key.encoding)
            .expect("signing a test token failed")
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

//! Shared pieces of the benchmark servers: the echo tool's argument, the token file, and a
//! per-request JWT check (what a server without a token cache does).

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mcp_runtime::testing::TestIssuer;

/// The audience of the benchmark's tokens.
pub const AUDIENCE: &str = "https://bench.example/api";

/// Starts an issuer and writes a token for the echo tool (`read:data`) to `$TOKEN_FILE`.
pub async fn issuer_with_token() -> TestIssuer {
    let issuer = TestIssuer::start().await;
    let token = issuer.token(AUDIENCE).subject("bench").permissions(["read:data"]).expires_in(3600 * 24).sign();
    let path = std::env::var("TOKEN_FILE").unwrap_or_else(|_| "/tmp/mcp-bench-token".into());
    std::fs::write(&path, &token).expect("cannot write the token file");
    issuer
}

/// Verifies an RS256 JWT on every request, as a plain axum or rmcp server would.
#[derive(Clone)]
pub struct PerRequestJwt {
    key: std::sync::Arc<DecodingKey>,
    validation: std::sync::Arc<Validation>,
}

impl PerRequestJwt {
    /// For tokens of `issuer`.
    pub fn new(issuer: &TestIssuer) -> Self {
        let key = DecodingKey::from_rsa_pem(issuer.public_key_pem().as_bytes()).expect("valid key");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer.issuer()]);
        validation.set_audience(&[AUDIENCE]);
        PerRequestJwt { key: key.into(), validation: validation.into() }
    }

    /// Whether the `Authorization` header carries a valid token granting `read:data`.
    pub fn check(&self, authorization: Option<&str>) -> bool {
        let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else { return false };
        match jsonwebtoken::decode::<serde_json::Value>(token, &self.key, &self.validation) {
            Ok(data) => data.claims["permissions"].as_array().is_some_and(|p| p.iter().any(|p| p == "read:data")),
            Err(_) => false,
        }
    }
}

/// `127.0.0.1:$PORT`.
pub fn listen_addr() -> String {
    format!("127.0.0.1:{}", std::env::var("PORT").unwrap_or_else(|_| "4000".into()))
}

/// Whether `AUTH=jwt`.
pub fn with_jwt() -> bool {
    std::env::var("AUTH").is_ok_and(|a| a == "jwt")
}

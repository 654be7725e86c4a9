//! Verifying JWT access tokens: signature, algorithm, issuer, audience, expiry.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use std::sync::Arc;

use super::cache::{Cached, TokenCache};
use super::caller::{Auth, now};
use super::exchange::{ExchangeSettings, Exchanger};
use super::jwks::{Jwks, KeyError};
use crate::observe;
use crate::store::Store;
use crate::web::url::check_url;

/// A signature algorithm accepted for access tokens. There is no `none` and no HMAC: tokens
/// are verified with the authorization server's public keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (Auth0's default).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// EdDSA (Ed25519).
    EdDSA,
}

impl SigningAlgorithm {
    fn to_jwt(self) -> Algorithm {
        match self {
            SigningAlgorithm::RS256 => Algorithm::RS256,
            SigningAlgorithm::RS384 => Algorithm::RS384,
            SigningAlgorithm::RS512 => Algorithm::RS512,
            SigningAlgorithm::PS256 => Algorithm::PS256,
            SigningAlgorithm::ES256 => Algorithm::ES256,
            SigningAlgorithm::EdDSA => Algorithm::EdDSA,
        }
    }
}

/// How a server verifies access tokens (`#[mcp_server(oauth = jwt)]`): which authorization
/// server issues them, for which audience, and where its keys are.
///
/// ```
/// # use mcp_runtime::JwtConfig;
/// let config = JwtConfig::new("https://tenant.example.com/", "https://api.example.com");
/// ```
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) jwks_url: String,
    pub(crate) authorization_server: String,
    pub(crate) algorithms: Vec<SigningAlgorithm>,
    pub(crate) leeway: Duration,
    pub(crate) jwks_ttl: Duration,
    pub(crate) jwks_min_refetch: Duration,
    pub(crate) http_timeout: Duration,
    /// Local development only: accept tokens without checking their signature.
    pub(crate) skip_signature: bool,
    pub(crate) token_cache_capacity: usize,
    /// Where callers' tokens are exchanged for tokens of other APIs, if anywhere.
    pub(crate) exchange: Option<ExchangeSettings>,
}

impl JwtConfig {
    /// Tokens issued by `issuer` (compared exactly with `iss`) for `audience` (which `aud` must
    /// contain). The keys are read from `{issuer}/.well-known/jwks.json`, and `issuer` is the
    /// authorization server clients are sent to.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        let issuer = issuer.into();
        let jwks_url = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
        JwtConfig {
            authorization_server: issuer.clone(),
            issuer,
            audience: audience.into(),
            jwks_url,
            algorithms: vec![SigningAlgorithm::RS256],
            leeway: Duration::from_secs(30),
            jwks_ttl: Duration::from_secs(600),
            jwks_min_refetch: Duration::from_secs(30),
            http_timeout: Duration::from_secs(5),
            skip_signature: false,
            token_cache_capacity: 10_000,
            exchange: None,
        }
    }

    /// Lets tools get tokens for other APIs on their caller's behalf with
    /// [`Auth::token_for`]: the caller's token is exchanged (OAuth 2.0 Token Exchange, RFC
    /// 8693) at `token_url` by this server, authenticated as the confidential client
    /// `client_id` with `client_secret`. The Auth0 modes set it from the Auth0 settings.
    pub fn token_exchange(
        mut self,
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.exchange = Some(ExchangeSettings {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        });
        self
    }

    /// Where the signing keys are (a JWKS document).
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = url.into();
        self
    }

    /// The authorization server named in the protected resource metadata (default: the issuer).
    pub fn authorization_server(mut self, url: impl Into<String>) -> Self {
        self.authorization_server = url.into();
        self
    }

    /// The accepted signature algorithms (default: RS256 only).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = SigningAlgorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Clock skew tolerated on `exp` and `nbf` (default: 30 seconds).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How long fetched keys are used before they are fetched again (default: 10 minutes),
    /// and the shortest time between two fetches (default: 30 seconds), which also limits
    /// the fetches that tokens with unknown key ids can cause.
    pub fn jwks_cache(mut self, ttl: Duration, min_refetch: Duration) -> Self {
        self.jwks_ttl = ttl;
        self.jwks_min_refetch = min_refetch;
        self
    }

    /// How many verified tokens are remembered (default 10 000; 0 turns the cache off). A
    /// remembered token skips the signature check on later requests, until it expires or its
    /// signing key leaves the key set.
    pub fn token_cache(mut self, capacity: usize) -> Self {
        self.token_cache_capacity = capacity;
        self
    }

    /// The time limit of each request to the authorization server (default: 5 seconds).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    /// Accepts tokens without checking their signature (issuer, audience and expiry still are).
    /// Only [`Server`](crate::Server) calls it, for a loopback server, after warning loudly.
    pub(crate) fn skip_signature_verification(mut self) -> Self {
        self.skip_signature = true;
        self
    }

    /// Checks the URLs: https, or http on a loopback host (for local development and tests).
    pub(crate) fn validate(&self) -> Result<(), String> {
        for (what, url) in [("issuer", &self.issuer), ("JWKS URL", &self.jwks_url)] {
            check_url(url).map_err(|why| format!("the {what} `{url}` {why}"))?;
        }
        if let Some(exchange) = &self.exchange {
            let url = &exchange.token_url;
            check_url(url).map_err(|why| format!("the token exchange URL `{url}` {why}"))?;
        }
        if self.audience.is_empty() {
            return Err(
                "the audience is empty: set the API identifier that tokens are issued for".into(),
            );
        }
        if self.algorithms.is_empty() {
            return Err("no signature algorithm is accepted: list at least one".into());
        }
        Ok(())
    }
}

/// Why a request's credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// No credentials at all.
    Missing,
    /// Credentials that are not a valid access token; the text is for `error_description`.
    Invalid(String),
    /// The keys to check the token cannot be had now (the authorization server is down).
    KeysUnavailable,
}

/// Verifies access tokens against one authorization server.
pub(crate) struct Verifier {
    config: JwtConfig,
    jwks: Jwks,
    validations: Vec<(Algorithm, Validation)>,
    cache: TokenCache,
    /// Exchanges the callers' tokens, when the server may.
    exchanger: Option<Arc<Exchanger>>,
}

impl Verifier {
    /// A verifier of `config`'s tokens, fetching keys with `client`; tokens it exchanges are
    /// shared through `store` when replicas share it.
    pub(crate) fn new(config: JwtConfig, client: reqwest::Client, store: &Store) -> Self {
        let validations = config
            .algorithms
            .iter()
            .map(|alg| {
                let alg = alg.to_jwt();
                let mut validation = Validation::new(alg);
                validation.set_issuer(&[&config.issuer]);
                validation.set_audience(&[&config.audience]);
                validation.required_spec_claims =
                    HashSet::from(["exp", "iss", "aud", "sub"].map(String::from));
                validation.validate_exp = true;
                validation.validate_nbf = true;
                validation.leeway = config.leeway.as_secs();
                (alg, validation)
            })
            .collect();
        let exchanger = config
            .exchange
            .clone()
            .map(|settings| Arc::new(Exchanger::new(settings, config.http_timeout, store)));
        let jwks = Jwks::new(
            config.jwks_url.clone(),
            client,
            config.jwks_ttl,
            config.jwks_min_refetch,
        );
        let cache = TokenCache::new(config.token_cache_capacity);
        Verifier {
            config,
            jwks,
            validations,
            cache,
            exchanger,
        }
    }

    /// Verifies `token` and returns its caller, counting the outcome.
    pub(crate) async fn verify(&self, token: &str) -> Result<Arc<Auth>, TokenError> {
        // A token verified before skips the signature check, if it is still valid and its key
        // is still in the (fresh) key set.
        self.jwks.refresh_if_stale().await;
        let leeway = self.config.leeway.as_secs();
        if let Cached::Hit(auth) = self
            .cache
            .get(token, now(), leeway, |kid| self.jwks.has_key(kid))
        {
            observe::token_checked(true, true);
            return Ok(auth);
        }
        let verified = self.verify_signature(token).await;
        observe::token_checked(verified.is_ok(), false);
        verified
    }

    /// Verifies `token` that the cache did not answer for, and remembers it.
    async fn verify_signature(&self, token: &str) -> Result<Arc<Auth>, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            TokenError::Invalid(format!(
                "the access token is not a JWT. Auth0 issues opaque access tokens when the \
                 authorization request names no audience: request the audience `{}`",
                self.config.audience
            ))
        })?;
        let Some((alg, validation)) = self.validations.iter().find(|(alg, _)| *alg == header.alg)
        else {
            return Err(TokenError::Invalid(format!(
                "tokens signed with {:?} are not accepted",
                header.alg
            )));
        };
        if self.config.skip_signature {
            return self
                .check_unsigned(token)
                .map(|auth| Arc::new(self.delegating(auth, token)));
        }
        let key = self
            .jwks
            .key(header.kid.as_deref(), *alg)
            .await
            .map_err(|err| match err {
                KeyError::Unknown => {
                    TokenError::Invalid("the token is signed with an unknown key".into())
                }
                KeyError::Unavailable => TokenError::KeysUnavailable,
            })?;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, validation)
            .map_err(|err| TokenError::Invalid(reason(err.kind()).into()))?;
        let auth = Arc::new(self.delegating(Auth::from_claims(data.claims), token));
        self.cache.insert(token, Arc::clone(&auth), header.kid);
        Ok(auth)
    }

    /// `auth`, able to exchange its `token` when this server exchanges tokens.
    fn delegating(&self, auth: Auth, token: &str) -> Auth {
        match &self.exchanger {
            Some(exchanger) => auth.with_delegation(token, Arc::clone(exchanger)),
            None => auth,
        }
    }
}

impl Verifier {
    /// Local development without signature checks: issuer, audience, expiry and `nbf` only.
    fn check_unsigned(&self, token: &str) -> Result<Auth, TokenError> {
        let invalid = |why: &str| TokenError::Invalid(why.to_owned());
        let claims = jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token)
            .map_err(|_| invalid("the token is malformed"))?;
        let now = now();
        let leeway = self.config.leeway.as_secs();
        if claims.get("iss").and_then(Value::as_str) != Some(self.config.issuer.as_str()) {
            return Err(invalid(reason(&ErrorKind::InvalidIssuer)));
        }
        let audience = &self.config.audience;
        let aud_ok = match claims.get("aud") {
            Some(Value::String(aud)) => aud == audience,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
            _ => false,
        };
        if !aud_ok {
            return Err(invalid(reason(&ErrorKind::InvalidAudience)));
        }
        match claims.get("exp").and_then(Value::as_u64) {
            None => return Err(invalid("the token has no expiry (exp)")),
            Some(exp) if exp.saturating_add(leeway) < now => {
                return Err(invalid(reason(&ErrorKind::ExpiredSignature)));
            }
            Some(_) => {}
        }
        if claims
            .get("nbf")
            .and_then(Value::as_u64)
            .is_some_and(|nbf| nbf > now.saturating_add(leeway))
        {
            return Err(invalid(reason(&ErrorKind::ImmatureSignature)));
        }
        Ok(Auth::from_claims(claims))
    }
}

/// Why `jsonwebtoken` refused a token, in words for `error_description` (never the token).
fn reason(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "the token was issued by another issuer",
        ErrorKind::InvalidAudience => "the token was issued for another audience",
        ErrorKind::InvalidSignature => "the token's signature is invalid",
        ErrorKind::MissingRequiredClaim(claim) if claim == "exp" => "the token has no expiry (exp)",
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
            "the token has no audience (aud)"
        }
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not match its key",
        _ => "the token is malformed",
    }
}

/// Verifies access tokens outside an MCP endpoint: for a downstream API of your own that
/// takes the tokens tools get with [`Auth::token_for`], with the same checks as the MCP
/// endpoint (signature against the JWKS, issuer, audience, expiry) and caches of its own
/// (keys, verified tokens) that work the same way.
///
/// ```no_run
/// # async fn run(authorization: &str) -> mcp_runtime::Result<()> {
/// use mcp_runtime::{JwtConfig, TokenVerifier};
///
/// let verifier = TokenVerifier::new(JwtConfig::new(
///     "https://tenant.example.com/",
///     "https://documents-api.example/",
/// ))?;
/// let token = authorization.strip_prefix("Bearer ").unwrap_or_default();
/// match verifier.verify(token).await {
///     Ok(caller) => println!("{} may {:?}", caller.user().user_id, caller.permissions()),
///     // 503 when the keys cannot be had right now, 401 otherwise.
///     Err(why) if why.is_unavailable() => println!("try again: {why}"),
///     Err(why) => println!("refused: {why}"),
/// }
/// # Ok(())
/// # }
/// ```
pub struct TokenVerifier {
    verifier: Verifier,
}

/// Why [`TokenVerifier::verify`] refused a token, in words fit for `error_description`
/// (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidToken {
    why: String,
    unavailable: bool,
}

impl InvalidToken {
    /// Whether the token could not be checked because the authorization server's keys cannot
    /// be had right now (answer 503), rather than being invalid (answer 401).
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }
}

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.why)
    }
}

impl std::error::Error for InvalidToken {}

impl TokenVerifier {
    /// A verifier of tokens as `config` describes them.
    pub fn new(config: JwtConfig) -> crate::error::Result<Self> {
        config.validate().map_err(crate::error::Error::Config)?;
        let client = crate::web::upstream::client(config.http_timeout)?;
        Ok(TokenVerifier {
            verifier: Verifier::new(config, client, &Store::memory()),
        })
    }

    /// The caller of `token` (the bare token, without `Bearer `), or why it is refused.
    pub async fn verify(&self, token: &str) -> Result<Auth, InvalidToken> {
        let invalid = |why: String| InvalidToken {
            why,
            unavailable: false,
        };
        match self.verifier.verify(token).await {
            Ok(auth) => Ok((*auth).clone()),
            Err(TokenError::Missing) => Err(invalid("no access token".into())),
            Err(TokenError::Invalid(why)) => Err(invalid(why)),
            Err(TokenError::KeysUnavailable) => Err(InvalidToken {
                why: "the authorization server's keys cannot be had right now".into(),
                unavailable: true,
            }),
        }
    }
}

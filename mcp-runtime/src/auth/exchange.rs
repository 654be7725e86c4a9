//! Tokens for other APIs on the caller's behalf: OAuth 2.0 Token Exchange (RFC 8693), as
//! Auth0 does it for On-Behalf-Of. The server, a confidential client, sends the caller's
//! access token (whose audience is this server) to the token endpoint and gets one whose
//! audience is the downstream API, for the same user, with at most the user's permissions.
//! The caller's token itself never leaves for another service.
//!
//! Exchanged tokens are cached per (caller token, audience, scopes) until shortly before they
//! or the caller's token expire; concurrent calls for one key share one exchange, and a failed
//! exchange is remembered for a moment, so that a failing Auth0 is not asked again by every
//! call at once. With a shared store, they are also kept there for the other replicas,
//! sealed (AES-256-GCM) with a key derived from the caller's token: what the store holds is of
//! no use without the token it was exchanged for.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use aws_lc_rs::digest;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::sealed::Sealer;
use crate::observe;
use crate::store::Store;
use crate::web::form;
use crate::web::random::hex;
use crate::web::upstream::read_capped;

/// RFC 8693's grant type.
pub(crate) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693's type of an access token, as the subject.
pub(crate) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// A token is used no later than this before its expiry (or its caller's).
const MARGIN: Duration = Duration::from_secs(30);
/// How long a failed exchange is answered from memory before it is tried again.
const FAILURE_BACKOFF: Duration = Duration::from_secs(2);
/// The most exchanged tokens kept; past it the ones closest to expiry go first.
const CAPACITY: usize = 10_000;
/// The longest an exchange may take.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// A token for a downstream API, obtained on the caller's behalf by
/// [`Auth::token_for`](crate::Auth::token_for). Its audience is that API, its subject the
/// caller, its scopes at most what the user holds for that API. `Debug` never shows the
/// token.
#[derive(Clone)]
pub struct DelegatedToken {
    token: Arc<str>,
    audience: Arc<str>,
    scopes: Arc<[String]>,
    expires_at: SystemTime,
}

impl DelegatedToken {
    /// The access token, to send to the downstream API only.
    pub fn secret(&self) -> &str {
        &self.token
    }

    /// The `Authorization` header value for the downstream API: `Bearer {token}`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// The API the token is for.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The scopes the token grants.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// When the token expires.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl fmt::Debug for DelegatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelegatedToken")
            .field("token", &"<redacted>")
            .field("audience", &self.audience)
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where and as whom tokens are exchanged.
#[derive(Clone)]
pub(crate) struct ExchangeSettings {
    /// The token endpoint (Auth0: `https://{domain}/oauth/token`).
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
}

impl fmt::Debug for ExchangeSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExchangeSettings")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Why no token was had, in words the model can relay (never a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExchangeError(pub(crate) String);

/// An exchange's outcome, and until when it may be used: the token's expiry (or the
/// caller's) minus the margin, or the end of a failure's backoff. Set once, when the exchange
/// ends.
type Slot = Arc<OnceCell<(Result<DelegatedToken, ExchangeError>, Instant)>>;

struct Entry {
    slot: Slot,
    /// When the exchange began: an unfinished one is waited for at most [`TIMEOUT`] after.
    started: Instant,
}

impl Entry {
    /// Whether the entry may still be used at `now`.
    fn live(&self, now: Instant) -> bool {
        match self.slot.get() {
            Some((_, until)) => *until > now,
            None => now < self.started + TIMEOUT + MARGIN,
        }
    }
}

/// Exchanges tokens, with a bounded cache and one exchange in flight per key.
pub(crate) struct Exchanger {
    settings: ExchangeSettings,
    http: reqwest::Client,
    /// The store shared with the other replicas, if any.
    shared: Option<Store>,
    cache: Mutex<HashMap<[u8; 32], Entry>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Exchanger {
    /// An exchanger for `settings`; `timeout` bounds each exchange's connection. It never
    /// follows a redirect: the form carries the caller's token and the client secret. Its
    /// tokens are also kept in `store` when that is shared by replicas.
    pub(crate) fn new(settings: ExchangeSettings, timeout: Duration, store: &Store) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(TIMEOUT)
            .build()
            .unwrap_or_default();
        Exchanger {
            settings,
            http,
            shared: store.is_shared().then(|| store.clone()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// A token for `audience` with `scopes`, on behalf of the caller whose access token is
    /// `subject` (expiring at `subject_expires`): from the cache, or exchanged now.
    pub(crate) async fn token_for(
        &self,
        subject: &str,
        subject_expires: Option<SystemTime>,
        audience: &str,
        scopes: &[&str],
    ) -> Result<DelegatedToken, ExchangeError> {
        let subject_left = subject_expires
            .and_then(|at| at.duration_since(SystemTime::now()).ok())
            .unwrap_or(Duration::ZERO);
        if subject_left <= MARGIN {
            return Err(ExchangeError(
                "the caller's access token has expired (or is about to): the client must sign in again".into(),
            ));
        }
        let mut scopes: Vec<&str> = scopes.iter().copied().filter(|s| !s.is_empty()).collect();
        scopes.sort_unstable();
        scopes.dedup();
        let key = cache_key(subject, audience, &scopes);
        let slot = self.slot(key);
        let (outcome, _) = slot
            .get_or_init(|| async {
                let outcome = self
                    .shared_or_exchanged(key, subject, subject_left, audience, &scopes)
                    .await;
                // Remembered only as long as it may be used: the token's expiry, the
                // caller's, or a failure's backoff, from the moment the exchange ended.
                let now = Instant::now();
                let until = match &outcome {
                    Ok(token) => {
                        let left = token
                            .expires_at
                            .duration_since(SystemTime::now())
                            .unwrap_or(Duration::ZERO)
                            .min(subject_left);
                        now + left.saturating_sub(MARGIN)
                    }
                    Err(_) => now + FAILURE_BACKOFF,
                };
                (outcome, until)
            })
            .await
            .clone();
        outcome
    }

    /// The cache's slot for `key`: a live one, or a new one in place of an expired one.
    fn slot(&self, key: [u8; 32]) -> Slot {
        let now = Instant::now();
        let mut cache = lock(&self.cache);
        if let Some(entry) = cache.get(&key)
            && entry.live(now)
        {
            return Arc::clone(&entry.slot);
        }
        if cache.len() >= CAPACITY {
            cache.retain(|_, entry| entry.live(now));
            if cache.len() >= CAPACITY
                && let Some(oldest) = cache
                    .iter()
                    .min_by_key(|(_, entry)| entry.started)
                    .map(|(key, _)| *key)
            {
                cache.remove(&oldest);
            }
        }
        let slot = Slot::default();
        cache.insert(
            key,
            Entry {
                slot: Arc::clone(&slot),
                started: now,
            },
        );
        slot
    }

    /// The token another replica exchanged and kept in the shared store, or a new one, kept
    /// there in turn. The store is a cache: when it cannot be reached, the exchange happens
    /// all the same.
    async fn shared_or_exchanged(
        &self,
        key: [u8; 32],
        subject: &str,
        subject_left: Duration,
        audience: &str,
        scopes: &[&str],
    ) -> Result<DelegatedToken, ExchangeError> {
        let Some(store) = &self.shared else {
            return self.exchange(subject, audience, scopes).await;
        };
        let name = hex(&key);
        if let Ok(Some(sealed)) = store.get(SPACE, &name).await
            && let Some(token) = open(subject, &name, &sealed)
            && token
                .expires_at
                .duration_since(SystemTime::now())
                .is_ok_and(|left| left > MARGIN)
        {
            return Ok(token);
        }
        let token = self.exchange(subject, audience, scopes).await?;
        let left = token
            .expires_at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(subject_left)
            .saturating_sub(MARGIN);
        if !left.is_zero() {
            let _ = store
                .put_new(SPACE, &name, &seal(subject, &name, &token), left)
                .await;
        }
        Ok(token)
    }

    /// One exchange at the token endpoint.
    async fn exchange(
        &self,
        subject: &str,
        audience: &str,
        scopes: &[&str],
    ) -> Result<DelegatedToken, ExchangeError> {
        let scope = scopes.join(" ");
        let mut body = vec![
            ("grant_type", GRANT_TYPE),
            ("subject_token", subject),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("audience", audience),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.as_str()),
        ];
        if !scope.is_empty() {
            body.push(("scope", scope.as_str()));
        }
        let url = &self.settings.token_url;
        let sent = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .timeout(TIMEOUT)
            .body(form::encode(body))
            .send();
        let response = match observe::upstream("token_exchange", url, observe::http_ok, sent).await
        {
            Ok(response) => response,
            Err(err) => {
                let why = if err.is_timeout() {
                    "did not answer in time"
                } else {
                    "cannot be reached"
                };
                tracing::warn!(audience, "token exchange failed: the token endpoint {why}");
                return Err(ExchangeError(format!(
                    "no token for {audience}: the authorization server {why}; try again in a moment"
                )));
            }
        };
        let status = response.status();
        let answer: Value = match read_capped(response, 1 << 20).await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        let text = |key: &str, most: usize| {
            answer.get(key).and_then(Value::as_str).map(|t| {
                t.chars()
                    .filter(|c| !c.is_control())
                    .take(most)
                    .collect::<String>()
            })
        };
        if status.is_server_error() || status.as_u16() == 429 {
            tracing::warn!(audience, %status, "token exchange failed: the token endpoint is unavailable");
            return Err(ExchangeError(format!(
                "no token for {audience}: the authorization server is unavailable ({status}); try again in a moment"
            )));
        }
        if !status.is_success() {
            let error = text("error", 64).unwrap_or_else(|| "an error".into());
            let description = text("error_description", 300)
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            tracing::info!(audience, error, %status, "token exchange refused");
            if matches!(error.as_str(), "invalid_client" | "unauthorized_client") {
                return Err(ExchangeError(format!(
                    "no token for {audience}: the authorization server refused this server's client ({error}){description}. \
                     The exchanging client must be allowed On-Behalf-Of exchange (with Auth0, the API's own client: \
                     AUTH0_EXCHANGE_CLIENT_ID and AUTH0_EXCHANGE_CLIENT_SECRET)"
                )));
            }
            return Err(ExchangeError(format!(
                "{audience} refused the exchange ({error}){description}"
            )));
        }
        let text = |key: &str| answer.get(key).and_then(Value::as_str);
        let Some(token) = text("access_token").filter(|t| !t.is_empty()) else {
            return Err(ExchangeError(format!(
                "no token for {audience}: the authorization server's answer had no access_token"
            )));
        };
        // Auth0 issues what the user holds, which may be less than was asked: say so.
        let granted: Vec<String> = match text("scope") {
            Some(scope) => scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None => scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        let missing: Vec<&str> = scopes
            .iter()
            .copied()
            .filter(|s| !granted.iter().any(|g| g == s))
            .collect();
        if !missing.is_empty() {
            return Err(ExchangeError(format!(
                "{audience} refused the exchange: the user does not hold {}",
                missing.join(", ")
            )));
        }
        // At most a day, whatever the answer says.
        let expires_in = answer
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(300)
            .min(86_400);
        Ok(DelegatedToken {
            token: token.into(),
            audience: audience.into(),
            scopes: granted.into(),
            expires_at: SystemTime::now() + Duration::from_secs(expires_in),
        })
    }
}

/// The space of exchanged tokens in a shared store.
const SPACE: &str = "delegated";

/// The key that seals a token exchanged for `subject`: derived from the caller's token, so
/// that only a replica holding that token can open it.
fn sealer(subject: &str) -> Sealer {
    Sealer::derive(subject.as_bytes(), b"mcp-runtime delegated token key v1")
}

/// `token`, sealed for the store under `name`.
fn seal(subject: &str, name: &str, token: &DelegatedToken) -> Vec<u8> {
    let expires = token
        .expires_at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let plain =
        json!({"t": &*token.token, "a": &*token.audience, "s": &*token.scopes, "e": expires});
    sealer(subject).seal(name.as_bytes(), plain.to_string().as_bytes())
}

/// The token sealed in `sealed` under `name`, if it was sealed for `subject`.
fn open(subject: &str, name: &str, sealed: &[u8]) -> Option<DelegatedToken> {
    let plain = sealer(subject).open(name.as_bytes(), sealed)?;
    let value: Value = serde_json::from_slice(&plain).ok()?;
    let scopes: Vec<String> = value["s"]
        .as_array()?
        .iter()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect();
    Some(DelegatedToken {
        token: value["t"].as_str()?.into(),
        audience: value["a"].as_str()?.into(),
        scopes: scopes.into(),
        expires_at: std::time::UNIX_EPOCH + Duration::from_secs(value["e"].as_u64()?),
    })
}

/// SHA-256 of the caller's token, the audience and the sorted scopes: what the cache keeps
/// of them.
fn cache_key(subject: &str, audience: &str, scopes: &[&str]) -> [u8; 32] {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(subject.as_bytes());
    context.update(b"\0");
    context.update(audience.as_bytes());
    for scope in scopes {
        context.update(b"\0");
        context.update(scope.as_bytes());
    }
    let mut key = [0; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use axum::extract::State;
    use axum::routing::post;

    use super::*;

    /// A token endpoint that counts its exchanges, answers after `delay`, and issues tokens
    /// living `expires_in` seconds with the scopes asked, except `delete:documents`.
    pub(super) async fn endpoint(
        expires_in: Arc<AtomicU64>,
        delay: Duration,
    ) -> (String, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        let state = (Arc::clone(&count), expires_in);
        let router = axum::Router::new()
            .route(
                "/oauth/token",
                post(
                    move |State((count, expires_in)): State<(Arc<AtomicU64>, Arc<AtomicU64>)>,
                          body: axum::body::Bytes| async move {
                        let n = count.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(delay).await;
                        let form = form::parse(&body);
                        assert_eq!(form["grant_type"], GRANT_TYPE);
                        assert_eq!(form["subject_token_type"], ACCESS_TOKEN_TYPE);
                        assert_eq!(form["client_secret"], "s3cret");
                        let scope: Vec<&str> = form
                            .get("scope")
                            .map(String::as_str)
                            .unwrap_or_default()
                            .split(' ')
                            .filter(|s| *s != "delete:documents")
                            .collect();
                        let body = serde_json::json!({
                            "access_token": format!("downstream-{n}-for-{}", form["subject_token"]),
                            "token_type": "Bearer",
                            "expires_in": expires_in.load(Ordering::SeqCst),
                            "scope": scope.join(" "),
                        });
                        ([("content-type", "application/json")], body.to_string())
                    },
                ),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/oauth/token", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (url, count)
    }

    /// A token endpoint that is down: it answers every exchange 503, and counts them.
    async fn down_endpoint() -> (String, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&count);
        let router = axum::Router::new().route(
            "/oauth/token",
            post(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { axum::http::StatusCode::SERVICE_UNAVAILABLE }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/oauth/token", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (url, count)
    }

    pub(super) fn exchanger_with(url: String, store: &Store) -> Exchanger {
        Exchanger::new(
            ExchangeSettings {
                token_url: url,
                client_id: "mcp-server".into(),
                client_secret: "s3cret".into(),
            },
            Duration::from_secs(5),
            store,
        )
    }

    fn exchanger(url: String) -> Exchanger {
        exchanger_with(url, &Store::memory())
    }

    fn in_an_hour() -> Option<SystemTime> {
        Some(SystemTime::now() + Duration::from_secs(3600))
    }

    const API: &str = "https://documents-api.example/";

    #[tokio::test]
    async fn one_exchange_serves_many_calls_per_caller_audience_and_scopes() {
        let (url, count) = endpoint(Arc::new(AtomicU64::new(3600)), Duration::ZERO).await;
        let exchanger = exchanger(url);
        let first = exchanger
            .token_for("alice-token", in_an_hour(), API, &["read:data"])
            .await
            .unwrap();
        assert_eq!(first.secret(), "downstream-0-for-alice-token");
        assert_eq!(first.authorization(), "Bearer downstream-0-for-alice-token");
        assert!(
            !format!("{first:?}").contains("downstream-0"),
            "Debug hides it"
        );
        for _ in 0..20 {
            let again = exchanger
                .token_for("alice-token", in_an_hour(), API, &["read:data"])
                .await
                .unwrap();
            assert_eq!(again.secret(), first.secret());
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
        // Another caller, another audience, other scopes: each its own exchange.
        exchanger
            .token_for("bob-token", in_an_hour(), API, &["read:data"])
            .await
            .unwrap();
        exchanger
            .token_for(
                "alice-token",
                in_an_hour(),
                "https://other.example/",
                &["read:data"],
            )
            .await
            .unwrap();
        exchanger
            .token_for(
                "alice-token",
                in_an_hour(),
                API,
                &["read:data", "write:data"],
            )
            .await
            .unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 4);
        // The scopes' order does not matter.
        exchanger
            .token_for(
                "alice-token",
                in_an_hour(),
                API,
                &["write:data", "read:data"],
            )
            .await
            .unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_token_near_its_expiry_is_exchanged_again() {
        // Tokens that live the margin and a second: usable for one second.
        let lifetime = Arc::new(AtomicU64::new(MARGIN.as_secs() + 1));
        let (url, count) = endpoint(Arc::clone(&lifetime), Duration::ZERO).await;
        let exchanger = exchanger(url);
        let first = exchanger
            .token_for("alice-token", in_an_hour(), API, &[])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        let second = exchanger
            .token_for("alice-token", in_an_hour(), API, &[])
            .await
            .unwrap();
        assert_ne!(first.secret(), second.secret());
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn no_exchange_for_a_caller_whose_token_expired_and_none_cached_past_it() {
        let (url, count) = endpoint(Arc::new(AtomicU64::new(3600)), Duration::ZERO).await;
        let exchanger = exchanger(url);
        let expired = Some(SystemTime::now() - Duration::from_secs(1));
        let err = exchanger
            .token_for("old-token", expired, API, &[])
            .await
            .unwrap_err();
        assert!(err.0.contains("expired"), "{}", err.0);
        let nearly = Some(SystemTime::now() + MARGIN / 2);
        assert!(
            exchanger
                .token_for("old-token", nearly, API, &[])
                .await
                .is_err()
        );
        assert_eq!(
            count.load(Ordering::SeqCst),
            0,
            "the endpoint was never asked"
        );
        // A token cached for a caller whose own token then expires is not served past it.
        let soon = SystemTime::now() + MARGIN + Duration::from_secs(1);
        exchanger
            .token_for("short-token", Some(soon), API, &[])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert!(
            exchanger
                .token_for("short-token", Some(soon), API, &[])
                .await
                .is_err()
        );
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn fifty_concurrent_calls_share_one_exchange() {
        let (url, count) =
            endpoint(Arc::new(AtomicU64::new(3600)), Duration::from_millis(200)).await;
        let exchanger = Arc::new(exchanger(url));
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let exchanger = Arc::clone(&exchanger);
                tokio::spawn(async move {
                    exchanger
                        .token_for("alice-token", in_an_hour(), API, &["read:data"])
                        .await
                        .map(|token| token.secret().to_owned())
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), "downstream-0-for-alice-token");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refusals_and_outages_are_errors_for_the_model_and_no_retry_storm() {
        let (url, count) = endpoint(Arc::new(AtomicU64::new(3600)), Duration::ZERO).await;
        let refusing = exchanger(url);
        let err = refusing
            .token_for("bob-token", in_an_hour(), API, &["delete:documents"])
            .await
            .unwrap_err();
        assert_eq!(
            err.0,
            "https://documents-api.example/ refused the exchange: the user does not hold delete:documents"
        );
        assert!(!err.0.contains("bob-token"));
        assert_eq!(count.load(Ordering::SeqCst), 1);
        // Auth0 unreachable: a clear error.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = exchanger(format!("http://127.0.0.1:{port}/oauth/token"))
            .token_for("alice-token", in_an_hour(), API, &[])
            .await
            .unwrap_err();
        assert!(err.0.contains("cannot be reached"), "{}", err.0);
        // Auth0 down: a clear error, and the calls of the next moments share it.
        let (url, attempts) = down_endpoint().await;
        let down = exchanger(url);
        for _ in 0..10 {
            let err = down
                .token_for("alice-token", in_an_hour(), API, &[])
                .await
                .unwrap_err();
            assert!(err.0.contains("unavailable (503"), "{}", err.0);
        }
        assert_eq!(
            attempts.load(Ordering::SeqCst),
            1,
            "one attempt for the ten calls"
        );
        // Calls that keep coming do not stretch the backoff: it ends 2 s after the failure.
        let started = Instant::now();
        while started.elapsed() < FAILURE_BACKOFF + Duration::from_millis(500) {
            let _ = down.token_for("alice-token", in_an_hour(), API, &[]).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            attempts.load(Ordering::SeqCst),
            2,
            "tried again once the backoff ended"
        );
    }
}

#[cfg(all(test, feature = "redis"))]
mod shared_tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::tests::{endpoint, exchanger_with};
    use super::*;
    use crate::store::redis::test_server::TestRedis;

    #[tokio::test]
    async fn replicas_share_exchanged_tokens_sealed_for_their_caller_only() {
        let Some(redis) = TestRedis::start() else {
            return;
        };
        let (url, count) = endpoint(Arc::new(AtomicU64::new(3600)), Duration::ZERO).await;
        let store = || async { Store::redis(&redis.url(), "t:").await.unwrap() };
        let a = exchanger_with(url.clone(), &store().await);
        let b = exchanger_with(url, &store().await);
        let hour = Some(SystemTime::now() + Duration::from_secs(3600));
        let api = "https://documents-api.example/";
        let first = a
            .token_for("alice-token", hour, api, &["read:data"])
            .await
            .unwrap();
        let second = b
            .token_for("alice-token", hour, api, &["read:data"])
            .await
            .unwrap();
        assert_eq!(first.secret(), second.secret());
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "the other replica used the shared one"
        );
        assert_eq!(second.scopes(), ["read:data".to_owned()]);
        // What the store holds is sealed: no token in it, and another caller's key opens nothing.
        let key = hex(&cache_key("alice-token", api, &["read:data"]));
        let sealed = store().await.get(SPACE, &key).await.unwrap().unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("downstream-"));
        assert!(open("bob-token", &key, &sealed).is_none());
        assert!(open("alice-token", &key, &sealed).is_some());
    }
}

//! The authorization server's signing keys (JWKS), fetched over HTTP and cached.
//!
//! Keys are kept for a time to live; a token signed with an unknown `kid` triggers a refetch,
//! at most once per `min_refetch` so that random kids cannot make us hammer the provider;
//! when the provider is down the last good keys stay in use; every fetch has a timeout.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use crate::observe;
use crate::web::upstream::{ReadError, read_capped};

/// The largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 1 << 20;

struct Key {
    kid: Option<String>,
    algorithm: Option<Algorithm>,
    key: Arc<DecodingKey>,
}

#[derive(Default)]
struct Cache {
    keys: Arc<Vec<Key>>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
}

/// Why no key was found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The key set has no key for this token.
    Unknown,
    /// No key set could be fetched yet.
    Unavailable,
}

pub(crate) struct Jwks {
    url: String,
    client: reqwest::Client,
    ttl: Duration,
    min_refetch: Duration,
    cache: RwLock<Cache>,
    /// One fetch at a time; concurrent requests wait for it instead of fetching too.
    fetching: tokio::sync::Mutex<()>,
}

impl Jwks {
    pub(crate) fn new(
        url: String,
        client: reqwest::Client,
        ttl: Duration,
        min_refetch: Duration,
    ) -> Self {
        Jwks {
            url,
            client,
            ttl,
            min_refetch,
            cache: RwLock::default(),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The key for a token with this `kid` and algorithm.
    pub(crate) async fn key(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Arc<DecodingKey>, KeyError> {
        let (found, stale) = self.lookup(kid, algorithm);
        if let (Some(key), false) = (&found, stale) {
            return Ok(Arc::clone(key));
        }
        // Unknown kid, or keys past their time to live: fetch again if the rate limit allows.
        self.refresh().await;
        match self.lookup(kid, algorithm) {
            (Some(key), _) => Ok(key),
            (None, _) if self.read().fetched_at.is_none() => Err(KeyError::Unavailable),
            (None, _) => Err(KeyError::Unknown),
        }
    }

    /// Fetches the key set again if it is past its time to live (and the rate limit allows).
    pub(crate) async fn refresh_if_stale(&self) {
        let (stale, due) = {
            let cache = self.read();
            let stale = cache.fetched_at.is_some_and(|at| at.elapsed() >= self.ttl);
            (
                stale,
                cache
                    .attempted_at
                    .is_none_or(|at| at.elapsed() >= self.min_refetch),
            )
        };
        // The rate limit is checked before queueing for the fetch lock, so that an outage
        // does not line every request up behind it.
        if stale && due {
            self.refresh().await;
        }
    }

    /// Whether the key set still holds the key `kid` (for a token without `kid`: any key).
    pub(crate) fn has_key(&self, kid: Option<&str>) -> bool {
        let cache = self.read();
        match kid {
            Some(kid) => cache.keys.iter().any(|k| k.kid.as_deref() == Some(kid)),
            None => !cache.keys.is_empty(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lookup(&self, kid: Option<&str>, algorithm: Algorithm) -> (Option<Arc<DecodingKey>>, bool) {
        let cache = self.read();
        let stale = cache.fetched_at.is_none_or(|at| at.elapsed() >= self.ttl);
        let usable = |key: &&Key| key.algorithm.is_none_or(|a| a == algorithm);
        let found = match kid {
            Some(kid) => cache
                .keys
                .iter()
                .filter(usable)
                .find(|k| k.kid.as_deref() == Some(kid)),
            // A token without `kid` is accepted only when the set leaves no doubt.
            None => {
                let mut candidates = cache.keys.iter().filter(usable);
                match (candidates.next(), candidates.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        };
        (found.map(|k| Arc::clone(&k.key)), stale)
    }

    /// Fetches the key set unless another request just did or the rate limit says wait.
    async fn refresh(&self) {
        let _guard = self.fetching.lock().await;
        let due = self
            .read()
            .attempted_at
            .is_none_or(|at| at.elapsed() >= self.min_refetch);
        if !due {
            return;
        }
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .attempted_at = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) => {
                let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
                tracing::debug!(url = %self.url, keys = keys.len(), "fetched the signing keys");
                cache.keys = Arc::new(keys);
                cache.fetched_at = Some(Instant::now());
                metrics::counter!(observe::JWKS_REFRESHES, "outcome" => "ok").increment(1);
            }
            // The last good keys, if any, stay in use.
            Err(why) => {
                tracing::warn!(url = %self.url, "cannot fetch the signing keys: {why}");
                metrics::counter!(observe::JWKS_REFRESHES, "outcome" => "failed").increment(1);
            }
        }
    }

    async fn fetch(&self) -> Result<Vec<Key>, String> {
        let sent = self.client.get(&self.url).send();
        let response = observe::upstream("jwks", &self.url, observe::http_ok, sent)
            .await
            .map_err(describe)?;
        if !response.status().is_success() {
            return Err(format!("the JWKS endpoint answered {}", response.status()));
        }
        let body = read_capped(response, MAX_JWKS_BYTES)
            .await
            .map_err(|err| match err {
                ReadError::TooLarge => "the JWKS document is too large".to_owned(),
                ReadError::Cut => "the JWKS document was cut short".to_owned(),
            })?;
        let document: Value =
            serde_json::from_slice(&body).map_err(|e| format!("the JWKS is not JSON: {e}"))?;
        let Some(entries) = document.get("keys").and_then(Value::as_array) else {
            return Err("the JWKS has no `keys` array".into());
        };
        let keys: Vec<Key> = entries.iter().filter_map(parse_key).collect();
        if keys.is_empty() {
            return Err("the JWKS has no usable signing key".into());
        }
        Ok(keys)
    }
}

/// One signing key of the set; keys for encryption or of unknown types are skipped.
fn parse_key(entry: &Value) -> Option<Key> {
    let jwk: Jwk = serde_json::from_value(entry.clone()).ok()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let algorithm = match &jwk.common.key_algorithm {
        // A key for another algorithm than a signature one (say, RSA1_5) is skipped.
        Some(alg) => Some(alg.to_string().parse::<Algorithm>().ok()?),
        None => None,
    };
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(Key {
        kid: jwk.common.key_id.clone(),
        algorithm,
        key: Arc::new(key),
    })
}

/// A transport error in words, without the URL's query (none is expected, but never echo one).
fn describe(err: reqwest::Error) -> String {
    if err.is_timeout() {
        "the JWKS endpoint did not answer in time".into()
    } else if err.is_connect() {
        "the JWKS endpoint is unreachable".into()
    } else {
        format!("the JWKS request failed: {}", err.without_url())
    }
}

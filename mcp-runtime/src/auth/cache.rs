//! Verified tokens, remembered so that a client's repeated calls skip the signature check.
//!
//! Keyed by the SHA-256 of the token (the token itself is not kept), bounded in size. An entry
//! never outlives its token's `exp`; `exp` and `nbf` are checked again on every hit, and an
//! entry whose signing key has left the key set is dropped.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_lc_rs::digest;

use super::caller::{Auth, now};

struct Entry {
    auth: Arc<Auth>,
    exp: u64,
    nbf: Option<u64>,
    kid: Option<String>,
}

pub(crate) struct TokenCache {
    entries: RwLock<HashMap<[u8; 32], Entry>>,
    capacity: usize,
}

/// What a lookup found.
pub(crate) enum Cached {
    /// A valid entry.
    Hit(Arc<Auth>),
    /// Nothing usable: verify the token in full.
    Miss,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        TokenCache {
            entries: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    fn key(token: &str) -> [u8; 32] {
        let hash = digest::digest(&digest::SHA256, token.as_bytes());
        let mut key = [0u8; 32];
        key.copy_from_slice(hash.as_ref());
        key
    }

    /// The caller of `token`, if it was verified before and is still valid at `now` (with
    /// `leeway` seconds of clock skew) and its key is still in the key set.
    pub(crate) fn get(
        &self,
        token: &str,
        now: u64,
        leeway: u64,
        key_present: impl Fn(Option<&str>) -> bool,
    ) -> Cached {
        if self.capacity == 0 {
            return Cached::Miss;
        }
        let key = Self::key(token);
        let verdict = {
            let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
            match entries.get(&key) {
                None => return Cached::Miss,
                Some(entry) => {
                    let live = now <= entry.exp.saturating_add(leeway)
                        && entry
                            .nbf
                            .is_none_or(|nbf| nbf <= now.saturating_add(leeway))
                        && key_present(entry.kid.as_deref());
                    live.then(|| Arc::clone(&entry.auth))
                }
            }
        };
        match verdict {
            Some(auth) => Cached::Hit(auth),
            None => {
                // Expired, not yet valid, or its key is gone: forget it and verify in full.
                self.entries
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
                Cached::Miss
            }
        }
    }

    /// Remembers a token that was just verified.
    pub(crate) fn insert(&self, token: &str, auth: Arc<Auth>, kid: Option<String>) {
        if self.capacity == 0 {
            return;
        }
        let Some(exp) = auth.claims().get("exp").and_then(serde_json::Value::as_u64) else {
            return;
        };
        let nbf = auth.claims().get("nbf").and_then(serde_json::Value::as_u64);
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            let now = now();
            entries.retain(|_, entry| entry.exp > now);
            if entries.len() >= self.capacity {
                // Still full of live tokens: make room by dropping an arbitrary one.
                if let Some(victim) = entries.keys().next().copied() {
                    entries.remove(&victim);
                }
            }
        }
        entries.insert(
            Self::key(token),
            Entry {
                auth,
                exp,
                nbf,
                kid,
            },
        );
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auth(exp: u64, nbf: Option<u64>) -> Arc<Auth> {
        let mut claims = json!({"sub": "u", "exp": exp});
        if let Some(nbf) = nbf {
            claims["nbf"] = nbf.into();
        }
        Arc::new(Auth::from_claims(claims.as_object().unwrap().clone()))
    }

    #[test]
    fn hits_only_while_valid_and_while_the_key_is_known() {
        let cache = TokenCache::new(10);
        cache.insert("t1", auth(1_000, Some(500)), Some("k1".into()));
        assert!(matches!(cache.get("t1", 900, 0, |_| true), Cached::Hit(_)));
        assert!(matches!(cache.get("other", 900, 0, |_| true), Cached::Miss));
        assert!(
            matches!(cache.get("t1", 400, 0, |_| true), Cached::Miss),
            "not valid yet"
        );
        cache.insert("t1", auth(1_000, None), Some("k1".into()));
        assert!(
            matches!(cache.get("t1", 1_001, 0, |_| true), Cached::Miss),
            "expired"
        );
        assert_eq!(cache.len(), 0, "an expired entry is dropped");
        cache.insert("t2", auth(1_000, None), Some("k1".into()));
        assert!(
            matches!(
                cache.get("t2", 900, 0, |kid| kid == Some("k2")),
                Cached::Miss
            ),
            "key left the set"
        );
    }

    #[test]
    fn stays_within_its_capacity() {
        let cache = TokenCache::new(3);
        let far = now() + 3600;
        for i in 0..10 {
            cache.insert(&format!("t{i}"), auth(far, None), None);
        }
        assert_eq!(cache.len(), 3);
        let off = TokenCache::new(0);
        off.insert("t", auth(far, None), None);
        assert!(matches!(off.get("t", 0, 0, |_| true), Cached::Miss));
    }
}

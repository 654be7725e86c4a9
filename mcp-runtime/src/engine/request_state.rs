//! The `requestState` of 2026-07-28 input rounds: opaque to the client, carried back on the
//! next round. It holds the answers so far, is signed (HMAC-SHA256 with the server's key),
//! bound to the caller and to the request, expires, and is used once: the nonces of used
//! states are kept in the server's store, so that with a shared store a state used on one
//! replica is refused on every other.

use std::time::Duration;

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::auth::caller::now;
use crate::protocol::jsonrpc::RpcError;
use crate::store::{Store, Unavailable};
use crate::web::random::random_token;

/// How long a client has to come back with its answers.
const LIFETIME: Duration = Duration::from_secs(600);

/// Seals and opens request states.
pub(crate) struct RequestStates {
    key: hmac::Key,
    /// Where the nonces of states already used are kept, until the states expire.
    used: Store,
}

impl RequestStates {
    /// A server's states, signed with a key of its own. (Replicas behind one balancer share
    /// the key through [`with_secret`](Self::with_secret).)
    pub(crate) fn new() -> Self {
        Self::with_secret(random_token(32).as_bytes())
    }

    /// States signed with a key derived from `secret`.
    pub(crate) fn with_secret(secret: &[u8]) -> Self {
        let master = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let derived = hmac::sign(&master, b"mcp-runtime request state key v1");
        RequestStates {
            key: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()),
            used: Store::memory(),
        }
    }

    /// Keeps the used states in `store` (the server's, shared by its replicas).
    pub(crate) fn keep_in(&mut self, store: &Store) {
        self.used = store.clone();
    }

    /// The state of a round whose answers so far are `answers`, for the request `binding`.
    pub(crate) fn seal(&self, answers: &Map<String, Value>, binding: &str) -> String {
        let payload = json!({
            "a": answers,
            "b": binding,
            "e": now() + LIFETIME.as_secs(),
            "n": random_token(12),
        });
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let tag = URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, payload.as_bytes()));
        format!("{payload}.{tag}")
    }

    /// The answers a state carries, if this server sealed it for this request and caller, it
    /// has not expired and it was not used before; otherwise the specified error.
    pub(crate) async fn open(
        &self,
        state: &str,
        binding: &str,
    ) -> Result<Map<String, Value>, RpcError> {
        let invalid = |why: &str| RpcError::invalid_params(format!("Invalid requestState: {why}"));
        let (payload, tag) = state
            .split_once('.')
            .ok_or_else(|| invalid("it is not one this server issued"))?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| invalid("it is not one this server issued"))?;
        hmac::verify(&self.key, payload.as_bytes(), &tag)
            .map_err(|_| invalid("it was altered, or is not one this server issued"))?;
        let payload: Value = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| invalid("it is malformed"))?;
        let expires = payload.get("e").and_then(Value::as_u64).unwrap_or(0);
        if expires < now() {
            return Err(invalid("it expired; start the request again"));
        }
        if payload.get("b").and_then(Value::as_str) != Some(binding) {
            return Err(invalid(
                "it belongs to another request or caller; start the request again",
            ));
        }
        let nonce = payload
            .get("n")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("it is malformed"))?;
        // Kept a little past the state's expiry, so that it is refused as expired first.
        let ttl = Duration::from_secs(expires.saturating_sub(now()) + 5);
        match self.used.put_new("used-state", nonce, b"", ttl).await {
            Ok(true) => {}
            Ok(false) => return Err(invalid("it was used already; start the request again")),
            Err(Unavailable) => {
                return Err(RpcError::new(
                    crate::protocol::jsonrpc::code::INTERNAL_ERROR,
                    "the server cannot reach its store to check the requestState; try again in a moment",
                ));
            }
        }
        match payload.get("a") {
            Some(Value::Object(answers)) => Ok(answers.clone()),
            _ => Err(invalid("it is malformed")),
        }
    }
}

/// What binds a state to its request: the caller, the method and what it names (the tool,
/// prompt or URI and the arguments), hashed.
pub(crate) fn binding(
    principal: Option<&str>,
    method: &str,
    params: Option<&Map<String, Value>>,
) -> String {
    let target = params.map_or(Value::Null, |p| {
        json!([
            p.get("name").unwrap_or(&Value::Null),
            p.get("uri").unwrap_or(&Value::Null),
            canonical(p.get("arguments").unwrap_or(&Value::Null)),
        ])
    });
    let text = format!("{}\n{method}\n{target}", principal.unwrap_or_default());
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, text.as_bytes()))
}

/// `value` with its objects' keys sorted, so that a client that sends the same arguments in
/// another order has the same request.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn states_open_once_for_their_request_and_never_when_altered() {
        let states = RequestStates::new();
        let params = json!({"name": "t", "arguments": {"b": 1, "a": 2}});
        let bound = binding(Some("alice"), "tools/call", params.as_object());
        let answers = json!({"elicitation-1": {"action": "accept"}});
        let state = states.seal(answers.as_object().unwrap(), &bound);
        // The same arguments in another order are the same request.
        let reordered = json!({"name": "t", "arguments": {"a": 2, "b": 1}});
        assert_eq!(
            bound,
            binding(Some("alice"), "tools/call", reordered.as_object())
        );
        assert_ne!(
            bound,
            binding(Some("bob"), "tools/call", params.as_object())
        );
        let other = binding(
            Some("alice"),
            "tools/call",
            json!({"name": "u"}).as_object(),
        );
        assert_eq!(states.open(&state, &other).await.unwrap_err().code, -32602);
        assert_eq!(
            states
                .open(&format!("{state}-TAMPERED"), &bound)
                .await
                .unwrap_err()
                .code,
            -32602
        );
        assert_eq!(
            RequestStates::new()
                .open(&state, &bound)
                .await
                .unwrap_err()
                .code,
            -32602
        );
        assert_eq!(
            &states.open(&state, &bound).await.unwrap(),
            answers.as_object().unwrap()
        );
        let replay = states.open(&state, &bound).await.unwrap_err();
        assert!(
            replay.message.contains("used already"),
            "{}",
            replay.message
        );
    }
}

#[cfg(all(test, feature = "redis"))]
mod shared_tests {
    use super::*;
    use crate::store::redis::test_server::TestRedis;

    #[tokio::test]
    async fn a_state_used_on_one_replica_is_refused_on_every_other() {
        let Some(mut redis) = TestRedis::start() else {
            return;
        };
        let replica = || async {
            let mut states = RequestStates::with_secret(b"the secret every replica shares");
            states.keep_in(&Store::redis(&redis.url(), "t:").await.unwrap());
            states
        };
        let (a, b) = (replica().await, replica().await);
        let bound = binding(Some("alice"), "tools/call", None);
        let state = a.seal(&Map::new(), &bound);
        assert!(b.open(&state, &bound).await.is_ok());
        let replay = a.open(&state, &bound).await.unwrap_err();
        assert!(
            replay.message.contains("used already"),
            "{}",
            replay.message
        );
        let fresh = b.seal(&Map::new(), &bound);
        redis.stop();
        let lost = a.open(&fresh, &bound).await.unwrap_err();
        assert_eq!(lost.code, crate::protocol::jsonrpc::code::INTERNAL_ERROR);
    }
}

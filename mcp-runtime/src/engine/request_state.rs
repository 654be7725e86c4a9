//! The `requestState` of 2026-07-28 input rounds: opaque to the client, carried back on the
//! next round. It holds the answers so far, is signed (HMAC-SHA256 with the server's key),
//! bound to the caller and to the request, expires, and is used once: each state's nonce is
//! written to the server's store when it is sealed and taken from it when it is opened, so
//! that a state is accepted once across every replica sharing the store, and never when the
//! store lost track of it (a restart, an eviction): then it fails closed.

use std::time::Duration;

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::outcome::Failure;
use crate::auth::caller::now;
use crate::protocol::jsonrpc::RpcError;
use crate::store::{Store, Unavailable};
use crate::web::random::random_token;

/// How long a client has to come back with its answers.
const LIFETIME: Duration = Duration::from_secs(600);
/// The space of the live states' nonces in the store.
const SPACE: &str = "request-state";

/// Seals and opens request states.
pub(crate) struct RequestStates {
    key: hmac::Key,
    /// Where the nonces of states not used yet are kept, until the states expire.
    live: Store,
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
            live: Store::memory(),
        }
    }

    /// Keeps the states' nonces in `store` (the server's, shared by its replicas).
    pub(crate) fn keep_in(&mut self, store: &Store) {
        self.live = store.clone();
    }

    /// The state of a round whose answers so far are `answers`, for the request `binding`;
    /// [`Unavailable`] when the store cannot keep its nonce.
    pub(crate) async fn seal(
        &self,
        answers: &Map<String, Value>,
        binding: &str,
    ) -> Result<String, Unavailable> {
        let nonce = random_token(16);
        if !self.live.put_new(SPACE, &nonce, b"", LIFETIME).await? {
            return Err(Unavailable);
        }
        let payload = json!({
            "a": answers,
            "b": binding,
            "e": now() + LIFETIME.as_secs(),
            "n": nonce,
        });
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let tag = URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, payload.as_bytes()));
        Ok(format!("{payload}.{tag}"))
    }

    /// The answers a state carries, if this server sealed it for this request and caller, it
    /// has not expired and it was not used before; otherwise the specified error.
    pub(crate) async fn open(
        &self,
        state: &str,
        binding: &str,
    ) -> Result<Map<String, Value>, Failure> {
        let invalid = |why: &str| {
            Failure::from(RpcError::invalid_params(format!(
                "Invalid requestState: {why}"
            )))
        };
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
        match self.live.remove(SPACE, nonce).await {
            Ok(true) => {}
            Ok(false) => {
                return Err(invalid(
                    "it was used already (or is unknown to the server's store); start the request again",
                ));
            }
            Err(Unavailable) => return Err(Failure::StoreUnavailable),
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

    /// The JSON-RPC error a failure to open is.
    pub(super) fn error(failure: Failure) -> RpcError {
        match failure {
            Failure::Rpc(err) => err,
            other => panic!("not a JSON-RPC error: {other:?}"),
        }
    }

    #[tokio::test]
    async fn states_open_once_for_their_request_and_never_when_altered() {
        let states = RequestStates::new();
        let params = json!({"name": "t", "arguments": {"b": 1, "a": 2}});
        let bound = binding(Some("alice"), "tools/call", params.as_object());
        let answers = json!({"elicitation-1": {"action": "accept"}});
        let state = states
            .seal(answers.as_object().unwrap(), &bound)
            .await
            .unwrap();
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
        let invalid = |failure| error(failure).code;
        assert_eq!(
            invalid(states.open(&state, &other).await.unwrap_err()),
            -32602
        );
        let tampered = format!("{state}-TAMPERED");
        assert_eq!(
            invalid(states.open(&tampered, &bound).await.unwrap_err()),
            -32602
        );
        assert_eq!(
            invalid(RequestStates::new().open(&state, &bound).await.unwrap_err()),
            -32602
        );
        assert_eq!(
            &states.open(&state, &bound).await.unwrap(),
            answers.as_object().unwrap()
        );
        let replay = error(states.open(&state, &bound).await.unwrap_err());
        assert!(
            replay.message.contains("used already"),
            "{}",
            replay.message
        );
    }

    #[tokio::test]
    async fn a_state_whose_nonce_the_store_lost_is_refused() {
        let secret = b"one secret, two processes";
        let before = RequestStates::with_secret(secret);
        let bound = binding(Some("alice"), "tools/call", None);
        let state = before.seal(&Map::new(), &bound).await.unwrap();
        // The same key after a restart, with an empty store: never a replay.
        let after = RequestStates::with_secret(secret);
        let refused = error(after.open(&state, &bound).await.unwrap_err());
        assert!(
            refused.message.contains("used already"),
            "{}",
            refused.message
        );
        assert!(before.open(&state, &bound).await.is_ok());
    }
}

#[cfg(all(test, feature = "redis"))]
mod shared_tests {
    use super::tests::error;
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
        let state = a.seal(&Map::new(), &bound).await.unwrap();
        assert!(b.open(&state, &bound).await.is_ok());
        let replay = error(a.open(&state, &bound).await.unwrap_err());
        assert!(
            replay.message.contains("used already"),
            "{}",
            replay.message
        );
        let fresh = b.seal(&Map::new(), &bound).await.unwrap();
        // Lost, then back empty: the state sealed before is never accepted.
        redis.stop();
        assert!(matches!(
            a.open(&fresh, &bound).await,
            Err(Failure::StoreUnavailable)
        ));
        assert!(a.seal(&Map::new(), &bound).await.is_err());
        redis.restart();
        let mut refused = None;
        for _ in 0..50 {
            match a.open(&fresh, &bound).await {
                Err(Failure::StoreUnavailable) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => {
                    refused = Some(other);
                    break;
                }
            }
        }
        let refused = error(refused.expect("the store came back").unwrap_err());
        assert!(
            refused.message.contains("used already"),
            "{}",
            refused.message
        );
    }
}

//! The 2026-07-28 side of the engine: `server/discover`, the methods that exist only in the
//! session era refused, results in their 2026 shape (`resultType`, cache hints, the server's
//! identity in `_meta`), and input rounds (`InputRequiredResult`, `requestState`).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Engine;
use super::outcome::Failure;
use super::request_state::binding;
use crate::auth::caller::Auth;
use crate::context::Via;
use crate::protocol::era::{self, key};
use crate::protocol::input::InputRound;
use crate::protocol::jsonrpc::{RpcError, code};
use crate::protocol::session::Session;

/// A `subscriptions/listen` stream, as the engine agreed to it.
pub(crate) struct Listen {
    /// `notifications/subscriptions/acknowledged`, with what the stream will carry.
    pub(crate) acknowledgement: Value,
    /// The resources whose updates it carries.
    pub(crate) uris: Vec<String>,
    /// The result that ends the stream (at shutdown), without the subscription id.
    pub(crate) farewell: Value,
}

/// The methods whose results clients may cache (and so carry `ttlMs` and `cacheScope`).
const CACHEABLE: &[&str] = &[
    "server/discover",
    "tools/list",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
];

/// The methods that may end with an `InputRequiredResult`.
const MAY_ASK: &[&str] = &["tools/call", "prompts/get", "resources/read"];

impl Engine {
    /// Answers one 2026-07-28 request, whose `_meta` the transport read and checked (its
    /// capabilities and log level are the session's).
    #[allow(clippy::too_many_arguments)] // one request's parts, passed on as they are
    pub(crate) async fn modern(
        &self,
        id: Value,
        method: &str,
        params: Option<Map<String, Value>>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        via: Via,
    ) -> Result<Value, Failure> {
        if method == "server/discover" {
            return Ok(self.complete(method, self.discover()));
        }
        if era::is_legacy_only(method) || method.starts_with("notifications/") {
            return Err(RpcError::new(
                code::METHOD_NOT_FOUND,
                format!(
                    "Method not found: {method} (it is not part of MCP {})",
                    era::MODERN
                ),
            )
            .into());
        }
        // What binds a request state to this request and caller, computed only when a state
        // is opened or sealed.
        let bound = || {
            let principal = auth.as_deref().map(Auth::principal);
            binding(principal.as_deref(), method, params.as_ref())
        };
        // A tool that takes no `Context` cannot ask for anything: it needs no round.
        let may_ask = MAY_ASK.contains(&method)
            && (method != "tools/call" || self.may_stream(method, params.as_ref()));
        let round = match may_ask {
            true => {
                let answers = self.answers(params.as_ref(), bound).await?;
                Some(Arc::new(InputRound::new(answers)))
            }
            false => None,
        };
        // Bound before the params move into the call, for the state of a next round.
        let bound = round.as_ref().map(|_| bound());
        let result = self
            .dispatch(id, method, params, session, auth, via, round.clone())
            .await;
        match result {
            Ok(result) => Ok(self.complete(method, result)),
            Err(Failure::InputRequired) => match (round, bound) {
                (Some(round), Some(bound)) => self.input_required(&round, &bound).await,
                // Only a request with a round can be suspended for input.
                _ => Err(Failure::Rpc(Failure::unanswered_input())),
            },
            // SEP-2164: a resource that is not found is invalid params in 2026-07-28.
            Err(Failure::Rpc(mut err)) if err.code == code::RESOURCE_NOT_FOUND => {
                err.code = code::INVALID_PARAMS;
                Err(err.into())
            }
            Err(other) => Err(other),
        }
    }

    /// `subscriptions/listen`: the acknowledgement of what the stream will carry (its
    /// notification, untagged), the resources to subscribe it to, and the result that ends
    /// it. Lists never change here, so their notifications are not honoured; a resource
    /// update is, for the resources the caller may read.
    pub(crate) fn listen(
        &self,
        params: Option<&Map<String, Value>>,
        auth: Option<&Auth>,
    ) -> Result<Listen, RpcError> {
        let filter = match params.and_then(|p| p.get("notifications")) {
            Some(Value::Object(filter)) => filter,
            _ => {
                return Err(RpcError::invalid_params(
                    "Invalid params: subscriptions/listen needs `notifications`, an object saying what to listen for",
                ));
            }
        };
        let mut uris = Vec::new();
        match filter.get("resourceSubscriptions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let uri = item.as_str().ok_or_else(|| {
                        RpcError::invalid_params(
                            "Invalid params: resourceSubscriptions must be a list of URIs",
                        )
                    })?;
                    if self.resources.check(uri, auth).is_ok() && !uris.iter().any(|u| u == uri) {
                        uris.push(uri.to_owned());
                    }
                }
            }
            Some(_) => {
                return Err(RpcError::invalid_params(
                    "Invalid params: resourceSubscriptions must be a list of URIs",
                ));
            }
        }
        let mut honoured = Map::new();
        if !uris.is_empty() {
            honoured.insert("resourceSubscriptions".into(), json!(uris));
        }
        let mut farewell = Map::new();
        farewell.insert("resultType".into(), "complete".into());
        self.identify(&mut farewell);
        Ok(Listen {
            acknowledgement: json!({
                "jsonrpc": "2.0",
                "method": "notifications/subscriptions/acknowledged",
                "params": {"notifications": honoured},
            }),
            uris,
            farewell: Value::Object(farewell),
        })
    }

    /// `server/discover`: the versions served statelessly, what the server can do, and how
    /// to use it.
    fn discover(&self) -> Value {
        let mut capabilities = json!({"tools": {}, "logging": {}});
        if !self.resources.is_empty() {
            // Updates of resources are heard on `subscriptions/listen`.
            capabilities["resources"] = json!({"subscribe": true});
        }
        if !self.prompts.is_empty() {
            capabilities["prompts"] = json!({});
        }
        if self.completes() {
            capabilities["completions"] = json!({});
        }
        let mut result = json!({
            "supportedVersions": era::MODERN_VERSIONS,
            "capabilities": capabilities,
        });
        if let Some(instructions) = self.info.instructions {
            result["instructions"] = instructions.into();
        }
        result
    }

    /// A result in its 2026 shape: `resultType`, the server's identity, and for the cacheable
    /// methods `ttlMs` and `cacheScope`. A server that authenticates callers shows each one
    /// what it may see, so what it answers is private to that caller (discovery aside).
    fn complete(&self, method: &str, result: Value) -> Value {
        let mut result = match result {
            Value::Object(result) => result,
            other => {
                let mut wrapped = Map::new();
                wrapped.insert("value".into(), other);
                wrapped
            }
        };
        result.insert("resultType".into(), "complete".into());
        if CACHEABLE.contains(&method) {
            let private = self.guarded && method != "server/discover";
            result.insert(
                "ttlMs".into(),
                u64::try_from(self.cache_ttl.as_millis())
                    .unwrap_or(u64::MAX)
                    .into(),
            );
            result.insert(
                "cacheScope".into(),
                if private { "private" } else { "public" }.into(),
            );
        }
        self.identify(&mut result);
        Value::Object(result)
    }

    /// Puts the server's name and version in the result's `_meta`.
    fn identify(&self, result: &mut Map<String, Value>) {
        let info = self.identity.clone();
        let meta = result
            .entry("_meta")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            meta.insert(key::SERVER_INFO.into(), info);
        }
    }

    /// The answers a request brings: from its `requestState` (earlier rounds), then its
    /// `inputResponses` (this round), which must be objects.
    async fn answers(
        &self,
        params: Option<&Map<String, Value>>,
        bound: impl FnOnce() -> String,
    ) -> Result<Map<String, Value>, Failure> {
        let mut answers = match params.and_then(|p| p.get("requestState")) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::String(state)) => self.request_states.open(state, &bound()).await?,
            Some(_) => return Err(RpcError::invalid_params("requestState must be a string").into()),
        };
        match params.and_then(|p| p.get("inputResponses")) {
            None | Some(Value::Null) => {}
            Some(Value::Object(responses)) => {
                for (key, response) in responses {
                    if !response.is_object() {
                        return Err(RpcError::invalid_params(format!(
                            "inputResponses.{key} must be the client's result, an object"
                        ))
                        .into());
                    }
                    answers.insert(key.clone(), response.clone());
                }
            }
            Some(_) => {
                return Err(RpcError::invalid_params("inputResponses must be an object").into());
            }
        }
        Ok(answers)
    }

    /// The end of a round: what the client must answer, or the capability it lacks.
    async fn input_required(&self, round: &InputRound, bound: &str) -> Result<Value, Failure> {
        if let Some(capability) = round.missing() {
            return Err(RpcError::new(
                era::code::MISSING_CLIENT_CAPABILITY,
                format!("Missing required client capability: {capability}"),
            )
            .with_data(json!({"requiredCapabilities": { capability: {} }}))
            .into());
        }
        let mut result = Map::new();
        result.insert("resultType".into(), "input_required".into());
        result.insert("inputRequests".into(), Value::Object(round.asked()));
        let state = self
            .request_states
            .seal(round.answers(), bound)
            .await
            .map_err(|_| Failure::StoreUnavailable)?;
        result.insert("requestState".into(), state.into());
        self.identify(&mut result);
        Ok(Value::Object(result))
    }
}

//! What a tool knows about the request it serves, and how it talks back to the client:
//! progress, logs, cancellation, sampling and elicitation.

use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::auth::caller::Auth;
use crate::content::{Content, Message};
use crate::error::ToolError;
use crate::protocol::input::InputRound;
use crate::protocol::log::LogLevel;
use crate::protocol::peer::{Cancel, Outbox, Pending};
use crate::protocol::session::Session;
use crate::protocol::subscriptions::Subscriptions;
use crate::schema::elicitation_schema;

/// The request context of a tool call: take `&Context` (or `Context`) as a parameter.
///
/// It never appears in the tool's input schema. Through it a tool reports progress, logs,
/// notices cancellation, and asks the client's model ([`sample`](Context::sample)) or user
/// ([`elicit`](Context::elicit)) mid-call.
#[derive(Clone)]
pub struct Context {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    request_id: Value,
    /// The HTTP request that carried the call, without its credentials.
    http: Option<Arc<HttpRequest>>,
    meta: Option<Value>,
    session: Arc<Session>,
    auth: Option<Arc<Auth>>,
    peer: Peer,
    /// For a 2026-07-28 request: the input gathered across rounds instead of requests sent
    /// to the client.
    round: Option<Arc<InputRound>>,
}

/// The channel back to the client, for one request.
#[derive(Clone)]
pub(crate) struct Peer {
    pub(crate) outbox: Option<Outbox>,
    pub(crate) pending: Arc<Pending>,
    pub(crate) cancel: Arc<Cancel>,
    pub(crate) timeout: Duration,
    pub(crate) logger: &'static str,
    pub(crate) subscriptions: Arc<Subscriptions>,
}

/// A request to the client's model (`sampling/createMessage`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SamplingRequest {
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// The most tokens to generate.
    pub max_tokens: u32,
    /// A system prompt the client may use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

impl SamplingRequest {
    /// One user message of text.
    pub fn text(prompt: impl Into<String>, max_tokens: u32) -> Self {
        SamplingRequest {
            messages: vec![Message::user(Content::text(prompt))],
            max_tokens,
            system_prompt: None,
            temperature: None,
        }
    }
}

/// The client model's answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SamplingResponse {
    /// The model that answered.
    pub model: String,
    /// Why generation stopped, such as `endTurn`.
    pub stop_reason: Option<String>,
    /// The content block, as the client sent it.
    pub content: Value,
}

impl SamplingResponse {
    /// The text of the answer, if it is text.
    pub fn text(&self) -> Option<&str> {
        (self.content.get("type")? == "text").then(|| self.content.get("text")?.as_str())?
    }
}

/// A root of the client (`roots/list`): a directory or file the server may work with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Root {
    /// Its URI, such as `file:///home/alice/project`.
    pub uri: String,
    /// A name for it.
    pub name: Option<String>,
}

/// The user's answer to an elicitation.
#[derive(Debug, Clone, PartialEq)]
pub enum Elicitation<T> {
    /// The user filled in the form; the content matches the requested type.
    Accepted(T),
    /// The user said no.
    Declined,
    /// The user dismissed the request without choosing.
    Cancelled,
}

/// How a request reached the engine: the channel back to the client, when the transport has
/// one for it, and the HTTP request, on the HTTP transport.
#[derive(Default)]
pub(crate) struct Via {
    pub(crate) outbox: Option<Outbox>,
    pub(crate) http: Option<Arc<HttpRequest>>,
}

/// The HTTP request that carried an MCP request, as a tool sees it: method, URI and headers,
/// **without** `Authorization`, `Proxy-Authorization` and `Cookie` (the caller's credentials
/// reach a tool only as the verified [`Auth`]).
///
/// ```
/// # use mcp_runtime::prelude::*;
/// /// Says which tenant asked.
/// #[tool]
/// async fn whoami(context: &Context) -> String {
///     let tenant = context
///         .http()
///         .and_then(|http| http.headers().get("x-tenant"))
///         .and_then(|value| value.to_str().ok())
///         .unwrap_or("none");
///     format!("tenant: {tenant}")
/// }
/// ```
#[derive(Debug)]
pub struct HttpRequest {
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
}

impl HttpRequest {
    /// The request's parts, with its credentials removed.
    pub(crate) fn from_parts(parts: axum::http::request::Parts) -> Self {
        let mut headers = parts.headers;
        for name in [
            axum::http::header::AUTHORIZATION,
            axum::http::header::PROXY_AUTHORIZATION,
            axum::http::header::COOKIE,
        ] {
            headers.remove(name);
        }
        HttpRequest {
            method: parts.method,
            uri: parts.uri,
            headers,
        }
    }

    /// The HTTP method (`POST` for MCP requests).
    pub fn method(&self) -> &axum::http::Method {
        &self.method
    }

    /// The request's URI (the MCP endpoint's path, and a query if the client sent one).
    pub fn uri(&self) -> &axum::http::Uri {
        &self.uri
    }

    /// The request's headers, without `Authorization`, `Proxy-Authorization` and `Cookie`.
    pub fn headers(&self) -> &axum::http::HeaderMap {
        &self.headers
    }
}

impl Context {
    pub(crate) fn new(
        request_id: Value,
        meta: Option<Value>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        peer: Peer,
        round: Option<Arc<InputRound>>,
        http: Option<Arc<HttpRequest>>,
    ) -> Self {
        Context {
            inner: Arc::new(ContextInner {
                request_id,
                http,
                meta,
                session,
                auth,
                peer,
                round,
            }),
        }
    }

    /// The verified caller, on a server with OAuth when the request carried a valid token.
    pub fn auth(&self) -> Option<&Auth> {
        self.inner.auth.as_deref()
    }

    /// The HTTP request that carried this call (headers such as a tenant or a trace id),
    /// without its credentials; `None` on the stdio transport.
    pub fn http(&self) -> Option<&HttpRequest> {
        self.inner.http.as_deref()
    }

    /// The JSON-RPC id of the `tools/call` request.
    pub fn request_id(&self) -> &Value {
        &self.inner.request_id
    }

    /// The request's `_meta` object, if the client sent one.
    pub fn meta(&self) -> Option<&Value> {
        self.inner.meta.as_ref()
    }

    /// The progress token the client sent in `_meta.progressToken`, if any.
    pub fn progress_token(&self) -> Option<&Value> {
        self.inner.meta.as_ref()?.get("progressToken")
    }

    /// The MCP session id, when the server runs with sessions.
    pub fn session_id(&self) -> Option<&str> {
        self.inner.session.id.as_deref()
    }

    /// The protocol version negotiated with the client.
    pub fn protocol_version(&self) -> &'static str {
        self.inner.session.protocol_version
    }

    /// Reports progress (`done` out of `total`, if known) when the client asked for it with a
    /// progress token; otherwise does nothing. `done` should grow with each report.
    pub fn progress(&self, done: f64, total: Option<f64>, message: Option<&str>) {
        let (Some(token), Some(outbox)) = (self.progress_token(), &self.inner.peer.outbox) else {
            return;
        };
        let mut params = json!({"progressToken": token, "progress": done});
        if let Some(total) = total {
            params["total"] = total.into();
        }
        if let Some(message) = message {
            params["message"] = message.into();
        }
        outbox
            .send(json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": params}));
    }

    /// Sends a log message to the client, if it asked for this level or a less severe one
    /// (`logging/setLevel`, `info` until it does; a 2026-07-28 request: its own `logLevel`,
    /// nothing without one).
    pub fn log(&self, level: LogLevel, data: impl Serialize) {
        let Some(outbox) = &self.inner.peer.outbox else {
            return;
        };
        if self
            .inner
            .session
            .log_level()
            .is_none_or(|least| level < least)
        {
            return;
        }
        let data = serde_json::to_value(data).unwrap_or(Value::Null);
        outbox.send(json!({"jsonrpc": "2.0", "method": "notifications/message",
                           "params": {"level": level, "logger": self.inner.peer.logger, "data": data}}));
    }

    /// Whether the client cancelled this request (or went away). A tool that cannot be
    /// interrupted at an `.await` can poll this; the tool's future is dropped anyway.
    pub fn is_cancelled(&self) -> bool {
        self.inner.peer.cancel.is_cancelled()
    }

    /// Tells the clients subscribed to the resource `uri` that it changed
    /// (`notifications/resources/updated`, on their sessions' streams); returns how many were
    /// told.
    pub fn resource_updated(&self, uri: &str) -> usize {
        self.inner.peer.subscriptions.resource_updated(uri)
    }

    /// Resolves when the client cancels this request.
    pub async fn cancelled(&self) {
        self.inner.peer.cancel.cancelled().await;
    }

    /// Whether the client declared `capability` (`sampling`, `elicitation`, `roots`): at
    /// `initialize`, or in a 2026-07-28 request's own `_meta`. A server without sessions
    /// does not know what a session-era client declared, and answers `true`.
    pub fn client_supports(&self, capability: &str) -> bool {
        self.inner.session.client_supports(capability)
    }

    /// Asks the client's model for a completion (`sampling/createMessage`).
    ///
    /// In a 2026-07-28 request this ends the call with an `InputRequiredResult`, and the call
    /// runs again, from the start, when the client comes back with the answer; the same code
    /// serves both eras. To ask for several answers in one round, await them together
    /// (`tokio::join!`).
    pub async fn sample(&self, request: SamplingRequest) -> Result<SamplingResponse, ToolError> {
        self.require_capability("sampling").await?;
        let params = serde_json::to_value(request).map_err(|e| ToolError::new(e.to_string()))?;
        let result = self.request("sampling/createMessage", params, None).await?;
        Ok(SamplingResponse {
            model: result
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            stop_reason: result
                .get("stopReason")
                .and_then(Value::as_str)
                .map(str::to_owned),
            content: result.get("content").cloned().unwrap_or(Value::Null),
        })
    }

    /// Asks the user to fill in a form whose schema is `T`'s (a struct of strings, numbers,
    /// booleans and enums), and returns the typed, validated answer. In a 2026-07-28 request,
    /// as [`sample`](Self::sample) says.
    pub async fn elicit<T: DeserializeOwned + JsonSchema>(
        &self,
        message: &str,
    ) -> Result<Elicitation<T>, ToolError> {
        self.elicit_keyed(None, message).await
    }

    /// [`elicit`](Self::elicit) under the input key `key` of 2026-07-28 (by default keys
    /// follow the order of the call's requests): for a client that expects a key it knows.
    pub async fn elicit_as<T: DeserializeOwned + JsonSchema>(
        &self,
        key: &str,
        message: &str,
    ) -> Result<Elicitation<T>, ToolError> {
        self.elicit_keyed(Some(key.to_owned()), message).await
    }

    async fn elicit_keyed<T: DeserializeOwned + JsonSchema>(
        &self,
        key: Option<String>,
        message: &str,
    ) -> Result<Elicitation<T>, ToolError> {
        let schema = elicitation_schema::<T>();
        match self.elicit_form(key, message, schema).await? {
            Elicitation::Accepted(content) => serde_json::from_value(Value::Object(content))
                .map(Elicitation::Accepted)
                .map_err(|e| {
                    ToolError::new(format!("the user's answer does not match the form: {e}"))
                }),
            Elicitation::Declined => Ok(Elicitation::Declined),
            Elicitation::Cancelled => Ok(Elicitation::Cancelled),
        }
    }

    /// Asks the user to fill in a form with a hand-written `requestedSchema`.
    pub async fn elicit_with_schema(
        &self,
        message: &str,
        requested_schema: Value,
    ) -> Result<Elicitation<Map<String, Value>>, ToolError> {
        self.elicit_form(None, message, requested_schema).await
    }

    async fn elicit_form(
        &self,
        key: Option<String>,
        message: &str,
        requested_schema: Value,
    ) -> Result<Elicitation<Map<String, Value>>, ToolError> {
        self.require_capability("elicitation").await?;
        let params =
            json!({"mode": "form", "message": message, "requestedSchema": requested_schema});
        let result = self.request("elicitation/create", params, key).await?;
        match result.get("action").and_then(Value::as_str) {
            Some("accept") => match result.get("content") {
                Some(Value::Object(content)) => Ok(Elicitation::Accepted(content.clone())),
                _ => Ok(Elicitation::Accepted(Map::new())),
            },
            Some("decline") => Ok(Elicitation::Declined),
            Some("cancel") => Ok(Elicitation::Cancelled),
            _ => Err(ToolError::new(
                "the client answered the elicitation without a valid action",
            )),
        }
    }

    /// The client's roots (`roots/list`): the directories and files it lets the server see.
    /// In a 2026-07-28 request, as [`sample`](Self::sample) says.
    pub async fn list_roots(&self) -> Result<Vec<Root>, ToolError> {
        self.require_capability("roots").await?;
        let result = self.request("roots/list", json!({}), None).await?;
        let roots = result
            .get("roots")
            .and_then(Value::as_array)
            .ok_or_else(|| ToolError::new("the client answered roots/list without roots"))?;
        Ok(roots
            .iter()
            .filter_map(|root| {
                Some(Root {
                    uri: root.get("uri")?.as_str()?.to_owned(),
                    name: root.get("name").and_then(Value::as_str).map(str::to_owned),
                })
            })
            .collect())
    }

    /// Fails (2025 era) or ends the call with the missing-capability error (2026-07-28) when
    /// the client did not declare `capability`.
    async fn require_capability(&self, capability: &str) -> Result<(), ToolError> {
        if let Some(round) = &self.inner.round {
            // The request's own capabilities, which its session holds.
            if !self.inner.session.client_supports(capability) {
                let never = round.require(capability).await;
                match never {}
            }
            return Ok(());
        }
        if self.inner.session.client_supports(capability) {
            Ok(())
        } else {
            Err(ToolError::new(format!(
                "the client does not support {capability}, which this tool needs"
            )))
        }
    }

    /// Asks the client: in a 2026-07-28 request, from the round's answers (or by ending the
    /// round); otherwise with a request on this request's stream, waiting for the answer.
    async fn request(
        &self,
        method: &str,
        params: Value,
        key: Option<String>,
    ) -> Result<Value, ToolError> {
        if let Some(round) = &self.inner.round {
            let kind = method.split('/').next().unwrap_or(method);
            let key = key.unwrap_or_else(|| round.next_key(kind));
            return Ok(round.ask(key, method, params).await);
        }
        let peer = &self.inner.peer;
        let Some(outbox) = &peer.outbox else {
            return Err(ToolError::new(format!(
                "cannot send {method}: the client did not accept a streamed (text/event-stream) answer"
            )));
        };
        let Some((id, answer)) = peer.pending.register() else {
            return Err(ToolError::new(
                "too many requests to clients are waiting; try again later",
            ));
        };
        // Stop waiting when this future is dropped (the tool was cancelled).
        let _forget = Forget {
            pending: &peer.pending,
            id: &id,
        };
        if !outbox.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})) {
            return Err(ToolError::new("the client went away"));
        }
        match tokio::time::timeout(peer.timeout, answer).await {
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err(error))) => Err(ToolError::new(format!(
                "the client refused {method}: {}",
                error.message
            ))),
            Ok(Err(_)) => Err(ToolError::new("the client went away")),
            Err(_) => Err(ToolError::new(format!(
                "the client did not answer {method} within {} seconds",
                peer.timeout.as_secs()
            ))),
        }
    }
}

struct Forget<'a> {
    pending: &'a Pending,
    id: &'a str,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.pending.forget(self.id);
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request_id", &self.inner.request_id)
            .field("session_id", &self.inner.session.id)
            .field("protocol_version", &self.inner.session.protocol_version)
            .finish_non_exhaustive()
    }
}

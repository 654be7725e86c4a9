//! What every handler of the endpoint shares: the engine, the admission gate, the session
//! table and the shutdown signal, and the names of the MCP headers.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Map, Value};

use super::admission::Gate;
use super::sessions::SessionTable;
use super::sse;
use crate::auth::caller::Auth;
use crate::context::{HttpRequest, Via};
use crate::engine::Engine;
use crate::engine::outcome::Failure;
use crate::observe;
use crate::protocol::era::Era;
use crate::protocol::peer::{Cancel, Outbox};
use crate::protocol::session::Session;
use std::time::Instant;
use tracing::{Instrument as _, Span};

/// `Mcp-Session-Id`.
pub(crate) const SESSION_HEADER: &str = "mcp-session-id";
/// `MCP-Protocol-Version`.
pub(crate) const VERSION_HEADER: &str = "mcp-protocol-version";

/// The endpoint's state.
pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) gate: Gate,
    pub(crate) stateless: bool,
    pub(crate) max_body_bytes: usize,
    pub(crate) sessions: SessionTable,
    pub(crate) shutdown: Arc<Cancel>,
}

/// One request for the engine, as the transport read it.
pub(crate) struct Call {
    pub(crate) id: Value,
    pub(crate) method: String,
    pub(crate) params: Option<Map<String, Value>>,
    pub(crate) session: Arc<Session>,
    pub(crate) auth: Option<Arc<Auth>>,
    /// Whether the client takes an SSE stream as the answer.
    pub(crate) takes_stream: bool,
    /// The HTTP request, without its credentials, for the handler's `Context`.
    pub(crate) http: Arc<HttpRequest>,
}

/// The span of one request: its method and the tool, prompt or resource it names, who asked
/// and through which client (never their token), and, once answered, its outcome and
/// duration.
fn request_span(method: &str, params: Option<&Map<String, Value>>, auth: Option<&Auth>) -> Span {
    let named = params.and_then(|p| p.get("name").or_else(|| p.get("uri")));
    let name = named.and_then(Value::as_str).map(cut);
    let method = cut(method);
    tracing::info_span!(
        "mcp",
        method,
        name,
        sub = auth.map(|a| a.user().user_id.as_str()),
        client_id = auth.and_then(Auth::client_id),
        outcome = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

/// `text` up to its 200th character: what a log line keeps of a client's string.
fn cut(text: &str) -> &str {
    let end = text
        .char_indices()
        .nth(200)
        .map_or(text.len(), |(at, _)| at);
    &text[..end]
}

/// Logs and counts a request's answer, in its span.
fn observe_answer(
    method: &'static str,
    tool: Option<&'static str>,
    result: &Result<Value, Failure>,
    started: Instant,
) {
    let outcome = match result {
        Ok(value) if value.get("isError").and_then(Value::as_bool) == Some(true) => "tool_error",
        Ok(_) => "ok",
        Err(Failure::Rpc(_)) => "error",
        Err(Failure::Refused(_)) => "denied",
        Err(Failure::Cancelled) => "cancelled",
        Err(Failure::InputRequired) => "input_required",
        Err(Failure::StoreUnavailable) => "store_unavailable",
    };
    let seconds = started.elapsed().as_secs_f64();
    let span = Span::current();
    span.record("outcome", outcome);
    span.record("duration_ms", (seconds * 1000.0) as u64);
    tracing::info!("answered");
    observe::request_answered(method, outcome, tool, seconds);
}

impl Shared {
    /// Answers a request of `era` with the engine: as JSON, or as an SSE stream when the
    /// client takes one and the request may talk back before its result.
    pub(crate) async fn answer(self: &Arc<Self>, call: Call, era: Era) -> Response {
        let Call {
            id,
            method,
            params,
            session,
            auth,
            takes_stream,
            http,
        } = call;
        let streaming = takes_stream && self.engine.may_stream(&method, params.as_ref());
        let (outbox, messages) = match streaming {
            true => {
                let (outbox, rx) = Outbox::channel();
                (Some(outbox), Some(rx))
            }
            false => (None, None),
        };
        let via = Via {
            outbox,
            http: Some(http),
        };
        let shared = Arc::clone(self);
        let request_id = id.clone();
        let span = request_span(&method, params.as_ref(), auth.as_deref());
        let tool = (method == "tools/call")
            .then(|| self.engine.tool_called(params.as_ref()))
            .flatten();
        let started = Instant::now();
        // Boxed: the engine's future is large, and is moved no more.
        let request = Box::pin(
            async move {
                let engine = &shared.engine;
                let label = observe::method_label(&method);
                let result = match era {
                    Era::Legacy => {
                        engine
                            .request(request_id, &method, params, session, auth, via)
                            .await
                    }
                    Era::Modern => {
                        engine
                            .modern(request_id, &method, params, session, auth, via)
                            .await
                    }
                };
                observe_answer(label, tool, &result, started);
                result
            }
            .instrument(span),
        );
        sse::answer(id, request, messages, self.gate.resource.as_ref(), era).await
    }
}

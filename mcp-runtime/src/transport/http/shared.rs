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
use crate::protocol::era::Era;
use crate::protocol::peer::{Cancel, Outbox};
use crate::protocol::session::Session;

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
        // Boxed: the engine's future is large, and is moved no more.
        let request = Box::pin(async move {
            let engine = &shared.engine;
            match era {
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
            }
        });
        sse::answer(id, request, messages, self.gate.resource.as_ref(), era).await
    }
}

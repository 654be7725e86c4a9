//! The engine: MCP requests dispatched to the server's tools, independent of the transport
//! that carries them. Denials are data ([`outcome::Failure`]); each transport decides what
//! they become on its wire.

pub(crate) mod in_flight;
pub(crate) mod info;
pub(crate) mod outcome;
pub(crate) mod tools;

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::auth::caller::Auth;
use crate::protocol::jsonrpc::{RpcError, code};
use crate::protocol::log::LogLevel;
use crate::protocol::peer::{Outbox, Pending};
use crate::protocol::session::Session;
use crate::protocol::version;
use crate::tool::descriptor::ToolDescriptor;
use crate::tool::handler::CallFn;
use in_flight::InFlightTable;
use info::ServerInfo;
use outcome::Failure;
use tools::{CallSite, ToolLimits, Tools};

/// Dispatches MCP requests to the server's tools.
pub(crate) struct Engine {
    pub(crate) info: ServerInfo,
    tools: Tools,
    /// Page size, time limits and result size cap.
    pub(crate) limits: ToolLimits,
    /// Requests sent to clients, waiting for answers.
    pending: Arc<Pending>,
    /// Requests in flight, by session and id, for `notifications/cancelled`.
    in_flight: InFlightTable,
}

/// What `initialize` agreed on.
pub(crate) struct Initialized {
    /// The negotiated protocol version.
    pub(crate) version: &'static str,
    /// The result to send.
    pub(crate) result: Value,
    /// What the client said it can do.
    pub(crate) client_capabilities: Value,
}

impl Engine {
    /// The engine of a server with state `state`; `guarded` when callers are authenticated.
    pub(crate) fn new<S: Send + Sync + 'static>(
        info: ServerInfo,
        guarded: bool,
        state: Arc<S>,
        entries: Vec<(ToolDescriptor, CallFn<S>)>,
    ) -> Self {
        let tools = Tools::new(state, entries, guarded, info.on_denied);
        Engine {
            info,
            tools,
            limits: ToolLimits::default(),
            pending: Arc::default(),
            in_flight: InFlightTable::default(),
        }
    }

    /// Answers `initialize`.
    pub(crate) fn initialize(&self, params: Option<&Map<String, Value>>) -> Initialized {
        let requested = params
            .and_then(|p| p.get("protocolVersion"))
            .and_then(Value::as_str);
        let version = version::negotiate(requested);
        let client_capabilities = params
            .and_then(|p| p.get("capabilities"))
            .filter(|c| c.is_object())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut server_info = json!({"name": self.info.name, "version": self.info.version});
        if let Some(title) = self.info.title {
            server_info["title"] = title.into();
        }
        let mut result = json!({
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": false}, "logging": {}},
            "serverInfo": server_info,
        });
        if let Some(instructions) = self.info.instructions {
            result["instructions"] = instructions.into();
        }
        Initialized {
            version,
            result,
            client_capabilities,
        }
    }

    /// Answers one request other than `initialize`, for the verified caller `auth`. Messages
    /// for the client during the request (progress, logs, server-to-client requests) go to
    /// `outbox`, when the transport can carry them.
    pub(crate) async fn request(
        &self,
        id: Value,
        method: &str,
        params: Option<Map<String, Value>>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        outbox: Option<Outbox>,
    ) -> Result<Value, Failure> {
        match method {
            "ping" => Ok(json!({})),
            "tools/list" => {
                Ok(self
                    .tools
                    .list(params.as_ref(), auth.as_deref(), self.limits.page_size)?)
            }
            "tools/call" => {
                let site = CallSite {
                    session,
                    auth,
                    outbox,
                    pending: &self.pending,
                    in_flight: &self.in_flight,
                    logger: self.info.name,
                };
                self.tools.call(id, params, site, &self.limits).await
            }
            "logging/setLevel" => Ok(set_log_level(params.as_ref(), &session)?),
            "initialize" => Err(RpcError::new(
                code::INVALID_REQUEST,
                "Invalid Request: already initialized",
            )
            .into()),
            _ => Err(RpcError::new(
                code::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
            )
            .into()),
        }
    }

    /// Whether answering this request may need a stream back to the client: a `tools/call` of
    /// a tool that takes a `Context`. Other requests are answered without setting one up.
    pub(crate) fn may_stream(&self, method: &str, params: Option<&Map<String, Value>>) -> bool {
        method == "tools/call"
            && params
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .is_some_and(|name| self.tools.talks_back(name))
    }

    /// Takes a notification from the client. None of them has an answer.
    pub(crate) fn notification(
        &self,
        method: &str,
        params: Option<&Map<String, Value>>,
        session: &Session,
    ) {
        if method == "notifications/cancelled" {
            if let Some(id) = params.and_then(|p| p.get("requestId")) {
                self.in_flight.cancel(session, id);
            }
            return;
        }
        tracing::trace!(method, "notification");
    }

    /// Takes a client's answer to a request this server sent (sampling, elicitation).
    pub(crate) fn response(&self, id: &Value, body: Map<String, Value>) {
        if !self.pending.resolve(id, body) {
            tracing::debug!(%id, "ignored an answer to no pending request");
        }
    }
}

fn set_log_level(
    params: Option<&Map<String, Value>>,
    session: &Session,
) -> Result<Value, RpcError> {
    let level = params.and_then(|p| p.get("level")).and_then(Value::as_str);
    match level.and_then(LogLevel::from_name) {
        Some(level) => {
            session.set_log_level(level);
            Ok(json!({}))
        }
        None => Err(RpcError::invalid_params(format!(
            "Invalid log level; expected one of: {}",
            LogLevel::ALL.map(LogLevel::name).join(", ")
        ))),
    }
}

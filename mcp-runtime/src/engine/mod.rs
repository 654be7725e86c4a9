//! The engine: MCP requests dispatched to the server's tools, independent of the transport
//! that carries them. Denials are data ([`outcome::Failure`]); each transport decides what
//! they become on its wire.

pub(crate) mod completions;
pub(crate) mod guard;
pub(crate) mod in_flight;
pub(crate) mod info;
pub(crate) mod modern;
pub(crate) mod outcome;
pub(crate) mod paging;
pub(crate) mod prompts;
pub(crate) mod request_state;
pub(crate) mod resources;
pub(crate) mod tools;

use std::any::Any;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::auth::caller::Auth;
use crate::content::Icon;
use crate::context::{Context, HttpRequest, Peer, Via};
use crate::prompt::handler::PromptSet;
use crate::protocol::input::InputRound;
use crate::protocol::jsonrpc::{RpcError, code};
use crate::protocol::log::LogLevel;
use crate::protocol::peer::{Cancel, Pending};
use crate::protocol::session::Session;
use crate::protocol::subscriptions::Subscriptions;
use crate::protocol::version;
use crate::resource::handler::ResourceSet;
use crate::tool::handler::ToolSet;
use in_flight::InFlightTable;
use info::ServerInfo;
use outcome::{Failure, until_input_required};
use prompts::Prompts;
use resources::{Resources, uri_param};
use tools::{CallSite, ToolLimits, Tools};

/// Dispatches MCP requests to the server's tools.
pub(crate) struct Engine {
    pub(crate) info: ServerInfo,
    tools: Tools,
    resources: Resources,
    prompts: Prompts,
    /// The server struct, for completers that ask for it.
    state: Arc<dyn Any + Send + Sync>,
    /// Who is subscribed to which resource.
    pub(crate) subscriptions: Arc<Subscriptions>,
    /// Whether clients can subscribe: their sessions have a standalone stream to hear on.
    pub(crate) can_subscribe: bool,
    /// The keys and used nonces of 2026-07-28 request states.
    pub(crate) request_states: request_state::RequestStates,
    /// How long clients may cache lists and reads (2026-07-28 `ttlMs`).
    pub(crate) cache_ttl: std::time::Duration,
    /// Whether callers are authenticated, and so what they see may differ (`cacheScope`).
    guarded: bool,
    /// The server's name and version, as 2026-07-28 results carry them in `_meta`.
    identity: Value,
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
        tools: ToolSet<S>,
        resources: ResourceSet<S>,
        prompts: PromptSet<S>,
    ) -> Self {
        let denial = info.on_denied;
        let identity = info.identity();
        let resources = Resources::new(&state, resources.entries, guarded, denial);
        let prompts = Prompts::new(&state, prompts.entries, guarded, denial);
        let tools = Tools::new(Arc::clone(&state), tools.entries, guarded, denial);
        Engine {
            info,
            tools,
            resources,
            prompts,
            state,
            subscriptions: Arc::default(),
            can_subscribe: true,
            request_states: request_state::RequestStates::new(),
            cache_ttl: std::time::Duration::ZERO,
            guarded,
            identity,
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
        if let Some(icons) = Icon::list(self.info.icons) {
            server_info["icons"] = icons;
        }
        let mut result = json!({
            "protocolVersion": version,
            "capabilities": self.capabilities(),
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

    /// What the server can do: tools and logging always; resources, prompts and completion
    /// when it has them.
    fn capabilities(&self) -> Value {
        let mut capabilities = json!({"tools": {"listChanged": false}, "logging": {}});
        if !self.resources.is_empty() {
            capabilities["resources"] =
                json!({"subscribe": self.can_subscribe, "listChanged": false});
        }
        if !self.prompts.is_empty() {
            capabilities["prompts"] = json!({"listChanged": false});
        }
        if self.completes() {
            capabilities["completions"] = json!({});
        }
        capabilities
    }

    /// Whether anything can be completed: prompt arguments or template variables.
    fn completes(&self) -> bool {
        !self.prompts.is_empty() || self.resources.has_templates()
    }

    /// The context of a request that does not stream (a read, a prompt, a completion).
    fn context(
        &self,
        id: Value,
        params: Option<&Map<String, Value>>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        round: Option<Arc<InputRound>>,
        http: Option<Arc<HttpRequest>>,
    ) -> Context {
        let meta = params.and_then(|p| p.get("_meta")).cloned();
        let peer = Peer {
            outbox: None,
            pending: Arc::clone(&self.pending),
            cancel: Arc::new(Cancel::default()),
            timeout: self.limits.client_timeout,
            logger: self.info.name,
            subscriptions: Arc::clone(&self.subscriptions),
        };
        Context::new(id, meta, session, auth, peer, round, http)
    }

    /// Answers one request of the session era other than `initialize`, for the verified
    /// caller `auth`. Messages for the client during the request (progress, logs,
    /// server-to-client requests) go to `via.outbox`, when the transport can carry them.
    pub(crate) async fn request(
        &self,
        id: Value,
        method: &str,
        params: Option<Map<String, Value>>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        via: Via,
    ) -> Result<Value, Failure> {
        self.dispatch(id, method, params, session, auth, via, None)
            .await
    }

    /// Answers a request with what the server has for `method`; `round` gathers a 2026-07-28
    /// request's input from the client.
    #[allow(clippy::too_many_arguments)] // one request's parts, passed on as they are
    async fn dispatch(
        &self,
        id: Value,
        method: &str,
        params: Option<Map<String, Value>>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        via: Via,
        round: Option<Arc<InputRound>>,
    ) -> Result<Value, Failure> {
        let has_resources = !self.resources.is_empty();
        let has_prompts = !self.prompts.is_empty();
        match method {
            "ping" => Ok(json!({})),
            "resources/list" | "resources/templates/list" if has_resources => {
                Ok(self.resources.list(
                    method == "resources/templates/list",
                    params.as_ref(),
                    auth.as_deref(),
                    self.limits.page_size,
                )?)
            }
            "resources/read" if has_resources => {
                let context =
                    self.context(id, params.as_ref(), session, auth, round.clone(), via.http);
                let read = self
                    .resources
                    .read(params.as_ref(), context, self.limits.tool_timeout);
                until_input_required(read, round.as_deref()).await?
            }
            "resources/subscribe" if has_resources && self.can_subscribe => {
                let uri = uri_param(params.as_ref())?;
                self.resources.check(uri, auth.as_deref())?;
                self.subscriptions.subscribe(&session, uri.to_owned());
                Ok(json!({}))
            }
            "resources/unsubscribe" if has_resources && self.can_subscribe => {
                session.unsubscribe(uri_param(params.as_ref())?);
                Ok(json!({}))
            }
            "prompts/list" if has_prompts => {
                Ok(self
                    .prompts
                    .list(params.as_ref(), auth.as_deref(), self.limits.page_size)?)
            }
            "prompts/get" if has_prompts => {
                let context =
                    self.context(id, params.as_ref(), session, auth, round.clone(), via.http);
                let got = self
                    .prompts
                    .get_messages(params, context, self.limits.tool_timeout);
                until_input_required(got, round.as_deref()).await?
            }
            "completion/complete" if self.completes() => {
                completions::complete(
                    &self.prompts,
                    &self.resources,
                    params.as_ref(),
                    auth,
                    Arc::clone(&self.state),
                    self.limits.tool_timeout,
                )
                .await
            }
            "tools/list" => {
                Ok(self
                    .tools
                    .list(params.as_ref(), auth.as_deref(), self.limits.page_size)?)
            }
            "tools/call" => {
                let site = CallSite {
                    session,
                    auth,
                    outbox: via.outbox,
                    http: via.http,
                    pending: &self.pending,
                    in_flight: &self.in_flight,
                    logger: self.info.name,
                    subscriptions: &self.subscriptions,
                    round,
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
    /// The declared name of the tool a `tools/call` names, if there is such a tool.
    pub(crate) fn tool_called(&self, params: Option<&Map<String, Value>>) -> Option<&'static str> {
        let name = params?.get("name")?.as_str()?;
        self.tools.declared_name(name)
    }

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
            session.set_log_level(Some(level));
            Ok(json!({}))
        }
        None => Err(RpcError::invalid_params(format!(
            "Invalid log level; expected one of: {}",
            LogLevel::ALL.map(LogLevel::name).join(", ")
        ))),
    }
}

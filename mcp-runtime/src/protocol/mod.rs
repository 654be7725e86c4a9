//! The MCP methods, independent of the transport that carries them.

pub(crate) mod jsonrpc;
pub(crate) mod peer;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use serde_json::{Map, Value, json};

use crate::auth::{Auth, Denial, OAuthMode, Requirement};
use crate::content::CallToolResult;
use crate::context::{Context, Peer};
use crate::server::ServerInfo;
use crate::tool::{BoxFuture, CallFn, CatchUnwind, ToolCall, ToolDescriptor};
use jsonrpc::{RpcError, code};
use peer::Outbox;

/// The protocol versions this server speaks, newest first.
pub(crate) const SUPPORTED_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26"];

/// The version assumed when a request after `initialize` carries no `MCP-Protocol-Version`.
pub(crate) const DEFAULT_NEGOTIATED_VERSION: &str = "2025-03-26";

/// Returns the supported version equal to `version`, as a `'static` string.
pub(crate) fn supported_version(version: &str) -> Option<&'static str> {
    SUPPORTED_VERSIONS.iter().copied().find(|v| *v == version)
}

/// Log levels of `logging/setLevel`, least severe first (RFC 5424 names).
const LOG_LEVELS: &[&str] = &[
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
];

/// What the server keeps about one client connection (an MCP session, or a stdio stream).
pub(crate) struct Session {
    pub id: Option<Arc<str>>,
    pub protocol_version: &'static str,
    /// The issuer and subject of the caller that opened the session, on a server with OAuth.
    pub principal: Option<String>,
    /// Index into [`LOG_LEVELS`] of the least severe level the client wants.
    log_level: AtomicU8,
    /// What the client said it can do at `initialize` (`sampling`, `elicitation`, ...).
    client_capabilities: Value,
    /// When the session was last used, in milliseconds since the server started.
    last_used: std::sync::atomic::AtomicU64,
    /// Raised when the session ends (DELETE, expiry), so that its stream closes at once.
    ended: peer::Cancel,
}

/// Milliseconds since the first call, a monotonic clock for session idleness.
pub(crate) fn clock_ms() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
}

impl Session {
    pub(crate) fn new(
        id: Option<Arc<str>>,
        protocol_version: &'static str,
        principal: Option<String>,
        client_capabilities: Value,
    ) -> Self {
        // Until the client says otherwise, send `info` and above.
        Session {
            id,
            protocol_version,
            principal,
            log_level: AtomicU8::new(1),
            client_capabilities,
            last_used: std::sync::atomic::AtomicU64::new(clock_ms()),
            ended: peer::Cancel::default(),
        }
    }

    /// Ends the session: its GET stream closes.
    pub(crate) fn end(&self) {
        self.ended.cancel();
    }

    /// Resolves when the session ends.
    pub(crate) async fn ended(&self) {
        self.ended.cancelled().await;
    }

    /// Marks the session as used now.
    pub(crate) fn touch(&self) {
        self.last_used.store(clock_ms(), Ordering::Relaxed);
    }

    /// Whether the session has not been used for `idle`.
    pub(crate) fn idle_for(&self, idle: std::time::Duration) -> bool {
        clock_ms().saturating_sub(self.last_used.load(Ordering::Relaxed)) >= idle.as_millis() as u64
    }

    /// The least severe log level the client wants, as an index of the levels.
    pub(crate) fn log_level(&self) -> u8 {
        self.log_level.load(Ordering::Relaxed)
    }

    /// Whether the client declared `capability` at `initialize`. Without a session (stateless
    /// servers) the client's capabilities are unknown, and it is given the benefit of the doubt.
    pub(crate) fn client_supports(&self, capability: &str) -> bool {
        self.client_capabilities.is_null() || self.client_capabilities.get(capability).is_some()
    }

    /// The key of a request of this session in the table of requests in flight.
    fn request_key(&self, id: &Value) -> String {
        format!(
            "{}|{}|{id}",
            self.id.as_deref().unwrap_or_default(),
            self.principal.as_deref().unwrap_or_default()
        )
    }
}

type ErasedCall = Box<dyn Fn(ToolCall) -> BoxFuture<'static, CallToolResult> + Send + Sync>;

struct Tool {
    name: &'static str,
    call: ErasedCall,
    requirement: Requirement,
    denial: Denial,
    talks_back: bool,
    timeout: Option<std::time::Duration>,
    /// The tool as `tools/list` shows it, serialized once at start-up.
    listed: Value,
}

/// Why a request was not answered with a JSON-RPC result.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A JSON-RPC error.
    Rpc(RpcError),
    /// The tool needs an authenticated caller and the request had no token: HTTP 401.
    Unauthenticated { scope: &'static [&'static str] },
    /// The caller lacks the tool's permission and the tool answers with HTTP 403.
    InsufficientScope { scope: &'static [&'static str] },
    /// The client cancelled the request: nothing is sent for it.
    Cancelled,
}

impl From<RpcError> for Failure {
    fn from(err: RpcError) -> Self {
        Failure::Rpc(err)
    }
}

/// Dispatches MCP requests to the server's tools.
pub(crate) struct Engine {
    pub info: ServerInfo,
    tools: Vec<Tool>,
    index: HashMap<&'static str, usize>,
    /// Whether callers are authenticated, and so tools guarded.
    guarded: bool,
    pub page_size: usize,
    /// Requests sent to clients, waiting for answers.
    pending: Arc<peer::Pending>,
    /// Requests in flight, by session and id, for `notifications/cancelled`.
    in_flight: std::sync::Mutex<HashMap<String, Arc<peer::Cancel>>>,
    /// How long a tool waits for a client's answer to sampling or elicitation.
    pub client_timeout: std::time::Duration,
    /// How long a tool may run, unless it sets its own limit.
    pub tool_timeout: std::time::Duration,
    /// The largest result a tool may return, in bytes of content.
    pub max_result_bytes: usize,
}

impl Engine {
    pub(crate) fn new<S: Send + Sync + 'static>(
        info: ServerInfo,
        state: Arc<S>,
        entries: Vec<(ToolDescriptor, CallFn<S>)>,
    ) -> Self {
        let guarded = info.oauth != OAuthMode::None;
        let mut tools = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        for (descriptor, call) in entries {
            let state = Arc::clone(&state);
            // `#[mcp_server]` rejects duplicate names at compile time; a hand-built set keeps the first.
            if index.insert(descriptor.name, tools.len()).is_some() {
                tracing::warn!(
                    tool = descriptor.name,
                    "duplicate tool name; the later tool is ignored"
                );
                continue;
            }
            let mut listed = descriptor.to_json();
            if guarded {
                listed["_meta"] = requirement_meta(descriptor.requires);
            }
            tools.push(Tool {
                name: descriptor.name,
                call: Box::new(move |c| call(&state, c)),
                requirement: descriptor.requires,
                denial: descriptor.on_denied.unwrap_or(info.on_denied),
                talks_back: descriptor.talks_back,
                timeout: descriptor.timeout,
                listed,
            });
        }
        Engine {
            info,
            tools,
            index,
            guarded,
            page_size: 100,
            pending: Arc::default(),
            in_flight: std::sync::Mutex::default(),
            client_timeout: std::time::Duration::from_secs(300),
            tool_timeout: std::time::Duration::from_secs(600),
            max_result_bytes: 16 << 20,
        }
    }

    /// Answers `initialize`: the negotiated version, the result, and the client's capabilities.
    pub(crate) fn initialize(
        &self,
        params: Option<&Map<String, Value>>,
    ) -> (&'static str, Value, Value) {
        let requested = params
            .and_then(|p| p.get("protocolVersion"))
            .and_then(Value::as_str);
        let version = requested
            .and_then(supported_version)
            .unwrap_or(SUPPORTED_VERSIONS[0]);
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
        (version, result, client_capabilities)
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
            "tools/list" => Ok(self.list_tools(params.as_ref(), auth.as_deref())?),
            "tools/call" => self.call_tool(id, params, session, auth, outbox).await,
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
                .and_then(|name| self.index.get(name))
                .is_some_and(|&i| self.tools[i].talks_back)
    }

    /// Takes a notification from the client. None of them has an answer.
    pub(crate) fn notification(
        &self,
        method: &str,
        params: Option<&Map<String, Value>>,
        session: &Session,
    ) {
        if method == "notifications/cancelled" {
            let Some(id) = params.and_then(|p| p.get("requestId")) else {
                return;
            };
            let cancel = self
                .in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&session.request_key(id))
                .cloned();
            if let Some(cancel) = cancel {
                tracing::debug!(%id, "the client cancelled a request");
                cancel.cancel();
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

    /// Whether `tools/list` shows `tool` to `auth`: a tool hidden on denial is shown only to
    /// callers it would let in.
    fn visible(&self, tool: &Tool, auth: Option<&Auth>) -> bool {
        !self.guarded || tool.denial != Denial::Hide || tool.requirement.allows(auth)
    }

    fn list_tools(
        &self,
        params: Option<&Map<String, Value>>,
        auth: Option<&Auth>,
    ) -> Result<Value, RpcError> {
        let visible: Vec<&Tool> = self
            .tools
            .iter()
            .filter(|t| self.visible(t, auth))
            .collect();
        let start = match params.and_then(|p| p.get("cursor")) {
            None | Some(Value::Null) => 0,
            Some(Value::String(cursor)) => cursor
                .parse::<usize>()
                .ok()
                .filter(|start| *start < visible.len())
                .ok_or_else(|| {
                    RpcError::invalid_params(
                        "Invalid cursor: pass a `nextCursor` from a previous `tools/list`",
                    )
                })?,
            Some(_) => {
                return Err(RpcError::invalid_params(
                    "Invalid cursor: it must be a string",
                ));
            }
        };
        let end = visible.len().min(start + self.page_size.max(1));
        let page: Vec<&Value> = visible[start..end].iter().map(|t| &t.listed).collect();
        let mut result = json!({"tools": page});
        if end < visible.len() {
            result["nextCursor"] = end.to_string().into();
        }
        Ok(result)
    }

    async fn call_tool(
        &self,
        id: Value,
        params: Option<Map<String, Value>>,
        session: Arc<Session>,
        auth: Option<Arc<Auth>>,
        outbox: Option<Outbox>,
    ) -> Result<Value, Failure> {
        let mut params = params
            .ok_or_else(|| RpcError::invalid_params("tools/call needs `params` with a `name`"))?;
        let name = match params.remove("name") {
            Some(Value::String(name)) => name,
            _ => return Err(RpcError::invalid_params("tools/call needs a string `name`").into()),
        };
        let unknown = || RpcError::invalid_params(format!("Unknown tool: {name}"));
        let tool = self
            .index
            .get(name.as_str())
            .map(|&i| &self.tools[i])
            .ok_or_else(unknown)?;
        // The guard: before the arguments are read and before the tool runs.
        if self.guarded && !tool.requirement.allows(auth.as_deref()) {
            let scope = tool.requirement.permissions();
            // A hidden tool answers as unknown to everyone it would refuse, signed in or not.
            if tool.denial == Denial::Hide {
                return Err(unknown().into());
            }
            if auth.is_none() {
                return Err(Failure::Unauthenticated { scope });
            }
            tracing::info!(
                tool = tool.name,
                "denied a call: the caller lacks the tool's permission"
            );
            return match tool.denial {
                Denial::ToolError => Ok(result_json(CallToolResult::error(forbidden_message(
                    tool.requirement,
                )))),
                Denial::InsufficientScope => Err(Failure::InsufficientScope { scope }),
                Denial::Hide => Err(unknown().into()),
            };
        }
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(arguments)) => arguments,
            Some(_) => {
                return Err(
                    RpcError::invalid_params("tools/call `arguments` must be an object").into(),
                );
            }
        };
        let meta = params.remove("_meta");
        let cancel = Arc::new(peer::Cancel::default());
        let (key_session, key_id) = (Arc::clone(&session), id.clone());
        let peer = Peer {
            outbox,
            pending: Arc::clone(&self.pending),
            cancel: Arc::clone(&cancel),
            timeout: self.client_timeout,
            logger: self.info.name,
        };
        let context = Context::new(id, meta, session, auth, peer);
        let limit = tool.timeout.unwrap_or(self.tool_timeout);
        let mut call = CatchUnwind::new((tool.call)(ToolCall { arguments, context }), tool.name);
        // Most tools finish at their first poll. Only one that waits gets a timer for its time
        // limit and an entry in the table of requests in flight, where `notifications/cancelled`
        // finds it: both cost a lock each, which the quick calls are spared.
        tokio::select! {
            biased;
            result = &mut call => return Ok(self.checked_result(tool, limit, Ok(result))),
            () = std::future::ready(()) => {}
        }
        let _in_flight = InFlight::register(&self.in_flight, &key_session, &key_id, &cancel);
        tokio::select! {
            result = tokio::time::timeout(limit, call) => Ok(self.checked_result(tool, limit, result)),
            () = cancel.cancelled() => Err(Failure::Cancelled),
        }
    }

    /// The result a tool's call ends with: an error when it ran out of time or returned more
    /// than the server accepts.
    fn checked_result(
        &self,
        tool: &Tool,
        limit: std::time::Duration,
        result: Result<CallToolResult, tokio::time::error::Elapsed>,
    ) -> Value {
        let result = match result {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    tool = tool.name,
                    seconds = limit.as_secs_f64(),
                    "a tool ran out of time and was stopped"
                );
                return result_json(CallToolResult::error(format!(
                    "The tool `{}` did not finish within {} seconds and was stopped.",
                    tool.name,
                    limit.as_secs_f64()
                )));
            }
        };
        let size = result.content_bytes();
        if size > self.max_result_bytes {
            tracing::warn!(
                tool = tool.name,
                size,
                "a tool's result was too large and was replaced by an error"
            );
            return result_json(CallToolResult::error(format!(
                "The tool `{}` returned {size} bytes, more than this server accepts ({} bytes).",
                tool.name, self.max_result_bytes
            )));
        }
        result_json(result)
    }
}

/// An entry of the table of requests in flight, removed when the request ends.
struct InFlight<'a> {
    table: &'a std::sync::Mutex<HashMap<String, Arc<peer::Cancel>>>,
    key: String,
    cancel: Arc<peer::Cancel>,
}

impl<'a> InFlight<'a> {
    /// Enters a request, unless nothing ties it to one client (a stateless, anonymous
    /// request): then any client could cancel it by guessing its id, and none may.
    fn register(
        table: &'a std::sync::Mutex<HashMap<String, Arc<peer::Cancel>>>,
        session: &Session,
        id: &Value,
        cancel: &Arc<peer::Cancel>,
    ) -> Option<Self> {
        if session.id.is_none() && session.principal.is_none() {
            return None;
        }
        let key = session.request_key(id);
        table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.clone(), Arc::clone(cancel));
        Some(InFlight {
            table,
            key,
            cancel: Arc::clone(cancel),
        })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        // Another request with the same id may have taken the entry: leave it to that one.
        if table
            .get(&self.key)
            .is_some_and(|cancel| Arc::ptr_eq(cancel, &self.cancel))
        {
            table.remove(&self.key);
        }
    }
}

fn result_json(result: CallToolResult) -> Value {
    // A result is strings and JSON values: serializing it cannot fail.
    serde_json::to_value(result).unwrap_or_else(|_| json!({"content": [], "isError": true}))
}

/// "Forbidden: requires delete:documents", as the model sees a denial.
fn forbidden_message(requirement: Requirement) -> String {
    match requirement {
        Requirement::AllOf(all) => format!("Forbidden: requires {}", all.join(" and ")),
        Requirement::AnyOf(any) => format!("Forbidden: requires one of {}", any.join(", ")),
        Requirement::Public | Requirement::Authenticated | Requirement::Unstated => {
            "Forbidden".to_owned()
        }
    }
}

/// A tool's `_meta` on a server with OAuth: who may call it.
fn requirement_meta(requirement: Requirement) -> Value {
    let requires = match requirement {
        Requirement::Public => json!({"public": true}),
        Requirement::AllOf(all) => json!({"allOf": all}),
        Requirement::AnyOf(any) => json!({"anyOf": any}),
        Requirement::Authenticated | Requirement::Unstated => json!({"authenticated": true}),
    };
    json!({ REQUIRES_META_KEY: requires })
}

/// The `_meta` key under which `tools/list` shows each tool's required permissions.
pub(crate) const REQUIRES_META_KEY: &str = "mcp-runtime/requires";

fn set_log_level(
    params: Option<&Map<String, Value>>,
    session: &Session,
) -> Result<Value, RpcError> {
    let level = params.and_then(|p| p.get("level")).and_then(Value::as_str);
    match level.and_then(|level| LOG_LEVELS.iter().position(|l| *l == level)) {
        Some(index) => {
            session.log_level.store(index as u8, Ordering::Relaxed);
            Ok(json!({}))
        }
        None => Err(RpcError::invalid_params(format!(
            "Invalid log level; expected one of: {}",
            LOG_LEVELS.join(", ")
        ))),
    }
}

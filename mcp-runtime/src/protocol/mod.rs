//! The MCP methods, independent of the transport that carries them.

pub(crate) mod jsonrpc;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use serde_json::{Map, Value, json};

use crate::content::CallToolResult;
use crate::context::Context;
use crate::server::ServerInfo;
use crate::tool::{BoxFuture, CallFn, CatchUnwind, ToolCall, ToolDescriptor};
use jsonrpc::{RpcError, code};

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
    /// Index into [`LOG_LEVELS`] of the least severe level the client wants.
    log_level: AtomicU8,
}

impl Session {
    pub(crate) fn new(id: Option<Arc<str>>, protocol_version: &'static str) -> Self {
        // Until the client says otherwise, send `info` and above.
        Session {
            id,
            protocol_version,
            log_level: AtomicU8::new(1),
        }
    }
}

type ErasedCall = Box<dyn Fn(ToolCall) -> BoxFuture<'static, CallToolResult> + Send + Sync>;

struct Tool {
    name: &'static str,
    call: ErasedCall,
}

/// Dispatches MCP requests to the server's tools.
pub(crate) struct Engine {
    pub info: ServerInfo,
    tools: Vec<Tool>,
    index: HashMap<&'static str, usize>,
    /// Each tool as `tools/list` shows it, serialized once at start-up.
    listed: Vec<Value>,
    pub page_size: usize,
}

impl Engine {
    pub(crate) fn new<S: Send + Sync + 'static>(
        info: ServerInfo,
        state: Arc<S>,
        entries: Vec<(ToolDescriptor, CallFn<S>)>,
    ) -> Self {
        let mut tools = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        let mut listed = Vec::with_capacity(entries.len());
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
            listed.push(descriptor.to_json());
            tools.push(Tool {
                name: descriptor.name,
                call: Box::new(move |c| call(&state, c)),
            });
        }
        Engine {
            info,
            tools,
            index,
            listed,
            page_size: 100,
        }
    }

    /// Answers `initialize`: the negotiated version and the result.
    pub(crate) fn initialize(&self, params: Option<&Map<String, Value>>) -> (&'static str, Value) {
        let requested = params
            .and_then(|p| p.get("protocolVersion"))
            .and_then(Value::as_str);
        let version = requested
            .and_then(supported_version)
            .unwrap_or(SUPPORTED_VERSIONS[0]);
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
        (version, result)
    }

    /// Answers one request other than `initialize`.
    pub(crate) async fn request(
        &self,
        id: Value,
        method: &str,
        params: Option<Map<String, Value>>,
        session: &Session,
    ) -> Result<Value, RpcError> {
        match method {
            "ping" => Ok(json!({})),
            "tools/list" => self.list_tools(params.as_ref()),
            "tools/call" => self.call_tool(id, params, session).await,
            "logging/setLevel" => set_log_level(params.as_ref(), session),
            "initialize" => Err(RpcError::new(
                code::INVALID_REQUEST,
                "Invalid Request: already initialized",
            )),
            _ => Err(RpcError::new(
                code::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
            )),
        }
    }

    /// Takes a notification from the client. None of them has an answer.
    pub(crate) fn notification(&self, method: &str, params: Option<&Map<String, Value>>) {
        tracing::trace!(method, ?params, "notification");
    }

    /// Takes a response from the client to a request this server did not send, or no longer waits for.
    pub(crate) fn response(&self, id: &Value) {
        tracing::debug!(%id, "ignored a response to no pending request");
    }

    fn list_tools(&self, params: Option<&Map<String, Value>>) -> Result<Value, RpcError> {
        let start = match params.and_then(|p| p.get("cursor")) {
            None | Some(Value::Null) => 0,
            Some(Value::String(cursor)) => cursor
                .parse::<usize>()
                .ok()
                .filter(|start| *start < self.listed.len())
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
        let end = self.listed.len().min(start + self.page_size.max(1));
        let mut result = json!({"tools": &self.listed[start..end]});
        if end < self.listed.len() {
            result["nextCursor"] = end.to_string().into();
        }
        Ok(result)
    }

    async fn call_tool(
        &self,
        id: Value,
        params: Option<Map<String, Value>>,
        session: &Session,
    ) -> Result<Value, RpcError> {
        let mut params = params
            .ok_or_else(|| RpcError::invalid_params("tools/call needs `params` with a `name`"))?;
        let name = match params.remove("name") {
            Some(Value::String(name)) => name,
            _ => return Err(RpcError::invalid_params("tools/call needs a string `name`")),
        };
        let tool = self
            .index
            .get(name.as_str())
            .map(|&i| &self.tools[i])
            .ok_or_else(|| RpcError::invalid_params(format!("Unknown tool: {name}")))?;
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(arguments)) => arguments,
            Some(_) => {
                return Err(RpcError::invalid_params(
                    "tools/call `arguments` must be an object",
                ));
            }
        };
        let meta = params.remove("_meta");
        let context = Context::new(id, meta, session.id.clone(), session.protocol_version);
        let result =
            CatchUnwind::new((tool.call)(ToolCall { arguments, context }), tool.name).await;
        serde_json::to_value(result).map_err(|_| {
            RpcError::new(
                code::INTERNAL_ERROR,
                "Internal error: the tool result could not be serialized",
            )
        })
    }
}

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

//! The server's tools at run time: listed (hidden ones only to callers they would let in),
//! guarded, called with their limits, and their results checked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::in_flight::InFlightTable;
use super::outcome::{Failure, Refusal, RefusalReason};
use crate::auth::caller::Auth;
use crate::auth::permission::{Denial, Requirement};
use crate::content::CallToolResult;
use crate::context::{Context, Peer};
use crate::protocol::jsonrpc::RpcError;
use crate::protocol::peer::{Cancel, Outbox, Pending};
use crate::protocol::session::Session;
use crate::tool::call::{CatchUnwind, ToolCall};
use crate::tool::descriptor::ToolDescriptor;
use crate::tool::handler::{BoxFuture, CallFn};

/// The `_meta` key under which `tools/list` shows each tool's required permissions.
pub(crate) const REQUIRES_META_KEY: &str = "mcp-runtime/requires";

type ErasedCall = Box<dyn Fn(ToolCall) -> BoxFuture<'static, CallToolResult> + Send + Sync>;

struct Tool {
    name: &'static str,
    call: ErasedCall,
    requirement: Requirement,
    denial: Denial,
    talks_back: bool,
    timeout: Option<Duration>,
    /// The tool as `tools/list` shows it, serialized once at start-up.
    listed: Value,
}

/// How long tools may run and wait, and how much they may return.
pub(crate) struct ToolLimits {
    /// How many tools one `tools/list` page holds.
    pub(crate) page_size: usize,
    /// How long a tool waits for a client's answer to sampling or elicitation.
    pub(crate) client_timeout: Duration,
    /// How long a tool may run, unless it sets its own limit.
    pub(crate) tool_timeout: Duration,
    /// The largest result a tool may return, in bytes of content.
    pub(crate) max_result_bytes: usize,
}

impl Default for ToolLimits {
    fn default() -> Self {
        ToolLimits {
            page_size: 100,
            client_timeout: Duration::from_secs(300),
            tool_timeout: Duration::from_secs(600),
            max_result_bytes: 16 << 20,
        }
    }
}

/// One call's way back to the client and to the server's tables.
pub(crate) struct CallSite<'a> {
    pub(crate) session: Arc<Session>,
    pub(crate) auth: Option<Arc<Auth>>,
    pub(crate) outbox: Option<Outbox>,
    pub(crate) pending: &'a Arc<Pending>,
    pub(crate) in_flight: &'a InFlightTable,
    /// The logger name of the tool's log messages: the server's name.
    pub(crate) logger: &'static str,
}

/// The tools of one server.
pub(crate) struct Tools {
    tools: Vec<Tool>,
    index: HashMap<&'static str, usize>,
    /// Whether callers are authenticated, and so tools guarded.
    guarded: bool,
}

impl Tools {
    /// The tools of a server with state `state`, in their listed order. `denial` is what a
    /// caller without a tool's permission gets, unless the tool says otherwise.
    pub(crate) fn new<S: Send + Sync + 'static>(
        state: Arc<S>,
        entries: Vec<(ToolDescriptor, CallFn<S>)>,
        guarded: bool,
        denial: Denial,
    ) -> Self {
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
                denial: descriptor.on_denied.unwrap_or(denial),
                talks_back: descriptor.talks_back,
                timeout: descriptor.timeout,
                listed,
            });
        }
        Tools {
            tools,
            index,
            guarded,
        }
    }

    fn get(&self, name: &str) -> Option<&Tool> {
        self.index.get(name).map(|&i| &self.tools[i])
    }

    /// Whether the tool `name` takes a `Context`, and so may talk back while it runs.
    pub(crate) fn talks_back(&self, name: &str) -> bool {
        self.get(name).is_some_and(|tool| tool.talks_back)
    }

    /// Whether `tools/list` shows `tool` to `auth`: a tool hidden on denial is shown only to
    /// callers it would let in.
    fn visible(&self, tool: &Tool, auth: Option<&Auth>) -> bool {
        !self.guarded || tool.denial != Denial::Hide || tool.requirement.allows(auth)
    }

    /// `tools/list`: one page of the tools `auth` may see.
    pub(crate) fn list(
        &self,
        params: Option<&Map<String, Value>>,
        auth: Option<&Auth>,
        page_size: usize,
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
        let end = visible.len().min(start + page_size.max(1));
        let page: Vec<&Value> = visible[start..end].iter().map(|t| &t.listed).collect();
        let mut result = json!({"tools": page});
        if end < visible.len() {
            result["nextCursor"] = end.to_string().into();
        }
        Ok(result)
    }

    /// `tools/call`: the guard, then the arguments, then the tool, within its limits.
    pub(crate) async fn call(
        &self,
        id: Value,
        params: Option<Map<String, Value>>,
        site: CallSite<'_>,
        limits: &ToolLimits,
    ) -> Result<Value, Failure> {
        let mut params = params
            .ok_or_else(|| RpcError::invalid_params("tools/call needs `params` with a `name`"))?;
        let name = match params.remove("name") {
            Some(Value::String(name)) => name,
            _ => return Err(RpcError::invalid_params("tools/call needs a string `name`").into()),
        };
        let unknown = || RpcError::invalid_params(format!("Unknown tool: {name}"));
        let tool = self.get(&name).ok_or_else(unknown)?;
        // The guard: before the arguments are read and before the tool runs.
        if self.guarded && !tool.requirement.allows(site.auth.as_deref()) {
            let scope = tool.requirement.permissions();
            // A hidden tool answers as unknown to everyone it would refuse, signed in or not.
            if tool.denial == Denial::Hide {
                return Err(unknown().into());
            }
            if site.auth.is_none() {
                return Err(Failure::Refused(Refusal {
                    reason: RefusalReason::NoCredentials,
                    scope,
                }));
            }
            tracing::info!(
                tool = tool.name,
                "denied a call: the caller lacks the tool's permission"
            );
            return match tool.denial {
                Denial::ToolError => Ok(result_json(CallToolResult::error(forbidden_message(
                    tool.requirement,
                )))),
                Denial::InsufficientScope => Err(Failure::Refused(Refusal {
                    reason: RefusalReason::InsufficientScope,
                    scope,
                })),
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
        let cancel = Arc::new(Cancel::default());
        let session = Arc::clone(&site.session);
        let peer = Peer {
            outbox: site.outbox,
            pending: Arc::clone(site.pending),
            cancel: Arc::clone(&cancel),
            timeout: limits.client_timeout,
            logger: site.logger,
        };
        let context = Context::new(id.clone(), meta, site.session, site.auth, peer);
        let limit = tool.timeout.unwrap_or(limits.tool_timeout);
        let mut call = CatchUnwind::new((tool.call)(ToolCall { arguments, context }), tool.name);
        // Most tools finish at their first poll. Only one that waits gets a timer for its time
        // limit and an entry in the table of requests in flight, where `notifications/cancelled`
        // finds it: both cost a lock each, which the quick calls are spared.
        tokio::select! {
            biased;
            result = &mut call => return Ok(checked_result(tool, limit, limits, Ok(result))),
            () = std::future::ready(()) => {}
        }
        let _in_flight = site.in_flight.register(&session, &id, &cancel);
        tokio::select! {
            result = tokio::time::timeout(limit, call) => Ok(checked_result(tool, limit, limits, result)),
            () = cancel.cancelled() => Err(Failure::Cancelled),
        }
    }
}

/// The result a tool's call ends with: an error when it ran out of time or returned more
/// than the server accepts.
fn checked_result(
    tool: &Tool,
    limit: Duration,
    limits: &ToolLimits,
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
    if size > limits.max_result_bytes {
        tracing::warn!(
            tool = tool.name,
            size,
            "a tool's result was too large and was replaced by an error"
        );
        return result_json(CallToolResult::error(format!(
            "The tool `{}` returned {size} bytes, more than this server accepts ({} bytes).",
            tool.name, limits.max_result_bytes
        )));
    }
    result_json(result)
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

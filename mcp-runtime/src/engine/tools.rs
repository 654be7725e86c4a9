//! The server's tools at run time: listed (hidden ones only to callers they would let in),
//! guarded, called with their limits, and their results checked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::guard::{Access, Guard};
use super::in_flight::InFlightTable;
use super::outcome::{Failure, until_input_required};
use super::paging::list_result;
use crate::auth::caller::Auth;
use crate::auth::permission::Denial;
use crate::content::CallToolResult;
use crate::context::{Context, HttpRequest, Peer};
use crate::protocol::input::InputRound;
use crate::protocol::jsonrpc::RpcError;
use crate::protocol::peer::{Cancel, Outbox, Pending};
use crate::protocol::session::Session;
use crate::protocol::subscriptions::Subscriptions;
use crate::task::{BoxFuture, CatchUnwind};
use crate::tool::call::{ToolCall, panicked};
use crate::tool::descriptor::ToolDescriptor;
use crate::tool::handler::CallFn;

type ErasedCall = Box<dyn Fn(ToolCall) -> BoxFuture<'static, CallToolResult> + Send + Sync>;

struct Tool {
    name: &'static str,
    call: ErasedCall,
    guard: Guard,
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
    /// The HTTP request of the call, for the tool's `Context`.
    pub(crate) http: Option<Arc<HttpRequest>>,
    pub(crate) pending: &'a Arc<Pending>,
    pub(crate) in_flight: &'a InFlightTable,
    /// The logger name of the tool's log messages: the server's name.
    pub(crate) logger: &'static str,
    /// Who is subscribed to which resource, for tools that say a resource changed.
    pub(crate) subscriptions: &'a Arc<Subscriptions>,
    /// A 2026-07-28 call's input from the client.
    pub(crate) round: Option<Arc<InputRound>>,
}

/// The tools of one server.
pub(crate) struct Tools {
    tools: Vec<Tool>,
    index: HashMap<&'static str, usize>,
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
            let guard = Guard::new(descriptor.requires, descriptor.on_denied, denial, guarded);
            let mut listed = descriptor.to_json();
            if let Some(meta) = guard.meta() {
                listed["_meta"] = meta;
            }
            tools.push(Tool {
                name: descriptor.name,
                call: Box::new(move |c| call(&state, c)),
                guard,
                talks_back: descriptor.talks_back,
                timeout: descriptor.timeout,
                listed,
            });
        }
        Tools { tools, index }
    }

    fn get(&self, name: &str) -> Option<&Tool> {
        self.index.get(name).map(|&i| &self.tools[i])
    }

    /// Whether the tool `name` takes a `Context`, and so may talk back while it runs.
    /// The name of the tool called `name`, as the server declared it (for a metric label:
    /// only declared names, never a client's string).
    pub(crate) fn declared_name(&self, name: &str) -> Option<&'static str> {
        self.get(name).map(|tool| tool.name)
    }

    pub(crate) fn talks_back(&self, name: &str) -> bool {
        self.get(name).is_some_and(|tool| tool.talks_back)
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
            .filter(|t| t.guard.visible(auth))
            .collect();
        list_result(
            &visible,
            |t| &t.listed,
            params,
            page_size,
            "tools/list",
            "tools",
        )
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
        match tool.guard.check(site.auth.as_deref(), "tool", tool.name) {
            Access::Allowed => {}
            Access::Hidden => return Err(unknown().into()),
            Access::Refused(refusal) => return Err(Failure::Refused(refusal)),
            Access::Forbidden(message) => return Ok(result_json(CallToolResult::error(message))),
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
            subscriptions: Arc::clone(site.subscriptions),
        };
        let round = site.round;
        let context = Context::new(
            id.clone(),
            meta,
            site.session,
            site.auth,
            peer,
            round.clone(),
            site.http,
        );
        let limit = tool.timeout.unwrap_or(limits.tool_timeout);
        let call = CatchUnwind::new(
            (tool.call)(ToolCall { arguments, context }),
            tool.name,
            panicked,
        );
        // A 2026-07-28 call that needs the client's input ends there.
        let mut call = std::pin::pin!(until_input_required(call, round.as_deref()));
        // Most tools finish at their first poll. Only one that waits gets a timer for its time
        // limit and an entry in the table of requests in flight, where `notifications/cancelled`
        // finds it: both cost a lock each, which the quick calls are spared.
        tokio::select! {
            biased;
            result = &mut call => return Ok(checked_result(tool, limit, limits, Ok(result?))),
            () = std::future::ready(()) => {}
        }
        let _in_flight = site.in_flight.register(&session, &id, &cancel);
        tokio::select! {
            result = tokio::time::timeout(limit, call) => match result {
                Ok(result) => Ok(checked_result(tool, limit, limits, Ok(result?))),
                Err(elapsed) => Ok(checked_result(tool, limit, limits, Err(elapsed))),
            },
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

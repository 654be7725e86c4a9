//! The server's prompts at run time: listed (hidden ones only to callers they would let in),
//! guarded, and got with their arguments checked.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::guard::{Access, Guard};
use super::outcome::Failure;
use super::paging::list_result;
use crate::auth::caller::Auth;
use crate::auth::permission::Denial;
use crate::completion::CompleteFn;
use crate::context::Context;
use crate::prompt::get::{GetPromptResult, PromptCall, PromptError, panicked};
use crate::prompt::handler::PromptEntry;
use crate::protocol::jsonrpc::{RpcError, code};
use crate::task::{BoxFuture, CatchUnwind};

type ErasedGet = Box<
    dyn Fn(PromptCall) -> BoxFuture<'static, Result<GetPromptResult, PromptError>> + Send + Sync,
>;

/// One prompt.
pub(crate) struct Prompt {
    pub(crate) name: &'static str,
    pub(crate) guard: Guard,
    listed: Value,
    get: ErasedGet,
    pub(crate) complete: CompleteFn,
}

/// The prompts of one server.
pub(crate) struct Prompts {
    prompts: Vec<Prompt>,
    index: HashMap<&'static str, usize>,
}

impl Prompts {
    /// The prompts of a server with state `state`, in their listed order.
    pub(crate) fn new<S: Send + Sync + 'static>(
        state: &Arc<S>,
        entries: Vec<PromptEntry<S>>,
        guarded: bool,
        denial: Denial,
    ) -> Self {
        let mut prompts = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        for PromptEntry {
            descriptor,
            get,
            complete,
        } in entries
        {
            // `#[mcp_server]` rejects duplicate names at compile time; a hand-built set keeps the first.
            if index.insert(descriptor.name, prompts.len()).is_some() {
                tracing::warn!(
                    prompt = descriptor.name,
                    "duplicate prompt name; the later one is ignored"
                );
                continue;
            }
            let state = Arc::clone(state);
            let guard = Guard::new(descriptor.requires, descriptor.on_denied, denial, guarded);
            let mut listed = descriptor.to_json();
            if let Some(meta) = guard.meta() {
                listed["_meta"] = meta;
            }
            prompts.push(Prompt {
                name: descriptor.name,
                guard,
                listed,
                get: Box::new(move |call| get(&state, call)),
                complete,
            });
        }
        Prompts { prompts, index }
    }

    /// Whether the server has no prompts.
    pub(crate) fn is_empty(&self) -> bool {
        self.prompts.is_empty()
    }

    /// The prompt `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Prompt> {
        self.index.get(name).map(|&i| &self.prompts[i])
    }

    /// `prompts/list`: one page of the prompts `auth` may see.
    pub(crate) fn list(
        &self,
        params: Option<&Map<String, Value>>,
        auth: Option<&Auth>,
        page_size: usize,
    ) -> Result<Value, RpcError> {
        let visible: Vec<&Prompt> = self
            .prompts
            .iter()
            .filter(|p| p.guard.visible(auth))
            .collect();
        list_result(
            &visible,
            |p| &p.listed,
            params,
            page_size,
            "prompts/list",
            "prompts",
        )
    }

    /// `prompts/get`.
    pub(crate) async fn get_messages(
        &self,
        mut params: Option<Map<String, Value>>,
        context: Context,
        limit: std::time::Duration,
    ) -> Result<Value, Failure> {
        let name = match params.as_ref().and_then(|p| p.get("name")) {
            Some(Value::String(name)) => name.clone(),
            _ => return Err(RpcError::invalid_params("prompts/get needs a string `name`").into()),
        };
        let unknown = || RpcError::invalid_params(format!("Unknown prompt: {name}"));
        let prompt = self.get(&name).ok_or_else(unknown)?;
        match prompt.guard.check(context.auth(), "prompt", prompt.name) {
            Access::Allowed => {}
            Access::Hidden => return Err(unknown().into()),
            Access::Refused(refusal) => return Err(Failure::Refused(refusal)),
            Access::Forbidden(message) => return Err(RpcError::new(code::REFUSED, message).into()),
        }
        let arguments = match params.as_mut().and_then(|p| p.remove("arguments")) {
            None | Some(Value::Null) => HashMap::new(),
            Some(Value::Object(arguments)) => {
                let mut strings = HashMap::with_capacity(arguments.len());
                for (key, value) in arguments {
                    match value {
                        Value::String(value) => {
                            strings.insert(key, value);
                        }
                        _ => {
                            return Err(RpcError::invalid_params(format!(
                                "prompts/get `arguments.{key}` must be a string"
                            ))
                            .into());
                        }
                    }
                }
                strings
            }
            Some(_) => {
                return Err(
                    RpcError::invalid_params("prompts/get `arguments` must be an object").into(),
                );
            }
        };
        let call = PromptCall { arguments, context };
        let got = CatchUnwind::new((prompt.get)(call), prompt.name, panicked);
        let result = match tokio::time::timeout(limit, got).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(prompt = prompt.name, "a prompt ran out of time");
                return Err(RpcError::new(
                    code::INTERNAL_ERROR,
                    format!(
                        "The prompt `{}` did not finish within {} seconds.",
                        prompt.name,
                        limit.as_secs_f64()
                    ),
                )
                .into());
            }
        };
        match result {
            Ok(result) => {
                Ok(serde_json::to_value(result).unwrap_or_else(|_| json!({"messages": []})))
            }
            Err(PromptError::InvalidArguments(why)) => Err(RpcError::invalid_params(why).into()),
            Err(PromptError::Refused(why)) => Err(RpcError::new(code::REFUSED, why).into()),
            Err(PromptError::Failed(why)) => Err(RpcError::new(code::INTERNAL_ERROR, why).into()),
        }
    }
}

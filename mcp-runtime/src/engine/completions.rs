//! `completion/complete`: a prompt's argument or a template's variable, completed by the
//! function the item names, behind the item's guard.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::guard::Access;
use super::outcome::Failure;
use super::prompts::Prompts;
use super::resources::Resources;
use crate::auth::caller::Auth;
use crate::completion::{Completion, Completions};
use crate::protocol::jsonrpc::{RpcError, code};

/// Answers `completion/complete`.
pub(crate) async fn complete(
    prompts: &Prompts,
    resources: &Resources,
    params: Option<&Map<String, Value>>,
    auth: Option<Arc<Auth>>,
    state: Arc<dyn Any + Send + Sync>,
    limit: std::time::Duration,
) -> Result<Value, Failure> {
    let string = |value: Option<&Value>, what: &str| {
        value
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| RpcError::invalid_params(format!("completion/complete needs {what}")))
    };
    let reference = params.and_then(|p| p.get("ref"));
    let argument = params.and_then(|p| p.get("argument"));
    let kind = string(
        reference.and_then(|r| r.get("type")),
        "a `ref` with a `type`",
    )?;
    let name = string(
        argument.and_then(|a| a.get("name")),
        "an `argument` with a `name`",
    )?;
    let value = string(
        argument.and_then(|a| a.get("value")),
        "an `argument` with a `value`",
    )?;
    let (guard, item, complete) = match kind.as_str() {
        "ref/prompt" => {
            let prompt_name = string(reference.and_then(|r| r.get("name")), "the prompt's `name`")?;
            let prompt = prompts.get(&prompt_name).ok_or_else(|| {
                RpcError::invalid_params(format!("Unknown prompt: {prompt_name}"))
            })?;
            (prompt.guard, prompt.name, prompt.complete)
        }
        "ref/resource" => {
            let uri = string(reference.and_then(|r| r.get("uri")), "the template's `uri`")?;
            let template = resources.template(&uri).ok_or_else(|| {
                RpcError::invalid_params(format!("Unknown resource template: {uri}"))
            })?;
            (template.guard, template.name, template.complete)
        }
        other => {
            return Err(RpcError::invalid_params(format!(
                "Unknown reference type `{other}`: expected ref/prompt or ref/resource"
            ))
            .into());
        }
    };
    match guard.check(auth.as_deref(), "completion", item) {
        Access::Allowed => {}
        Access::Hidden => {
            return Err(RpcError::invalid_params(format!("Unknown reference: {item}")).into());
        }
        Access::Refused(refusal) => return Err(Failure::Refused(refusal)),
        Access::Forbidden(message) => return Err(RpcError::new(code::REFUSED, message).into()),
    }
    let arguments: HashMap<String, String> = params
        .and_then(|p| p.get("context"))
        .and_then(|c| c.get("arguments"))
        .and_then(Value::as_object)
        .map(|arguments| {
            arguments
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let completion = Completion::new(name, value, arguments, auth, state);
    let completions = match tokio::time::timeout(limit, complete(completion)).await {
        Ok(completions) => completions,
        Err(_) => {
            tracing::warn!(item, "a completion ran out of time");
            Completions::default()
        }
    };
    Ok(completions.into_json())
}

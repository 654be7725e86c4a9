//! One `tools/call` on its way into a tool: its arguments read and checked, its caller and
//! proofs handed over, and a panic turned into an error result.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::params::Args;
use crate::auth::caller::Auth;
use crate::auth::permission::{Granted, Permission};
use crate::content::CallToolResult;
use crate::context::Context;

/// One `tools/call` on its way to a tool: the raw arguments and the request context.
pub struct ToolCall {
    pub(crate) arguments: Map<String, Value>,
    pub(crate) context: Context,
}

impl ToolCall {
    /// Splits the call into an argument reader and the context.
    pub fn into_parts(self, tool: &'static str) -> (ArgReader, Context) {
        (
            ArgReader {
                tool,
                arguments: self.arguments,
                errors: Vec::new(),
            },
            self.context,
        )
    }
}

/// Takes a tool's arguments out of the call, collecting every problem into one message.
pub struct ArgReader {
    tool: &'static str,
    arguments: Map<String, Value>,
    errors: Vec<String>,
}

impl ArgReader {
    /// Takes the argument `name`.
    pub fn take<T: DeserializeOwned>(&mut self, name: &str, required: bool) -> Option<T> {
        let value = match self.arguments.remove(name) {
            Some(value) => value,
            None if required => {
                self.errors
                    .push(format!("missing required argument `{name}`"));
                return None;
            }
            // An optional argument: `Option<T>` reads `null` as `None`.
            None => Value::Null,
        };
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(value) => Some(value),
            Err(err) => {
                let path = err.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!(" at `{path}`")
                };
                self.errors
                    .push(format!("argument `{name}`{at}: {}", err.into_inner()));
                None
            }
        }
    }

    /// Takes all arguments as one `Args<T>`.
    pub fn take_all<T: DeserializeOwned>(&mut self) -> Option<Args<T>> {
        let arguments = Value::Object(std::mem::take(&mut self.arguments));
        match serde_path_to_error::deserialize::<_, T>(arguments) {
            Ok(value) => Some(Args(value)),
            Err(err) => {
                let path = err.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!("`{path}`: ")
                };
                self.errors.push(format!("{at}{}", err.into_inner()));
                None
            }
        }
    }

    /// Fails when an argument was missing or malformed, or when an unknown argument remains.
    pub fn finish(self) -> Result<(), CallToolResult> {
        let mut errors = self.errors;
        for unknown in self.arguments.keys() {
            errors.push(format!("unknown argument `{unknown}`"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CallToolResult::error(format!(
                "Invalid arguments for tool `{}`: {}. Check the tool's input schema and call it again.",
                self.tool,
                errors.join("; ")
            )))
        }
    }
}

/// Unwraps an argument that [`ArgReader::finish`] has checked.
pub fn checked<T>(value: Option<T>) -> T {
    match value {
        Some(value) => value,
        // `finish` returns an error whenever a `take` returned `None`.
        None => unreachable!("argument checked by ArgReader::finish"),
    }
}

/// The verified caller, for a tool that takes `&Auth` or `Granted<P>`; the guard has made
/// sure there is one.
pub fn caller(context: &Context) -> Result<&Auth, CallToolResult> {
    context.auth().ok_or_else(|| {
        // Only reachable if a tool taking its caller runs on a server without OAuth, which
        // `#[mcp_server]` rejects at compile time.
        CallToolResult::error("This tool needs an authenticated caller.")
    })
}

/// The caller, if any, for a tool that takes `Option<Auth>`.
pub fn optional_caller(context: &Context) -> Option<Auth> {
    context.auth().cloned()
}

/// The proof for a `Granted<P>` parameter, checked against the caller like any other proof.
/// The tool's guard let the caller in and the tool requires `P` (checked at compile time),
/// so the check holds; were it ever not to, the call is refused, never run.
pub fn proof<P: Permission>(caller: &Auth) -> Result<Granted<P>, CallToolResult> {
    Granted::check(caller)
        .ok_or_else(|| CallToolResult::error(format!("Forbidden: requires {}", P::NAME)))
}

/// A future that turns a panic into an error result, so a panicking tool does not take
/// the connection (or the server) down with it.
pub(crate) struct CatchUnwind<F> {
    inner: F,
    tool: &'static str,
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F, tool: &'static str) -> Self {
        CatchUnwind { inner, tool }
    }
}

impl<F: Future<Output = CallToolResult> + Unpin> Future for CatchUnwind<F> {
    type Output = CallToolResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<CallToolResult> {
        let tool = self.tool;
        let inner = &mut self.inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(poll) => poll,
            Err(_) => {
                tracing::error!(tool, "tool panicked");
                Poll::Ready(CallToolResult::error(format!(
                    "The tool `{tool}` failed with an internal error."
                )))
            }
        }
    }
}

//! How a request ends when it has no result: a JSON-RPC error, a refusal by a guard (data, for
//! each transport to put on its wire), or a cancellation.

use std::future::Future;

use crate::protocol::input::InputRound;
use crate::protocol::jsonrpc::{RpcError, code};

/// Why a request was not answered with a JSON-RPC result.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A JSON-RPC error.
    Rpc(RpcError),
    /// A tool's guard refused the caller in a way that the transport answers (over HTTP:
    /// the 401 or 403 challenge).
    Refused(Refusal),
    /// The client cancelled the request: nothing is sent for it.
    Cancelled,
    /// A 2026-07-28 request cannot go on without the client's input (or a capability it did
    /// not declare): its round says what.
    InputRequired,
    /// The server's shared store cannot be reached: the request fails closed (over HTTP:
    /// 503 with `Retry-After`), and may be sent again shortly.
    StoreUnavailable,
}

impl From<RpcError> for Failure {
    fn from(err: RpcError) -> Self {
        Failure::Rpc(err)
    }
}

impl Failure {
    /// The error for a request that needed the shared store while it was unreachable.
    pub(crate) fn store_unavailable() -> RpcError {
        RpcError::new(
            code::INTERNAL_ERROR,
            "Service Unavailable: the server cannot reach its shared store; try again in a moment",
        )
    }

    /// The error for a request suspended for input outside a 2026-07-28 request, which
    /// cannot happen: only such requests have an input round, and the engine answers their
    /// suspension itself.
    pub(crate) fn unanswered_input() -> RpcError {
        RpcError::new(
            code::INTERNAL_ERROR,
            "Internal error: the request stopped for input it had no way to ask for",
        )
    }
}

/// A guard's refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// Why the caller was refused.
    pub(crate) reason: RefusalReason,
    /// The permissions the tool requires (empty for "any signed-in caller").
    pub(crate) scope: &'static [&'static str],
}

/// Why a guard refused a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalReason {
    /// The request carried no token, and the tool needs a signed-in caller.
    NoCredentials,
    /// The caller lacks the tool's permission, and the tool answers with a step-up.
    InsufficientScope,
}

impl Refusal {
    /// The refusal as a JSON-RPC error, for a wire with no HTTP status of its own (stdio, or
    /// an SSE stream already under way).
    pub(crate) fn into_rpc_error(self) -> RpcError {
        let message = match self.reason {
            RefusalReason::NoCredentials => {
                "Unauthorized: this tool needs an access token".to_owned()
            }
            RefusalReason::InsufficientScope => {
                format!("Forbidden: requires {}", self.scope.join(" and "))
            }
        };
        RpcError::new(code::REFUSED, message)
    }
}

/// `handler`'s outcome, or [`Failure::InputRequired`] as soon as the call is suspended for
/// the client's input (its future is then dropped).
pub(crate) async fn until_input_required<T, F: Future<Output = T>>(
    handler: F,
    round: Option<&InputRound>,
) -> Result<T, Failure> {
    match round {
        None => Ok(handler.await),
        Some(round) => tokio::select! {
            biased;
            outcome = handler => Ok(outcome),
            () = round.suspended() => Err(Failure::InputRequired),
        },
    }
}

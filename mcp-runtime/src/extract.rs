//! What the generated code of every item (tool, resource, prompt) takes from its request's
//! context: the verified caller, and proofs of its permissions.

use crate::auth::caller::Auth;
use crate::auth::permission::{Granted, Permission};
use crate::context::Context;

/// Why an item's call was refused before it ran; each kind of item answers it its own way
/// (a tool with an error result, a resource or prompt with a JSON-RPC error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// What the client is told.
    pub message: String,
}

/// The verified caller, for an item that takes `&Auth` or `Granted<P>`; the guard has made
/// sure there is one.
pub fn caller(context: &Context) -> Result<&Auth, Refused> {
    context.auth().ok_or_else(|| Refused {
        // Only reachable if an item taking its caller runs on a server without OAuth, which
        // `#[mcp_server]` rejects at compile time.
        message: "This needs an authenticated caller.".into(),
    })
}

/// The caller, if any, for an item that takes `Option<Auth>`.
pub fn optional_caller(context: &Context) -> Option<Auth> {
    context.auth().cloned()
}

/// The proof for a `Granted<P>` parameter, checked against the caller like any other proof.
/// The item's guard let the caller in and the item requires `P` (checked at compile time), so
/// the check holds; were it ever not to, the call is refused, never run.
pub fn proof<P: Permission>(caller: &Auth) -> Result<Granted<P>, Refused> {
    Granted::check(caller).ok_or_else(|| Refused {
        message: format!("Forbidden: requires {}", P::NAME),
    })
}

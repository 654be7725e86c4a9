//! Permissions, what a tool requires of its caller, and the proof that a caller was checked.

use std::fmt;
use std::marker::PhantomData;

use super::caller::Auth;

/// A permission of a server's vocabulary, declared with [`permissions!`](crate::permissions).
pub trait Permission: 'static {
    /// The permission as it appears in tokens, such as `delete:documents`.
    const NAME: &'static str;
}

/// Proof that the caller holds the permission `P`.
///
/// A tool with `#[tool(requires = "delete:documents")]` can take `Granted<DeleteDocuments>`:
/// its guard checked the caller, so a domain function that takes the proof cannot be called
/// from code that did not. Outside a tool, the one way to get a proof is
/// [`Granted::check`], against a caller that a verified token made.
pub struct Granted<P: Permission> {
    _permission: PhantomData<fn() -> P>,
}

impl<P: Permission> Granted<P> {
    /// The proof that `auth` holds `P`, or `None` when it does not.
    ///
    /// ```
    /// # mcp_runtime::permissions! { pub mod perms { /// Delete.
    /// # DeleteDocuments = "delete:documents" } }
    /// use mcp_runtime::{Auth, Granted};
    /// use perms::DeleteDocuments;
    ///
    /// fn delete_all(_proof: Granted<DeleteDocuments>) { /* ... */ }
    ///
    /// fn maybe_delete(auth: &Auth) {
    ///     if let Some(proof) = Granted::<DeleteDocuments>::check(auth) {
    ///         delete_all(proof);
    ///     }
    /// }
    /// ```
    pub fn check(auth: &Auth) -> Option<Self> {
        auth.is_granted(P::NAME).then_some(Granted {
            _permission: PhantomData,
        })
    }
}

impl<P: Permission> Clone for Granted<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Permission> Copy for Granted<P> {}

impl<P: Permission> fmt::Debug for Granted<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Granted<{}>", P::NAME)
    }
}

/// Who may call a tool, from `#[tool(requires = ..., requires_any = ..., authenticated, public)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// `public`: anyone, with or without a token.
    Public,
    /// `authenticated`: any caller with a valid token, whatever their permissions.
    Authenticated,
    /// `requires = [...]`: a caller granted every one of these permissions.
    AllOf(&'static [&'static str]),
    /// `requires_any = [...]`: a caller granted at least one of them.
    AnyOf(&'static [&'static str]),
    /// Nothing stated: any authenticated caller (on a server with `oauth = none`, anyone).
    Unstated,
}

impl Requirement {
    /// Whether `auth` (the verified caller, if any) satisfies this requirement.
    pub(crate) fn allows(&self, auth: Option<&Auth>) -> bool {
        match (self, auth) {
            (Requirement::Public, _) => true,
            (_, None) => false,
            (Requirement::Unstated | Requirement::Authenticated, Some(_)) => true,
            (Requirement::AllOf(all), Some(auth)) => all.iter().all(|p| auth.is_granted(p)),
            (Requirement::AnyOf(any), Some(auth)) => any.iter().any(|p| auth.is_granted(p)),
        }
    }

    /// The permissions named, for `WWW-Authenticate: scope=...` and the tool's `_meta`.
    pub(crate) fn permissions(&self) -> &'static [&'static str] {
        match self {
            Requirement::AllOf(list) | Requirement::AnyOf(list) => list,
            Requirement::Public | Requirement::Authenticated | Requirement::Unstated => &[],
        }
    }

    /// Whether the requirement demands all of a list that contains `permission`: the only
    /// case in which a tool may take `Granted<P>` for it. Checked at compile time.
    pub const fn includes(self, permission: &str) -> bool {
        let Requirement::AllOf(all) = self else {
            return false;
        };
        let mut i = 0;
        while i < all.len() {
            if str_eq(all[i], permission) {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// Compares two strings in a constant.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What a server answers when a caller lacks a tool's permission, from
/// `#[mcp_server(on_denied = ...)]` and `#[tool(on_denied = ...)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// `tool_error` (the default): a result with `isError: true` saying
    /// "Forbidden: requires delete:documents", which the model can explain.
    ToolError,
    /// `insufficient_scope`: HTTP 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`,
    /// the specification's step-up.
    InsufficientScope,
    /// `hide`: left out of `tools/list` for this caller, and unknown when called.
    Hide,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auth(claims: serde_json::Value) -> Auth {
        Auth::from_claims(claims.as_object().unwrap().clone())
    }

    #[test]
    fn requirements() {
        let a = auth(json!({"sub": "u", "permissions": ["read:data"]}));
        assert!(Requirement::AllOf(&["read:data"]).allows(Some(&a)));
        assert!(!Requirement::AllOf(&["read:data", "delete:documents"]).allows(Some(&a)));
        assert!(Requirement::AnyOf(&["read:data", "delete:documents"]).allows(Some(&a)));
        assert!(!Requirement::AnyOf(&["x"]).allows(Some(&a)));
        assert!(Requirement::Public.allows(None));
        assert!(!Requirement::Unstated.allows(None));
        assert!(!Requirement::AllOf(&["read:data"]).allows(None));
        assert!(Requirement::AllOf(&["a", "read:data"]).includes("read:data"));
        assert!(!Requirement::AnyOf(&["read:data"]).includes("read:data"));
    }

    enum ReadData {}
    impl Permission for ReadData {
        const NAME: &'static str = "read:data";
    }
    enum Admin {}
    impl Permission for Admin {
        const NAME: &'static str = "admin";
    }

    #[test]
    fn a_proof_comes_only_from_a_caller_who_holds_the_permission() {
        let reader = auth(json!({"sub": "u", "scope": "read:data"}));
        assert!(Granted::<ReadData>::check(&reader).is_some());
        assert!(Granted::<Admin>::check(&reader).is_none());
        let nobody = auth(json!({"sub": "u"}));
        assert!(Granted::<ReadData>::check(&nobody).is_none());
    }
}

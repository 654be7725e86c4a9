//! The guard of every item (tool, resource, template, prompt): who sees it listed, and what a
//! caller who may not use it gets.

use serde_json::{Value, json};

use super::outcome::{Refusal, RefusalReason};
use crate::auth::caller::Auth;
use crate::auth::permission::{Denial, Requirement};
use crate::observe;

/// The `_meta` key under which lists show each item's required permissions.
pub(crate) const REQUIRES_META_KEY: &str = "mcp-runtime/requires";

/// An item's requirement and denial mode, on a server that authenticates callers or not.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Guard {
    requirement: Requirement,
    denial: Denial,
    /// Whether callers are authenticated, and so items guarded.
    guarded: bool,
}

/// What a guard decides for one request.
pub(crate) enum Access {
    /// The caller may use the item.
    Allowed,
    /// The item is hidden from this caller: it answers as unknown.
    Hidden,
    /// The transport answers (over HTTP: the 401 or 403 challenge).
    Refused(Refusal),
    /// The caller may not, and is told so in the item's own way (a tool: an error result).
    Forbidden(String),
}

impl Guard {
    /// The guard of an item with `requirement`, whose own denial mode (if any) wins over the
    /// server's `denial`.
    pub(crate) fn new(
        requirement: Requirement,
        own: Option<Denial>,
        denial: Denial,
        guarded: bool,
    ) -> Self {
        Guard {
            requirement,
            denial: own.unwrap_or(denial),
            guarded,
        }
    }

    /// Whether a list shows the item to `auth`: a hidden one only to callers it would let in.
    pub(crate) fn visible(&self, auth: Option<&Auth>) -> bool {
        !self.guarded || self.denial != Denial::Hide || self.requirement.allows(auth)
    }

    /// The decision for `auth` (the verified caller, if any) on the item `name`.
    pub(crate) fn check(&self, auth: Option<&Auth>, kind: &'static str, name: &str) -> Access {
        if !self.guarded || self.requirement.allows(auth) {
            return Access::Allowed;
        }
        let scope = self.requirement.permissions();
        // A hidden item answers as unknown to everyone it would refuse, signed in or not.
        let reason = if self.denial == Denial::Hide {
            "hidden"
        } else if auth.is_none() {
            "no_credentials"
        } else {
            "missing_permission"
        };
        // Within the request's span, which names the caller and its client.
        tracing::info!(kind, name, reason, "denied a request");
        metrics::counter!(observe::DENIALS, "kind" => kind, "reason" => reason).increment(1);
        if self.denial == Denial::Hide {
            return Access::Hidden;
        }
        if auth.is_none() {
            return Access::Refused(Refusal {
                reason: RefusalReason::NoCredentials,
                scope,
            });
        }
        match self.denial {
            Denial::ToolError => Access::Forbidden(forbidden_message(self.requirement)),
            Denial::InsufficientScope => Access::Refused(Refusal {
                reason: RefusalReason::InsufficientScope,
                scope,
            }),
            Denial::Hide => Access::Hidden,
        }
    }

    /// The item's `_meta` on a server with OAuth (who may use it); `None` without OAuth.
    pub(crate) fn meta(&self) -> Option<Value> {
        self.guarded.then(|| {
            let requires = match self.requirement {
                Requirement::Public => json!({"public": true}),
                Requirement::AllOf(all) => json!({"allOf": all}),
                Requirement::AnyOf(any) => json!({"anyOf": any}),
                Requirement::Authenticated | Requirement::Unstated => {
                    json!({"authenticated": true})
                }
            };
            json!({ REQUIRES_META_KEY: requires })
        })
    }
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

//! Telling subscribed clients that a resource changed, from anywhere in the application.

use std::sync::Arc;

use crate::protocol::subscriptions::Subscriptions;

/// Tells clients subscribed to a resource (`resources/subscribe`) that it changed, with
/// `notifications/resources/updated` on their sessions' streams. Get one from
/// [`Server::notifier`](crate::Server::notifier) before serving; clones share the same clients.
///
/// ```
/// # use mcp_runtime::prelude::*;
/// # #[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [])] struct S;
/// let server = S.into_server();
/// let notifier = server.notifier();
/// // Later, when a document changes:
/// notifier.resource_updated("documents://doc-1");
/// ```
#[derive(Clone)]
pub struct Notifier {
    pub(crate) subscriptions: Arc<Subscriptions>,
}

impl Notifier {
    /// Tells the clients subscribed to `uri` that it changed; returns how many were told.
    pub fn resource_updated(&self, uri: &str) -> usize {
        self.subscriptions.resource_updated(uri)
    }
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").finish_non_exhaustive()
    }
}

//! Subscriptions to resource updates: which sessions asked to hear of a URI, and the
//! `notifications/resources/updated` they get on their standalone streams.

use std::sync::{Arc, Mutex, Weak};

use serde_json::json;

use super::session::Session;

/// The sessions with subscriptions, of one server.
#[derive(Default)]
pub(crate) struct Subscriptions {
    /// Weak, so that an ended session leaves on its own.
    sessions: Mutex<Vec<Weak<Session>>>,
}

impl Subscriptions {
    /// Subscribes `session` to updates of `uri`.
    pub(crate) fn subscribe(&self, session: &Arc<Session>, uri: String) {
        session.subscribe(uri);
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|weak| weak.strong_count() > 0);
        if !sessions
            .iter()
            .any(|weak| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(session)))
        {
            sessions.push(Arc::downgrade(session));
        }
    }

    /// Tells every session subscribed to `uri` that it changed; returns how many were told.
    pub(crate) fn resource_updated(&self, uri: &str) -> usize {
        let live: Vec<Arc<Session>> = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions.retain(|weak| weak.strong_count() > 0);
            sessions.iter().filter_map(Weak::upgrade).collect()
        };
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/resources/updated",
                                  "params": {"uri": uri}});
        live.iter()
            .filter(|session| session.is_subscribed(uri))
            .filter(|session| session.notify(notification.clone()))
            .count()
    }
}

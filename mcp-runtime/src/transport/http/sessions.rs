//! The table of MCP sessions: opened at `initialize`, bound to the caller that opened them,
//! bounded in number, expired when idle, ended by DELETE.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use crate::protocol::session::Session;
use crate::web::random::random_hex;

/// The sessions of one server. Every change goes through its methods.
pub(crate) struct SessionTable {
    sessions: Mutex<HashMap<Arc<str>, Arc<Session>>>,
    /// The most sessions at once; past it `initialize` is refused until some expire.
    capacity: usize,
    /// A session unused for this long expires.
    idle: Duration,
}

/// Why a session id led to no session.
pub(crate) enum Missing {
    /// Unknown, expired or ended.
    NotFound,
    /// The session belongs to another caller.
    OtherCaller,
}

/// The table is full of live sessions.
pub(crate) struct Full;

impl SessionTable {
    pub(crate) fn new(capacity: usize, idle: Duration) -> Self {
        SessionTable {
            sessions: Mutex::new(HashMap::new()),
            capacity,
            idle,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a session for `principal` (the caller's issuer and subject, on a server with
    /// OAuth) and returns its id: 128 random bits in hex, visible ASCII as the specification
    /// asks.
    pub(crate) fn open(
        &self,
        version: &'static str,
        principal: Option<String>,
        client_capabilities: Value,
    ) -> Result<Arc<str>, Full> {
        let id: Arc<str> = random_hex(16).into();
        let session = Arc::new(Session::new(
            Some(Arc::clone(&id)),
            version,
            principal,
            client_capabilities,
        ));
        let mut sessions = self.lock();
        if sessions.len() >= self.capacity {
            sessions.retain(|_, session| {
                let idle = session.idle_for(self.idle);
                if idle {
                    session.end();
                }
                !idle
            });
        }
        if sessions.len() >= self.capacity {
            return Err(Full);
        }
        sessions.insert(Arc::clone(&id), session);
        Ok(id)
    }

    /// The session `id` of `principal`, marked as used now. A session belongs to the caller
    /// that opened it: presented by another, it does not exist.
    pub(crate) fn find(&self, id: &str, principal: Option<&str>) -> Result<Arc<Session>, Missing> {
        let session = {
            let mut sessions = self.lock();
            match sessions.get(id) {
                // A session unused for too long has expired.
                Some(session) if session.idle_for(self.idle) => {
                    if let Some(expired) = sessions.remove(id) {
                        expired.end();
                    }
                    None
                }
                found => found.cloned(),
            }
        };
        match session {
            Some(session) if session.principal.as_deref() == principal => {
                session.touch();
                Ok(session)
            }
            Some(_) => Err(Missing::OtherCaller),
            None => Err(Missing::NotFound),
        }
    }

    /// Ends the session `id` of `principal`; false if it has no such session.
    pub(crate) fn close(&self, id: &str, principal: Option<&str>) -> bool {
        let mut sessions = self.lock();
        let owned = sessions
            .get(id)
            .is_some_and(|s| s.principal.as_deref() == principal);
        if owned && let Some(ended) = sessions.remove(id) {
            ended.end();
        }
        owned
    }

    /// The most sessions at once.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }
}

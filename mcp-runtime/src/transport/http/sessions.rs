//! The table of MCP sessions: opened at `initialize`, bound to the caller that opened them,
//! bounded in number, expired when idle, ended by DELETE.
//!
//! With a shared [`Store`], each session is also a record there (its caller, version and the
//! client's capabilities) whose time to live is the idle limit: a session opened on one
//! replica is found on another, and its end (DELETE on any replica, or expiry) is seen by
//! all, since every request checks the record and starts its time again. What cannot move
//! between processes stays in the table of the replica that holds it: the GET stream, the
//! requests in flight, subscriptions, the log level.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::session::Session;
use crate::protocol::version;
use crate::store::{Store, Unavailable};
use crate::web::random::random_hex;

/// The space of session records in the store.
const SPACE: &str = "session";

/// The sessions of one server. Every change goes through its methods.
pub(crate) struct SessionTable {
    sessions: Mutex<HashMap<Arc<str>, Arc<Session>>>,
    /// The most sessions at once; past it `initialize` is refused until some expire.
    capacity: usize,
    /// A session unused for this long expires.
    idle: Duration,
    /// The store that replicas share, when the sessions are shared.
    shared: Option<Store>,
}

/// What a shared store keeps of a session.
#[derive(Serialize, Deserialize)]
struct Record {
    /// The caller's issuer and subject.
    principal: Option<String>,
    version: String,
    capabilities: Value,
}

/// Why a session id led to no session.
pub(crate) enum Missing {
    /// Unknown, expired or ended.
    NotFound,
    /// The session belongs to another caller.
    OtherCaller,
    /// This replica's table is full.
    Full,
    /// The shared store cannot be reached.
    Unavailable,
}

/// Why no session was opened.
pub(crate) enum OpenError {
    /// The table is full of live sessions.
    Full,
    /// The shared store cannot be reached.
    Unavailable,
}

impl SessionTable {
    pub(crate) fn new(capacity: usize, idle: Duration, store: &Store) -> Self {
        SessionTable {
            sessions: Mutex::new(HashMap::new()),
            capacity,
            idle,
            shared: store.is_shared().then(|| store.clone()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `session` in this replica's table, making room by ending idle ones.
    fn keep(&self, id: &Arc<str>, session: Arc<Session>) -> bool {
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
            return false;
        }
        sessions.insert(Arc::clone(id), session);
        true
    }

    /// Forgets the session `id` in this replica and closes its stream.
    fn drop_local(&self, id: &str) {
        if let Some(ended) = self.lock().remove(id) {
            ended.end();
        }
    }

    /// Opens a session for `principal` (the caller's issuer and subject, on a server with
    /// OAuth) and returns its id: 128 random bits in hex, visible ASCII as the specification
    /// asks.
    pub(crate) async fn open(
        &self,
        version: &'static str,
        principal: Option<String>,
        client_capabilities: Value,
    ) -> Result<Arc<str>, OpenError> {
        let id: Arc<str> = random_hex(16).into();
        let record = self.shared.as_ref().map(|_| Record {
            principal: principal.clone(),
            version: version.to_owned(),
            capabilities: client_capabilities.clone(),
        });
        let session = Arc::new(Session::new(
            Some(Arc::clone(&id)),
            version,
            principal,
            client_capabilities,
        ));
        if !self.keep(&id, session) {
            return Err(OpenError::Full);
        }
        if let (Some(store), Some(record)) = (&self.shared, record) {
            let bytes = serde_json::to_vec(&record).unwrap_or_default();
            match store.put_new(SPACE, &id, &bytes, self.idle).await {
                Ok(true) => {}
                // 128 random bits collide never; if they did, the session is not opened.
                Ok(false) | Err(Unavailable) => {
                    self.drop_local(&id);
                    return Err(OpenError::Unavailable);
                }
            }
        }
        Ok(id)
    }

    /// The session `id` of `principal`, marked as used now. A session belongs to the caller
    /// that opened it: presented by another, it does not exist.
    pub(crate) async fn find(
        &self,
        id: &str,
        principal: Option<&str>,
    ) -> Result<Arc<Session>, Missing> {
        let local = {
            let mut sessions = self.lock();
            match sessions.get(id) {
                // A session unused here for too long has expired here; a shared one may
                // still be in use on other replicas, which the store says.
                Some(session) if session.idle_for(self.idle) => {
                    if let Some(expired) = sessions.remove(id) {
                        expired.end();
                    }
                    None
                }
                found => found.cloned(),
            }
        };
        if let Some(session) = local {
            if session.principal.as_deref() != principal {
                return Err(Missing::OtherCaller);
            }
            if let Some(store) = &self.shared {
                match store.touch(SPACE, id, self.idle).await {
                    Ok(true) => {}
                    // Ended or expired on another replica.
                    Ok(false) => {
                        self.drop_local(id);
                        return Err(Missing::NotFound);
                    }
                    Err(Unavailable) => return Err(Missing::Unavailable),
                }
            }
            session.touch();
            return Ok(session);
        }
        let Some(store) = &self.shared else {
            return Err(Missing::NotFound);
        };
        let record = match store.get_touch(SPACE, id, self.idle).await {
            Ok(Some(bytes)) => serde_json::from_slice::<Record>(&bytes).ok(),
            Ok(None) => None,
            Err(Unavailable) => return Err(Missing::Unavailable),
        };
        let Some(record) = record else {
            return Err(Missing::NotFound);
        };
        if record.principal.as_deref() != principal {
            return Err(Missing::OtherCaller);
        }
        let Some(version) = version::supported(&record.version) else {
            return Err(Missing::NotFound);
        };
        let id: Arc<str> = id.into();
        let session = Arc::new(Session::new(
            Some(Arc::clone(&id)),
            version,
            record.principal,
            record.capabilities,
        ));
        if !self.keep(&id, Arc::clone(&session)) {
            return Err(Missing::Full);
        }
        Ok(session)
    }

    /// Ends the session `id` of `principal`; false if it has no such session.
    pub(crate) async fn close(
        &self,
        id: &str,
        principal: Option<&str>,
    ) -> Result<bool, Unavailable> {
        let local_owner = self
            .lock()
            .get(id)
            .map(|s| s.principal.as_deref() == principal);
        let Some(store) = &self.shared else {
            if local_owner == Some(true) {
                self.drop_local(id);
            }
            return Ok(local_owner == Some(true));
        };
        let owned = match local_owner {
            Some(owned) => owned,
            None => match store.get_touch(SPACE, id, self.idle).await? {
                Some(bytes) => serde_json::from_slice::<Record>(&bytes)
                    .is_ok_and(|record| record.principal.as_deref() == principal),
                None => false,
            },
        };
        if !owned {
            return Ok(false);
        }
        let removed = store.remove(SPACE, id).await?;
        self.drop_local(id);
        Ok(removed)
    }

    /// The most sessions at once.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }
}

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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::session::Session;
use crate::protocol::version;
use crate::store::{Store, Unavailable};
use crate::web::random::random_hex;

/// The space of session records in the store.
const SPACE: &str = "session";
/// How often a replica checks that the sessions whose GET stream it holds still exist, so
/// that a DELETE or an expiry seen by another replica closes the stream here too.
const WATCH_PERIOD: Duration = Duration::from_secs(5);

type Table = Mutex<HashMap<Arc<str>, Arc<Session>>>;

/// The sessions of one server. Every change goes through its methods.
pub(crate) struct SessionTable {
    sessions: Arc<Table>,
    /// Whether the task that watches the streams' sessions in the shared store runs.
    watching: AtomicBool,
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
            sessions: Arc::default(),
            watching: AtomicBool::new(false),
            capacity,
            idle,
            shared: store.is_shared().then(|| store.clone()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
        lock(&self.sessions)
    }

    /// Starts, once, the task that closes the streams of sessions ended elsewhere. It stops
    /// when the table is dropped.
    fn watch(&self, store: &Store) {
        if self.watching.swap(true, Ordering::Relaxed) {
            return;
        }
        let table = Arc::downgrade(&self.sessions);
        let store = store.clone();
        tokio::spawn(watch_streams(table, store));
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
            self.watch(store);
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
        self.watch(store);
        // Read, and only for its caller started again: an id presented by another caller
        // keeps no one's session alive.
        let record = match store.get(SPACE, id).await {
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
        match store.touch(SPACE, id, self.idle).await {
            Ok(true) => {}
            Ok(false) => return Err(Missing::NotFound),
            Err(Unavailable) => return Err(Missing::Unavailable),
        }
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
            None => match store.get(SPACE, id).await? {
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

fn lock(table: &Table) -> MutexGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every [`WATCH_PERIOD`], ends the sessions held here with a GET stream whose record is gone
/// from the shared store (ended or expired through another replica). A store that cannot be
/// reached ends nothing: the next request of each session fails closed on its own.
async fn watch_streams(table: Weak<Table>, store: Store) {
    let mut tick = tokio::time::interval(WATCH_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(sessions) = table.upgrade() else {
            return;
        };
        let streaming: Vec<Arc<str>> = lock(&sessions)
            .iter()
            .filter(|(_, session)| session.has_stream())
            .map(|(id, _)| Arc::clone(id))
            .collect();
        for id in streaming {
            if let Ok(false) = store.exists(SPACE, &id).await
                && let Some(ended) = lock(&sessions).remove(&id)
            {
                ended.end();
            }
        }
    }
}

#[cfg(all(test, feature = "redis"))]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::peer::Outbox;
    use crate::store::redis::test_server::TestRedis;

    const HOUR: Duration = Duration::from_secs(3600);

    async fn replicas(redis: &TestRedis) -> (SessionTable, SessionTable) {
        let store = |_| async { Store::redis(&redis.url(), "t:").await.unwrap() };
        (
            SessionTable::new(100, HOUR, &store(()).await),
            SessionTable::new(100, HOUR, &store(()).await),
        )
    }

    #[tokio::test]
    async fn a_session_opened_on_one_replica_is_its_callers_on_every_replica() {
        let Some(mut redis) = TestRedis::start() else {
            return;
        };
        let (a, b) = replicas(&redis).await;
        let caps = json!({"elicitation": {}});
        let id = a
            .open("2025-11-25", Some("alice".into()), caps.clone())
            .await
            .ok()
            .unwrap();
        let found = b.find(&id, Some("alice")).await.ok().unwrap();
        assert_eq!(found.protocol_version, "2025-11-25");
        assert!(found.client_supports("elicitation"));
        assert!(!found.client_supports("sampling"));
        assert!(matches!(
            b.find(&id, Some("bob")).await,
            Err(Missing::OtherCaller)
        ));
        assert!(matches!(a.find(&id, None).await, Err(Missing::OtherCaller)));
        assert!(
            !b.close(&id, Some("bob")).await.unwrap(),
            "not bob's to end"
        );
        assert!(a.find(&id, Some("alice")).await.is_ok());
        // Ended on b, where it is held, and gone on a, which also holds it.
        assert!(b.close(&id, Some("alice")).await.unwrap());
        assert!(matches!(
            a.find(&id, Some("alice")).await,
            Err(Missing::NotFound)
        ));
        assert!(!a.close(&id, Some("alice")).await.unwrap());
        // Redis lost: no session is opened or found, and none is taken for unknown.
        let kept = a
            .open("2025-11-25", Some("alice".into()), Value::Null)
            .await;
        let kept = kept.ok().unwrap();
        redis.stop();
        assert!(matches!(
            a.open("2025-11-25", None, Value::Null).await,
            Err(OpenError::Unavailable)
        ));
        assert!(matches!(
            a.find(&kept, Some("alice")).await,
            Err(Missing::Unavailable)
        ));
        assert!(matches!(
            b.find(&kept, Some("alice")).await,
            Err(Missing::Unavailable)
        ));
        assert!(b.close(&kept, Some("alice")).await.is_err());
    }

    #[tokio::test]
    async fn a_stream_closes_when_its_session_ends_through_another_replica() {
        let Some(redis) = TestRedis::start() else {
            return;
        };
        let (a, b) = replicas(&redis).await;
        let id = a
            .open("2025-11-25", Some("alice".into()), Value::Null)
            .await
            .ok()
            .unwrap();
        let session = a.find(&id, Some("alice")).await.ok().unwrap();
        let (outbox, _messages) = Outbox::channel();
        session.attach_stream(outbox);
        assert!(b.close(&id, Some("alice")).await.unwrap());
        tokio::time::timeout(WATCH_PERIOD + Duration::from_secs(2), session.ended())
            .await
            .expect("the stream on the other replica closes");
    }
}

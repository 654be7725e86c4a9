//! The requests in flight, by session and id, where `notifications/cancelled` finds them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::protocol::peer::Cancel;
use crate::protocol::session::Session;

/// The table of requests that may be cancelled.
#[derive(Default)]
pub(crate) struct InFlightTable {
    requests: Mutex<HashMap<String, Arc<Cancel>>>,
}

impl InFlightTable {
    /// Enters a request, unless nothing ties it to one client (a stateless, anonymous
    /// request): then any client could cancel it by guessing its id, and none may. The entry
    /// leaves the table when the returned guard drops.
    pub(crate) fn register<'a>(
        &'a self,
        session: &Session,
        id: &Value,
        cancel: &Arc<Cancel>,
    ) -> Option<InFlight<'a>> {
        if !session.is_attributable() {
            return None;
        }
        let key = session.request_key(id);
        self.lock().insert(key.clone(), Arc::clone(cancel));
        Some(InFlight {
            table: self,
            key,
            cancel: Arc::clone(cancel),
        })
    }

    /// Cancels the request `id` of `session`, if it is in flight.
    pub(crate) fn cancel(&self, session: &Session, id: &Value) {
        let cancel = self.lock().get(&session.request_key(id)).cloned();
        if let Some(cancel) = cancel {
            tracing::debug!(%id, "the client cancelled a request");
            cancel.cancel();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Cancel>>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An entry of the table, removed when the request ends.
pub(crate) struct InFlight<'a> {
    table: &'a InFlightTable,
    key: String,
    cancel: Arc<Cancel>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut table = self.table.lock();
        // Another request with the same id may have taken the entry: leave it to that one.
        if table
            .get(&self.key)
            .is_some_and(|cancel| Arc::ptr_eq(cancel, &self.cancel))
        {
            table.remove(&self.key);
        }
    }
}

//! The way back to the client during a request: notifications (progress, logs), requests the
//! server sends (sampling, elicitation) and their answers, and cancellation.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::{Map, Value};
use tokio::sync::{Notify, mpsc, oneshot};

use super::jsonrpc::{RpcError, code};
use crate::web::random::random_hex;

/// The most server-to-client requests waiting for answers at once, over all clients.
const MAX_PENDING: usize = 10_000;

/// Messages for the client, on the stream of the request that a tool is serving.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Value>,
}

impl Outbox {
    pub(crate) fn channel() -> (Outbox, mpsc::UnboundedReceiver<Value>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Outbox { tx }, rx)
    }

    /// Queues a message; false when the client is gone.
    pub(crate) fn send(&self, message: Value) -> bool {
        self.tx.send(message).is_ok()
    }
}

/// Requests this server sent to clients, waiting for the answers that arrive in later POSTs.
#[derive(Default)]
pub(crate) struct Pending {
    next: AtomicU64,
    waiting: Mutex<HashMap<String, oneshot::Sender<Result<Value, RpcError>>>>,
}

impl Pending {
    /// A new request id and the receiver of its answer; `None` when too many are waiting.
    pub(crate) fn register(&self) -> Option<(String, oneshot::Receiver<Result<Value, RpcError>>)> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.len() >= MAX_PENDING {
            return None;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        // Unguessable, so that one client cannot answer another's request.
        let id = format!("srv-{n}-{}", random_hex(8));
        let (tx, rx) = oneshot::channel();
        waiting.insert(id.clone(), tx);
        Some((id, rx))
    }

    /// Delivers a client's answer; false when nothing waits for it.
    pub(crate) fn resolve(&self, id: &Value, mut body: Map<String, Value>) -> bool {
        let Some(id) = id.as_str() else { return false };
        let Some(tx) = self
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
        else {
            return false;
        };
        let answer = match (body.remove("result"), body.remove("error")) {
            (Some(result), _) => Ok(result),
            (None, Some(error)) => Err(RpcError::new(
                error
                    .get("code")
                    .and_then(Value::as_i64)
                    .unwrap_or(code::INTERNAL_ERROR),
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("error")
                    .to_owned(),
            )),
            (None, None) => Err(RpcError::new(
                code::INVALID_REQUEST,
                "the answer had neither result nor error",
            )),
        };
        tx.send(answer).is_ok()
    }

    /// Stops waiting for `id` (the tool gave up or was cancelled).
    pub(crate) fn forget(&self, id: &str) {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}

/// Cancellation of one request: by `notifications/cancelled`, or by the client going away.
#[derive(Default)]
pub(crate) struct Cancel {
    flag: AtomicBool,
    notify: Notify,
}

impl Cancel {
    pub(crate) fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    pub(crate) async fn cancelled(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

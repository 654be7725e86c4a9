//! What the server keeps about one client: an MCP session over HTTP, a stdio stream, or (for
//! a stateless server) one request.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use super::log::LogLevel;
use super::peer::{Cancel, Outbox};

/// A client's session.
pub(crate) struct Session {
    pub(crate) id: Option<Arc<str>>,
    pub(crate) protocol_version: &'static str,
    /// The issuer and subject of the caller that opened the session, on a server with OAuth.
    pub(crate) principal: Option<String>,
    /// The least severe level the client wants, as its position in [`LogLevel::ALL`];
    /// [`SILENT`] for none.
    log_level: AtomicU8,
    /// What the client said it can do at `initialize` (`sampling`, `elicitation`, ...).
    client_capabilities: Value,
    /// When the session was last used, in milliseconds since the server started.
    last_used: AtomicU64,
    /// Raised when the session ends (DELETE, expiry), so that its stream closes at once.
    ended: Cancel,
    /// The session's standalone stream (its GET stream, or stdout), for messages not tied to
    /// a request.
    stream: Mutex<Option<Outbox>>,
    /// The resource URIs the client subscribed to.
    subscriptions: Mutex<HashSet<String>>,
}

/// No log messages at all (a 2026-07-28 request that names no level).
const SILENT: u8 = u8::MAX;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Milliseconds since the first call, a monotonic clock for session idleness.
fn clock_ms() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
}

impl Session {
    pub(crate) fn new(
        id: Option<Arc<str>>,
        protocol_version: &'static str,
        principal: Option<String>,
        client_capabilities: Value,
    ) -> Self {
        Session {
            id,
            protocol_version,
            principal,
            // Until the client says otherwise, send `info` and above.
            log_level: AtomicU8::new(LogLevel::Info as u8),
            client_capabilities,
            last_used: AtomicU64::new(clock_ms()),
            ended: Cancel::default(),
            stream: Mutex::new(None),
            subscriptions: Mutex::new(HashSet::new()),
        }
    }

    /// Makes `outbox` the session's standalone stream (a newer one replaces an older one).
    pub(crate) fn attach_stream(&self, outbox: Outbox) {
        *lock(&self.stream) = Some(outbox);
    }

    /// Whether a standalone stream is attached (it may have closed since).
    pub(crate) fn has_stream(&self) -> bool {
        lock(&self.stream).is_some()
    }

    /// Sends `message` on the standalone stream; false when there is none open.
    pub(crate) fn notify(&self, message: Value) -> bool {
        let mut stream = lock(&self.stream);
        match stream.as_ref().map(|outbox| outbox.send(message)) {
            Some(true) => true,
            Some(false) => {
                // The stream closed: forget it.
                *stream = None;
                false
            }
            None => false,
        }
    }

    /// Subscribes the client to updates of `uri`.
    pub(crate) fn subscribe(&self, uri: String) {
        lock(&self.subscriptions).insert(uri);
    }

    /// Ends the client's subscription to `uri`, if any.
    pub(crate) fn unsubscribe(&self, uri: &str) {
        lock(&self.subscriptions).remove(uri);
    }

    /// Whether the client subscribed to `uri`.
    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        lock(&self.subscriptions).contains(uri)
    }

    /// Ends the session: its GET stream closes.
    pub(crate) fn end(&self) {
        self.ended.cancel();
    }

    /// Resolves when the session ends.
    pub(crate) async fn ended(&self) {
        self.ended.cancelled().await;
    }

    /// Marks the session as used now.
    pub(crate) fn touch(&self) {
        self.last_used.store(clock_ms(), Ordering::Relaxed);
    }

    /// Whether the session has not been used for `idle`.
    pub(crate) fn idle_for(&self, idle: Duration) -> bool {
        clock_ms().saturating_sub(self.last_used.load(Ordering::Relaxed)) >= idle.as_millis() as u64
    }

    /// The least severe log level the client wants; `None` for no log messages.
    pub(crate) fn log_level(&self) -> Option<LogLevel> {
        match self.log_level.load(Ordering::Relaxed) {
            SILENT => None,
            index => Some(LogLevel::from_index(index)),
        }
    }

    /// Sets the least severe log level the client wants (`logging/setLevel`, or a 2026-07-28
    /// request's own level); `None` for no log messages.
    pub(crate) fn set_log_level(&self, level: Option<LogLevel>) {
        self.log_level
            .store(level.map_or(SILENT, |l| l as u8), Ordering::Relaxed);
    }

    /// Whether the client declared `capability` at `initialize`. Without a session (stateless
    /// servers) the client's capabilities are unknown, and it is given the benefit of the doubt.
    pub(crate) fn client_supports(&self, capability: &str) -> bool {
        self.client_capabilities.is_null() || self.client_capabilities.get(capability).is_some()
    }

    /// Whether anything ties this session to one client (an id, or a verified caller). A
    /// stateless, anonymous request has neither.
    pub(crate) fn is_attributable(&self) -> bool {
        self.id.is_some() || self.principal.is_some()
    }

    /// The key of a request of this session in the table of requests in flight.
    pub(crate) fn request_key(&self, id: &Value) -> String {
        format!(
            "{}|{}|{id}",
            self.id.as_deref().unwrap_or_default(),
            self.principal.as_deref().unwrap_or_default()
        )
    }
}

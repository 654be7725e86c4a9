//! What a tool knows about the request it serves.

use std::sync::Arc;

use serde_json::Value;

use crate::auth::Auth;

/// The request context of a tool call: take `&Context` (or `Context`) as a parameter.
///
/// It never appears in the tool's input schema.
#[derive(Clone)]
pub struct Context {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    request_id: Value,
    meta: Option<Value>,
    session_id: Option<Arc<str>>,
    protocol_version: &'static str,
    auth: Option<Arc<Auth>>,
}

impl Context {
    pub(crate) fn new(
        request_id: Value,
        meta: Option<Value>,
        session_id: Option<Arc<str>>,
        protocol_version: &'static str,
        auth: Option<Arc<Auth>>,
    ) -> Self {
        Context {
            inner: Arc::new(ContextInner {
                request_id,
                meta,
                session_id,
                protocol_version,
                auth,
            }),
        }
    }

    /// The verified caller, on a server with OAuth when the request carried a valid token.
    pub fn auth(&self) -> Option<&Auth> {
        self.inner.auth.as_deref()
    }

    /// The JSON-RPC id of the `tools/call` request.
    pub fn request_id(&self) -> &Value {
        &self.inner.request_id
    }

    /// The request's `_meta` object, if the client sent one.
    pub fn meta(&self) -> Option<&Value> {
        self.inner.meta.as_ref()
    }

    /// The progress token the client sent in `_meta.progressToken`, if any.
    pub fn progress_token(&self) -> Option<&Value> {
        self.inner.meta.as_ref()?.get("progressToken")
    }

    /// The MCP session id, when the server runs with sessions.
    pub fn session_id(&self) -> Option<&str> {
        self.inner.session_id.as_deref()
    }

    /// The protocol version negotiated with the client.
    pub fn protocol_version(&self) -> &'static str {
        self.inner.protocol_version
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request_id", &self.inner.request_id)
            .field("session_id", &self.inner.session_id)
            .field("protocol_version", &self.inner.protocol_version)
            .finish_non_exhaustive()
    }
}

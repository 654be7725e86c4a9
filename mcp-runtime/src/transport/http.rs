//! MCP Streamable HTTP on axum: one endpoint for POST, GET and DELETE.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use super::oauth::{self, AuthSettings};
use crate::auth::Auth;
use crate::auth::jwt::TokenError;
use crate::http_util::json_body;
use crate::protocol::jsonrpc::{self, Message, RpcError, code};
use crate::protocol::peer::Outbox;
use crate::protocol::{
    DEFAULT_NEGOTIATED_VERSION, Engine, Failure, SUPPORTED_VERSIONS, Session, supported_version,
};

const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";

/// Settings of the HTTP transport.
pub(crate) struct HttpConfig {
    pub path: String,
    pub stateless: bool,
    pub allowed_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// The most sessions at once; past it `initialize` gets 503 until some expire.
    pub max_sessions: usize,
    /// A session unused for this long expires.
    pub session_idle: std::time::Duration,
    /// Notified when the server shuts down: the sessions' GET streams end, so that graceful
    /// shutdown does not wait for them.
    pub closing: Arc<tokio::sync::Notify>,
}

const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            path: "/mcp".into(),
            stateless: false,
            allowed_hosts: LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            allowed_origins: Vec::new(),
            max_body_bytes: 4 * 1024 * 1024,
            max_sessions: 10_000,
            session_idle: std::time::Duration::from_secs(3600),
            closing: Arc::default(),
        }
    }
}

impl HttpConfig {
    pub(crate) fn allows_only_loopback(&self) -> bool {
        self.allowed_hosts
            .iter()
            .all(|h| LOOPBACK_HOSTS.contains(&h.as_str()))
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        if self.allowed_origins.contains(&origin) {
            return true;
        }
        // An origin on an allowed host (any scheme and port) is the server's own site.
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| self.host_allowed(strip_port(authority)))
    }
}

/// `example.com:443` -> `example.com`, `[::1]:3000` -> `[::1]`.
fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or(authority)
}

struct Shared {
    engine: Engine,
    config: HttpConfig,
    auth: Option<AuthSettings>,
    sessions: Mutex<HashMap<Arc<str>, Arc<Session>>>,
}

pub(crate) fn router(engine: Engine, config: HttpConfig, auth: Option<AuthSettings>) -> Router {
    let path = config.path.clone();
    let limit = config.max_body_bytes;
    let with_auth = auth.is_some();
    let shared = Arc::new(Shared {
        engine,
        config,
        auth,
        sessions: Mutex::new(HashMap::new()),
    });
    let mut router = Router::new().route(
        &path,
        post(post_message).get(get_stream).delete(delete_session),
    );
    if with_auth {
        // RFC 9728: at the well-known path with the resource's path appended, and at the bare
        // well-known path for clients that look there.
        router = router
            .route(
                "/.well-known/oauth-protected-resource",
                get(protected_resource_metadata),
            )
            .route(
                &format!("/.well-known/oauth-protected-resource{path}"),
                get(protected_resource_metadata),
            );
    }
    router
        .layer(DefaultBodyLimit::max(limit))
        .with_state(shared)
}

async fn protected_resource_metadata(State(shared): State<Arc<Shared>>) -> Response {
    match &shared.auth {
        Some(settings) => oauth::metadata_response(settings),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The checks every request to the MCP endpoint passes first: its `Host` and `Origin`, then
/// its credentials. Gives the verified caller, or the response that refuses the request.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
async fn admit(
    shared: &Shared,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<Arc<Auth>>, Response> {
    check_host_and_origin(&shared.config, uri, headers)?;
    authenticate(shared, headers).await
}

/// 405 for the methods only a server with sessions has.
fn without_sessions(why: &str) -> Response {
    let mut response = http_error(
        StatusCode::METHOD_NOT_ALLOWED,
        code::INVALID_REQUEST,
        format!("Method Not Allowed: {why}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// The verified caller of a request, or the response that refuses it.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
async fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Option<Arc<Auth>>, Response> {
    match &shared.auth {
        None => Ok(None),
        Some(settings) => settings.authenticate(headers).await,
    }
}

/// A JSON-RPC error in an HTTP error response (the id is unknown at this level).
fn http_error(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    json_body(
        status,
        &RpcError::new(code, message).into_response(Value::Null),
    )
}

/// Refuses requests whose `Host` or `Origin` is not allowed (DNS rebinding protection).
/// Called first by every handler of the MCP endpoint (a function rather than a middleware
/// layer, which costs an allocation and a boxed future per request on the hot path).
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
fn check_host_and_origin(
    config: &HttpConfig,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Response> {
    // HTTP/2 carries the host in the URI's authority; HTTP/1.1 in `Host`.
    let host = uri
        .authority()
        .map(|a| a.as_str())
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()));
    let Some(host) = host else {
        return Err(http_error(
            StatusCode::FORBIDDEN,
            -32000,
            "Forbidden: the request has no Host header",
        ));
    };
    if !config.host_allowed(strip_port(host)) {
        tracing::warn!(host, "refused a request for a host that is not allowed");
        return Err(http_error(
            StatusCode::FORBIDDEN,
            -32000,
            format!(
                "Forbidden: host `{}` is not allowed (see Server::allowed_hosts)",
                strip_port(host)
            ),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN)
        && !origin.to_str().is_ok_and(|o| config.origin_allowed(o))
    {
        tracing::warn!(
            ?origin,
            "refused a request from an origin that is not allowed"
        );
        return Err(http_error(
            StatusCode::FORBIDDEN,
            -32000,
            "Forbidden: this Origin is not allowed (see Server::allowed_origins)",
        ));
    }
    Ok(())
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether the client accepts a JSON answer. A missing `Accept` accepts anything.
fn accepts_json(headers: &HeaderMap) -> bool {
    match header_str(headers, header::ACCEPT.as_str()) {
        None => true,
        Some(accept) => accept.split(',').any(|item| {
            let media = item.split(';').next().unwrap_or("").trim();
            matches!(
                media,
                "application/json" | "application/*" | "*/*" | "text/event-stream"
            )
        }),
    }
}

async fn post_message(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let auth = match admit(&shared, &uri, &headers).await {
        Ok(auth) => auth,
        Err(response) => return response,
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::INVALID_REQUEST,
                format!(
                    "Payload Too Large: the body exceeds {} bytes",
                    shared.config.max_body_bytes
                ),
            );
        }
        Err(rejection) => {
            return http_error(
                rejection.status(),
                code::INVALID_REQUEST,
                "Bad Request: the body could not be read",
            );
        }
    };
    let content_type = header_str(&headers, header::CONTENT_TYPE.as_str()).unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some("application/json") {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::INVALID_REQUEST,
            "Unsupported Media Type: send the JSON-RPC message with Content-Type: application/json",
        );
    }
    if !accepts_json(&headers) {
        return http_error(
            StatusCode::NOT_ACCEPTABLE,
            code::INVALID_REQUEST,
            "Not Acceptable: the client must accept application/json and text/event-stream",
        );
    }
    let message = match jsonrpc::parse(&body) {
        Ok(message) => message,
        Err((id, err)) => return json_body(StatusCode::BAD_REQUEST, &err.into_response(id)),
    };
    if let Message::Request { id, method, params } = &message
        && method == "initialize"
    {
        return initialize(&shared, id.clone(), params.as_ref(), auth.as_deref());
    }
    let session = match find_session(&shared, &headers, auth.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    match message {
        Message::Request { id, method, params } => {
            let streaming = accepts_event_stream(&headers)
                && shared.engine.may_stream(&method, params.as_ref());
            answer(shared, session, auth, id, method, params, streaming).await
        }
        Message::Notification { method, params } => {
            shared
                .engine
                .notification(&method, params.as_ref(), &session);
            StatusCode::ACCEPTED.into_response()
        }
        Message::Response { id, body } => {
            shared.engine.response(&id, body);
            StatusCode::ACCEPTED.into_response()
        }
    }
}

/// Whether the client takes a `text/event-stream` answer. A missing `Accept` takes anything.
fn accepts_event_stream(headers: &HeaderMap) -> bool {
    header_str(headers, header::ACCEPT.as_str()).is_none_or(|accept| {
        accept.split(',').any(|item| {
            matches!(
                item.split(';').next().unwrap_or("").trim(),
                "text/event-stream" | "*/*"
            )
        })
    })
}

/// Answers a request: with one JSON object, or, as soon as the tool sends the client anything
/// before its result (progress, a log, a sampling or elicitation request), with an SSE stream
/// that carries those messages and then the result.
async fn answer(
    shared: Arc<Shared>,
    session: Arc<Session>,
    auth: Option<Arc<Auth>>,
    id: Value,
    method: String,
    params: Option<serde_json::Map<String, Value>>,
    streaming: bool,
) -> Response {
    let (outbox, rx) = match streaming {
        true => {
            let (outbox, rx) = Outbox::channel();
            (Some(outbox), Some(rx))
        }
        false => (None, None),
    };
    let engine_shared = Arc::clone(&shared);
    let request_id = id.clone();
    let mut request = Box::pin(async move {
        engine_shared
            .engine
            .request(request_id, &method, params, session, auth, outbox)
            .await
    });
    let Some(mut rx) = rx else {
        return finish(&shared, id, request.await);
    };
    // Messages first: what the tool sent before finishing goes out before its result.
    let first = tokio::select! {
        biased;
        message = rx.recv() => message,
        result = &mut request => {
            // The tool may have finished within one poll, with messages already queued.
            let mut queued = Vec::new();
            while let Ok(message) = rx.try_recv() {
                queued.push(message);
            }
            if queued.is_empty() {
                return finish(&shared, id, result);
            }
            let (tx, body) = mpsc::unbounded_channel::<Bytes>();
            for message in queued.iter().chain(streamed_answer(id, result).as_ref()) {
                let _ = tx.send(sse_event(message));
            }
            return sse_response(SseBody { rx: body, task: None });
        }
    };
    let Some(first) = first else {
        return finish(&shared, id, request.await);
    };
    let (tx, body) = mpsc::unbounded_channel::<Bytes>();
    let task = tokio::spawn(async move {
        let _ = tx.send(sse_event(&first));
        loop {
            tokio::select! {
                biased;
                Some(message) = rx.recv() => {
                    if tx.send(sse_event(&message)).is_err() {
                        return;
                    }
                }
                result = &mut request => {
                    while let Ok(message) = rx.try_recv() {
                        let _ = tx.send(sse_event(&message));
                    }
                    if let Some(answer) = streamed_answer(id, result) {
                        let _ = tx.send(sse_event(&answer));
                    }
                    return;
                }
            }
        }
    });
    sse_response(SseBody {
        rx: body,
        task: Some(task.abort_handle()),
    })
}

/// The last event of a streamed answer; none for a cancelled request.
fn streamed_answer(id: Value, result: Result<Value, Failure>) -> Option<Value> {
    match result {
        Ok(result) => Some(jsonrpc::response(id, result)),
        Err(Failure::Rpc(err)) => Some(err.into_response(id)),
        Err(Failure::Cancelled) => None,
        // Credentials are checked before a tool runs, so before anything streams.
        Err(_) => Some(RpcError::new(code::INTERNAL_ERROR, "Internal error").into_response(id)),
    }
}

/// The HTTP answer for a finished request.
fn finish(shared: &Shared, id: Value, result: Result<Value, Failure>) -> Response {
    match result {
        Ok(result) => json_body(StatusCode::OK, &jsonrpc::response(id, result)),
        Err(Failure::Rpc(err)) => json_body(StatusCode::OK, &err.into_response(id)),
        Err(Failure::Unauthenticated { scope }) => refuse(shared, TokenError::Missing, scope),
        Err(Failure::InsufficientScope { scope }) => match &shared.auth {
            Some(settings) => settings.insufficient_scope(scope),
            None => StatusCode::FORBIDDEN.into_response(),
        },
        Err(Failure::Cancelled) => StatusCode::ACCEPTED.into_response(),
    }
}

fn sse_event(message: &Value) -> Bytes {
    Bytes::from(format!("event: message\ndata: {message}\n\n"))
}

fn sse_response(body: SseBody) -> Response {
    let mut response = Response::new(Body::new(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// An SSE body fed by a task; dropping it (the client went away) stops the task, and with
/// it the tool.
struct SseBody {
    rx: mpsc::UnboundedReceiver<Bytes>,
    task: Option<tokio::task::AbortHandle>,
}

impl http_body::Body for SseBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.rx
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

impl Drop for SseBody {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A 401 challenge (there is always an auth layer when the engine asks for one).
fn refuse(shared: &Shared, error: TokenError, scope: &[&str]) -> Response {
    match &shared.auth {
        Some(settings) => settings.challenge(error, scope),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

fn initialize(
    shared: &Shared,
    id: Value,
    params: Option<&serde_json::Map<String, Value>>,
    auth: Option<&Auth>,
) -> Response {
    let (version, result, capabilities) = shared.engine.initialize(params);
    let mut response = json_body(StatusCode::OK, &jsonrpc::response(id, result));
    if !shared.config.stateless {
        let session_id: Arc<str> = new_session_id().into();
        let principal = auth.map(Auth::principal);
        let session = Arc::new(Session::new(
            Some(Arc::clone(&session_id)),
            version,
            principal,
            capabilities,
        ));
        let mut sessions = shared.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if sessions.len() >= shared.config.max_sessions {
            let idle = shared.config.session_idle;
            sessions.retain(|_, session| {
                let idle = session.idle_for(idle);
                if idle {
                    session.end();
                }
                !idle
            });
        }
        if sessions.len() >= shared.config.max_sessions {
            drop(sessions);
            tracing::warn!(
                max = shared.config.max_sessions,
                "refused a new session: the session table is full"
            );
            let mut refused = http_error(
                StatusCode::SERVICE_UNAVAILABLE,
                code::INTERNAL_ERROR,
                "Service Unavailable: too many sessions are open; try again later",
            );
            refused
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            return refused;
        }
        sessions.insert(Arc::clone(&session_id), session);
        drop(sessions);
        if let Ok(value) = HeaderValue::from_str(&session_id) {
            response.headers_mut().insert(SESSION_HEADER, value);
        }
    }
    response
}

/// The session a request belongs to, checking `Mcp-Session-Id` and `MCP-Protocol-Version`.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
fn find_session(
    shared: &Shared,
    headers: &HeaderMap,
    auth: Option<&Auth>,
) -> Result<Arc<Session>, Response> {
    let header_version = match header_str(headers, VERSION_HEADER) {
        None => None,
        Some(version) => match supported_version(version) {
            Some(version) => Some(version),
            None => {
                return Err(http_error(
                    StatusCode::BAD_REQUEST,
                    code::INVALID_REQUEST,
                    format!(
                        "Bad Request: unsupported MCP-Protocol-Version `{version}`; supported: {}",
                        SUPPORTED_VERSIONS.join(", ")
                    ),
                ));
            }
        },
    };
    if shared.config.stateless {
        let version = header_version.unwrap_or(DEFAULT_NEGOTIATED_VERSION);
        return Ok(Arc::new(Session::new(
            None,
            version,
            auth.map(Auth::principal),
            Value::Null,
        )));
    }
    let Some(id) = header_str(headers, SESSION_HEADER) else {
        return Err(http_error(
            StatusCode::BAD_REQUEST,
            code::INVALID_REQUEST,
            "Bad Request: missing Mcp-Session-Id header; send `initialize` first and echo the session id it returns",
        ));
    };
    let session = {
        let mut sessions = shared.sessions.lock().unwrap_or_else(|e| e.into_inner());
        match sessions.get(id) {
            // A session unused for too long has expired.
            Some(session) if session.idle_for(shared.config.session_idle) => {
                if let Some(expired) = sessions.remove(id) {
                    expired.end();
                }
                None
            }
            found => found.cloned(),
        }
    };
    // A session belongs to the caller that opened it: with another caller's token it does
    // not exist.
    match session {
        Some(session) if session.principal == auth.map(Auth::principal) => {
            session.touch();
            Ok(session)
        }
        Some(_) => {
            tracing::warn!("refused a session id presented by another caller than its owner");
            // Still 404, as for an unknown id, but saying why: a client that signed in after
            // opening its session anonymously learns to start a new one.
            Err(http_error(
                StatusCode::NOT_FOUND,
                -32001,
                "Session not found for this caller: a session belongs to the caller that opened it; \
                 send `initialize` with your token to start your own",
            ))
        }
        None => Err(session_not_found()),
    }
}

fn session_not_found() -> Response {
    http_error(
        StatusCode::NOT_FOUND,
        -32001,
        "Session not found: it expired or was terminated; send `initialize` to start a new one",
    )
}

/// `GET`: the session's stream for messages not tied to a request. It carries keep-alive
/// comments and ends when the session does. A stateless server has no such stream (405).
async fn get_stream(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let auth = match admit(&shared, &uri, &headers).await {
        Ok(auth) => auth,
        Err(response) => return response,
    };
    if shared.config.stateless {
        return without_sessions(
            "this server runs without sessions, so it has no standalone stream",
        );
    }
    if !accepts_event_stream(&headers) {
        return http_error(
            StatusCode::NOT_ACCEPTABLE,
            code::INVALID_REQUEST,
            "Not Acceptable: accept text/event-stream",
        );
    }
    let session = match find_session(&shared, &headers, auth.as_deref()) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    let closing = Arc::clone(&shared.config.closing);
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(15));
        let closing = closing.notified();
        tokio::pin!(closing);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                // The session ended (DELETE, expiry) or the server is shutting down.
                () = session.ended() => return,
                () = &mut closing => return,
            }
            if tx.send(Bytes::from_static(b": keep-alive\n\n")).is_err() {
                return;
            }
        }
    });
    sse_response(SseBody {
        rx,
        task: Some(task.abort_handle()),
    })
}

async fn delete_session(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let auth = match admit(&shared, &uri, &headers).await {
        Ok(auth) => auth,
        Err(response) => return response,
    };
    if shared.config.stateless {
        return without_sessions("this server runs without sessions");
    }
    let Some(id) = header_str(&headers, SESSION_HEADER) else {
        return http_error(
            StatusCode::BAD_REQUEST,
            code::INVALID_REQUEST,
            "Bad Request: missing Mcp-Session-Id header",
        );
    };
    let mut sessions = shared.sessions.lock().unwrap_or_else(|e| e.into_inner());
    let owned = sessions
        .get(id)
        .is_some_and(|s| s.principal == auth.as_deref().map(Auth::principal));
    if !owned {
        return session_not_found();
    }
    if let Some(ended) = sessions.remove(id) {
        ended.end();
    }
    Response::new(Body::empty())
}

/// 128 random bits, hex-encoded: visible ASCII, as the specification asks.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    // The operating system's generator; without it no session id can be unguessable.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ports() {
        assert_eq!(strip_port("localhost:3000"), "localhost");
        assert_eq!(strip_port("[::1]:3000"), "[::1]");
        assert_eq!(strip_port("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn origins_follow_hosts() {
        let config = HttpConfig::default();
        assert!(config.origin_allowed("http://localhost:6274"));
        assert!(config.origin_allowed("http://[::1]:1"));
        assert!(!config.origin_allowed("http://evil.example.com"));
        assert!(!config.origin_allowed("null"));
    }
}

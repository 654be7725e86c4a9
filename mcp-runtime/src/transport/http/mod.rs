//! MCP Streamable HTTP on axum: one endpoint for POST, GET and DELETE, and the protected
//! resource metadata beside it.

pub(crate) mod admission;
pub(crate) mod connections;
pub(crate) mod modern;
pub(crate) mod reply;
pub(crate) mod sessions;
pub(crate) mod shared;
pub(crate) mod sse;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::auth::caller::Auth;
use crate::auth::resource::ResourceServer;
use crate::context::HttpRequest;
use crate::engine::Engine;
use crate::protocol::era::Era;
use crate::protocol::jsonrpc::{self, Message, code};
use crate::protocol::peer::Cancel;
use crate::protocol::session::Session;
use crate::protocol::version;
use crate::store::Store;
use crate::web::cors;
use crate::web::response::JsonBody;
use admission::{Accept, Gate, HostRules, header_str};
use reply::HttpError;
use sessions::{Missing, OpenError, SessionTable};
use shared::{Call, SESSION_HEADER, Shared, VERSION_HEADER};

/// Settings of the HTTP transport.
pub(crate) struct HttpConfig {
    pub(crate) path: String,
    pub(crate) stateless: bool,
    pub(crate) hosts: HostRules,
    pub(crate) max_body_bytes: usize,
    /// The most sessions at once; past it `initialize` gets 503 until some expire.
    pub(crate) max_sessions: usize,
    /// A session unused for this long expires.
    pub(crate) session_idle: Duration,
    /// Browser origins that may call the endpoint cross-origin (CORS); none by default.
    pub(crate) cors_origins: Vec<String>,
    /// Raised when the server shuts down: the sessions' GET streams end, so that graceful
    /// shutdown does not wait for them.
    pub(crate) shutdown: Arc<Cancel>,
    /// Where sessions are kept when replicas share them.
    pub(crate) store: Store,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            path: "/mcp".into(),
            stateless: false,
            hosts: HostRules::default(),
            max_body_bytes: 4 * 1024 * 1024,
            max_sessions: 10_000,
            session_idle: Duration::from_secs(3600),
            cors_origins: Vec::new(),
            shutdown: Arc::default(),
            store: Store::memory(),
        }
    }
}

/// The MCP endpoint at `config.path`, and, with a resource server, its protected resource
/// metadata. `loopback_peers_only` when token signatures are not verified.
pub(crate) fn router(
    engine: Engine,
    config: HttpConfig,
    resource: Option<ResourceServer>,
    loopback_peers_only: bool,
) -> Router {
    let path = config.path;
    let with_auth = resource.is_some();
    let shared = Arc::new(Shared {
        engine,
        gate: Gate {
            hosts: config.hosts,
            resource,
            loopback_peers_only,
        },
        stateless: config.stateless,
        max_body_bytes: config.max_body_bytes,
        sessions: SessionTable::new(config.max_sessions, config.session_idle, &config.store),
        shutdown: config.shutdown,
    });
    let mut router = Router::new().route(
        &path,
        post(post_message).get(get_stream).delete(delete_session),
    );
    if !config.cors_origins.is_empty() {
        router = cors::for_origins(router, &config.cors_origins);
    }
    if with_auth {
        // RFC 9728: at the well-known path with the resource's path appended, and at the bare
        // well-known path for clients that look there.
        let metadata = cors::public(
            Router::new()
                .route(
                    "/.well-known/oauth-protected-resource",
                    get(protected_resource_metadata),
                )
                .route(
                    &format!("/.well-known/oauth-protected-resource{path}"),
                    get(protected_resource_metadata),
                ),
        );
        router = router.merge(metadata);
    }
    router.with_state(shared)
}

async fn protected_resource_metadata(
    State(shared): State<Arc<Shared>>,
    headers: axum::http::HeaderMap,
) -> Response {
    match &shared.gate.resource {
        Some(resource) => resource.metadata(&headers),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The body, read only once the request is admitted, up to the limit.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
async fn read_body(body: Body, limit: usize) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|err| {
        let source = std::error::Error::source(&err);
        let too_large =
            source.is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if source.is_some_and(connections::is_body_timeout) {
            HttpError::new(
                StatusCode::REQUEST_TIMEOUT,
                code::INVALID_REQUEST,
                "Request Timeout: the body was not sent in time",
            )
            .into_response()
        } else if too_large {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::INVALID_REQUEST,
                format!("Payload Too Large: the body exceeds {limit} bytes"),
            )
            .into_response()
        } else {
            HttpError::bad_request("Bad Request: the body could not be read").into_response()
        }
    })
}

async fn post_message(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let auth = match shared.gate.admit(&parts).await {
        Ok(auth) => auth,
        Err(response) => return response,
    };
    let body = match read_body(body, shared.max_body_bytes).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    // What a tool sees of the request: its credentials were read above, and go no further.
    let http = Arc::new(HttpRequest::from_parts(parts));
    let headers = http.headers();
    let content_type = header_str(headers, header::CONTENT_TYPE.as_str()).unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some("application/json") {
        return HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::INVALID_REQUEST,
            "Unsupported Media Type: send the JSON-RPC message with Content-Type: application/json",
        )
        .into_response();
    }
    let accept = Accept::of(headers);
    if !accept.json() {
        return HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            code::INVALID_REQUEST,
            "Not Acceptable: the client must accept application/json and text/event-stream",
        )
        .into_response();
    }
    let message = match jsonrpc::parse(&body) {
        Ok(message) => message,
        Err((id, err)) if modern::modern_header(headers) => return modern::error(id, err),
        Err((id, err)) => {
            return JsonBody::new(StatusCode::BAD_REQUEST, &err.into_response(id)).into_response();
        }
    };
    if modern::era_of(headers, &message) == Era::Modern {
        return modern::post(&shared, &http, &accept, auth, message).await;
    }
    if let Message::Request { id, method, params } = &message
        && method == "initialize"
    {
        return initialize(&shared, id.clone(), params.as_ref(), auth.as_deref()).await;
    }
    let session = match find_session(&shared, headers, auth.as_deref()).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    match message {
        Message::Request { id, method, params } => {
            let call = Call {
                id,
                method,
                params,
                session,
                auth,
                takes_stream: accept.event_stream(),
                http: Arc::clone(&http),
            };
            shared.answer(call, Era::Legacy).await
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

async fn initialize(
    shared: &Shared,
    id: Value,
    params: Option<&serde_json::Map<String, Value>>,
    auth: Option<&Auth>,
) -> Response {
    let initialized = shared.engine.initialize(params);
    let mut response = JsonBody::ok(&jsonrpc::response(id, initialized.result)).into_response();
    if shared.stateless {
        return response;
    }
    let opened = shared
        .sessions
        .open(
            initialized.version,
            auth.map(Auth::principal),
            initialized.client_capabilities,
        )
        .await;
    match opened {
        Ok(session_id) => {
            if let Ok(value) = HeaderValue::from_str(&session_id) {
                response.headers_mut().insert(SESSION_HEADER, value);
            }
            response
        }
        Err(OpenError::Full) => sessions_full(shared),
        Err(OpenError::Unavailable) => store_unavailable(),
    }
}

/// 503: this replica's session table is full.
fn sessions_full(shared: &Shared) -> Response {
    tracing::warn!(
        max = shared.sessions.capacity(),
        "refused a session: the session table is full"
    );
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        code::INTERNAL_ERROR,
        "Service Unavailable: too many sessions are open; try again later",
    )
    .retry_after("30")
    .into_response()
}

/// 503: the store that holds the sessions cannot be reached; the client may retry shortly.
fn store_unavailable() -> Response {
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        code::INTERNAL_ERROR,
        "Service Unavailable: the server cannot reach its session store; try again in a moment",
    )
    .retry_after("2")
    .into_response()
}

/// The session a request belongs to, checking `Mcp-Session-Id` and `MCP-Protocol-Version`.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
async fn find_session(
    shared: &Shared,
    headers: &HeaderMap,
    auth: Option<&Auth>,
) -> Result<Arc<Session>, Response> {
    let header_version = match header_str(headers, VERSION_HEADER) {
        None => None,
        Some(requested) => match version::supported(requested) {
            Some(version) => Some(version),
            None => {
                return Err(HttpError::bad_request(format!(
                    "Bad Request: unsupported MCP-Protocol-Version `{requested}`; supported: {}",
                    version::SUPPORTED.join(", ")
                ))
                .into_response());
            }
        },
    };
    let principal = auth.map(Auth::principal);
    if shared.stateless {
        let version = header_version.unwrap_or(version::DEFAULT_NEGOTIATED);
        return Ok(Arc::new(Session::new(
            None,
            version,
            principal,
            Value::Null,
        )));
    }
    let Some(id) = header_str(headers, SESSION_HEADER) else {
        return Err(HttpError::bad_request(
            "Bad Request: missing Mcp-Session-Id header; send `initialize` first and echo the session id it returns",
        )
        .into_response());
    };
    match shared.sessions.find(id, principal.as_deref()).await {
        Ok(session) => Ok(session),
        Err(Missing::OtherCaller) => {
            tracing::warn!("refused a session id presented by another caller than its owner");
            // Still 404, as for an unknown id, but saying why: a client that signed in after
            // opening its session anonymously learns to start a new one.
            Err(HttpError::session_not_found(
                "Session not found for this caller: a session belongs to the caller that opened it; \
                 send `initialize` with your token to start your own",
            )
            .into_response())
        }
        Err(Missing::NotFound) => Err(session_not_found()),
        Err(Missing::Full) => Err(sessions_full(shared)),
        Err(Missing::Unavailable) => Err(store_unavailable()),
    }
}

fn session_not_found() -> Response {
    HttpError::session_not_found(
        "Session not found: it expired or was terminated; send `initialize` to start a new one",
    )
    .into_response()
}

/// Whether a GET or DELETE is of the stateless era: no session, and a 2026 revision named.
fn without_session(parts: &Parts) -> bool {
    header_str(&parts.headers, SESSION_HEADER).is_none() && modern::modern_header(&parts.headers)
}

/// `GET`: the session's stream for messages not tied to a request. It carries keep-alive
/// comments and ends when the session does. A stateless server has no such stream (405).
async fn get_stream(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let auth = match shared.gate.admit(&parts).await {
        Ok(auth) => auth,
        Err(response) => return response,
    };
    if shared.stateless {
        return HttpError::without_sessions(
            "this server runs without sessions, so it has no standalone stream",
        )
        .into_response();
    }
    if without_session(&parts) {
        return HttpError::without_sessions(
            "MCP 2026-07-28 has no standalone stream; POST `subscriptions/listen` instead",
        )
        .into_response();
    }
    if !Accept::of(&parts.headers).event_stream() {
        return HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            code::INVALID_REQUEST,
            "Not Acceptable: accept text/event-stream",
        )
        .into_response();
    }
    match find_session(&shared, &parts.headers, auth.as_deref()).await {
        Ok(session) => sse::session_stream(session, Arc::clone(&shared.shutdown)),
        Err(response) => response,
    }
}

async fn delete_session(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let auth = match shared.gate.admit(&parts).await {
        Ok(auth) => auth,
        Err(response) => return response,
    };
    if shared.stateless {
        return HttpError::without_sessions("this server runs without sessions").into_response();
    }
    if without_session(&parts) {
        return HttpError::without_sessions("MCP 2026-07-28 has no sessions to end")
            .into_response();
    }
    let Some(id) = header_str(&parts.headers, SESSION_HEADER) else {
        return HttpError::bad_request("Bad Request: missing Mcp-Session-Id header")
            .into_response();
    };
    let principal = auth.as_deref().map(Auth::principal);
    match shared.sessions.close(id, principal.as_deref()).await {
        Ok(true) => {}
        Ok(false) => return session_not_found(),
        Err(_) => return store_unavailable(),
    }
    Response::new(Body::empty())
}

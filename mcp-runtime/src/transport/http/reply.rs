//! The HTTP answers of the MCP endpoint that carry a JSON-RPC error, and the answer of a
//! finished request.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth::jwt::TokenError;
use crate::auth::resource::ResourceServer;
use crate::engine::outcome::{Failure, RefusalReason};
use crate::protocol::era::{self, Era};
use crate::protocol::jsonrpc::{self, RpcError, code};
use crate::web::response::JsonBody;

/// A JSON-RPC error as an HTTP error (the request's id is unknown at this level).
pub(crate) struct HttpError {
    status: StatusCode,
    error: RpcError,
    allow: Option<&'static str>,
    retry_after: Option<&'static str>,
}

impl HttpError {
    /// `status` with the JSON-RPC error `code` and `message`.
    pub(crate) fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        HttpError {
            status,
            error: RpcError::new(code, message),
            allow: None,
            retry_after: None,
        }
    }

    /// `400 Bad Request` with `-32600`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::BAD_REQUEST, code::INVALID_REQUEST, message)
    }

    /// `403 Forbidden`, before any method runs.
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::FORBIDDEN, code::REFUSED, message)
    }

    /// `404 Not Found` for a session id that names no session of this caller.
    pub(crate) fn session_not_found(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::NOT_FOUND, code::SESSION_NOT_FOUND, message)
    }

    /// `405 Method Not Allowed` for the methods only a server with sessions has.
    pub(crate) fn without_sessions(why: &str) -> Self {
        let mut error = HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            code::INVALID_REQUEST,
            format!("Method Not Allowed: {why}"),
        );
        error.allow = Some("POST");
        error
    }

    /// Tells the client when to try again (`Retry-After`, in seconds).
    pub(crate) fn retry_after(mut self, seconds: &'static str) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = self.error.into_response(Value::Null);
        let mut response = JsonBody::new(self.status, &body).into_response();
        let headers = response.headers_mut();
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        response
    }
}

/// The HTTP status of a JSON-RPC error answered as JSON: 200 in the session era, and in
/// 2026-07-28 the status of its kind (400 for a request the client must fix, 404 for a
/// method the server does not have).
pub(crate) fn status_of(error: &RpcError, era: Era) -> StatusCode {
    match (era, error.code) {
        (Era::Legacy, _) => StatusCode::OK,
        (
            Era::Modern,
            code::PARSE_ERROR
            | code::INVALID_REQUEST
            | code::INVALID_PARAMS
            | era::code::HEADER_MISMATCH
            | era::code::MISSING_CLIENT_CAPABILITY
            | era::code::UNSUPPORTED_PROTOCOL_VERSION,
        ) => StatusCode::BAD_REQUEST,
        (Era::Modern, code::METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        (Era::Modern, _) => StatusCode::OK,
    }
}

/// The HTTP answer for a finished request: the result or error as JSON, a refusal as its
/// challenge, nothing (202) for a cancelled request.
pub(crate) fn finish(
    resource: Option<&ResourceServer>,
    id: Value,
    result: Result<Value, Failure>,
    era: Era,
) -> Response {
    match result {
        Ok(result) => JsonBody::ok(&jsonrpc::Reply::new(&id, &result)).into_response(),
        Err(Failure::Rpc(err)) => {
            JsonBody::new(status_of(&err, era), &err.into_response(id)).into_response()
        }
        Err(Failure::Refused(refusal)) => match (resource, refusal.reason) {
            (Some(resource), RefusalReason::NoCredentials) => {
                resource.challenge(None, TokenError::Missing, refusal.scope)
            }
            (Some(resource), RefusalReason::InsufficientScope) => {
                resource.insufficient_scope(refusal.scope)
            }
            // A guard refuses only on a server with OAuth, which has a resource server.
            (None, _) => JsonBody::ok(&refusal.into_rpc_error().into_response(id)).into_response(),
        },
        Err(Failure::Cancelled) => StatusCode::ACCEPTED.into_response(),
        Err(Failure::InputRequired) => {
            JsonBody::ok(&Failure::unanswered_input().into_response(id)).into_response()
        }
        Err(Failure::StoreUnavailable) => {
            let mut response = JsonBody::new(
                StatusCode::SERVICE_UNAVAILABLE,
                &Failure::store_unavailable().into_response(id),
            )
            .into_response();
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
            response
        }
    }
}

/// The last event of a streamed answer; none for a cancelled request.
pub(crate) fn streamed(id: Value, result: Result<Value, Failure>) -> Option<Value> {
    match result {
        Ok(result) => Some(jsonrpc::response(id, result)),
        Err(Failure::Rpc(err)) => Some(err.into_response(id)),
        // Guards run before a tool does, so before anything streams; were one to refuse
        // later, the stream says so in JSON-RPC terms.
        Err(Failure::Refused(refusal)) => Some(refusal.into_rpc_error().into_response(id)),
        Err(Failure::Cancelled) => None,
        Err(Failure::InputRequired) => Some(Failure::unanswered_input().into_response(id)),
        Err(Failure::StoreUnavailable) => Some(Failure::store_unavailable().into_response(id)),
    }
}

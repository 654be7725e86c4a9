//! The 2026-07-28 side of the endpoint: which era a request belongs to, the checks of a
//! stateless request's headers against its body, and `subscriptions/listen`.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::admission::{Accept, header_str};
use super::reply::status_of;
use super::shared::{Call, SESSION_HEADER, Shared, VERSION_HEADER};
use super::sse;
use crate::auth::caller::Auth;
use crate::context::HttpRequest;
use crate::protocol::era::{self, Era, ModernMeta, key};
use crate::protocol::jsonrpc::{self, Message, RpcError, code};
use crate::protocol::peer::Outbox;
use crate::protocol::session::Session;
use crate::protocol::version;
use crate::web::response::JsonBody;

const METHOD_HEADER: &str = "mcp-method";
const NAME_HEADER: &str = "mcp-name";

/// Whether the request's `MCP-Protocol-Version` names a revision of the stateless era (or
/// one this server does not know, which only a newer client sends).
pub(super) fn modern_header(headers: &HeaderMap) -> bool {
    header_str(headers, VERSION_HEADER).is_some_and(|v| version::supported(v.trim()).is_none())
}

/// The era of a message, decided per request: a session is of the session era; a
/// `MCP-Protocol-Version` of no session-era revision, `server/discover`, or 2026-07-28
/// `_meta` is of the stateless era; anything else (an `initialize` first of all) is of the
/// session era.
pub(super) fn era_of(headers: &HeaderMap, message: &Message) -> Era {
    if header_str(headers, SESSION_HEADER).is_some() {
        return Era::Legacy;
    }
    if modern_header(headers) {
        return Era::Modern;
    }
    let (method, params) = match message {
        Message::Request { method, params, .. } | Message::Notification { method, params } => {
            (method.as_str(), params.as_ref())
        }
        Message::Response { .. } => return Era::Legacy,
    };
    if method == "server/discover" || era::has_modern_meta(params) {
        Era::Modern
    } else {
        Era::Legacy
    }
}

/// A JSON-RPC error of the stateless era, with its HTTP status; an unknown id is left out
/// (2026-07-28 ids are never `null`).
pub(super) fn error(id: Value, error: RpcError) -> Response {
    let status = status_of(&error, Era::Modern);
    let mut body = error.into_response(id);
    if let Some(object) = body.as_object_mut()
        && object.get("id").is_some_and(Value::is_null)
    {
        object.remove("id");
    }
    JsonBody::new(status, &body).into_response()
}

/// Answers a message of the stateless era.
pub(super) async fn post(
    shared: &Arc<Shared>,
    http: &Arc<HttpRequest>,
    accept: &Accept<'_>,
    auth: Option<Arc<Auth>>,
    message: Message,
) -> Response {
    let (id, method, params) = match message {
        Message::Request { id, method, params } => (id, method, params),
        // Nothing a client notifies changes a request of this era: each stands alone, and
        // closing its stream cancels it.
        Message::Notification { .. } => return StatusCode::ACCEPTED.into_response(),
        Message::Response { id, .. } => {
            return error(
                id,
                RpcError::new(
                    code::INVALID_REQUEST,
                    "Invalid Request: a 2026-07-28 server sends no requests, so there is nothing to answer",
                ),
            );
        }
    };
    let meta = match ModernMeta::parse(params.as_ref()) {
        Ok(meta) => meta,
        Err(err) => return error(id, err),
    };
    if let Err(err) = check_headers(http.headers(), &method, params.as_ref(), &meta.version) {
        return error(id, err);
    }
    if !era::MODERN_VERSIONS.contains(&meta.version.as_str()) {
        let err = RpcError::new(
            era::code::UNSUPPORTED_PROTOCOL_VERSION,
            format!(
                "Unsupported protocol version `{}`; this server speaks {} without a session (and the older revisions after `initialize`)",
                meta.version,
                era::MODERN_VERSIONS.join(", ")
            ),
        )
        .with_data(json!({"supported": era::MODERN_VERSIONS, "requested": meta.version}));
        return error(id, err);
    }
    let principal = auth.as_deref().map(Auth::principal);
    // This request's capabilities and log level: its session is the request.
    let session = Arc::new(Session::new(
        None,
        era::MODERN,
        principal,
        meta.client_capabilities,
    ));
    session.set_log_level(meta.log_level);
    if method == "subscriptions/listen" {
        return listen(
            shared,
            id,
            params.as_ref(),
            accept,
            auth.as_deref(),
            session,
        );
    }
    let call = Call {
        id,
        method,
        params,
        session,
        auth,
        takes_stream: accept.event_stream(),
        http: Arc::clone(http),
    };
    shared.answer(call, Era::Modern).await
}

/// Checks `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` against the body; a header
/// missing or different is `-32020`.
fn check_headers(
    headers: &HeaderMap,
    method: &str,
    params: Option<&Map<String, Value>>,
    version: &str,
) -> Result<(), RpcError> {
    let mismatch = |message: String| RpcError::new(era::code::HEADER_MISMATCH, message);
    match header_str(headers, VERSION_HEADER).map(str::trim) {
        Some(header) if header == version => {}
        Some(header) => {
            return Err(mismatch(format!(
                "Header mismatch: MCP-Protocol-Version is `{header}` but _meta says `{version}`"
            )));
        }
        None => {
            return Err(mismatch(format!(
                "Header mismatch: the MCP-Protocol-Version header is missing (send `{version}`, as in _meta)"
            )));
        }
    }
    match header_str(headers, METHOD_HEADER).map(str::trim) {
        Some(header) if header == method => {}
        Some(header) => {
            return Err(mismatch(format!(
                "Header mismatch: Mcp-Method is `{header}` but the body's method is `{method}`"
            )));
        }
        None => {
            return Err(mismatch(format!(
                "Header mismatch: the Mcp-Method header is missing (send `{method}`)"
            )));
        }
    }
    let field = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return Ok(()),
    };
    // A body without the field is the method's own invalid-params error.
    let Some(expected) = params.and_then(|p| p.get(field)).and_then(Value::as_str) else {
        return Ok(());
    };
    let header = headers
        .get(NAME_HEADER)
        .map(|value| decode_name(value.as_bytes()));
    match header {
        Some(Some(name)) if name == expected => Ok(()),
        Some(Some(name)) => Err(mismatch(format!(
            "Header mismatch: Mcp-Name is `{name}` but the body's {field} is `{expected}`"
        ))),
        Some(None) => Err(mismatch(
            "Header mismatch: Mcp-Name is neither plain text nor `=?base64?...?=`".to_owned(),
        )),
        None => Err(mismatch(format!(
            "Header mismatch: the Mcp-Name header is missing (send the {field}, `{expected}`)"
        ))),
    }
}

/// An `Mcp-Name` value: trimmed, and decoded when it is `=?base64?...?=` (for a name that is
/// not plain ASCII).
fn decode_name(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?.trim_matches([' ', '\t']);
    match text
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        Some(encoded) => String::from_utf8(STANDARD.decode(encoded).ok()?).ok(),
        None => Some(text.to_owned()),
    }
}

/// `subscriptions/listen`: a stream of the notifications the client opted in to and the
/// server agreed to, open until the client leaves or the server shuts down.
fn listen(
    shared: &Shared,
    id: Value,
    params: Option<&Map<String, Value>>,
    accept: &Accept<'_>,
    auth: Option<&Auth>,
    session: Arc<Session>,
) -> Response {
    if !accept.event_stream() {
        let mut response = error(
            id,
            RpcError::new(
                code::INVALID_REQUEST,
                "Not Acceptable: subscriptions/listen answers with a stream; accept text/event-stream",
            ),
        );
        *response.status_mut() = StatusCode::NOT_ACCEPTABLE;
        return response;
    }
    let agreed = match shared.engine.listen(params, auth) {
        Ok(agreed) => agreed,
        Err(err) => return error(id, err),
    };
    for uri in agreed.uris {
        shared.engine.subscriptions.subscribe(&session, uri);
    }
    let (outbox, messages) = Outbox::channel();
    session.attach_stream(outbox);
    let mut farewell = agreed.farewell;
    if let Some(meta) = farewell.get_mut("_meta").and_then(Value::as_object_mut) {
        meta.insert(key::SUBSCRIPTION_ID.into(), id.clone());
    }
    let farewell = jsonrpc::response(id.clone(), farewell);
    sse::listen_stream(
        id,
        agreed.acknowledgement,
        session,
        messages,
        farewell,
        Arc::clone(&shared.shutdown),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_decoded() {
        assert_eq!(
            decode_name(b"  get_weather\t").as_deref(),
            Some("get_weather")
        );
        // "café" in base64.
        assert_eq!(decode_name(b"=?base64?Y2Fmw6k=?=").as_deref(), Some("café"));
        assert_eq!(decode_name(b"=?base64?not base64?="), None);
    }

    #[test]
    fn eras_are_told_apart_per_request() {
        let request = |method: &str, params: Value| Message::Request {
            id: json!(1),
            method: method.into(),
            params: params.as_object().cloned(),
        };
        let mut headers = HeaderMap::new();
        assert_eq!(
            era_of(&headers, &request("initialize", json!({}))),
            Era::Legacy
        );
        assert_eq!(
            era_of(&headers, &request("server/discover", json!({}))),
            Era::Modern
        );
        let meta = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}});
        assert_eq!(
            era_of(&headers, &request("tools/list", meta.clone())),
            Era::Modern
        );
        headers.insert(VERSION_HEADER, "2025-11-25".parse().unwrap());
        assert_eq!(
            era_of(&headers, &request("tools/list", json!({}))),
            Era::Legacy
        );
        headers.insert(VERSION_HEADER, "2026-07-28".parse().unwrap());
        assert_eq!(
            era_of(&headers, &request("initialize", json!({}))),
            Era::Modern
        );
        headers.insert(VERSION_HEADER, "v999.0.0".parse().unwrap());
        assert_eq!(
            era_of(&headers, &request("tools/list", json!({}))),
            Era::Modern
        );
        headers.insert(SESSION_HEADER, "abc".parse().unwrap());
        assert_eq!(era_of(&headers, &request("tools/list", meta)), Era::Legacy);
    }
}

//! `POST /register`: RFC 7591 dynamic client registration, stateless: the client id is the
//! signed registration.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::limits::{Endpoint, store_unavailable, too_many_requests};
use super::signing::Client;
use super::state::Proxy;
use crate::auth::caller::now;
use crate::web::response::{JsonBody, OAuthError};
use crate::web::text::display_name;
use crate::web::url::check_redirect_uri;

fn invalid(error: &'static str, description: &'static str) -> Response {
    OAuthError::new(StatusCode::BAD_REQUEST, error, description).into_response()
}

pub(crate) async fn register(
    State(proxy): State<Arc<Proxy>>,
    parts: Parts,
    body: Bytes,
) -> Response {
    match proxy.limits.allow(Endpoint::Register, &parts, None).await {
        Ok(true) => {}
        Ok(false) => return too_many_requests(true),
        Err(_) => return store_unavailable(true),
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return invalid(
            "invalid_client_metadata",
            "the registration must be a JSON object",
        );
    };
    let Some(uris) = request.get("redirect_uris").and_then(Value::as_array) else {
        return invalid(
            "invalid_redirect_uri",
            "`redirect_uris` must list at least one URI",
        );
    };
    if uris.is_empty() || uris.len() > 10 {
        return invalid(
            "invalid_redirect_uri",
            "register between 1 and 10 redirect URIs",
        );
    }
    let mut redirect_uris = Vec::new();
    for uri in uris {
        let Some(uri) = uri.as_str() else {
            return invalid("invalid_redirect_uri", "redirect URIs must be strings");
        };
        if let Err(why) = check_redirect_uri(uri) {
            return OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_redirect_uri",
                format!("the redirect URI {uri:?} {why}; redirect URIs must be https, or http on a loopback host"),
            )
            .into_response();
        }
        redirect_uris.push(uri.to_owned());
    }
    let name = request
        .get("client_name")
        .and_then(Value::as_str)
        .and_then(|n| display_name(n, 100));
    let client = Client {
        redirect_uris,
        name,
        document_host: None,
    };
    let client_id = proxy.signer.client_id_for(&client);
    let mut answer = json!({
        "client_id": client_id,
        "client_id_issued_at": now(),
        "redirect_uris": client.redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if let Some(name) = client.name {
        answer["client_name"] = name.into();
    }
    JsonBody::new(StatusCode::CREATED, &answer)
        .no_store()
        .into_response()
}

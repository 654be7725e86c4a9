//! `POST /token`: the authorization code and refresh token grants, exchanged at Auth0 with
//! the application's credentials. The client's PKCE verifier passes through, so Auth0 checks
//! it; Auth0's answer and status are relayed, except two things: its refresh token goes to
//! the client sealed, bound to that client (another client cannot redeem it), and its
//! `id_token`, whose audience is this proxy's own application, is not passed on.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::limits::{Endpoint, store_unavailable, too_many_requests};
use super::signing::ClientKey;
use super::state::Proxy;
use crate::observe;
use crate::store::TakeError;
use crate::web::form;
use crate::web::response::{JsonBody, OAuthError};
use crate::web::upstream::read_capped;

fn error(status: StatusCode, error: &'static str, description: &'static str) -> Response {
    OAuthError::new(status, error, description).into_response()
}

pub(crate) async fn token(State(proxy): State<Arc<Proxy>>, parts: Parts, body: Bytes) -> Response {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the token request as application/x-www-form-urlencoded",
        );
    }
    let form = form::parse(&body);
    let param = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    match proxy
        .limits
        .allow(Endpoint::Token, &parts, param("client_id"))
        .await
    {
        Ok(true) => {}
        Ok(false) => return too_many_requests(true),
        Err(_) => return store_unavailable(true),
    }
    let Some(client_id) = param("client_id") else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the request names no client_id",
        );
    };
    if let Err(why) = proxy.client(client_id).await {
        return OAuthError::new(StatusCode::UNAUTHORIZED, "invalid_client", why).into_response();
    }
    let (upstream_client, upstream_secret) = &proxy.upstream_client;
    let callback = proxy.callback_url();
    let mut upstream: Vec<(&str, &str)> = vec![
        ("client_id", upstream_client),
        ("client_secret", upstream_secret),
    ];
    let issued;
    let opened;
    match param("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(verifier)) = (param("code"), param("code_verifier")) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "send the code and the PKCE code_verifier",
                );
            };
            let code = match proxy.codes.take(code, b"").await {
                Ok(code) => code,
                Err(TakeError::Unavailable) => return store_unavailable(true),
                Err(TakeError::Missing | TakeError::Refused) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "the code is unknown, expired or already used",
                    );
                }
            };
            if code.client != ClientKey::of(client_id) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code was issued to another client",
                );
            }
            match param("redirect_uri") {
                // RFC 6749 section 4.1.3: required when the authorization request had one.
                None if code.redirect.named => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "send the redirect_uri of the authorization request",
                    );
                }
                Some(uri) if uri != code.redirect.redirect_uri => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "the redirect_uri differs from the authorization request's",
                    );
                }
                _ => {}
            }
            issued = code;
            upstream.extend([
                ("grant_type", "authorization_code"),
                ("code", issued.upstream_code.as_str()),
                ("code_verifier", verifier),
                ("redirect_uri", callback.as_str()),
            ]);
        }
        Some("refresh_token") => {
            let Some(sealed) = param("refresh_token") else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "send the refresh_token",
                );
            };
            let Some(refresh_token) = proxy.signer.open_refresh_token(client_id, sealed) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the refresh token is unknown here or was issued to another client",
                );
            };
            opened = refresh_token;
            upstream.extend([
                ("grant_type", "refresh_token"),
                ("refresh_token", opened.as_str()),
            ]);
            if let Some(scope) = param("scope") {
                upstream.push(("scope", scope));
            }
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    }
    upstream.push(("audience", &proxy.upstream.audience));
    relay(&proxy, client_id, form::encode(upstream)).await
}

/// Sends the token request to Auth0 and relays its answer and status to `client_id`.
async fn relay(proxy: &Proxy, client_id: &str, body: String) -> Response {
    let url = proxy.upstream.token_url();
    let sent = proxy
        .http
        .post(&url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(body)
        .send();
    let sent = observe::upstream("auth0_token", &url, observe::http_ok, sent).await;
    let response = match sent {
        Ok(response) => response,
        Err(err) => {
            let why = if err.is_timeout() {
                "Auth0 did not answer in time"
            } else {
                "Auth0 cannot be reached"
            };
            tracing::warn!("token exchange failed: {why}");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                why,
            );
        }
    };
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let Ok(bytes) = read_capped(response, 1 << 20).await else {
        return error(
            StatusCode::BAD_GATEWAY,
            "temporarily_unavailable",
            "Auth0's answer was cut short or too large",
        );
    };
    let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else {
        return error(
            StatusCode::BAD_GATEWAY,
            "server_error",
            "Auth0 answered with something other than JSON",
        );
    };
    if let Some(answer) = answer.as_object_mut() {
        answer.remove("id_token");
        if let Some(refresh_token) = answer.get("refresh_token").and_then(Value::as_str) {
            let sealed = proxy.signer.seal_refresh_token(client_id, refresh_token);
            answer.insert("refresh_token".into(), sealed.into());
        }
    }
    JsonBody::new(status, &answer).no_store().into_response()
}

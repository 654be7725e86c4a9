//! `GET /oauth/callback`: Auth0 sends the browser back; the client gets a code of ours, bound
//! to that client and redirect URI, with `iss` (RFC 9207).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use aws_lc_rs::digest;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

use super::cookies;
use super::limits::store_unavailable;
use super::pages;
use super::state::{IssuedCode, Pending, Proxy, Return};
use crate::store::{PutError, TakeError};
use crate::web::form;
use crate::web::random::random_token;

pub(crate) async fn callback(
    State(proxy): State<Arc<Proxy>>,
    parts: Parts,
    RawQuery(query): RawQuery,
) -> Response {
    let params = form::parse(query.unwrap_or_default().as_bytes());
    // Only the browser that consented (it holds the binding cookie) may finish the sign-in; a
    // `state` shown to any other browser is refused and stays usable by the right one.
    let state_param = params.get("state").map(String::as_str).unwrap_or_default();
    let state_cookie = cookies::state(state_param);
    let binding = proxy
        .cookies
        .get(&parts.headers, &state_cookie)
        .unwrap_or_default();
    let browser = digest::digest(&digest::SHA256, binding.as_bytes());
    let taken = match params.get("state") {
        Some(state) => proxy.pending.take(state, browser.as_ref()).await,
        None => Err(TakeError::Missing),
    };
    let pending = match taken {
        Ok(pending) => pending,
        Err(TakeError::Unavailable) => return store_unavailable(false),
        Err(TakeError::Missing) => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "This sign-in expired or was already completed. Start again from your application.",
            );
        }
        Err(TakeError::Refused) => {
            return pages::error(
                StatusCode::FORBIDDEN,
                "This sign-in was started in another browser. Start again from your application, in this browser.",
            );
        }
    };
    let mut response = finish(&proxy, &params, pending, proxy.limits.address(&parts)).await;
    proxy.cookies.clear(&mut response, &state_cookie);
    response
}

/// The client's answer for a sign-in that came back from Auth0: a code of ours, or Auth0's
/// error.
async fn finish(
    proxy: &Proxy,
    params: &HashMap<String, String>,
    pending: Pending,
    address: IpAddr,
) -> Response {
    let state = pending.client_state.as_deref();
    let redirect_uri = pending.redirect.redirect_uri.as_str();
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(String::as_str)
            .unwrap_or("Auth0 refused the sign-in");
        return proxy.redirect_to_client(
            redirect_uri,
            &[("error", error), ("error_description", description)],
            state,
        );
    }
    let Some(upstream_code) = params.get("code").filter(|c| c.len() <= MAX_UPSTREAM_CODE) else {
        return proxy.redirect_to_client(redirect_uri, &[("error", "server_error")], state);
    };
    let code = random_token(32);
    let issued = IssuedCode {
        upstream_code: upstream_code.clone(),
        client: pending.client,
        redirect: Return {
            redirect_uri: redirect_uri.to_owned(),
            named: pending.redirect.named,
        },
    };
    match proxy.codes.insert(&code, b"", &issued, address).await {
        Ok(()) => {}
        Err(PutError::Full) => {
            return proxy.redirect_to_client(
                redirect_uri,
                &[("error", "temporarily_unavailable")],
                state,
            );
        }
        // The code cannot be kept, so none is handed out; the client hears why.
        Err(PutError::Unavailable) => {
            return proxy.redirect_to_client(
                redirect_uri,
                &[
                    ("error", "temporarily_unavailable"),
                    (
                        "error_description",
                        "the server cannot reach its shared store; try again in a moment",
                    ),
                ],
                state,
            );
        }
    }
    proxy.redirect_to_client(redirect_uri, &[("code", &code)], state)
}

/// The longest code accepted from Auth0 (its codes are a few dozen characters).
const MAX_UPSTREAM_CODE: usize = 2048;

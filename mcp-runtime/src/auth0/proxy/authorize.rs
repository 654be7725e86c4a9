//! `GET /authorize` and `POST /authorize/consent`: check the client, its exact redirect URI
//! and PKCE, ask the user's consent for that client (the confused-deputy defence the
//! specification requires of proxies with a static upstream client), then send the browser to
//! Auth0 under a random single-use `state` bound to this browser.

use std::net::IpAddr;
use std::sync::Arc;

use aws_lc_rs::digest;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::cimd;
use super::cookies::{self, CONSENT};
use super::limits::{Endpoint, store_unavailable, too_many_requests};
use super::pages::{self, GO_BACK};
use super::signing::{Client, ClientKey};
use super::state::{ConsentRequest, Pending, Proxy, Return};
use crate::store::{LIFETIME, PutError, TakeError, Unavailable};
use crate::web::form;
use crate::web::random::random_token;
use crate::web::response::{OAuthError, Redirect};

/// How long the browser remembers a consent.
const CONSENT_MAX_AGE: u64 = 30 * 24 * 3600;
/// The longest `state` a client may send: it is kept until the sign-in ends.
pub(crate) const MAX_STATE: usize = 1024;
/// The longest `scope` a client may ask for.
pub(crate) const MAX_SCOPE: usize = 1024;

/// `GET /authorize`.
pub(crate) async fn authorize(
    State(proxy): State<Arc<Proxy>>,
    parts: Parts,
    RawQuery(query): RawQuery,
) -> Response {
    let headers = &parts.headers;
    let params = form::parse(query.unwrap_or_default().as_bytes());
    let client_id = params.get("client_id").map(String::as_str);
    match proxy
        .limits
        .allow(Endpoint::Authorize, &parts, client_id)
        .await
    {
        Ok(true) => {}
        Ok(false) => return too_many_requests(false),
        Err(Unavailable) => return store_unavailable(false),
    }
    let Some(client_id) = params.get("client_id") else {
        return pages::refused(
            StatusCode::BAD_REQUEST,
            GO_BACK,
            "the request names no client_id.",
        );
    };
    let client = match proxy.client(client_id).await {
        Ok(client) => client,
        Err(why) if cimd::is_document_url(client_id) => {
            return pages::refused(StatusCode::BAD_REQUEST, GO_BACK, &why);
        }
        Err(why) => return unknown_client(&parts, &why),
    };
    // Never redirect to a URI the client did not register: errors before this point are pages.
    let named = params.contains_key("redirect_uri");
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if client.redirect_uris.contains(uri) => uri.clone(),
        Some(_) => {
            return pages::refused(
                StatusCode::BAD_REQUEST,
                GO_BACK,
                "the redirect_uri is not one this client registered.",
            );
        }
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => {
            return pages::refused(
                StatusCode::BAD_REQUEST,
                GO_BACK,
                "the request names no redirect_uri, and the client registered several.",
            );
        }
    };
    let client_state = params.get("state").cloned();
    if client_state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        // Too long to keep, and to send back: a page, not a redirect.
        return pages::refused(
            StatusCode::BAD_REQUEST,
            GO_BACK,
            &format!("the state is longer than {MAX_STATE} bytes."),
        );
    }
    let key = ClientKey::of(client_id);
    let consents = proxy.signer.consents(proxy.cookies.get(headers, CONSENT));
    // Errors go back to the client's redirect URI only once the user has consented to being
    // sent there for this client; before that they are a page here, so that anyone who
    // registers a client cannot use this server as an open redirector.
    let trusted = consents.trusts(key, &redirect_uri);
    let fail = |error: &str, description: &str| {
        if trusted {
            proxy.redirect_to_client(
                &redirect_uri,
                &[("error", error), ("error_description", description)],
                client_state.as_deref(),
            )
        } else {
            pages::refused(
                StatusCode::BAD_REQUEST,
                GO_BACK,
                &format!("{description} ({error})."),
            )
        }
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return fail(
            "unsupported_response_type",
            "only the authorization code flow (response_type=code) is supported",
        );
    }
    let challenge = params
        .get("code_challenge")
        .filter(|c| (43..=128).contains(&c.len()));
    let (Some(challenge), Some("S256")) = (
        challenge,
        params.get("code_challenge_method").map(String::as_str),
    ) else {
        return fail(
            "invalid_request",
            "PKCE is required: send a code_challenge with code_challenge_method=S256",
        );
    };
    if let Some(resource) = params.get("resource")
        && !proxy.is_our_resource(resource)
    {
        return fail(
            "invalid_target",
            "the resource is not this server's MCP endpoint",
        );
    }
    let scope = params.get("scope").cloned().unwrap_or_default();
    if scope.len() > MAX_SCOPE {
        return fail(
            "invalid_scope",
            "the scope is longer than this server accepts",
        );
    }
    // The same client, redirect URI and permissions as a consent this browser gave: no page.
    let remembered = consents.contains(key, &redirect_uri, &scope);
    let request = ConsentRequest {
        client: key,
        redirect: Return {
            redirect_uri,
            named,
        },
        client_state,
        code_challenge: challenge.clone(),
        scope,
    };
    let address = proxy.limits.address(&parts);
    if remembered {
        return upstream_redirect(&proxy, request, address).await;
    }
    consent_page(&proxy, request, &client, address).await
}

/// The page for a sign-in refused because too many are pending.
fn too_many_sign_ins() -> Response {
    pages::error(
        StatusCode::SERVICE_UNAVAILABLE,
        "Too many sign-ins are in progress. Try again in a few minutes.",
    )
}

/// A client id this server did not sign: a page for a person (their application must register
/// again), or, for a client that asks for JSON, the OAuth error `invalid_client`.
fn unknown_client(parts: &Parts, why: &str) -> Response {
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/json") && !accept.contains("text/html") {
        return OAuthError::new(StatusCode::BAD_REQUEST, "invalid_client", why.to_owned())
            .into_response();
    }
    pages::refused(StatusCode::BAD_REQUEST, pages::UNKNOWN_APPLICATION, why)
}

/// Shows the consent page for `request`, bound to this browser by a cookie.
async fn consent_page(
    proxy: &Proxy,
    request: ConsentRequest,
    client: &Client,
    address: IpAddr,
) -> Response {
    let txn = random_token(32);
    let csrf = proxy.signer.csrf(&txn);
    let action = format!("{}/authorize/consent", proxy.base);
    let mut response = pages::consent(&pages::Consent {
        server_name: &proxy.server_name,
        client_name: client.name.as_deref(),
        document_host: client.document_host.as_deref(),
        redirect_uri: &request.redirect.redirect_uri,
        scopes: upstream_scopes(proxy, &request.scope)
            .into_iter()
            .map(|s| (s, proxy.describe(s)))
            .collect(),
        action: &action,
        txn: &txn,
        csrf: &csrf,
    });
    match proxy.consents.insert(&txn, b"", &request, address).await {
        Ok(()) => {}
        Err(PutError::Full) => return too_many_sign_ins(),
        Err(PutError::Unavailable) => return store_unavailable(false),
    }
    proxy
        .cookies
        .set(&mut response, &cookies::txn(&txn), &txn, LIFETIME.as_secs());
    response
}

/// `POST /authorize/consent`: the user's answer, checked against the CSRF token and cookie.
pub(crate) async fn consent(
    State(proxy): State<Arc<Proxy>>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let headers = &parts.headers;
    let form = form::parse(&body);
    let (Some(txn), Some(csrf)) = (form.get("txn"), form.get("csrf")) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "The consent form is incomplete. Start again from your application.",
        );
    };
    let txn_cookie = cookies::txn(txn);
    let bound = proxy.cookies.get(headers, &txn_cookie) == Some(txn.as_str());
    if !bound || !proxy.signer.csrf_ok(txn, csrf) {
        return pages::error(
            StatusCode::FORBIDDEN,
            "This consent did not come from the page this server showed you.",
        );
    }
    let request = match proxy.consents.take(txn, b"").await {
        Ok(request) => request,
        Err(TakeError::Unavailable) => return store_unavailable(false),
        Err(TakeError::Missing | TakeError::Refused) => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "This consent page expired or was already used. Start again from your application.",
            );
        }
    };
    if form.get("decision").map(String::as_str) != Some("approve") {
        let mut response = proxy.redirect_to_client(
            &request.redirect.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "the user denied access"),
            ],
            request.client_state.as_deref(),
        );
        proxy.cookies.clear(&mut response, &txn_cookie);
        return response;
    }
    let mut consents = proxy.signer.consents(proxy.cookies.get(headers, CONSENT));
    consents.add(
        request.client,
        &request.redirect.redirect_uri,
        &request.scope,
    );
    let remembered = proxy.signer.consent_cookie(&consents);
    let mut response = upstream_redirect(&proxy, request, proxy.limits.address(&parts)).await;
    proxy
        .cookies
        .set(&mut response, CONSENT, &remembered, CONSENT_MAX_AGE);
    proxy.cookies.clear(&mut response, &txn_cookie);
    response
}

/// The scopes asked of Auth0 for a client's `scope`: the configured upstream ones (sign-in,
/// profile, refresh), then the client's. The consent page shows exactly these.
fn upstream_scopes<'a>(proxy: &'a Proxy, scope: &'a str) -> Vec<&'a str> {
    let mut scopes: Vec<&str> = proxy
        .upstream
        .upstream_scopes
        .iter()
        .map(String::as_str)
        .collect();
    for scope in scope.split(' ').filter(|s| !s.is_empty()) {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// Sends the browser to Auth0 for this authorization.
async fn upstream_redirect(proxy: &Proxy, request: ConsentRequest, address: IpAddr) -> Response {
    let state = random_token(32);
    // The `state` alone could be handed to someone else's browser; a cookie set here binds
    // the sign-in to the browser that consented (the callback checks it).
    let binding = random_token(32);
    let browser = digest::digest(&digest::SHA256, binding.as_bytes());
    let pending = Pending {
        client: request.client,
        redirect: request.redirect,
        client_state: request.client_state,
    };
    match proxy
        .pending
        .insert(&state, browser.as_ref(), &pending, address)
        .await
    {
        Ok(()) => {}
        Err(PutError::Full) => return too_many_sign_ins(),
        Err(PutError::Unavailable) => return store_unavailable(false),
    }
    let scopes = upstream_scopes(proxy, &request.scope).join(" ");
    let Ok(mut url) = reqwest::Url::parse(&proxy.upstream.authorize_url()) else {
        return pages::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The Auth0 domain is not a valid URL.",
        );
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &proxy.upstream_client.0)
        .append_pair("redirect_uri", &proxy.callback_url())
        .append_pair("scope", &scopes)
        .append_pair("state", &state)
        .append_pair("audience", &proxy.upstream.audience)
        .append_pair("code_challenge", &request.code_challenge)
        .append_pair("code_challenge_method", "S256");
    let mut response = Redirect::to(url.as_str()).into_response();
    proxy.cookies.set(
        &mut response,
        &cookies::state(&state),
        &binding,
        LIFETIME.as_secs(),
    );
    response
}

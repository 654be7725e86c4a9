//! `oauth = auth0_proxy`: this server is the authorization server that MCP clients see, in
//! front of one pre-registered Auth0 Regular Web Application.
//!
//! Clients register here (RFC 7591) and get a client id that is signed and stateless: it
//! carries the redirect URIs it registered, so no client can later use another
//! ([`signing`]). Or their client id is the URL of their metadata document ([`cimd`]). `/authorize` checks the client, the exact redirect URI and PKCE S256, asks
//! the user's consent for that client, then sends the browser to Auth0 ([`authorize`]). The
//! callback hands the client a code of ours ([`callback`]), which `/token` exchanges at Auth0
//! ([`token`]).

pub(crate) mod authorize;
pub(crate) mod callback;
pub(crate) mod cimd;
pub(crate) mod cookies;
pub(crate) mod limits;
pub(crate) mod pages;
pub(crate) mod register;
pub(crate) mod signing;
pub(crate) mod state;
pub(crate) mod token;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::web::cors;
use crate::web::response::JsonBody;
use state::Proxy;

/// The routes of the authorization server side: the JSON endpoints readable from any
/// origin, the pages a person sees without CORS.
pub(crate) fn router(proxy: Arc<Proxy>) -> Router {
    let public = cors::public(
        Router::new()
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .route("/.well-known/openid-configuration", get(metadata))
            .route("/register", post(register::register))
            .route("/token", post(token::token)),
    );
    Router::new()
        .route("/authorize", get(authorize::authorize))
        .route("/authorize/consent", post(authorize::consent))
        .route("/oauth/callback", get(callback::callback))
        .merge(public)
        .with_state(proxy)
}

async fn metadata(State(proxy): State<Arc<Proxy>>) -> Response {
    JsonBody::ok(&proxy.metadata()).into_response()
}

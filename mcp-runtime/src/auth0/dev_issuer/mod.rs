//! A development stand-in for an Auth0 tenant, on loopback: the same endpoint paths, test users
//! `alice` and `bob`, and a login page to pick one. It lets the Auth0 modes run their whole
//! flow with no Auth0 account. Never for production: anyone can sign in as anyone.

pub(crate) mod login;
pub(crate) mod saved;
pub(crate) mod state;
pub(crate) mod token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};

use crate::auth::signing::SigningKey;
use crate::web::cors;
use crate::web::loopback;
use crate::web::random::random_token;
use state::{Issuer, lock};

/// A development issuer that behaves like an Auth0 tenant, on a loopback port.
///
/// It serves `/authorize` (with a login page to pick `alice`, who may read and delete
/// documents, or `bob`, who may only read), `/oauth/token` (authorization code with PKCE, and
/// refresh tokens), `/.well-known/jwks.json`, `/.well-known/openid-configuration` and open
/// dynamic registration at `/oidc/register`. Its access tokens carry Auth0's `permissions`
/// claim. It stops when dropped.
pub(crate) struct DevIssuer {
    state: Arc<Issuer>,
    task: tokio::task::JoinHandle<()>,
}

impl DevIssuer {
    /// Starts the issuer for the API `audience` on `port` (`None`: the port it had last
    /// time, if free, else any), with one pre-registered application. Its credentials, key
    /// and port are those it kept from its last run ([`saved`]), or new ones, kept for the
    /// next.
    pub(crate) async fn start(audience: &str, port: Option<u16>) -> std::io::Result<DevIssuer> {
        let kept = saved::load();
        let key = kept
            .as_ref()
            .and_then(|kept| SigningKey::from_pkcs8("dev-key-1".into(), &kept.key_pkcs8))
            .unwrap_or_else(|| SigningKey::generate("dev-key-1".into()));
        let (listener, addr) = match (port, kept.as_ref().map(|kept| kept.port)) {
            (Some(port), _) => loopback::bind(port).await?,
            (None, Some(last)) => match loopback::bind(last).await {
                Ok(bound) => bound,
                Err(_) => loopback::bind(0).await?,
            },
            (None, None) => loopback::bind(0).await?,
        };
        let (client_id, client_secret) = match &kept {
            Some(kept) => (kept.client_id.clone(), kept.client_secret.clone()),
            None => (format!("dev-client-{}", random_token(8)), random_token(32)),
        };
        if let Some(key_pkcs8) = key.to_pkcs8() {
            saved::store(&saved::Saved {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                key_pkcs8,
                port: addr.port(),
            });
        }
        let issuer = format!("http://{addr}/");
        let state = Arc::new(Issuer {
            key,
            base: issuer.trim_end_matches('/').to_owned(),
            issuer,
            audience: audience.to_owned(),
            client_secret,
            clients: Mutex::new(HashMap::from([(client_id.clone(), Vec::new())])),
            client_id,
            codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
        });
        let public = cors::public(
            Router::new()
                .route("/.well-known/openid-configuration", get(token::discovery))
                .route(
                    "/.well-known/oauth-authorization-server",
                    get(token::discovery),
                )
                .route("/.well-known/jwks.json", get(token::jwks))
                .route("/oauth/token", post(token::token))
                .route("/oidc/register", post(token::register)),
        );
        let router = Router::new()
            .route("/authorize", get(login::page).post(login::login))
            .merge(public)
            .with_state(Arc::clone(&state));
        Ok(DevIssuer {
            state,
            task: loopback::spawn(listener, router),
        })
    }

    /// The issuer's base URL, to use as `AUTH0_DOMAIN`.
    pub(crate) fn domain(&self) -> &str {
        &self.state.base
    }

    /// The pre-registered application's client id.
    pub(crate) fn client_id(&self) -> &str {
        &self.state.client_id
    }

    /// The pre-registered application's client secret.
    pub(crate) fn client_secret(&self) -> &str {
        &self.state.client_secret
    }

    /// Lets the pre-registered application redirect to `uri` (the proxy's callback).
    pub(crate) fn allow_redirect_uri(&self, uri: String) {
        let mut clients = lock(&self.state.clients);
        let uris = clients.entry(self.state.client_id.clone()).or_default();
        if !uris.contains(&uri) {
            uris.push(uri);
        }
    }
}

impl Drop for DevIssuer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

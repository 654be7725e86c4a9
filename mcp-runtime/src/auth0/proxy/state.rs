//! The proxy: its settings, its key, its pending items, and how it sends a browser back to a
//! client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::cimd::{self, Documents};
use super::cookies::Cookies;
use super::limits::Limits;
use super::pages;
use super::signing::{Client, ClientKey, Signer};
use crate::auth0::config::Auth0Config;
use crate::store::{SingleUse, Store};
use crate::web::response::Redirect;
use crate::web::url::is_loopback;

/// Where a client asked the browser to go back to, as `/token` must check it.
#[derive(Serialize, Deserialize)]
pub(crate) struct Return {
    pub(crate) redirect_uri: String,
    /// Whether the authorization request named `redirect_uri` (then `/token` must send the
    /// same, RFC 6749 section 4.1.3), or left it to the client's only registered one.
    pub(crate) named: bool,
}

/// An authorization waiting for the user at Auth0. It is kept with the SHA-256 of the
/// browser's binding cookie as its guard: only the browser that consented may finish.
#[derive(Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) client: ClientKey,
    pub(crate) redirect: Return,
    pub(crate) client_state: Option<String>,
}

/// An authorization waiting for the user's consent.
#[derive(Serialize, Deserialize)]
pub(crate) struct ConsentRequest {
    pub(crate) client: ClientKey,
    pub(crate) redirect: Return,
    pub(crate) client_state: Option<String>,
    pub(crate) code_challenge: String,
    /// The permissions the client asked for, as it sent them.
    pub(crate) scope: String,
}

/// A code this server handed to a client, standing for Auth0's.
#[derive(Serialize, Deserialize)]
pub(crate) struct IssuedCode {
    pub(crate) upstream_code: String,
    pub(crate) client: ClientKey,
    pub(crate) redirect: Return,
}

/// What the proxy is told of the server it stands in front of.
pub(crate) struct ProxySettings {
    /// The server's public URL: the proxy's issuer.
    pub(crate) base: String,
    /// The public URL was derived from a loopback address: the MCP endpoint is also reached
    /// under the other loopback names on that port (`localhost` for `127.0.0.1`).
    pub(crate) loopback_aliases: bool,
    /// The canonical MCP URL that tokens are for.
    pub(crate) resource: String,
    /// `scopes_supported` of the metadata.
    pub(crate) scopes_supported: Vec<String>,
    /// The server's name, for the consent page.
    pub(crate) server_name: String,
    /// The fetcher of clients' metadata documents.
    pub(crate) documents: Documents,
    /// What each permission means, for the consent page.
    pub(crate) descriptions: Vec<(String, String)>,
}

/// The authorization server that MCP clients see, in front of one Auth0 application.
pub(crate) struct Proxy {
    pub(crate) limits: Limits,
    pub(crate) upstream: Auth0Config,
    /// The upstream application's client id and secret.
    pub(crate) upstream_client: (String, String),
    /// Our issuer: the server's public URL.
    pub(crate) base: String,
    pub(crate) resource: String,
    pub(crate) loopback_aliases: bool,
    pub(crate) scopes_supported: Vec<String>,
    pub(crate) server_name: String,
    pub(crate) descriptions: Vec<(String, String)>,
    pub(crate) signer: Signer,
    pub(crate) documents: Documents,
    pub(crate) cookies: Cookies,
    pub(crate) http: reqwest::Client,
    pub(crate) pending: SingleUse<Pending>,
    pub(crate) consents: SingleUse<ConsentRequest>,
    pub(crate) codes: SingleUse<IssuedCode>,
}

impl Proxy {
    /// A proxy in front of the application whose credentials are `upstream_client`, keeping
    /// its pending items and rate limits in `store`.
    pub(crate) fn new(
        upstream: Auth0Config,
        upstream_client: (String, String),
        settings: ProxySettings,
        http: reqwest::Client,
        store: &Store,
    ) -> Self {
        Proxy {
            limits: Limits::per_minute(
                upstream.rate_limit_per_minute,
                upstream.trust_forwarded,
                store,
            ),
            signer: Signer::from_secret(&upstream_client.1),
            cookies: Cookies::for_base(&settings.base),
            upstream,
            upstream_client,
            base: settings.base,
            resource: settings.resource,
            loopback_aliases: settings.loopback_aliases,
            scopes_supported: settings.scopes_supported,
            server_name: settings.server_name,
            documents: settings.documents,
            descriptions: settings.descriptions,
            http,
            pending: store.single_use("state"),
            consents: store.single_use("consent"),
            codes: store.single_use("code"),
        }
    }

    /// The authorization server metadata (RFC 8414).
    pub(crate) fn metadata(&self) -> Value {
        let base = &self.base;
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "client_id_metadata_document_supported": true,
            "scopes_supported": self.scopes_supported,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "subject_types_supported": ["public"],
        })
    }

    /// The client a client id stands for: one this server registered (the id is signed), or
    /// one whose id is the URL of its metadata document; otherwise why not, for the person or
    /// client to read.
    pub(crate) async fn client(&self, client_id: &str) -> Result<Client, String> {
        if cimd::is_document_url(client_id) {
            return self.documents.client(client_id).await.map_err(|r| r.0);
        }
        self.signer.client(client_id).ok_or_else(|| {
            "the client_id is not one this server registered (it may come from another server, or from before its secret changed): register the client again".to_owned()
        })
    }

    /// Whether `resource` (RFC 8707) names this server's MCP endpoint: its canonical URL, or,
    /// on a loopback server without a configured public URL, the same URL under another
    /// loopback name.
    pub(crate) fn is_our_resource(&self, resource: &str) -> bool {
        let trimmed = |s: &str| s.trim_end_matches('/').to_owned();
        if trimmed(resource) == trimmed(&self.resource) {
            return true;
        }
        if !self.loopback_aliases {
            return false;
        }
        let (Ok(asked), Ok(ours)) = (
            reqwest::Url::parse(resource),
            reqwest::Url::parse(&self.resource),
        ) else {
            return false;
        };
        asked.scheme() == "http"
            && asked
                .host_str()
                .is_some_and(|h| is_loopback(h.trim_matches(['[', ']'])))
            && asked.port_or_known_default() == ours.port_or_known_default()
            && asked.path().trim_end_matches('/') == ours.path().trim_end_matches('/')
            && asked.query().is_none()
    }

    /// What `scope` means, or nothing when the vocabulary does not say.
    pub(crate) fn describe(&self, scope: &str) -> &str {
        self.descriptions
            .iter()
            .find(|(name, _)| name == scope)
            .map_or("", |(_, description)| description.as_str())
    }

    /// This server's callback, where Auth0 sends the browser back.
    pub(crate) fn callback_url(&self) -> String {
        format!("{}/oauth/callback", self.base)
    }

    /// Redirects to a client's registered redirect URI with `params`, its `state` and our
    /// `iss` (RFC 9207).
    pub(crate) fn redirect_to_client(
        &self,
        uri: &str,
        params: &[(&str, &str)],
        state: Option<&str>,
    ) -> Response {
        let Ok(mut url) = reqwest::Url::parse(uri) else {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "The redirect URI is not a valid URL.",
            );
        };
        {
            let mut query = url.query_pairs_mut();
            for (key, value) in params {
                query.append_pair(key, value);
            }
            if let Some(state) = state {
                query.append_pair("state", state);
            }
            query.append_pair("iss", &self.base);
        }
        Redirect::to(url.as_str()).into_response()
    }
}

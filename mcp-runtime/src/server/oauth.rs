//! What a server's OAuth mode adds to the MCP endpoint: the token verifier and resource
//! server, and the routes of the authorization side (Auth0's mirrored metadata, or the proxy).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::mode::Mode;
use crate::auth::jwt::JwtConfig;
use crate::auth::resource::{ResourceServer, ResourceSettings};
use crate::auth0::config::{Auth0Config, README_SECTION};
use crate::auth0::metadata::MetadataMirror;
use crate::auth0::proxy::{self, cimd::Documents, state::Proxy, state::ProxySettings};
use crate::engine::info::ServerInfo;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::web::cors;
use crate::web::upstream;
use crate::web::url::is_loopback_url;

/// The OAuth settings a server was given; which ones it needs is its mode's choice.
#[derive(Default)]
pub(crate) struct OAuthSettings {
    pub(crate) jwt: Option<JwtConfig>,
    pub(crate) auth0: Option<Auth0Config>,
    /// The URL clients reach the server at, without the MCP path.
    pub(crate) public_url: Option<String>,
    /// Whether `serve` derived the public URL from its address (none was configured).
    pub(crate) public_url_derived: bool,
    pub(crate) allow_anonymous: bool,
}

/// What the mode adds to the MCP endpoint.
#[derive(Default)]
pub(crate) struct OAuthParts {
    pub(crate) resource: Option<ResourceServer>,
    pub(crate) routes: Option<Router>,
    /// Who issues the tokens, in words, for the start-up banner.
    pub(crate) authorization_server: Option<String>,
    /// Token signatures are not verified (local development only).
    pub(crate) verification_off: bool,
}

impl OAuthSettings {
    /// The parts of `mode` for a server described by `info` with its endpoint at `path`.
    /// The proxy keeps its pending items and rate limits in `store`.
    pub(crate) fn build(
        &self,
        mode: Mode,
        info: &ServerInfo,
        path: &str,
        store: &Store,
    ) -> Result<OAuthParts> {
        let (jwt, scopes, routes, described) = match mode {
            Mode::None => return Ok(OAuthParts::default()),
            Mode::Jwt => {
                let Some(config) = self.jwt.clone() else {
                    return Err(Error::Config(
                        "`oauth = jwt` needs to know how to verify tokens: call `.jwt(JwtConfig::new(issuer, audience))` \
                         on the server before serving it"
                            .into(),
                    ));
                };
                let described = config.authorization_server.clone();
                (config, None, None, described)
            }
            Mode::Auth0 => {
                let config = self.auth0_config(mode)?;
                let client = upstream::client(Duration::from_secs(5))?;
                let mirror = Arc::new(MetadataMirror::new(config.discovery_url(), client));
                let routes = cors::public(
                    Router::new()
                        .route("/.well-known/oauth-authorization-server", get(mirrored))
                        .route("/.well-known/openid-configuration", get(mirrored)),
                )
                .with_state(mirror);
                let jwt = self.verification(config)?;
                let described = format!("{} (Auth0; clients register there)", config.issuer());
                (
                    jwt.authorization_server(config.issuer()),
                    config.scopes_supported.clone(),
                    Some(routes),
                    described,
                )
            }
            Mode::Auth0Proxy => {
                let config = self.auth0_config(mode)?;
                let (client_id, client_secret) = config.credentials()?;
                let public_url = self.public_url()?;
                let scopes = config.scopes_supported.clone();
                let advertised = scopes
                    .clone()
                    .unwrap_or_else(|| info.permissions.iter().map(|p| (*p).to_owned()).collect());
                let jwt = self
                    .verification(config)?
                    .authorization_server(public_url.to_owned());
                let described = format!(
                    "{public_url} (this server, a proxy in front of Auth0 at {})",
                    config.issuer()
                );
                let proxy = Proxy::new(
                    config.clone(),
                    (client_id.to_owned(), client_secret.to_owned()),
                    ProxySettings {
                        base: public_url.to_owned(),
                        loopback_aliases: self.public_url_derived,
                        resource: format!("{public_url}{path}"),
                        scopes_supported: advertised,
                        server_name: info.display_name().to_owned(),
                        descriptions: info
                            .permissions
                            .iter()
                            .filter_map(|p| {
                                info.describe(p).map(|d| ((*p).to_owned(), d.to_owned()))
                            })
                            .collect(),
                        documents: Documents::new(
                            is_loopback_url(public_url),
                            config.client_metadata_trust_root_pem()?.as_deref(),
                        )?,
                    },
                    upstream::client(Duration::from_secs(10))?,
                    store,
                );
                if let Some(dev) = &config.dev_issuer {
                    dev.allow_redirect_uri(proxy.callback_url());
                }
                (jwt, scopes, Some(proxy::router(Arc::new(proxy))), described)
            }
        };
        jwt.validate().map_err(Error::Config)?;
        let verification_off = jwt.skip_signature;
        let client = upstream::client(jwt.http_timeout)?;
        let resource = ResourceServer::new(
            jwt,
            client,
            ResourceSettings {
                public_url: self.public_url()?.to_owned(),
                path: path.to_owned(),
                name: info.display_name().to_owned(),
                scopes: scopes
                    .unwrap_or_else(|| info.permissions.iter().map(|p| (*p).to_owned()).collect()),
                allow_anonymous: self.allow_anonymous,
                derived_public_url: self.public_url_derived,
                store: store.clone(),
            },
        );
        Ok(OAuthParts {
            resource: Some(resource),
            routes,
            authorization_server: Some(described),
            verification_off,
        })
    }

    fn public_url(&self) -> Result<&str> {
        self.public_url.as_deref().ok_or_else(|| {
            Error::Config(
                "the server's public URL is unknown, and the protected resource metadata must name it: \
                 call `.public_url(\"https://mcp.example.com\")` (`serve` uses the address it listens on; \
                 `serve_from_env` reads MCP_PUBLIC_URL)"
                    .into(),
            )
        })
    }

    /// The Auth0 settings, checked, and allowed only where they are safe.
    fn auth0_config(&self, mode: Mode) -> Result<&Auth0Config> {
        let Some(config) = &self.auth0 else {
            return Err(Error::Config(format!(
                "`oauth = {}` needs its Auth0 settings: call `.auth0(Auth0Config::from_env()?)` on the server \
                 (see {README_SECTION})",
                mode.name()
            )));
        };
        config.validate()?;
        if config.dev_issuer.is_some() && !is_loopback_url(self.public_url()?) {
            return Err(Error::Config(format!(
                "the development issuer lets anyone sign in as anyone, so it serves only a server reached at a \
                 loopback address; this one is public: set the Auth0 settings (see {README_SECTION})"
            )));
        }
        Ok(config)
    }

    /// The verification of Auth0's tokens, or, for local development only, none of the
    /// signature.
    fn verification(&self, config: &Auth0Config) -> Result<JwtConfig> {
        let jwt = config.jwt_config();
        if config.verify_jwt {
            return Ok(jwt);
        }
        if !is_loopback_url(self.public_url()?) {
            return Err(Error::Config(
                "JWT verification can be turned off only for local development, on a server reached at a \
                 loopback address; this one is public"
                    .into(),
            ));
        }
        tracing::warn!(
            "!!! JWT SIGNATURES ARE NOT VERIFIED: anyone can forge a token. Local development only. !!!"
        );
        Ok(jwt.skip_signature_verification())
    }
}

async fn mirrored(State(mirror): State<Arc<MetadataMirror>>) -> axum::response::Response {
    mirror.response().await
}

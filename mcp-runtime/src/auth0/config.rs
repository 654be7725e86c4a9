//! The settings of the Auth0 modes, from the environment in one documented place, or from
//! code; and the explicit, loopback-only fallback to the development issuer.

use std::sync::Arc;

use super::dev_issuer::DevIssuer;
use crate::auth::jwt::JwtConfig;
use crate::error::Error;
use crate::web::url::check_url;

/// The README section that explains the Auth0 settings.
pub(crate) const README_SECTION: &str = "README.md, section \"Auth0 set-up\"";

/// The API identifier the development issuer issues tokens for.
const DEV_AUDIENCE: &str = "https://mcp-runtime.example/api";

/// The variables [`Auth0Config::from_env`] reads, alternatives together.
const DOMAIN_VARS: &[&str] = &["AUTH0_DOMAIN", "MCP_USE_OAUTH_AUTH0_DOMAIN"];
const AUDIENCE_VARS: &[&str] = &["AUTH0_AUDIENCE", "MCP_USE_OAUTH_AUTH0_AUDIENCE"];
const CLIENT_ID_VARS: &[&str] = &["AUTH0_CLIENT_ID"];
const CLIENT_SECRET_VARS: &[&str] = &["AUTH0_CLIENT_SECRET"];
const EXCHANGE_CLIENT_ID_VAR: &str = "AUTH0_EXCHANGE_CLIENT_ID";
const EXCHANGE_CLIENT_SECRET_VAR: &str = "AUTH0_EXCHANGE_CLIENT_SECRET";
/// A PEM certificate the proxy trusts when it fetches client metadata documents: for tests
/// and development.
const CLIENT_METADATA_CA_VAR: &str = "MCP_CLIENT_METADATA_CA_FILE";
/// Whether a reverse proxy's `Forwarded` / `X-Forwarded-For` names the client.
const TRUST_FORWARDED_VAR: &str = "MCP_TRUST_FORWARDED";
/// The development issuer's port.
const DEV_PORT_VAR: &str = "MCP_DEV_ISSUER_PORT";
/// The proxy's rate limit, requests a minute.
const RATE_LIMIT_VAR: &str = "MCP_RATE_LIMIT_PER_MINUTE";

/// Settings of `oauth = auth0` and `oauth = auth0_proxy`: the tenant, the API, and for the
/// proxy the Regular Web Application's credentials.
///
/// ```
/// # use mcp_runtime::Auth0Config;
/// let config = Auth0Config::new("your-tenant.us.auth0.com", "https://my-mcp-api/")
///     .client("client-id", "client-secret"); // auth0_proxy only
/// ```
///
/// From the environment: [`Auth0Config::from_env`]; with the development issuer when no
/// Auth0 setting is present: [`Auth0Config::from_env_or_dev_issuer`].
#[derive(Clone)]
pub struct Auth0Config {
    /// `https://your-tenant.us.auth0.com`, without a trailing slash.
    pub(crate) base: String,
    pub(crate) audience: String,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<String>,
    /// The client that exchanges callers' tokens, when it is not `client_id`.
    pub(crate) exchange_client: Option<(String, String)>,
    pub(crate) scopes_supported: Option<Vec<String>>,
    pub(crate) upstream_scopes: Vec<String>,
    pub(crate) verify_jwt: bool,
    pub(crate) rate_limit_per_minute: u32,
    /// The client's address comes from `Forwarded` / `X-Forwarded-For`.
    pub(crate) trust_forwarded: Option<ForwardedHeader>,
    /// Optional variables whose values did not parse, said when the server is built.
    env_problems: Vec<String>,
    /// The development issuer these settings point at, kept running as long as they live.
    pub(crate) dev_issuer: Option<Arc<DevIssuer>>,
    /// A certificate trusted for client metadata documents besides the system's roots.
    pub(crate) client_metadata_root: Option<TrustRoot>,
}

/// Where the extra trust root of client metadata documents comes from.
#[derive(Clone, Debug)]
pub(crate) enum TrustRoot {
    /// PEM given in code.
    Pem(Vec<u8>),
    /// A PEM file named by `MCP_CLIENT_METADATA_CA_FILE`, read when the server is built.
    File(std::path::PathBuf),
}

impl std::fmt::Debug for Auth0Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Config")
            .field("base", &self.base)
            .field("audience", &self.audience)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("verify_jwt", &self.verify_jwt)
            .field("dev_issuer", &self.dev_issuer.is_some())
            .finish_non_exhaustive()
    }
}

impl Auth0Config {
    /// Tokens from the tenant `domain` (`your-tenant.us.auth0.com`, or a URL with a scheme;
    /// `http://` only for a loopback host) for the API `audience`.
    pub fn new(domain: impl Into<String>, audience: impl Into<String>) -> Self {
        let domain = domain.into();
        let domain = domain.trim().trim_end_matches('/');
        let base = if domain.contains("://") {
            domain.to_owned()
        } else {
            format!("https://{domain}")
        };
        Auth0Config {
            base,
            audience: audience.into(),
            client_id: None,
            client_secret: None,
            exchange_client: None,
            scopes_supported: None,
            upstream_scopes: ["openid", "profile", "email", "offline_access"]
                .map(String::from)
                .to_vec(),
            verify_jwt: true,
            rate_limit_per_minute: 600,
            trust_forwarded: None,
            env_problems: Vec::new(),
            dev_issuer: None,
            client_metadata_root: None,
        }
    }

    /// The Regular Web Application's credentials (`oauth = auth0_proxy`).
    pub fn client(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret.into());
        self
    }

    /// Overrides the `scopes_supported` advertised to clients (by default the server's
    /// permission vocabulary).
    pub fn scopes_supported<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        scopes: I,
    ) -> Self {
        self.scopes_supported = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The scopes the proxy asks Auth0 for besides those the client asks for
    /// (default: `openid profile email offline_access`).
    pub fn upstream_scopes<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        scopes: I,
    ) -> Self {
        self.upstream_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How many requests a minute each of the proxy's `/register`, `/authorize` and `/token`
    /// accepts from one client address, and `/authorize` and `/token` for one client id (600
    /// by default, in bursts of up to a tenth of that); past it they answer 429 with
    /// `Retry-After`. See [`trust_forwarded_header`](Self::trust_forwarded_header) behind a
    /// reverse proxy.
    pub fn rate_limit(mut self, requests_per_minute: u32) -> Self {
        self.rate_limit_per_minute = requests_per_minute.max(1);
        self
    }

    /// Reads the client's address, for the rate limits and the pending stores' per-address
    /// share, from the right-most entry of `header` instead of the connection. Name the one
    /// header your reverse proxy appends to (`X-Forwarded-For` for nginx, AWS ALB, Cloud Run,
    /// Fly, Heroku; `Forwarded` for those that write RFC 7239): only that one is read, since a
    /// client can send the other and pick its own address. `MCP_TRUST_FORWARDED=x-forwarded-for`
    /// (or `forwarded`) sets it from the environment.
    pub fn trust_forwarded_header(mut self, header: ForwardedHeader) -> Self {
        self.trust_forwarded = Some(header);
        self
    }

    /// Trusts `pem` (one or more PEM certificates), besides the system's roots, when the proxy
    /// fetches a client's metadata document (`oauth = auth0_proxy`): **for tests and
    /// development only**, such as a document served over https on loopback with a
    /// self-signed certificate. `MCP_CLIENT_METADATA_CA_FILE` names such a file from the
    /// environment.
    pub fn client_metadata_trust_root(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.client_metadata_root = Some(TrustRoot::Pem(pem.into()));
        self
    }

    /// The extra trust root, read.
    pub(crate) fn client_metadata_trust_root_pem(&self) -> Result<Option<Vec<u8>>, Error> {
        match &self.client_metadata_root {
            None => Ok(None),
            Some(TrustRoot::Pem(pem)) => Ok(Some(pem.clone())),
            Some(TrustRoot::File(path)) => std::fs::read(path).map(Some).map_err(|e| {
                Error::Config(format!(
                    "{CLIENT_METADATA_CA_VAR} names `{}`, which cannot be read: {e} (unset it, or point it at a PEM certificate)",
                    path.display()
                ))
            }),
        }
    }

    /// The optional variables: `MCP_CLIENT_METADATA_CA_FILE`, `MCP_TRUST_FORWARDED`,
    /// `MCP_RATE_LIMIT_PER_MINUTE`. A value that does not parse is reported when the server
    /// is built.
    fn with_options_from_env(mut self) -> Self {
        if let Some(path) = std::env::var_os(CLIENT_METADATA_CA_VAR).filter(|v| !v.is_empty()) {
            self.client_metadata_root = Some(TrustRoot::File(path.into()));
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(value) = var(TRUST_FORWARDED_VAR) {
            match value.trim().to_ascii_lowercase().as_str() {
                "x-forwarded-for" => self.trust_forwarded = Some(ForwardedHeader::XForwardedFor),
                "forwarded" => self.trust_forwarded = Some(ForwardedHeader::Forwarded),
                _ => self.env_problems.push(format!(
                    "{TRUST_FORWARDED_VAR} `{value}` names no header: set it to the header your reverse proxy appends the client's address to, x-forwarded-for or forwarded, or unset it"
                )),
            }
        }
        match (var(EXCHANGE_CLIENT_ID_VAR), var(EXCHANGE_CLIENT_SECRET_VAR)) {
            (Some(id), Some(secret)) => self.exchange_client = Some((id, secret)),
            (None, None) => {}
            _ => self.env_problems.push(format!(
                "only one of {EXCHANGE_CLIENT_ID_VAR} and {EXCHANGE_CLIENT_SECRET_VAR} is set: set both (the Auth0 application that exchanges tokens on the caller's behalf), or neither to use AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET"
            )),
        }
        if let Some(value) = var(RATE_LIMIT_VAR) {
            match value.trim().parse::<u32>() {
                Ok(limit) if limit > 0 => self.rate_limit_per_minute = limit,
                _ => self.env_problems.push(format!(
                    "{RATE_LIMIT_VAR} `{value}` is not a number of requests a minute: set it to a whole number above 0, or unset it for 600"
                )),
            }
        }
        self
    }

    /// Accepts tokens without checking their signature, for local development only: the
    /// server refuses to start with it unless it is reached at a loopback address, answers
    /// only callers on its own machine, and says so loudly in the log. Issuer, audience and
    /// expiry are still checked.
    pub fn dangerously_skip_jwt_verification(mut self) -> Self {
        self.verify_jwt = false;
        self
    }

    /// The settings from the environment, the one place this crate reads them:
    ///
    /// | variable | |
    /// |---|---|
    /// | `AUTH0_DOMAIN` (or `MCP_USE_OAUTH_AUTH0_DOMAIN`) | required |
    /// | `AUTH0_AUDIENCE` (or `MCP_USE_OAUTH_AUTH0_AUDIENCE`) | required |
    /// | `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET` | required by `oauth = auth0_proxy` |
    /// | `MCP_CLIENT_METADATA_CA_FILE` | optional, tests and development: see [`client_metadata_trust_root`](Self::client_metadata_trust_root) |
    /// | `MCP_TRUST_FORWARDED` | optional, `x-forwarded-for` or `forwarded` behind a reverse proxy: see [`trust_forwarded_header`](Self::trust_forwarded_header) |
    /// | `MCP_RATE_LIMIT_PER_MINUTE` | optional, 600 by default: see [`rate_limit`](Self::rate_limit) |
    ///
    /// The error names every missing variable; which ones a server needs is decided by its
    /// `#[mcp_server(oauth = ...)]` when it is built.
    pub fn from_env() -> Result<Self, MissingSettings> {
        let var = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        };
        let (domain, audience) = (var(DOMAIN_VARS), var(AUDIENCE_VARS));
        let (client_id, client_secret) = (var(CLIENT_ID_VARS), var(CLIENT_SECRET_VARS));
        let none_set = domain.is_none()
            && audience.is_none()
            && client_id.is_none()
            && client_secret.is_none();
        let (Some(domain), Some(audience)) = (domain.clone(), audience.clone()) else {
            let mut missing = Vec::new();
            for (value, names) in [(&domain, DOMAIN_VARS), (&audience, AUDIENCE_VARS)] {
                if value.is_none() {
                    missing.push(names.join(" or "));
                }
            }
            let mut proxy_missing = Vec::new();
            for (value, names) in [
                (&client_id, CLIENT_ID_VARS),
                (&client_secret, CLIENT_SECRET_VARS),
            ] {
                if value.is_none() {
                    proxy_missing.push(names.join(" or "));
                }
            }
            return Err(MissingSettings {
                missing,
                proxy_missing,
                none_set,
            });
        };
        let mut config = Auth0Config::new(domain, audience);
        config.client_id = client_id;
        config.client_secret = client_secret;
        Ok(config.with_options_from_env())
    }

    /// [`from_env`](Self::from_env), or, when no Auth0 variable at all is set, the built-in
    /// development issuer: an explicit opt-in for trying a server without an Auth0 account.
    ///
    /// The development issuer runs on a loopback port as long as these settings (and the
    /// server built with them) live, with the same endpoint paths as Auth0 and a login page
    /// where anyone picks the test user `alice` (`read:data`, `delete:documents`) or `bob`
    /// (`read:data`). It is announced with a warning in the log, and a server refuses it unless
    /// it is reached at a loopback address. As soon as any Auth0 variable is set, a missing
    /// one is an error instead.
    pub async fn from_env_or_dev_issuer() -> Result<Self, Error> {
        match Self::from_env() {
            Ok(config) => Ok(config),
            Err(missing) if missing.none_set => {
                let config = Self::dev_issuer().await?.with_options_from_env();
                tracing::warn!(
                    "No Auth0 settings ({}): using the built-in DEVELOPMENT issuer at {} with test users \
                     alice and bob. Anyone can sign in as anyone: never use it in production.",
                    missing.all().join(", "),
                    config.base
                );
                Ok(config)
            }
            Err(missing) => Err(missing.into()),
        }
    }

    /// Settings that point at a new development issuer on a loopback port, whatever the
    /// environment says (see [`from_env_or_dev_issuer`](Self::from_env_or_dev_issuer)).
    pub async fn dev_issuer() -> Result<Self, Error> {
        let port = match std::env::var(DEV_PORT_VAR).ok().filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(value) => Some(value.trim().parse::<u16>().map_err(|_| {
                Error::Config(format!(
                    "{DEV_PORT_VAR} `{value}` is not a port number: set it to a number from 1 to 65535, or unset it"
                ))
            })?),
        };
        let issuer = DevIssuer::start(DEV_AUDIENCE, port).await.map_err(|err| {
            Error::Config(format!(
                "cannot start the development issuer on a loopback port{}: {err} (set {DEV_PORT_VAR} to a free port, or unset it)",
                port.map(|p| format!(" ({p})")).unwrap_or_default()
            ))
        })?;
        let mut config = Auth0Config::new(issuer.domain(), DEV_AUDIENCE)
            .client(issuer.client_id(), issuer.client_secret());
        config.dev_issuer = Some(Arc::new(issuer));
        Ok(config)
    }

    /// The issuer, as Auth0 writes it: `https://{domain}/`.
    pub(crate) fn issuer(&self) -> String {
        format!("{}/", self.base)
    }

    pub(crate) fn authorize_url(&self) -> String {
        format!("{}/authorize", self.base)
    }

    pub(crate) fn token_url(&self) -> String {
        format!("{}/oauth/token", self.base)
    }

    pub(crate) fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.base)
    }

    pub(crate) fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.base)
    }

    /// How tokens are verified: issued by the tenant for the audience, keys from its JWKS.
    pub(crate) fn jwt_config(&self) -> JwtConfig {
        let config = JwtConfig::new(self.issuer(), self.audience.clone()).jwks_url(self.jwks_url());
        match self.exchange_credentials() {
            Some((id, secret)) => config.token_exchange(self.token_url(), id, secret),
            None => config,
        }
    }

    /// How tokens of this tenant for another of its APIs (`audience`, its identifier) are
    /// verified: for a downstream API that takes the tokens tools get with
    /// [`Auth::token_for`](crate::Auth::token_for), with a [`TokenVerifier`](crate::TokenVerifier).
    pub fn jwt_config_for(&self, audience: impl Into<String>) -> JwtConfig {
        JwtConfig::new(self.issuer(), audience).jwks_url(self.jwks_url())
    }

    /// The client that exchanges callers' tokens (On-Behalf-Of): the one of
    /// [`token_exchange_client`](Self::token_exchange_client), or else the one of
    /// [`client`](Self::client).
    fn exchange_credentials(&self) -> Option<(&str, &str)> {
        match (&self.exchange_client, &self.client_id, &self.client_secret) {
            (Some((id, secret)), _, _) => Some((id, secret)),
            (None, Some(id), Some(secret)) => Some((id, secret)),
            _ => None,
        }
    }

    /// The Auth0 application that exchanges callers' tokens for tokens of other APIs
    /// ([`Auth::token_for`](crate::Auth::token_for)), when it is not the one of
    /// [`client`](Self::client): for `oauth = auth0_proxy`, whose Regular Web Application
    /// signs users in, Auth0 lets only the API's own client exchange. Environment:
    /// `AUTH0_EXCHANGE_CLIENT_ID` and `AUTH0_EXCHANGE_CLIENT_SECRET`.
    pub fn token_exchange_client(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.exchange_client = Some((client_id.into(), client_secret.into()));
        self
    }

    /// Checks the settings that both modes need.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Some(problem) = self.env_problems.first() {
            return Err(Error::Config(problem.clone()));
        }
        check_domain_shape(&self.base)
            .and_then(|()| check_url(&self.base))
            .map_err(|why| {
                Error::Config(format!(
                    "AUTH0_DOMAIN `{}` {why} (see {README_SECTION})",
                    self.base
                ))
            })?;
        if self.audience.trim().is_empty() {
            return Err(Error::Config(format!(
                "AUTH0_AUDIENCE is empty: set it to your Auth0 API's identifier (see {README_SECTION})"
            )));
        }
        Ok(())
    }

    /// The Regular Web Application's credentials, which `oauth = auth0_proxy` needs.
    pub(crate) fn credentials(&self) -> Result<(&str, &str), Error> {
        match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            _ => Err(Error::Config(format!(
                "`oauth = auth0_proxy` needs the Regular Web Application's AUTH0_CLIENT_ID and \
                 AUTH0_CLIENT_SECRET (see {README_SECTION})"
            ))),
        }
    }
}

/// Refuses what is not a tenant's domain alone: a pasted discovery URL, a path, a query, an
/// empty label (`tenant..auth0.com`), a character no host name has. The error completes a
/// sentence that starts with the domain.
fn check_domain_shape(base: &str) -> Result<(), &'static str> {
    let authority = base.split_once("://").map_or(base, |(_, rest)| rest);
    let (host, rest) = match authority.find(['/', '?', '#']) {
        Some(at) => authority.split_at(at),
        None => (authority, ""),
    };
    if !rest.is_empty() {
        return Err(
            "has a path or query: set the tenant's domain alone, such as your-tenant.us.auth0.com (not its .well-known URL)",
        );
    }
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    if name.starts_with('[') {
        return Ok(());
    }
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    if !labels_ok {
        return Err(
            "is not a host name: each dot-separated part must be letters, digits or hyphens, and none empty",
        );
    }
    Ok(())
}

/// The header a reverse proxy in front of the server appends the client's address to (see
/// [`Auth0Config::trust_forwarded_header`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `Forwarded: for=...` (RFC 7239).
    Forwarded,
    /// `X-Forwarded-For: client, proxy1, ...`.
    XForwardedFor,
}

/// Auth0 settings missing from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingSettings {
    /// The missing variables both modes need (alternatives joined with "or").
    pub missing: Vec<String>,
    /// The missing variables that `oauth = auth0_proxy` needs besides.
    pub proxy_missing: Vec<String>,
    /// Whether no Auth0 variable at all is set (a first run with no Auth0 account).
    pub none_set: bool,
}

impl MissingSettings {
    fn all(&self) -> Vec<String> {
        self.missing
            .iter()
            .chain(&self.proxy_missing)
            .cloned()
            .collect()
    }
}

impl std::fmt::Display for MissingSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "missing Auth0 settings: {}", self.missing.join(", "))?;
        if !self.proxy_missing.is_empty() {
            write!(
                f,
                " (and, for `oauth = auth0_proxy`, or for tools that call other APIs on the caller's behalf with `oauth = auth0`, {})",
                self.proxy_missing.join(", ")
            )?;
        }
        write!(
            f,
            ". Set them in the environment (or a .env file your shell loads); see {README_SECTION}"
        )
    }
}

impl std::error::Error for MissingSettings {}

impl From<MissingSettings> for Error {
    fn from(missing: MissingSettings) -> Self {
        Error::Config(missing.to_string())
    }
}

//! The two Auth0 modes: `oauth = auth0` (a resource server for Auth0's own dynamic client
//! registration) and `oauth = auth0_proxy` (this server as an OAuth proxy in front of a
//! pre-registered Auth0 Regular Web Application).

pub(crate) mod metadata;
pub(crate) mod proxy;

use crate::auth::jwt::{JwtConfig, check_url};
use crate::error::Error;

/// The README section that explains the Auth0 settings.
const README_SECTION: &str = "README.md, section \"Auth0 set-up\"";

/// Settings of the Auth0 modes, from the environment ([`Auth0Config::from_env_proxy`], [`Auth0Config::from_env_dcr`]) or from code.
///
/// ```
/// # use mcp_runtime::Auth0Config;
/// let config = Auth0Config::new("your-tenant.us.auth0.com", "https://my-mcp-api/")
///     .client("client-id", "client-secret"); // auth0_proxy only
/// ```
#[derive(Clone)]
pub struct Auth0Config {
    /// `https://your-tenant.us.auth0.com`, without a trailing slash.
    pub(crate) base: String,
    pub(crate) audience: String,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<String>,
    pub(crate) scopes_supported: Option<Vec<String>>,
    pub(crate) upstream_scopes: Vec<String>,
    pub(crate) verify_jwt: bool,
    pub(crate) rate_limit_per_minute: u32,
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
            .finish_non_exhaustive()
    }
}

/// Which Auth0 mode the settings are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth0Mode {
    Dcr,
    Proxy,
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
            scopes_supported: None,
            upstream_scopes: ["openid", "profile", "email", "offline_access"]
                .map(String::from)
                .to_vec(),
            verify_jwt: true,
            rate_limit_per_minute: 600,
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
    /// accepts (600 by default, in bursts of up to a tenth of that); past it they answer 429.
    pub fn rate_limit(mut self, requests_per_minute: u32) -> Self {
        self.rate_limit_per_minute = requests_per_minute.max(1);
        self
    }

    /// Accepts tokens without checking their signature, for local development only: the
    /// server refuses to start with it unless it listens on and is reached at a loopback
    /// address, and says so loudly in the log. Issuer, audience and expiry are still checked.
    pub fn dangerously_skip_jwt_verification(mut self) -> Self {
        self.verify_jwt = false;
        self
    }

    /// The settings of `oauth = auth0` from the environment: `AUTH0_DOMAIN` and
    /// `AUTH0_AUDIENCE` (or `MCP_USE_OAUTH_AUTH0_DOMAIN` and `MCP_USE_OAUTH_AUTH0_AUDIENCE`).
    pub fn from_env_dcr() -> Result<Self, MissingSettings> {
        Self::from_env(Auth0Mode::Dcr)
    }

    /// The settings of `oauth = auth0_proxy` from the environment: `AUTH0_DOMAIN`,
    /// `AUTH0_AUDIENCE`, `AUTH0_CLIENT_ID` and `AUTH0_CLIENT_SECRET`.
    pub fn from_env_proxy() -> Result<Self, MissingSettings> {
        Self::from_env(Auth0Mode::Proxy)
    }

    /// Reads the settings of `mode` from the environment:
    /// `AUTH0_DOMAIN` and `AUTH0_AUDIENCE` (or `MCP_USE_OAUTH_AUTH0_DOMAIN` and
    /// `MCP_USE_OAUTH_AUTH0_AUDIENCE`), and for the proxy `AUTH0_CLIENT_ID` and
    /// `AUTH0_CLIENT_SECRET`. The error names every missing variable.
    pub(crate) fn from_env(mode: Auth0Mode) -> Result<Self, MissingSettings> {
        let var = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        };
        let mut missing = Vec::new();
        let mut present = 0;
        let mut need = |names: &[&'static str]| {
            let value = var(names);
            match &value {
                Some(_) => present += 1,
                None => missing.push(names.join(" or ")),
            }
            value
        };
        let domain = need(&["AUTH0_DOMAIN", "MCP_USE_OAUTH_AUTH0_DOMAIN"]);
        let audience = need(&["AUTH0_AUDIENCE", "MCP_USE_OAUTH_AUTH0_AUDIENCE"]);
        let (client_id, client_secret) = match mode {
            Auth0Mode::Dcr => (None, None),
            Auth0Mode::Proxy => (need(&["AUTH0_CLIENT_ID"]), need(&["AUTH0_CLIENT_SECRET"])),
        };
        if !missing.is_empty() {
            return Err(MissingSettings {
                missing,
                none_set: present == 0,
            });
        }
        let mut config = Auth0Config::new(domain.unwrap_or_default(), audience.unwrap_or_default());
        config.client_id = client_id;
        config.client_secret = client_secret;
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
        JwtConfig::new(self.issuer(), self.audience.clone()).jwks_url(self.jwks_url())
    }

    /// Checks the settings for `mode`.
    pub(crate) fn validate(&self, mode: Auth0Mode) -> Result<(), Error> {
        check_url(&self.base).map_err(|why| {
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
        if mode == Auth0Mode::Proxy && (self.client_id.is_none() || self.client_secret.is_none()) {
            return Err(Error::Config(format!(
                "`oauth = auth0_proxy` needs the Regular Web Application's AUTH0_CLIENT_ID and \
                 AUTH0_CLIENT_SECRET (see {README_SECTION})"
            )));
        }
        Ok(())
    }
}

/// Auth0 settings missing from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSettings {
    /// The missing variables (alternatives joined with "or").
    pub missing: Vec<String>,
    /// Whether no Auth0 variable at all is set (a first run with no Auth0 account).
    pub none_set: bool,
}

impl std::fmt::Display for MissingSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "missing Auth0 settings: {}. Set them in the environment (or a .env file your shell loads); \
             see {README_SECTION}",
            self.missing.join(", ")
        )
    }
}

impl std::error::Error for MissingSettings {}

impl From<MissingSettings> for Error {
    fn from(missing: MissingSettings) -> Self {
        Error::Config(missing.to_string())
    }
}

//! A server: the tools of a `#[mcp_server]` struct, with its transport and OAuth settings.

use std::future::Future;
use std::sync::Arc;

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;

use crate::auth::jwt::is_loopback;
use crate::auth::{Denial, JwtConfig, OAuthMode};
use crate::auth0::metadata::MetadataMirror;
use crate::auth0::proxy::Proxy;
use crate::auth0::{Auth0Config, Auth0Mode};
use crate::error::{Error, Result};
use crate::protocol::Engine;
use crate::tool::ToolSet;
use crate::transport::http::HttpConfig;
use crate::transport::oauth::AuthSettings;

/// A server's name, version and OAuth choices, as `#[mcp_server]` wrote them.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// The server's name.
    pub name: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// How to use the server, for the model.
    pub instructions: Option<&'static str>,
    /// How callers are authenticated.
    pub oauth: OAuthMode,
    /// The permission vocabulary (`permissions = ...`), in declaration order.
    pub permissions: &'static [&'static str],
    /// What a caller without a tool's permission gets, unless the tool says otherwise.
    pub on_denied: Denial,
}

/// A struct that `#[mcp_server(...)]` turned into an MCP server.
///
/// The struct is the server's shared state: tools reach it, or parts of it, through
/// [`State<T>`](crate::State) parameters. Serve it with [`serve`](McpServer::serve), or
/// configure it first with [`into_server`](McpServer::into_server).
pub trait McpServer: Sized + Send + Sync + 'static {
    /// The server's name, version and OAuth choices. Written by `#[mcp_server]`.
    #[doc(hidden)]
    fn info() -> ServerInfo;

    /// The server's tools. Written by `#[mcp_server]`.
    #[doc(hidden)]
    fn tools() -> ToolSet<Self>;

    /// A [`Server`] to configure before serving.
    fn into_server(self) -> Server {
        Server::new(self)
    }

    /// The server as an [`axum::Router`] serving MCP at `/mcp`, with the default settings.
    ///
    /// Fails only for a server with OAuth, whose settings are missing or invalid.
    fn router(self) -> Result<axum::Router> {
        self.into_server().router()
    }

    /// Serves MCP over HTTP on `addr` (such as `"127.0.0.1:3000"`) with the default
    /// settings until Ctrl-C or SIGTERM.
    fn serve(self, addr: &str) -> impl Future<Output = Result<()>> + Send {
        self.into_server().serve(addr)
    }

    /// Serves MCP over standard input and output until the input ends.
    fn serve_stdio(self) -> impl Future<Output = Result<()>> + Send {
        self.into_server().serve_stdio()
    }
}

/// A configured MCP server, ready to become a [`Router`](axum::Router) or to serve.
///
/// ```no_run
/// # use mcp_runtime::prelude::*;
/// # #[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [])] struct S;
/// # async fn run() -> mcp_runtime::Result<()> {
/// S.into_server()
///     .allowed_hosts(["mcp.example.com"])
///     .stateless()
///     .serve("0.0.0.0:3000")
///     .await
/// # }
/// ```
pub struct Server {
    engine: Engine,
    http: HttpConfig,
    jwt: Option<JwtConfig>,
    auth0: Option<Auth0Config>,
    public_url: Option<String>,
    allow_anonymous: bool,
    shutdown_timeout: Duration,
}

/// What the OAuth mode adds to the MCP endpoint.
struct OAuthSetup {
    auth: Option<AuthSettings>,
    routes: Option<axum::Router>,
    /// Who issues the tokens, in words, for the start-up banner.
    authorization_server: Option<String>,
}

fn mode_name(mode: OAuthMode) -> &'static str {
    match mode {
        OAuthMode::None => "none",
        OAuthMode::Jwt => "jwt",
        OAuthMode::Auth0 => "auth0",
        OAuthMode::Auth0Proxy => "auth0_proxy",
    }
}

fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

async fn mirrored(State(mirror): State<Arc<MetadataMirror>>) -> axum::response::Response {
    mirror.response().await
}

impl Server {
    /// Builds a server from a `#[mcp_server]` struct. Schemas are generated here, once.
    pub fn new<S: McpServer>(server: S) -> Self {
        let engine = Engine::new(S::info(), Arc::new(server), S::tools().entries);
        Server {
            engine,
            http: HttpConfig::default(),
            jwt: None,
            auth0: None,
            public_url: None,
            allow_anonymous: false,
            shutdown_timeout: Duration::from_secs(30),
        }
    }

    /// Runs without MCP sessions: no `Mcp-Session-Id`, every request stands alone.
    ///
    /// By default the server issues a session id at `initialize` and requires it afterwards.
    pub fn stateless(mut self) -> Self {
        self.http.stateless = true;
        self
    }

    /// The host names clients may use in the `Host` header (without port).
    ///
    /// Defaults to `localhost`, `127.0.0.1` and `[::1]`, which protects a local server from
    /// DNS rebinding. A server reached under another name must list it here, or it answers 403.
    pub fn allowed_hosts<I: IntoIterator<Item = T>, T: Into<String>>(mut self, hosts: I) -> Self {
        self.http.allowed_hosts = hosts
            .into_iter()
            .map(|h| h.into().to_ascii_lowercase())
            .collect();
        self
    }

    /// Web origins (such as `https://app.example.com`) allowed besides those whose host is an
    /// allowed host. A request with any other `Origin` is refused with 403.
    pub fn allowed_origins<I: IntoIterator<Item = T>, T: Into<String>>(
        mut self,
        origins: I,
    ) -> Self {
        self.http.allowed_origins = origins
            .into_iter()
            .map(|o| o.into().to_ascii_lowercase())
            .collect();
        self
    }

    /// The path of the MCP endpoint; `/mcp` by default.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.http.path = path.into();
        self
    }

    /// The largest request body accepted, in bytes (4 MiB by default); larger ones get 413.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.http.max_body_bytes = limit;
        self
    }

    /// How many tools one `tools/list` page holds (100 by default).
    pub fn page_size(mut self, size: usize) -> Self {
        self.engine.page_size = size.max(1);
        self
    }

    /// How long a tool waits for the client to answer a sampling or elicitation request
    /// (5 minutes by default: a person may be answering); then the tool gets an error.
    pub fn client_request_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.engine.client_timeout = timeout;
        self
    }

    /// How long a tool may run (10 minutes by default), unless it sets its own limit with
    /// `#[tool(timeout_secs = ...)]`. A tool out of time is stopped and the caller gets an error.
    pub fn tool_timeout(mut self, limit: std::time::Duration) -> Self {
        self.engine.tool_timeout = limit;
        self
    }

    /// The largest result a tool may return, in bytes of content (16 MiB by default); a larger
    /// one is replaced by an error result.
    pub fn max_result_bytes(mut self, limit: usize) -> Self {
        self.engine.max_result_bytes = limit;
        self
    }

    /// The most MCP sessions open at once (10 000 by default) and how long an unused one lives
    /// (1 hour). When the table is full, `initialize` gets 503 until sessions expire.
    pub fn session_limits(mut self, max_sessions: usize, idle: std::time::Duration) -> Self {
        self.http.max_sessions = max_sessions.max(1);
        self.http.session_idle = idle;
        self
    }

    /// How long [`serve`](Self::serve) waits, after Ctrl-C or SIGTERM, for the requests in
    /// flight to finish (30 seconds by default). New connections are refused at once.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// How access tokens are verified, for a server with `oauth = jwt`.
    pub fn jwt(mut self, config: JwtConfig) -> Self {
        self.jwt = Some(config);
        self
    }

    /// The URL clients reach this server at, without the MCP path (such as
    /// `https://mcp.example.com`). The protected resource metadata names `{url}/mcp` as the
    /// resource that tokens are for.
    ///
    /// Defaults to the `MCP_PUBLIC_URL` environment variable, and with [`serve`](Self::serve)
    /// to `http://{listening address}`.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Lets requests without a token through: `initialize`, `tools/list` and `public` tools
    /// work anonymously, while a guarded tool called without a token still gets the 401
    /// challenge. A request with an invalid token is always refused.
    pub fn allow_anonymous(mut self) -> Self {
        self.allow_anonymous = true;
        self
    }

    /// Verification and Auth0 settings for `oauth = auth0` or `oauth = auth0_proxy`. Without
    /// it they are read from the environment (see [`Auth0Config::from_env_proxy`]).
    pub fn auth0(mut self, config: Auth0Config) -> Self {
        self.auth0 = Some(config);
        self
    }

    /// The server as an [`axum::Router`]: nest or merge it into an application you already have.
    ///
    /// Fails when the OAuth settings are missing or invalid; the error says which and how to
    /// set them.
    pub fn router(self) -> Result<axum::Router> {
        Ok(self.build()?.0)
    }

    /// The router, and who the authorization server is, for the start-up banner.
    fn build(self) -> Result<(axum::Router, Option<String>)> {
        let setup = self.oauth_setup()?;
        let router = crate::transport::http::router(self.engine, self.http, setup.auth);
        let router = match setup.routes {
            Some(routes) => router.merge(routes),
            None => router,
        };
        Ok((router, setup.authorization_server))
    }

    fn resolved_public_url(&self) -> Result<String> {
        match &self.public_url {
            Some(url) => Ok(url.clone()),
            None => std::env::var("MCP_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()).map_err(|_| {
                Error::Config(
                    "the server's public URL is unknown: set MCP_PUBLIC_URL (such as https://mcp.example.com) \
                     or call `.public_url(...)`"
                        .into(),
                )
            }),
        }
    }

    fn auth0_config(&self, mode: Auth0Mode) -> Result<Auth0Config> {
        let config = match &self.auth0 {
            Some(config) => config.clone(),
            None => Auth0Config::from_env(mode)?,
        };
        config.validate(mode)?;
        Ok(config)
    }

    /// The token verifier, and the routes of the authorization side, for the server's mode.
    fn oauth_setup(&self) -> Result<OAuthSetup> {
        let info = &self.engine.info;
        let mode = info.oauth;
        if mode != OAuthMode::Jwt && self.jwt.is_some() {
            return Err(Error::Config(format!(
                "this server has `oauth = {}`, so its JwtConfig would not be used: declare `oauth = jwt`",
                mode_name(mode)
            )));
        }
        if !matches!(mode, OAuthMode::Auth0 | OAuthMode::Auth0Proxy) && self.auth0.is_some() {
            return Err(Error::Config(format!(
                "this server has `oauth = {}`, so its Auth0Config would not be used: declare `oauth = auth0` or `oauth = auth0_proxy`",
                mode_name(mode)
            )));
        }
        let (jwt, scopes, routes, described) = match mode {
            OAuthMode::None => {
                return Ok(OAuthSetup {
                    auth: None,
                    routes: None,
                    authorization_server: None,
                });
            }
            OAuthMode::Jwt => {
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
            OAuthMode::Auth0 => {
                let config = self.auth0_config(Auth0Mode::Dcr)?;
                let client = http_client(Duration::from_secs(5))?;
                let mirror = Arc::new(MetadataMirror::new(config.discovery_url(), client));
                let routes = axum::Router::new()
                    .route("/.well-known/oauth-authorization-server", get(mirrored))
                    .route("/.well-known/openid-configuration", get(mirrored))
                    .with_state(mirror);
                let jwt = self.dev_verification(&config)?;
                let described = format!("{} (Auth0; clients register there)", config.issuer());
                (
                    jwt.authorization_server(config.issuer()),
                    config.scopes_supported.clone(),
                    Some(routes),
                    described,
                )
            }
            OAuthMode::Auth0Proxy => {
                let config = self.auth0_config(Auth0Mode::Proxy)?;
                let public_url = self.resolved_public_url()?;
                let scopes = config.scopes_supported.clone();
                let advertised = scopes
                    .clone()
                    .unwrap_or_else(|| info.permissions.iter().map(|p| (*p).to_owned()).collect());
                let jwt = self
                    .dev_verification(&config)?
                    .authorization_server(public_url.clone());
                let described = format!(
                    "{public_url} (this server, a proxy in front of Auth0 at {})",
                    config.issuer()
                );
                let proxy = Proxy::new(
                    config,
                    public_url.clone(),
                    format!("{public_url}{}", self.http.path),
                    advertised,
                    info.title.unwrap_or(info.name),
                    http_client(Duration::from_secs(10))?,
                );
                (jwt, scopes, Some(Arc::new(proxy).router()), described)
            }
        };
        jwt.validate().map_err(Error::Config)?;
        let public_url = self.resolved_public_url()?;
        let client = http_client(jwt.http_timeout)?;
        let auth = AuthSettings::new(
            jwt,
            client,
            &public_url,
            &self.http.path,
            info,
            scopes,
            self.allow_anonymous,
        );
        Ok(OAuthSetup {
            auth: Some(auth),
            routes,
            authorization_server: Some(described),
        })
    }

    /// The verification of Auth0's tokens, or, for local development only, none of the
    /// signature.
    fn dev_verification(&self, config: &Auth0Config) -> Result<JwtConfig> {
        let jwt = config.jwt_config();
        if config.verify_jwt {
            return Ok(jwt);
        }
        let public_url = self.resolved_public_url()?;
        let local = reqwest::Url::parse(&public_url)
            .ok()
            .and_then(|url| {
                url.host_str()
                    .map(|h| is_loopback(h.trim_matches(['[', ']'])))
            })
            .unwrap_or(false);
        if !local {
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

    /// Serves MCP over HTTP on `addr` until Ctrl-C or SIGTERM, then finishes the requests
    /// in flight.
    pub async fn serve(mut self, addr: &str) -> Result<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_owned(),
                source,
            })?;
        let local = listener.local_addr()?;
        if self.auth0.as_ref().is_some_and(|config| !config.verify_jwt) && !local.ip().is_loopback()
        {
            return Err(Error::Config(format!(
                "JWT verification is off (local development only), so the server must listen on a loopback \
                 address, not {local}: anyone who can reach it could forge a token"
            )));
        }
        if self.public_url.is_none() && std::env::var_os("MCP_PUBLIC_URL").is_none() {
            self.public_url = Some(format!("http://{local}"));
        }
        let name = self.engine.info.name;
        let path = self.http.path.clone();
        if !local.ip().is_loopback() && self.http.allows_only_loopback() {
            tracing::warn!(
                "listening on {local}, but only loopback host names are allowed: \
                 set `allowed_hosts` to the names clients use to reach this server"
            );
        }
        let mode = mode_name(self.engine.info.oauth);
        let url = format!(
            "{}{path}",
            self.resolved_public_url()
                .unwrap_or_else(|_| format!("http://{local}"))
        );
        let shutdown_timeout = self.shutdown_timeout;
        let closing = std::sync::Arc::clone(&self.http.closing);
        let (router, authorization_server) = self.build()?;
        let authorization =
            authorization_server.unwrap_or_else(|| "none: no authentication".into());
        tracing::info!(
            "MCP server `{name}` (oauth = {mode}) listening on http://{local}\n  \
             MCP endpoint:          {url}\n  \
             Authorization server:  {authorization}\n  \
             Try it:                npx @modelcontextprotocol/inspector, then Transport \"Streamable HTTP\", URL {url}"
        );
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            shutdown_signal().await;
            closing.notify_waiters();
            let _ = stopping_tx.send(());
        });
        // In-flight requests get `shutdown_timeout` to finish after the signal; then they are
        // abandoned and the process may exit.
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(shutdown_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            result = server => result?,
            () = deadline => tracing::warn!(
                "requests still in flight {} seconds after the shutdown signal were abandoned",
                shutdown_timeout.as_secs()
            ),
        }
        tracing::info!("MCP server `{name}` stopped");
        Ok(())
    }

    /// Serves MCP over standard input and output (one JSON-RPC message per line) until the
    /// input ends. There is no authentication on this transport: it is for local use, and a
    /// server with OAuth refuses to serve on it.
    pub async fn serve_stdio(self) -> Result<()> {
        if self.engine.info.oauth != OAuthMode::None {
            return Err(Error::Config(
                "stdio has no way to carry access tokens: serve a server with OAuth over HTTP"
                    .into(),
            ));
        }
        crate::transport::stdio::serve(self.engine).await
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

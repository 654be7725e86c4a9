//! A server: the tools of a `#[mcp_server]` struct, with its transport and OAuth settings,
//! as a [`Router`](axum::Router) or served on an address.

pub mod metrics;
pub(crate) mod mode;
pub(crate) mod notifier;
pub(crate) mod oauth;
pub(crate) mod serve;
pub(crate) mod shutdown;

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::jwt::JwtConfig;
use crate::auth0::config::Auth0Config;
use crate::engine::Engine;
use crate::engine::info::ServerInfo;
use crate::engine::request_state::RequestStates;
use crate::error::Result;
use crate::prompt::handler::PromptSet;
use crate::resource::handler::ResourceSet;
use crate::store::Store;
use crate::tool::handler::ToolSet;
use crate::transport::http::connections::ConnectionLimits;
use crate::transport::http::{self, HttpConfig};
use mode::{Auth0, Auth0Proxy, Authenticated, Jwt, NoAuth, OAuthMode};
use notifier::Notifier;
use oauth::{OAuthParts, OAuthSettings};
use shutdown::ShutdownHandle;

/// A struct that `#[mcp_server(...)]` turned into an MCP server.
///
/// The struct is the server's shared state: tools reach it, or parts of it, through
/// [`State<T>`](crate::State) parameters. A server without OAuth is served as it is
/// ([`serve`](McpServer::serve), [`router`](McpServer::router)); every server can be
/// configured first with [`into_server`](McpServer::into_server).
pub trait McpServer: Sized + Send + Sync + 'static {
    /// The OAuth mode of `#[mcp_server(oauth = ...)]`, which decides the settings the
    /// [`Server`] takes.
    type OAuth: OAuthMode;

    /// The server's name, version and authorization choices. Written by `#[mcp_server]`.
    #[doc(hidden)]
    fn info() -> ServerInfo;

    /// The server's tools. Written by `#[mcp_server]`.
    #[doc(hidden)]
    fn tools() -> ToolSet<Self>;

    /// The server's resources and templates. Written by `#[mcp_server]`.
    #[doc(hidden)]
    fn resources() -> ResourceSet<Self> {
        ResourceSet::new()
    }

    /// The server's prompts. Written by `#[mcp_server]`.
    #[doc(hidden)]
    fn prompts() -> PromptSet<Self> {
        PromptSet::new()
    }

    /// A [`Server`] to configure before serving.
    fn into_server(self) -> Server<Self::OAuth> {
        Server::new(self)
    }

    /// The server as an [`axum::Router`] serving MCP at `/mcp`, with the default settings.
    fn router(self) -> axum::Router
    where
        Self: McpServer<OAuth = NoAuth>,
    {
        self.into_server().router()
    }

    /// Serves MCP over HTTP on `addr` (such as `"127.0.0.1:3000"`) with the default
    /// settings until Ctrl-C or SIGTERM.
    fn serve(self, addr: &str) -> impl Future<Output = Result<()>> + Send
    where
        Self: McpServer<OAuth = NoAuth>,
    {
        self.into_server().serve(addr)
    }

    /// Serves MCP over standard input and output until the input ends.
    fn serve_stdio(self) -> impl Future<Output = Result<()>> + Send
    where
        Self: McpServer<OAuth = NoAuth>,
    {
        self.into_server().serve_stdio()
    }
}

/// A configured MCP server, ready to become a [`Router`](axum::Router) or to serve.
///
/// `M` is the server's OAuth mode, from `#[mcp_server(oauth = ...)]`: it decides which
/// settings there are. [`jwt`](Server::jwt) exists only on `Server<Jwt>`,
/// [`auth0`](Server::auth0) on the two Auth0 modes, [`serve_stdio`](Server::serve_stdio) only
/// without OAuth.
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
pub struct Server<M: OAuthMode = NoAuth> {
    engine: Engine,
    http: HttpConfig,
    oauth: OAuthSettings,
    shutdown_timeout: Duration,
    connections: ConnectionLimits,
    /// The application's own routes, served beside MCP.
    routes: Vec<axum::Router>,
    /// The application's tower layers, outermost last.
    layers: Vec<Box<dyn FnOnce(axum::Router) -> axum::Router + Send>>,
    /// Where the shared state goes; this process's memory unless set.
    store: Option<Store>,
    /// Whether the application set the `requestState` secret itself.
    request_state_secret_set: bool,
    _mode: PhantomData<fn() -> M>,
}

/// A built server: its router, and what the start-up banner says of it.
pub(crate) struct Built {
    pub(crate) router: axum::Router,
    pub(crate) authorization_server: Option<String>,
}

impl<M: OAuthMode> Server<M> {
    /// Builds a server from a `#[mcp_server]` struct. Schemas are generated here, once.
    pub fn new<S: McpServer<OAuth = M>>(server: S) -> Self {
        let guarded = M::MODE != mode::Mode::None;
        let engine = Engine::new(
            S::info(),
            guarded,
            Arc::new(server),
            S::tools(),
            S::resources(),
            S::prompts(),
        );
        Server {
            engine,
            http: HttpConfig::default(),
            oauth: OAuthSettings::default(),
            shutdown_timeout: Duration::from_secs(30),
            connections: ConnectionLimits::default(),
            routes: Vec::new(),
            layers: Vec::new(),
            store: None,
            request_state_secret_set: false,
            _mode: PhantomData,
        }
    }

    /// Runs without MCP sessions: no `Mcp-Session-Id`, every request stands alone.
    ///
    /// By default the server issues a session id at `initialize` and requires it afterwards.
    pub fn stateless(mut self) -> Self {
        self.http.stateless = true;
        // Without sessions there is no stream to send a resource's updates on.
        self.engine.can_subscribe = false;
        self
    }

    /// The host names clients may use in the `Host` header (without port).
    ///
    /// Defaults to `localhost`, `127.0.0.1` and `[::1]`, which protects a local server from
    /// DNS rebinding. A server reached under another name must list it here, or it answers 403.
    pub fn allowed_hosts<I: IntoIterator<Item = T>, T: Into<String>>(mut self, hosts: I) -> Self {
        self.http.hosts.allowed_hosts = hosts
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
        self.http.hosts.allowed_origins = origins
            .into_iter()
            .map(|o| o.into().to_ascii_lowercase())
            .collect();
        self
    }

    /// Lets browser-based MCP clients served from `origins` (exact origins, such as
    /// `https://inspector.example.com`) call the endpoint cross-origin: CORS preflights are
    /// answered, and `Mcp-Session-Id`, `MCP-Protocol-Version` and `WWW-Authenticate` are
    /// exposed to them. These origins also pass the `Origin` check. Off by default: without
    /// it, browsers block cross-origin calls.
    pub fn cors_origins<I: IntoIterator<Item = T>, T: Into<String>>(mut self, origins: I) -> Self {
        let origins: Vec<String> = origins
            .into_iter()
            .map(|o| o.into().trim_end_matches('/').to_ascii_lowercase())
            .collect();
        self.http
            .hosts
            .allowed_origins
            .extend(origins.iter().cloned());
        self.http.cors_origins = origins;
        self
    }

    /// Serves `routes` beside the MCP endpoint (a health check, a metrics scrape such as
    /// [`metrics::prometheus`](crate::metrics)), and keeps [`serve`](Self::serve). Their paths
    /// must not collide with the server's own.
    pub fn merge(mut self, routes: axum::Router) -> Self {
        self.routes.push(routes);
        self
    }

    /// Wraps every route of the server (the MCP endpoint and the OAuth routes) in a tower
    /// layer, as [`axum::Router::layer`] does, and keeps [`serve`](Self::serve): request
    /// logging, compression, a concurrency limit, your own middleware. Layers added later
    /// wrap those added before.
    ///
    /// ```no_run
    /// # use mcp_runtime::prelude::*;
    /// # #[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [])] struct S;
    /// # async fn run() -> mcp_runtime::Result<()> {
    /// use mcp_runtime::axum::{extract::Request, middleware::{self, Next}};
    ///
    /// S.into_server()
    ///     .layer(middleware::from_fn(|request: Request, next: Next| async move {
    ///         let mut response = next.run(request).await;
    ///         response.headers_mut().insert("x-served-by", "docs".parse().unwrap());
    ///         response
    ///     }))
    ///     .serve("127.0.0.1:3000")
    ///     .await
    /// # }
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower_layer::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower_service::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower_service::Service<axum::extract::Request>>::Response:
            axum::response::IntoResponse + 'static,
        <L::Service as tower_service::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower_service::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.layers
            .push(Box::new(move |router| router.layer(layer)));
        self
    }

    /// Where the state that replicas of this server must share is kept: the OAuth proxy's
    /// pending sign-ins, consent requests and codes, the MCP sessions, the used
    /// `requestState`s, the proxy's rate limits. [`Store::memory`] by default, which is right
    /// for one process; replicas behind a load balancer share a [`Store::redis`]
    /// ([`serve_from_env`](Self::serve_from_env) reads `REDIS_URL` when no store is set).
    ///
    /// A request that needs a shared store that cannot be reached fails closed (503) and the
    /// server recovers by itself when the store is back. A session's GET stream and a call
    /// in flight stay with the replica that holds their connection.
    pub fn store(mut self, store: Store) -> Self {
        self.store = Some(store);
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
        self.engine.limits.page_size = size.max(1);
        self
    }

    /// How long MCP 2026-07-28 clients may keep the server's lists, reads and discovery
    /// result before asking again (`ttlMs`; 0 by default, which makes them ask each time).
    ///
    /// Caches never cross callers: on a server with OAuth every list and read is marked
    /// `private`, since what a caller sees depends on its permissions.
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.engine.cache_ttl = ttl;
        self
    }

    /// The secret that signs the `requestState` of MCP 2026-07-28 requests that ask the
    /// client for input (an elicitation, a sampling, its roots) and go on in a later request.
    ///
    /// By default it derives from the Auth0 client secret when the server has one (so the
    /// replicas of an Auth0 server share it already), and otherwise each server process makes
    /// a random one, which is right for one replica. Replicas behind one load balancer must
    /// share a secret (32 random bytes or more), since the request that answers may reach
    /// another replica, and a [`store`](Self::store), where the used states are remembered.
    pub fn request_state_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.engine.request_states = RequestStates::with_secret(secret.as_ref());
        self.request_state_secret_set = true;
        self
    }

    /// How long a tool waits for the client to answer a sampling or elicitation request
    /// (5 minutes by default: a person may be answering); then the tool gets an error.
    pub fn client_request_timeout(mut self, timeout: Duration) -> Self {
        self.engine.limits.client_timeout = timeout;
        self
    }

    /// How long a tool may run (10 minutes by default), unless it sets its own limit with
    /// `#[tool(timeout_secs = ...)]`. A tool out of time is stopped and the caller gets an error.
    pub fn tool_timeout(mut self, limit: Duration) -> Self {
        self.engine.limits.tool_timeout = limit;
        self
    }

    /// The largest result a tool may return, in bytes of content (16 MiB by default); a larger
    /// one is replaced by an error result.
    pub fn max_result_bytes(mut self, limit: usize) -> Self {
        self.engine.limits.max_result_bytes = limit;
        self
    }

    /// The most MCP sessions open at once (10 000 by default) and how long an unused one lives
    /// (1 hour). When the table is full, `initialize` gets 503 until sessions expire.
    pub fn session_limits(mut self, max_sessions: usize, idle: Duration) -> Self {
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

    /// How long [`serve`](Self::serve) lets a client take to send a request's headers, and
    /// how long a kept-alive connection may stay idle (10 seconds by default). A client that
    /// is slower loses its connection.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.connections.header_timeout = timeout;
        self
    }

    /// How long [`serve`](Self::serve) lets a client take to send a request's whole body
    /// (30 seconds by default, from its first read, however it trickles in); a slower one gets
    /// 408 Request Timeout on `/mcp`, and its request fails on the other routes.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.connections.body_timeout = timeout;
        self
    }

    /// The most connections [`serve`](Self::serve) keeps open at once (512 by default);
    /// further ones wait until one closes. Each open session's stream holds one. Keep it
    /// below the process's file descriptor limit (`ulimit -n`), with room for the server's
    /// own connections to Auth0.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.connections.max_connections = max.max(1);
        self
    }

    /// The handle that ends this server's open session streams, for an application that
    /// serves its [`router`](Self::router) itself with a graceful shutdown (see
    /// [`ShutdownHandle`]).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            signal: Arc::clone(&self.http.shutdown),
        }
    }

    /// The handle that tells subscribed clients a resource changed, for the application's own
    /// code (a tool has [`Context::resource_updated`](crate::Context::resource_updated)).
    pub fn notifier(&self) -> Notifier {
        Notifier {
            subscriptions: Arc::clone(&self.engine.subscriptions),
        }
    }

    /// The router of every mode, and what the banner says of it.
    pub(crate) fn build(mut self) -> Result<Built> {
        let auth0_secret = self
            .oauth
            .auth0
            .as_ref()
            .and_then(|config| config.client_secret.as_deref());
        if !self.request_state_secret_set
            && let Some(secret) = auth0_secret
        {
            self.engine.request_states = RequestStates::with_secret(secret.as_bytes());
        }
        let store = self.store.clone().unwrap_or_default();
        let parts = self
            .oauth
            .build(M::MODE, &self.engine.info, &self.http.path, &store)?;
        Ok(self.assemble(parts))
    }

    /// The MCP endpoint with what the OAuth mode adds.
    fn assemble(mut self, parts: OAuthParts) -> Built {
        let store = self.store.take().unwrap_or_default();
        self.engine.request_states.keep_in(&store);
        self.http.store = store;
        let OAuthParts {
            resource,
            routes,
            authorization_server,
            verification_off,
        } = parts;
        let router = http::router(self.engine, self.http, resource, verification_off);
        let mut router = match routes {
            Some(routes) => router.merge(routes),
            None => router,
        };
        for routes in self.routes {
            router = router.merge(routes);
        }
        for layer in self.layers {
            router = layer(router);
        }
        Built {
            router,
            authorization_server,
        }
    }
}

impl Server<NoAuth> {
    /// The server as an [`axum::Router`]: nest or merge it into an application you already
    /// have (see [`shutdown_handle`](Self::shutdown_handle) for its graceful shutdown).
    pub fn router(self) -> axum::Router {
        // Without OAuth there is nothing to configure, so nothing to fail.
        self.assemble(OAuthParts::default()).router
    }

    /// Serves MCP over standard input and output (one JSON-RPC message per line) until the
    /// input ends. There is no authentication on this transport: it is for local use, and
    /// only a server with `oauth = none` has it.
    pub async fn serve_stdio(self) -> Result<()> {
        crate::transport::stdio::serve(self.engine).await
    }
}

impl<M: Authenticated> Server<M> {
    /// The server as an [`axum::Router`]: nest or merge it into an application you already
    /// have (see [`shutdown_handle`](Self::shutdown_handle) for its graceful shutdown).
    ///
    /// Fails when the OAuth settings are missing or invalid; the error says which and how to
    /// set them. Nothing is read from the environment here.
    pub fn router(self) -> Result<axum::Router> {
        Ok(self.build()?.router)
    }

    /// The URL clients reach this server at, without the MCP path (such as
    /// `https://mcp.example.com`). The protected resource metadata names `{url}/mcp` as the
    /// resource that tokens are for.
    ///
    /// [`router`](Self::router) needs it; [`serve`](Self::serve) defaults it to
    /// `http://{listening address}`.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.oauth.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Lets requests without a token through: `initialize`, `tools/list` and `public` tools
    /// work anonymously, while a guarded tool called without a token still gets the 401
    /// challenge. A request with an invalid token is always refused.
    pub fn allow_anonymous(mut self) -> Self {
        self.oauth.allow_anonymous = true;
        self
    }
}

impl Server<Jwt> {
    /// How access tokens are verified.
    pub fn jwt(mut self, config: JwtConfig) -> Self {
        self.oauth.jwt = Some(config);
        self
    }
}

impl Server<Auth0> {
    /// The tenant and API whose tokens the server accepts: [`Auth0Config::from_env`], or
    /// [`Auth0Config::new`] in code.
    pub fn auth0(mut self, config: Auth0Config) -> Self {
        self.oauth.auth0 = Some(config);
        self
    }
}

impl Server<Auth0Proxy> {
    /// The tenant, API and Regular Web Application the proxy stands in front of:
    /// [`Auth0Config::from_env`], or [`Auth0Config::new`] with [`Auth0Config::client`] in code.
    pub fn auth0(mut self, config: Auth0Config) -> Self {
        self.oauth.auth0 = Some(config);
        self
    }
}

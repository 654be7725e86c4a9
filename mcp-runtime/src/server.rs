//! A server: the tools of a `#[mcp_server]` struct, with its transport settings.

use std::future::Future;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::protocol::Engine;
use crate::tool::ToolSet;
use crate::transport::http::HttpConfig;

/// A server's name and version, as `initialize` reports them. Written by `#[mcp_server]`.
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
}

/// A struct that `#[mcp_server(...)]` turned into an MCP server.
///
/// The struct is the server's shared state: tools reach it, or parts of it, through
/// [`State<T>`](crate::State) parameters. Serve it with [`serve`](McpServer::serve), or
/// configure it first with [`into_server`](McpServer::into_server).
pub trait McpServer: Sized + Send + Sync + 'static {
    /// The server's name and version. Written by `#[mcp_server]`.
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
    fn router(self) -> axum::Router {
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
}

impl Server {
    /// Builds a server from a `#[mcp_server]` struct. Schemas are generated here, once.
    pub fn new<S: McpServer>(server: S) -> Self {
        let engine = Engine::new(S::info(), Arc::new(server), S::tools().entries);
        Server {
            engine,
            http: HttpConfig::default(),
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

    /// The server as an [`axum::Router`]: nest or merge it into an application you already have.
    pub fn router(self) -> axum::Router {
        crate::transport::http::router(self.engine, self.http)
    }

    /// Serves MCP over HTTP on `addr` until Ctrl-C or SIGTERM, then finishes the requests
    /// in flight.
    pub async fn serve(self, addr: &str) -> Result<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_owned(),
                source,
            })?;
        let local = listener.local_addr()?;
        let name = self.engine.info.name;
        let path = self.http.path.clone();
        if !local.ip().is_loopback() && self.http.allows_only_loopback() {
            tracing::warn!(
                "listening on {local}, but only loopback host names are allowed: \
                 set `allowed_hosts` to the names clients use to reach this server"
            );
        }
        tracing::info!("MCP server `{name}` listening on http://{local}{path}");
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        tracing::info!("MCP server `{name}` stopped");
        Ok(())
    }

    /// Serves MCP over standard input and output (one JSON-RPC message per line) until the
    /// input ends. There is no authentication on this transport: it is for local use.
    pub async fn serve_stdio(self) -> Result<()> {
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

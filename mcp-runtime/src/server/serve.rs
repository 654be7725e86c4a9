//! Serving on an address: bind, announce, serve until the shutdown signal, then give the
//! requests in flight their time to finish.

use super::mode::OAuthMode;
use super::shutdown::shutdown_signal;
use super::{Built, Server};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::transport::http::connections;
use crate::web::url::check_url;

/// Where [`Server::serve_from_env`] listens when `PORT` is not set.
const DEFAULT_PORT: u16 = 3000;

impl<M: OAuthMode> Server<M> {
    /// Serves MCP over HTTP on `addr` (such as `"127.0.0.1:3000"`) until Ctrl-C or SIGTERM,
    /// then finishes the requests in flight.
    ///
    /// A server with OAuth whose public URL is not set is reached at `http://{addr}`.
    pub async fn serve(self, addr: &str) -> Result<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_owned(),
                source,
            })?;
        self.serve_on(listener).await
    }

    /// [`serve`](Self::serve) on a listener the application bound itself (port 0 for a free
    /// port, a socket handed over by the system).
    ///
    /// Every connection has the limits of [`header_timeout`](Self::header_timeout),
    /// [`body_timeout`](Self::body_timeout) and [`max_connections`](Self::max_connections),
    /// and every request its peer's address.
    pub async fn serve_on(mut self, listener: tokio::net::TcpListener) -> Result<()> {
        let local = listener.local_addr()?;
        let verification_off = self
            .oauth
            .auth0
            .as_ref()
            .is_some_and(|config| !config.verify_jwt);
        if verification_off && !local.ip().is_loopback() {
            return Err(Error::Config(format!(
                "JWT verification is off (local development only), so the server must listen on a loopback \
                 address, not {local}: anyone who can reach it could forge a token"
            )));
        }
        if self.oauth.public_url.is_none() {
            self.oauth.public_url_derived = local.ip().is_loopback();
        }
        let public_url = self
            .oauth
            .public_url
            .get_or_insert_with(|| format!("http://{local}"))
            .clone();
        if !local.ip().is_loopback() && self.http.hosts.allows_only_loopback() {
            tracing::warn!(
                "listening on {local}, but only loopback host names are allowed: \
                 set `allowed_hosts` to the names clients use to reach this server"
            );
        }
        let name = self.engine.info.name;
        let url = format!("{public_url}{}", self.http.path);
        let shared_state = self
            .store
            .as_ref()
            .map_or_else(|| Store::memory().describe(), Store::describe);
        let shutdown = self.shutdown_handle();
        let deadline = self.shutdown_timeout;
        let limits = self.connections;
        let Built {
            router,
            authorization_server,
        } = self.build()?;
        let authorization =
            authorization_server.unwrap_or_else(|| "none: no authentication".into());
        tracing::info!(
            "MCP server `{name}` (oauth = {}) listening on http://{local}\n  \
             MCP endpoint:          {url}\n  \
             Authorization server:  {authorization}\n  \
             Shared state:          {shared_state}\n  \
             Try it:                npx @modelcontextprotocol/inspector, then Transport \"Streamable HTTP\", URL {url}",
            M::MODE.name()
        );
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown_signal().await;
            shutdown.shutdown();
            let _ = stopping_tx.send(());
        };
        // In-flight requests get `deadline` to finish after the signal; then they are
        // abandoned and the process may exit.
        let abandon = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(deadline).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = connections::serve(listener, router, limits, signal) => {}
            () = abandon => tracing::warn!(
                "requests still in flight {} seconds after the shutdown signal were abandoned",
                deadline.as_secs()
            ),
        }
        tracing::info!("MCP server `{name}` stopped");
        Ok(())
    }

    /// [`serve`](Self::serve) where the environment says, as a container or a platform
    /// expects: on `MCP_HOST` (default `127.0.0.1`) and `PORT` (default 3000), reached at
    /// `MCP_PUBLIC_URL` when it is set (a server behind a proxy), letting the browser origins
    /// of `MCP_CORS_ORIGINS` (comma-separated, see [`cors_origins`](Self::cors_origins)) call
    /// it, with its shared state in the Redis of `REDIS_URL` when it is set and no
    /// [`store`](Self::store) was ([`Store::from_env`], which also reads `MCP_REDIS_PREFIX`).
    /// These are all it reads; an invalid value, or a Redis that does not answer, is an
    /// error that names the variable.
    pub async fn serve_from_env(mut self) -> Result<()> {
        if self.store.is_none() {
            self.store = Some(Store::from_env().await?);
        }
        let (addr, public_url) = listen_from_env()?;
        if let Some(url) = public_url {
            self.oauth.public_url = Some(url);
        }
        if let Some(origins) = cors_from_env()? {
            self = self.cors_origins(origins);
        }
        self.serve(&addr).await
    }
}

/// `MCP_CORS_ORIGINS`, checked: each an origin (`scheme://host[:port]`, nothing after).
fn cors_from_env() -> Result<Option<Vec<String>>> {
    let Some(value) = std::env::var("MCP_CORS_ORIGINS")
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(None);
    };
    let mut origins = Vec::new();
    for origin in value.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let origin = origin.trim_end_matches('/');
        let parsed = reqwest::Url::parse(origin).ok();
        let is_origin = parsed.as_ref().is_some_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some()
                && url.path() == "/"
                && url.query().is_none()
                && url.as_str().trim_end_matches('/') == origin.to_ascii_lowercase()
        });
        if !is_origin {
            return Err(Error::Config(format!(
                "MCP_CORS_ORIGINS holds `{origin}`, which is not an origin: list scheme://host[:port] values, comma-separated, such as https://app.example.com"
            )));
        }
        origins.push(origin.to_owned());
    }
    Ok(Some(origins))
}

/// `MCP_HOST:PORT` and `MCP_PUBLIC_URL`, checked.
fn listen_from_env() -> Result<(String, Option<String>)> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let port = match var("PORT") {
        None => DEFAULT_PORT,
        Some(port) => port.trim().parse::<u16>().map_err(|_| {
            Error::Config(format!(
                "PORT `{port}` is not a port number: set PORT to a number from 0 to 65535, or leave it unset for {DEFAULT_PORT}"
            ))
        })?,
    };
    let host = var("MCP_HOST").unwrap_or_else(|| "127.0.0.1".into());
    let host = host.trim();
    let addr = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let public_url = match var("MCP_PUBLIC_URL") {
        None => None,
        Some(url) => {
            let url = url.trim().trim_end_matches('/').to_owned();
            check_url(&url).map_err(|why| {
                Error::Config(format!(
                    "MCP_PUBLIC_URL `{url}` {why}: set it to the URL clients reach this server at, such as https://mcp.example.com"
                ))
            })?;
            Some(url)
        }
    };
    Ok((addr, public_url))
}

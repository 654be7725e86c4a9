//! Ending a server: the signal (Ctrl-C, SIGTERM), and the handle that closes the sessions'
//! open streams so that a graceful shutdown does not wait for them forever.

use std::sync::Arc;

use crate::protocol::peer::Cancel;

/// Ends a server's open GET streams when shut down, for a server mounted with
/// [`Server::router`](crate::Server::router) and served by the application:
///
/// ```no_run
/// # use mcp_runtime::prelude::*;
/// # #[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [])] struct S;
/// # async fn run() -> std::io::Result<()> {
/// let server = S.into_server();
/// let shutdown = server.shutdown_handle();
/// let app = axum::Router::new().merge(server.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app)
///     .with_graceful_shutdown(async move {
///         mcp_runtime::shutdown_signal().await;
///         shutdown.shutdown();
///     })
///     .await
/// # }
/// ```
///
/// [`serve`](crate::Server::serve) does this itself.
#[derive(Clone, Default)]
pub struct ShutdownHandle {
    pub(crate) signal: Arc<Cancel>,
}

impl ShutdownHandle {
    /// Ends every open session stream, now and for streams opened later; requests in flight
    /// finish as usual.
    pub fn shutdown(&self) {
        self.signal.cancel();
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        self.signal.is_cancelled()
    }
}

impl std::fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM: the signals a terminal, a container runtime or a
/// process manager sends to stop a server.
pub async fn shutdown_signal() {
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

//! Serving a router on a loopback port, for the issuers this crate runs beside a server.

use std::net::SocketAddr;

use tokio::net::TcpListener;

/// Binds `127.0.0.1:port` (0 for any free port).
pub(crate) async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serves `router` on `listener` until the task is aborted.
pub(crate) fn spawn(listener: TcpListener, router: axum::Router) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    })
}

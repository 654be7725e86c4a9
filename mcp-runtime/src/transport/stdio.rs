//! MCP over standard input and output: one JSON-RPC message per line.

use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::error::Result;
use crate::protocol::jsonrpc::{self, Message, RpcError, code};
use crate::protocol::{DEFAULT_NEGOTIATED_VERSION, Engine, Failure, Session};

pub(crate) async fn serve(engine: Engine) -> Result<()> {
    let engine = Arc::new(engine);
    let (tx, mut rx) = mpsc::unbounded_channel::<serde_json::Value>();
    // One writer, so that concurrent answers never interleave within a line.
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(message) = rx.recv().await {
            let mut line = serde_json::to_vec(&message).unwrap_or_default();
            line.push(b'\n');
            stdout.write_all(&line).await?;
            stdout.flush().await?;
        }
        std::io::Result::Ok(())
    });
    let session: Arc<OnceLock<Arc<Session>>> = Arc::new(OnceLock::new());
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        match jsonrpc::parse(line.as_bytes()) {
            Err((id, err)) => {
                let _ = tx.send(err.into_response(id));
            }
            Ok(Message::Request { id, method, params }) if method == "initialize" => {
                let (version, result) = engine.initialize(params.as_ref());
                let _ = session.set(Arc::new(Session::new(None, version, None)));
                let _ = tx.send(jsonrpc::response(id, result));
            }
            Ok(Message::Request { id, method, params }) => {
                let session = Arc::clone(session.get_or_init(|| {
                    Arc::new(Session::new(None, DEFAULT_NEGOTIATED_VERSION, None))
                }));
                let (engine, tx) = (Arc::clone(&engine), tx.clone());
                tokio::spawn(async move {
                    let answer = match engine
                        .request(id.clone(), &method, params, &session, None)
                        .await
                    {
                        Ok(result) => jsonrpc::response(id, result),
                        Err(Failure::Rpc(err)) => err.into_response(id),
                        // Only a server with OAuth asks for a caller, and stdio refuses those.
                        Err(_) => RpcError::new(
                            code::INTERNAL_ERROR,
                            "Internal error: authorization is not available over stdio",
                        )
                        .into_response(id),
                    };
                    let _ = tx.send(answer);
                });
            }
            Ok(Message::Notification { method, params }) => {
                engine.notification(&method, params.as_ref())
            }
            Ok(Message::Response { id }) => engine.response(&id),
        }
    }
    drop(tx);
    writer.await.map_err(std::io::Error::other)??;
    Ok(())
}

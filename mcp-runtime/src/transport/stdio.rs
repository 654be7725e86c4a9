//! MCP over standard input and output: one JSON-RPC message per line.

use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::context::Via;
use crate::engine::Engine;
use crate::engine::outcome::Failure;
use crate::error::Result;
use crate::protocol::jsonrpc::{self, Message};
use crate::protocol::peer::Outbox;
use crate::protocol::session::Session;
use crate::protocol::version;

pub(crate) async fn serve(engine: Engine) -> Result<()> {
    let engine = Arc::new(engine);
    // Everything for the client, answers and notifications, goes through one writer, so that
    // concurrent messages never interleave within a line.
    let (outbox, mut rx) = Outbox::channel();
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
    // The one session of the stream; stdout is its standalone stream too (resource updates).
    let open = |version: &'static str, capabilities: serde_json::Value| {
        let session = Arc::new(Session::new(None, version, None, capabilities));
        session.attach_stream(outbox.clone());
        session
    };
    let session: Arc<OnceLock<Arc<Session>>> = Arc::new(OnceLock::new());
    let current = |session: &OnceLock<Arc<Session>>| {
        Arc::clone(
            session.get_or_init(|| open(version::DEFAULT_NEGOTIATED, serde_json::Value::Null)),
        )
    };
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<()>();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        match jsonrpc::parse(line.as_bytes()) {
            Err((id, err)) => {
                outbox.send(err.into_response(id));
            }
            Ok(Message::Request { id, method, params }) if method == "initialize" => {
                let initialized = engine.initialize(params.as_ref());
                let _ = session.set(open(initialized.version, initialized.client_capabilities));
                outbox.send(jsonrpc::response(id, initialized.result));
            }
            Ok(Message::Request { id, method, params }) => {
                let session = current(&session);
                let (engine, outbox, done) = (Arc::clone(&engine), outbox.clone(), done_tx.clone());
                tokio::spawn(async move {
                    let answer = engine
                        .request(
                            id.clone(),
                            &method,
                            params,
                            session,
                            None,
                            Via {
                                outbox: Some(outbox.clone()),
                                http: None,
                            },
                        )
                        .await;
                    match answer {
                        Ok(result) => {
                            outbox.send(jsonrpc::response(id, result));
                        }
                        Err(Failure::Rpc(err)) => {
                            outbox.send(err.into_response(id));
                        }
                        // Stdio serves only servers without OAuth, whose guards refuse no one;
                        // were one to, the client reads why.
                        Err(Failure::Refused(refusal)) => {
                            outbox.send(refusal.into_rpc_error().into_response(id));
                        }
                        // A cancelled request gets no answer.
                        Err(Failure::Cancelled) => {}
                        Err(Failure::InputRequired) => {
                            outbox.send(Failure::unanswered_input().into_response(id));
                        }
                        Err(Failure::StoreUnavailable) => {
                            outbox.send(Failure::store_unavailable().into_response(id));
                        }
                    }
                    drop(done);
                });
            }
            Ok(Message::Notification { method, params }) => {
                engine.notification(&method, params.as_ref(), &current(&session));
            }
            Ok(Message::Response { id, body }) => engine.response(&id, body),
        }
    }
    // The input ended: let the requests in flight finish, then close the output.
    drop(done_tx);
    while done_rx.recv().await.is_some() {}
    drop(outbox);
    writer.await.map_err(std::io::Error::other)??;
    Ok(())
}

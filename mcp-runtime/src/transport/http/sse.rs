//! Server-Sent Events: a request's answer as a stream (the tool's messages, then its result),
//! a session's standalone GET stream, and a 2026-07-28 `subscriptions/listen` stream.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::Value;
use tokio::sync::mpsc;

use super::reply::{finish, streamed};
use crate::auth::resource::ResourceServer;
use crate::engine::outcome::Failure;
use crate::protocol::era::{Era, key};
use crate::protocol::peer::{Cancel, Outbox};
use crate::protocol::session::Session;
use crate::task::BoxFuture;

/// Answers a request: with one JSON object, or, as soon as the tool sends the client anything
/// before its result (progress, a log, a sampling or elicitation request), with an SSE stream
/// that carries those messages and then the result. Without `messages` (the client takes no
/// stream, or the tool cannot talk back) the answer is JSON.
pub(crate) async fn answer(
    id: Value,
    mut request: BoxFuture<'static, Result<Value, Failure>>,
    messages: Option<mpsc::UnboundedReceiver<Value>>,
    resource: Option<&ResourceServer>,
    era: Era,
) -> Response {
    let Some(mut rx) = messages else {
        return finish(resource, id, request.await, era);
    };
    // Messages first: what the tool sent before finishing goes out before its result.
    let first = tokio::select! {
        biased;
        message = rx.recv() => message,
        result = &mut request => {
            // The tool may have finished within one poll, with messages already queued.
            let mut queued = Vec::new();
            while let Ok(message) = rx.try_recv() {
                queued.push(message);
            }
            if queued.is_empty() {
                return finish(resource, id, result, era);
            }
            let (tx, body) = mpsc::unbounded_channel::<Bytes>();
            for message in queued.iter().chain(streamed(id, result).as_ref()) {
                let _ = tx.send(event(message));
            }
            return response(SseBody { rx: body, task: None });
        }
    };
    let Some(first) = first else {
        return finish(resource, id, request.await, era);
    };
    let (tx, body) = mpsc::unbounded_channel::<Bytes>();
    let task = tokio::spawn(async move {
        let _ = tx.send(event(&first));
        loop {
            tokio::select! {
                biased;
                Some(message) = rx.recv() => {
                    if tx.send(event(&message)).is_err() {
                        return;
                    }
                }
                result = &mut request => {
                    while let Ok(message) = rx.try_recv() {
                        let _ = tx.send(event(&message));
                    }
                    if let Some(answer) = streamed(id, result) {
                        let _ = tx.send(event(&answer));
                    }
                    return;
                }
            }
        }
    });
    response(SseBody {
        rx: body,
        task: Some(task.abort_handle()),
    })
}

/// A session's standalone stream: the messages not tied to a request (resource updates), and
/// keep-alive comments, until the session ends or the server shuts down.
pub(crate) fn session_stream(session: Arc<Session>, shutdown: Arc<Cancel>) -> Response {
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    let (outbox, mut messages) = Outbox::channel();
    session.attach_stream(outbox);
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(15));
        loop {
            let chunk = tokio::select! {
                Some(message) = messages.recv() => event(&message),
                _ = ticks.tick() => Bytes::from_static(b": keep-alive\n\n"),
                // The session ended (DELETE, expiry) or the server is shutting down.
                () = session.ended() => return,
                () = shutdown.cancelled() => return,
            };
            if tx.send(chunk).is_err() {
                return;
            }
        }
    });
    response(SseBody {
        rx,
        task: Some(task.abort_handle()),
    })
}

/// A 2026-07-28 `subscriptions/listen` stream: its acknowledgement first, then the
/// notifications it subscribed to, each tagged with the subscription's id, and keep-alive
/// comments; at shutdown, `farewell` (the request's result) ends it.
pub(crate) fn listen_stream(
    id: Value,
    mut acknowledgement: Value,
    session: Arc<Session>,
    mut messages: mpsc::UnboundedReceiver<Value>,
    farewell: Value,
    shutdown: Arc<Cancel>,
) -> Response {
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    tag(&mut acknowledgement, &id);
    let _ = tx.send(event(&acknowledgement));
    let task = tokio::spawn(async move {
        // The stream's subscriptions live as long as it does.
        let _session = session;
        let mut ticks = tokio::time::interval(Duration::from_secs(15));
        ticks.tick().await;
        loop {
            let chunk = tokio::select! {
                Some(mut message) = messages.recv() => {
                    tag(&mut message, &id);
                    event(&message)
                }
                _ = ticks.tick() => Bytes::from_static(b": keep-alive\n\n"),
                () = shutdown.cancelled() => {
                    let _ = tx.send(event(&farewell));
                    return;
                }
            };
            if tx.send(chunk).is_err() {
                return;
            }
        }
    });
    response(SseBody {
        rx,
        task: Some(task.abort_handle()),
    })
}

/// Puts the subscription's id in a notification's `params._meta`.
fn tag(message: &mut Value, id: &Value) {
    let Some(object) = message.as_object_mut() else {
        return;
    };
    let params = object
        .entry("params")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Some(params) = params.as_object_mut() {
        let meta = params
            .entry("_meta")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert(key::SUBSCRIPTION_ID.into(), id.clone());
        }
    }
}

fn event(message: &Value) -> Bytes {
    Bytes::from(format!("event: message\ndata: {message}\n\n"))
}

fn response(body: SseBody) -> Response {
    let mut response = Response::new(Body::new(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies such as nginx otherwise hold events back.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// An SSE body fed by a task; dropping it (the client went away) stops the task, and with
/// it the tool.
struct SseBody {
    rx: mpsc::UnboundedReceiver<Bytes>,
    task: Option<tokio::task::AbortHandle>,
}

impl http_body::Body for SseBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.rx
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

impl Drop for SseBody {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

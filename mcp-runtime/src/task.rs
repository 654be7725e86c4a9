//! The futures that items' handlers return, and a panic turned into an answer instead of
//! taking the connection (or the server) down.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A boxed, sendable future, as item handlers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A future whose panic becomes the answer `on_panic` makes for the item `name`.
pub(crate) struct CatchUnwind<F: Future> {
    inner: F,
    name: &'static str,
    on_panic: fn(&'static str) -> F::Output,
}

impl<F: Future> CatchUnwind<F> {
    pub(crate) fn new(
        inner: F,
        name: &'static str,
        on_panic: fn(&'static str) -> F::Output,
    ) -> Self {
        CatchUnwind {
            inner,
            name,
            on_panic,
        }
    }
}

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let (name, on_panic) = (self.name, self.on_panic);
        let inner = &mut self.inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(poll) => poll,
            Err(_) => {
                tracing::error!(item = name, "a handler panicked");
                Poll::Ready(on_panic(name))
            }
        }
    }
}

//! Rate limits of the proxy's endpoints: a token bucket each.

use std::sync::Mutex;
use std::time::Instant;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::pages;
use crate::web::response::OAuthError;

/// A token bucket: `capacity` requests at once, refilled at `per_second`.
pub(crate) struct RateLimit {
    capacity: f64,
    per_second: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimit {
    /// `per_minute` requests a minute, in bursts of up to a tenth of that.
    pub(crate) fn per_minute(per_minute: u32) -> Self {
        let capacity = f64::from((per_minute / 10).max(1));
        RateLimit {
            capacity,
            per_second: f64::from(per_minute) / 60.0,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Takes one request's token; false when the bucket is empty.
    pub(crate) fn allow(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = &mut *state;
        *tokens = (*tokens + last.elapsed().as_secs_f64() * self.per_second).min(self.capacity);
        *last = Instant::now();
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The rate limits of the proxy's endpoints.
pub(crate) struct Limits {
    pub(crate) register: RateLimit,
    pub(crate) authorize: RateLimit,
    pub(crate) token: RateLimit,
}

impl Limits {
    /// `per_minute` requests a minute for each endpoint.
    pub(crate) fn per_minute(per_minute: u32) -> Self {
        Limits {
            register: RateLimit::per_minute(per_minute),
            authorize: RateLimit::per_minute(per_minute),
            token: RateLimit::per_minute(per_minute),
        }
    }
}

/// 429: an OAuth error for the JSON endpoints, a page for the browser; both say when to
/// try again.
pub(crate) fn too_many_requests(json: bool) -> Response {
    if json {
        return OAuthError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            "too many requests; try again shortly",
        )
        .retry_after(RETRY_AFTER)
        .into_response();
    }
    let mut page = pages::error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many sign-ins right now. Try again in a minute.",
    );
    page.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
    page
}

/// Seconds until a client that was refused may try again.
const RETRY_AFTER: &str = "10";

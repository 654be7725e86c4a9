//! Rate limits of the proxy's endpoints, per client address and per client id: one noisy
//! client, or one address sending junk, cannot lock everyone else out. In one process they
//! are GCRA (with `governor`); with a shared store, fixed windows of a minute counted in the
//! store, so that every replica counts the same requests.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::pages;
use super::signing::ClientKey;
use crate::auth0::config::ForwardedHeader;
use crate::store::{Store, Unavailable};
use crate::web::random::hex;
use crate::web::response::OAuthError;

/// The endpoints that are limited.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Endpoint {
    Register,
    Authorize,
    Token,
}

/// Past this many tracked keys, the ones whose limit has recovered are forgotten.
const MAX_KEYS: usize = 10_000;
/// How many times an address's budget one client id has.
const CLIENT_FACTOR: u32 = 10;

/// `per_minute` requests a minute, in bursts of up to a tenth of that.
fn quota(per_minute: u32) -> Quota {
    let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new((per_minute / 10).max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(rate).allow_burst(burst)
}

/// The rate limits of the proxy's endpoints.
pub(crate) struct Limits {
    by_address: DefaultKeyedRateLimiter<(Endpoint, IpAddr)>,
    by_client: DefaultKeyedRateLimiter<(Endpoint, ClientKey)>,
    /// The store whose counters every replica shares, when it is shared; then the limiters
    /// above are unused.
    shared: Option<Store>,
    per_minute: u32,
    /// Whether the client's address is read from `Forwarded` / `X-Forwarded-For` (set by
    /// a reverse proxy in front of this server), instead of the connection's.
    trust_forwarded: Option<ForwardedHeader>,
    /// When keys that recovered were last forgotten, in milliseconds since `started`.
    pruned_at: AtomicU64,
    started: Instant,
}

impl Limits {
    /// `per_minute` requests a minute to each endpoint from one address, in bursts of up to a
    /// tenth of that; ten times as many for one client id, from all addresses together. Client
    /// ids are public, so one address alone can never use up a client's budget and lock out
    /// its users: only many addresses at once can, and only for that client.
    /// With a shared `store`, the counts are the store's, for all replicas together.
    pub(crate) fn per_minute(
        per_minute: u32,
        trust_forwarded: Option<ForwardedHeader>,
        store: &Store,
    ) -> Self {
        Limits {
            by_address: RateLimiter::keyed(quota(per_minute)),
            by_client: RateLimiter::keyed(quota(per_minute.saturating_mul(CLIENT_FACTOR))),
            shared: store.is_shared().then(|| store.clone()),
            per_minute: per_minute.max(1),
            trust_forwarded,
            pruned_at: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// The client address of a request, as the limits count it.
    pub(crate) fn address(&self, parts: &Parts) -> IpAddr {
        client_address(parts, self.trust_forwarded)
    }

    /// Takes one request's place for `endpoint`, from the request's address and, when it
    /// names one, its client; false when either is over its limit. A shared store that
    /// cannot count is [`Unavailable`]: the request is refused, never let through uncounted.
    pub(crate) async fn allow(
        &self,
        endpoint: Endpoint,
        parts: &Parts,
        client_id: Option<&str>,
    ) -> Result<bool, Unavailable> {
        let address = self.address(parts);
        if let Some(store) = &self.shared {
            // The address first: an address over its own limit uses up none of the client's.
            let mut counters = vec![(
                format!("{endpoint:?}:{address}"),
                u64::from(self.per_minute),
            )];
            if let Some(id) = client_id {
                let hash = hex(&ClientKey::of(id).0[..16]);
                counters.push((
                    format!("{endpoint:?}:client:{hash}"),
                    u64::from(self.per_minute.saturating_mul(CLIENT_FACTOR)),
                ));
            }
            return store.hit(&counters, Duration::from_secs(60)).await;
        }
        let allowed = self.by_address.check_key(&(endpoint, address)).is_ok()
            && client_id.is_none_or(|id| {
                self.by_client
                    .check_key(&(endpoint, ClientKey::of(id)))
                    .is_ok()
            });
        // Forgetting recovered keys scans the map: at most once a second, not per request.
        if self.by_address.len() > MAX_KEYS || self.by_client.len() > MAX_KEYS {
            let now = self.started.elapsed().as_millis() as u64;
            let last = self.pruned_at.load(Ordering::Relaxed);
            if now.saturating_sub(last) >= 1_000
                && self
                    .pruned_at
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                self.by_address.retain_recent();
                self.by_client.retain_recent();
            }
        }
        Ok(allowed)
    }
}

/// The client's address: the connection's, or with `trust_forwarded` the one the reverse
/// proxy in front recorded last (the right-most; the ones before it are the client's to
/// write). An IPv6 address counts by its /64, which one client usually holds whole. Without
/// either, all such requests share one limit.
fn client_address(parts: &Parts, trust_forwarded: Option<ForwardedHeader>) -> IpAddr {
    let forwarded = trust_forwarded.and_then(|header| forwarded_for(&parts.headers, header));
    let address = forwarded.or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    });
    match address {
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
        Some(v4) => v4,
        None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// The right-most address of `header`, and of no other.
fn forwarded_for(headers: &HeaderMap, which: ForwardedHeader) -> Option<IpAddr> {
    let last = |name: header::HeaderName| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .map(str::trim)
            .map(str::to_owned)
    };
    if which == ForwardedHeader::Forwarded {
        let element = last(header::FORWARDED)?;
        let node = element.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            key.eq_ignore_ascii_case("for")
                .then(|| value.trim_matches('"').to_owned())
        })?;
        // `for="[2001:db8::1]:4711"` or `for=192.0.2.60:80` or `for=192.0.2.60`.
        let host = match node.strip_prefix('[') {
            Some(rest) => rest.split(']').next()?.to_owned(),
            None => node.split(':').next()?.to_owned(),
        };
        return host.parse().ok();
    }
    last(header::HeaderName::from_static("x-forwarded-for"))?
        .parse()
        .ok()
}

/// 429 with `Retry-After` (RFC 6585): an OAuth error for the JSON endpoints, whose code is
/// RFC 6749's for a server that cannot take the request now, `temporarily_unavailable`; a
/// page for the browser.
pub(crate) fn too_many_requests(json: bool) -> Response {
    if json {
        return OAuthError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            "too many requests from this client; try again shortly",
        )
        .retry_after(RETRY_AFTER)
        .into_response();
    }
    let mut page = pages::error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many sign-ins from here right now. Try again in a minute.",
    );
    page.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
    page
}

/// Seconds until a client that was refused may try again.
const RETRY_AFTER: &str = "10";

/// 503 with `Retry-After` for a request that needs the shared store while it is unreachable:
/// `temporarily_unavailable` for the JSON endpoints, a page for the browser.
pub(crate) fn store_unavailable(json: bool) -> Response {
    if json {
        return OAuthError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the server cannot reach its shared store; try again in a moment",
        )
        .retry_after(STORE_RETRY_AFTER)
        .into_response();
    }
    let mut page = pages::error(
        StatusCode::SERVICE_UNAVAILABLE,
        "This server cannot complete sign-ins right now (its shared store is unreachable). Try again in a moment.",
    );
    page.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(STORE_RETRY_AFTER),
    );
    page
}

/// Seconds until a request refused for the store may try again.
const STORE_RETRY_AFTER: &str = "2";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::builder();
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    async fn allow(
        limits: &Limits,
        endpoint: Endpoint,
        parts: &Parts,
        client: Option<&str>,
    ) -> bool {
        limits
            .allow(endpoint, parts, client)
            .await
            .expect("a memory store is always available")
    }

    #[tokio::test]
    async fn rate_limits_are_per_client_address_and_per_client_id() {
        let limits = Limits::per_minute(60, None, &Store::memory());
        let junk = parts("203.0.113.7:1000", &[]);
        let good = parts("198.51.100.1:1000", &[]);
        let mut refused = 0;
        for _ in 0..50 {
            refused += usize::from(!allow(&limits, Endpoint::Register, &junk, None).await);
        }
        assert!(
            refused >= 40,
            "the flooding address is limited ({refused} refused)"
        );
        assert!(
            allow(&limits, Endpoint::Register, &good, None).await,
            "another address is not"
        );
        assert!(
            allow(&limits, Endpoint::Token, &junk, None).await,
            "nor another endpoint"
        );
        // One address using up its own budget for a client leaves the client's users theirs.
        let noisy = parts("203.0.113.8:1", &[]);
        let mut refused = 0;
        for _ in 0..50 {
            refused +=
                usize::from(!allow(&limits, Endpoint::Token, &noisy, Some("client-a")).await);
        }
        assert!(refused >= 40, "{refused}");
        assert!(allow(&limits, Endpoint::Token, &good, Some("client-a")).await);
        // One client id from many addresses at once is limited too.
        let mut refused = 0;
        for i in 0..200 {
            let from = parts(&format!("192.0.2.{i}:1"), &[]);
            refused +=
                usize::from(!allow(&limits, Endpoint::Authorize, &from, Some("client-a")).await);
        }
        assert!(refused >= 100, "{refused}");
        assert!(allow(&limits, Endpoint::Authorize, &good, Some("client-b")).await);
    }

    #[test]
    fn forwarded_addresses_count_only_when_trusted() {
        let behind = parts(
            "10.0.0.1:1",
            &[("forwarded", "for=192.0.2.1, for=\"[2001:db8::1]:4711\"")],
        );
        assert_eq!(
            client_address(&behind, Some(ForwardedHeader::Forwarded)),
            "2001:db8::".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_address(&behind, None),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        // Trusting X-Forwarded-For, a Forwarded header the client wrote is ignored.
        assert_eq!(
            client_address(&behind, Some(ForwardedHeader::XForwardedFor)),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        let xff = parts("10.0.0.1:1", &[("x-forwarded-for", "1.1.1.1, 192.0.2.9")]);
        assert_eq!(
            client_address(&xff, Some(ForwardedHeader::XForwardedFor)),
            "192.0.2.9".parse::<IpAddr>().unwrap()
        );
        let garbage = parts("10.0.0.1:1", &[("x-forwarded-for", "nonsense")]);
        assert_eq!(
            client_address(&garbage, Some(ForwardedHeader::XForwardedFor)),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }
}

#[cfg(all(test, feature = "redis"))]
mod shared_tests {
    use axum::http::Request;

    use super::*;
    use crate::store::redis::test_server::TestRedis;

    #[tokio::test]
    async fn replicas_sharing_a_store_count_one_budget_and_refuse_when_it_is_lost() {
        let Some(mut redis) = TestRedis::start() else {
            return;
        };
        let store = Store::redis(&redis.url(), "t:").await.unwrap();
        let (a, b) = (
            Limits::per_minute(10, None, &store),
            Limits::per_minute(10, None, &Store::redis(&redis.url(), "t:").await.unwrap()),
        );
        let minute = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                / 60
        };
        let (mut parts, ()) = Request::new(()).into_parts();
        // Counted within one window of a minute: a run that straddles two starts again.
        for attempt in 1..=3 {
            parts.extensions.insert(ConnectInfo(
                format!("203.0.113.{attempt}:1")
                    .parse::<SocketAddr>()
                    .unwrap(),
            ));
            let started = minute();
            let mut allowed = 0;
            for i in 0..30 {
                let replica = if i % 2 == 0 { &a } else { &b };
                allowed += usize::from(replica.allow(Endpoint::Token, &parts, None).await.unwrap());
            }
            if minute() == started {
                assert_eq!(allowed, 10, "ten a minute in all, not ten per replica");
                break;
            }
            assert!(attempt < 3, "three runs straddled a minute");
        }
        redis.stop();
        assert_eq!(
            a.allow(Endpoint::Register, &parts, None).await,
            Err(Unavailable),
            "never let through uncounted"
        );
    }
}

//! What every request to the MCP endpoint passes before its body is read: its `Host` and
//! `Origin` (DNS rebinding protection), where it comes from when verification is off, and
//! its credentials. Also the one reading of `Accept`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::reply::HttpError;
use crate::auth::caller::Auth;
use crate::auth::resource::ResourceServer;
use crate::web::throttle::WarnLimit;
use crate::web::url::host_of;

/// The host names a server answers to when none are configured.
pub(crate) const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Which `Host` and `Origin` headers are accepted.
pub(crate) struct HostRules {
    /// Host names, lowercase, without port.
    pub(crate) allowed_hosts: Vec<String>,
    /// Whole origins, lowercase, besides those on an allowed host.
    pub(crate) allowed_origins: Vec<String>,
    /// The warnings about refused requests: anyone can send those, so they are throttled.
    warnings: WarnLimit,
}

impl Default for HostRules {
    fn default() -> Self {
        HostRules {
            allowed_hosts: LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            allowed_origins: Vec::new(),
            warnings: WarnLimit::default(),
        }
    }
}

impl HostRules {
    /// Whether only loopback names are allowed (the default).
    pub(crate) fn allows_only_loopback(&self) -> bool {
        self.allowed_hosts
            .iter()
            .all(|h| LOOPBACK_HOSTS.contains(&h.as_str()))
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        if self.allowed_origins.contains(&origin) {
            return true;
        }
        // An origin on an allowed host (any scheme and port) is the server's own site.
        origin
            .split_once("://")
            .and_then(|(_, authority)| host_of(authority))
            .is_some_and(|host| self.host_allowed(host))
    }

    /// Refuses a request whose `Host` or `Origin` is not allowed. A function called first by
    /// every handler rather than a middleware layer, which would cost an allocation and a
    /// boxed future per request on the hot path.
    fn check(&self, parts: &Parts) -> Result<(), HttpError> {
        // HTTP/2 carries the host in the URI's authority; HTTP/1.1 in `Host`.
        let host = parts
            .uri
            .authority()
            .map(|a| a.as_str())
            .or_else(|| header_str(&parts.headers, header::HOST.as_str()));
        let Some(host) = host else {
            return Err(HttpError::forbidden(
                "Forbidden: the request has no Host header",
            ));
        };
        if host_of(host).is_none_or(|name| !self.host_allowed(name)) {
            if let Some(held_back) = self.warnings.allow() {
                tracing::warn!(
                    host,
                    held_back,
                    "refused a request for a host that is not allowed"
                );
            }
            return Err(HttpError::forbidden(format!(
                "Forbidden: host `{}` is not allowed (see Server::allowed_hosts)",
                host_of(host).unwrap_or("(malformed)")
            )));
        }
        if let Some(origin) = parts.headers.get(header::ORIGIN)
            && !origin.to_str().is_ok_and(|o| self.origin_allowed(o))
        {
            if let Some(held_back) = self.warnings.allow() {
                tracing::warn!(
                    ?origin,
                    held_back,
                    "refused a request from an origin that is not allowed"
                );
            }
            return Err(HttpError::forbidden(
                "Forbidden: this Origin is not allowed (see Server::allowed_origins)",
            ));
        }
        Ok(())
    }
}

/// The checks before a request's body is read.
pub(crate) struct Gate {
    pub(crate) hosts: HostRules,
    /// The resource server, on a server with OAuth.
    pub(crate) resource: Option<ResourceServer>,
    /// Token signatures are not verified (local development): only a peer on this machine
    /// may be served, which the connection's address shows.
    pub(crate) loopback_peers_only: bool,
}

impl Gate {
    /// The verified caller of a request (`None` without OAuth, or for an anonymous request
    /// the server lets through), or the response that refuses it.
    #[allow(clippy::result_large_err)] // the error is the finished HTTP response
    pub(crate) async fn admit(&self, parts: &Parts) -> Result<Option<Arc<Auth>>, Response> {
        self.hosts
            .check(parts)
            .map_err(IntoResponse::into_response)?;
        if self.loopback_peers_only {
            let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
            if !peer.is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback()) {
                tracing::warn!(
                    ?peer,
                    "refused a request: JWT verification is off, and the caller is not on this machine"
                );
                return Err(HttpError::forbidden(
                    "Forbidden: JWT verification is off (local development only), so this server \
                     answers only callers on its own machine; serve it with \
                     `into_make_service_with_connect_info::<SocketAddr>()` so that it can tell",
                )
                .into_response());
            }
        }
        match &self.resource {
            None => Ok(None),
            Some(resource) => resource.authenticate(&parts.headers).await,
        }
    }
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The media types a request's `Accept` takes. A missing `Accept` takes anything.
pub(crate) struct Accept<'a>(Option<&'a str>);

impl<'a> Accept<'a> {
    pub(crate) fn of(headers: &'a HeaderMap) -> Self {
        Accept(header_str(headers, header::ACCEPT.as_str()))
    }

    fn takes_any(&self, media_types: &[&str]) -> bool {
        self.0.is_none_or(|accept| {
            accept
                .split(',')
                .any(|item| media_types.contains(&item.split(';').next().unwrap_or("").trim()))
        })
    }

    /// Whether a JSON answer is acceptable (a client that takes event streams takes the JSON
    /// that the specification lets a server answer with instead).
    pub(crate) fn json(&self) -> bool {
        self.takes_any(&[
            "application/json",
            "application/*",
            "*/*",
            "text/event-stream",
        ])
    }

    /// Whether a `text/event-stream` answer is acceptable.
    pub(crate) fn event_stream(&self) -> bool {
        self.takes_any(&["text/event-stream", "*/*"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_follow_hosts() {
        let rules = HostRules::default();
        assert!(rules.origin_allowed("http://localhost:6274"));
        assert!(rules.origin_allowed("http://[::1]:1"));
        assert!(!rules.origin_allowed("http://evil.example.com"));
        assert!(!rules.origin_allowed("null"));
    }

    #[test]
    fn accept_is_read_once_for_both_media_types() {
        let mut headers = HeaderMap::new();
        assert!(Accept::of(&headers).json() && Accept::of(&headers).event_stream());
        headers.insert(header::ACCEPT, "application/json".parse().unwrap());
        assert!(Accept::of(&headers).json());
        assert!(!Accept::of(&headers).event_stream());
        headers.insert(header::ACCEPT, "text/html;q=1, */*;q=0.1".parse().unwrap());
        assert!(Accept::of(&headers).event_stream());
        headers.insert(header::ACCEPT, "text/html".parse().unwrap());
        assert!(!Accept::of(&headers).json());
    }
}

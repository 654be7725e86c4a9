//! Client ID Metadata Documents: a client whose `client_id` is an https URL of a JSON document
//! that names it and its redirect URIs. The proxy fetches the document (https only, or http
//! on loopback when this server is itself on loopback; no redirects; never from a private,
//! link-local or metadata-service address, checked after DNS resolution; time and size caps),
//! checks that it names the URL as its `client_id`, and caches it as its HTTP headers allow.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header;
use serde_json::Value;

use super::signing::Client;
use crate::error::Error;
use crate::observe;
use crate::web::text::display_name;
use crate::web::upstream::{ReadError, read_capped};
use crate::web::url::{check_redirect_uri, is_loopback};

/// The largest document accepted.
pub(crate) const MAX_BYTES: usize = 16 * 1024;
/// How long a fetch may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long a document is kept when its headers say nothing.
const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The longest a document is kept, whatever its headers say.
const MAX_TTL: Duration = Duration::from_secs(24 * 3600);
/// The most documents kept.
const CAPACITY: usize = 1000;

/// Why a client's metadata document was refused; its text is what the client or the person
/// in the browser reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) String);

/// The documents of the clients that use one, fetched and cached.
pub(crate) struct Documents {
    http: reqwest::Client,
    /// Whether a document may be on loopback (this server is on loopback too).
    loopback: bool,
    cache: Mutex<HashMap<String, (Instant, Client)>>,
}

/// Whether a client id is a metadata document's URL (rather than one this server signed).
pub(crate) fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

impl Documents {
    /// Fetches documents trusting the system's roots and `extra_root` (PEM, for tests and
    /// development); on loopback too when `loopback`.
    pub(crate) fn new(loopback: bool, extra_root: Option<&[u8]>) -> Result<Self, Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Guarded { loopback });
        if let Some(pem) = extra_root {
            let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::Config(format!(
                    "the client metadata trust root is not a PEM certificate: {e}"
                ))
            })?;
            builder = builder.tls_certs_merge(certificates);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Documents {
            http,
            loopback,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The client that the document at `url` describes, or why it is refused.
    pub(crate) async fn client(&self, url: &str) -> Result<Client, Refused> {
        let refused = |why: String| Refused(format!("The client's metadata document {url} {why}."));
        let parsed = self.check_url(url).map_err(refused)?;
        if let Some(client) = self.cached(url) {
            return Ok(client);
        }
        let sent = self
            .http
            .get(parsed)
            .header(header::ACCEPT, "application/json")
            .send();
        let response = observe::upstream("client_metadata_document", url, observe::http_ok, sent)
            .await
            .map_err(|e| {
                refused(if is_guard_refusal(&e) {
                    "is on an address this server does not fetch from (private, link-local or a metadata service)".into()
                } else if e.is_timeout() {
                    format!(
                        "could not be fetched within {} seconds",
                        TIMEOUT.as_secs()
                    )
                } else {
                    "could not be fetched".into()
                })
            })?;
        if !response.status().is_success() {
            return Err(refused(format!(
                "could not be fetched: it answered {} (redirects are not followed)",
                response.status()
            )));
        }
        let ttl = ttl(response.headers());
        let body = read_capped(response, MAX_BYTES).await.map_err(|e| {
            refused(match e {
                ReadError::TooLarge => format!("is larger than {} KiB", MAX_BYTES / 1024),
                ReadError::Cut => "could not be read to its end".into(),
            })
        })?;
        let client = parse(url, &body).map_err(refused)?;
        if let Some(ttl) = ttl {
            self.remember(url, &client, ttl);
        }
        Ok(client)
    }

    /// The URL, if it is one documents may be fetched from.
    fn check_url(&self, url: &str) -> Result<reqwest::Url, String> {
        let parsed = reqwest::Url::parse(url).map_err(|_| "is not a valid URL".to_owned())?;
        if parsed.as_str() != url {
            return Err("is not in canonical form (no `.` segments, lowercase host)".into());
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("must not carry a user name or password".into());
        }
        if parsed.fragment().is_some() {
            return Err("must not have a fragment".into());
        }
        let host = parsed.host_str().unwrap_or_default();
        let bare = host.trim_matches(['[', ']']);
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(bare) && self.loopback => {}
            _ => {
                return Err(
                    "must be an https URL (http only on loopback, for a server on loopback)".into(),
                );
            }
        }
        if parsed.path() == "/" || parsed.path().is_empty() {
            return Err("must have a path".into());
        }
        if let Ok(ip) = bare.parse::<IpAddr>()
            && !allowed(ip, self.loopback)
        {
            return Err("is on an address this server does not fetch from (private, link-local or a metadata service)".into());
        }
        Ok(parsed)
    }

    fn cached(&self, url: &str) -> Option<Client> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(url)
            .filter(|(expires, _)| *expires > Instant::now())
            .map(|(_, client)| client.clone())
    }

    fn remember(&self, url: &str, client: &Client, ttl: Duration) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CAPACITY {
            let now = Instant::now();
            cache.retain(|_, (expires, _)| *expires > now);
            if cache.len() >= CAPACITY {
                cache.clear();
            }
        }
        cache.insert(url.to_owned(), (Instant::now() + ttl, client.clone()));
    }
}

/// How long a response may be kept: `max-age` (capped), nothing for `no-store` or
/// `no-cache`, a few minutes when the headers say nothing.
fn ttl(headers: &axum::http::HeaderMap) -> Option<Duration> {
    let Some(control) = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(DEFAULT_TTL);
    };
    let mut max_age = None;
    for directive in control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return None;
        }
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            max_age = seconds.trim_matches('"').parse::<u64>().ok();
        }
    }
    match max_age {
        Some(0) => None,
        Some(seconds) => Some(Duration::from_secs(seconds).min(MAX_TTL)),
        None => Some(DEFAULT_TTL),
    }
}

/// The client a document describes, if it names `url` as its id and lists valid redirect
/// URIs; the refusal otherwise.
fn parse(url: &str, body: &[u8]) -> Result<Client, String> {
    let document: Value =
        serde_json::from_slice(body).map_err(|_| "is not valid JSON".to_owned())?;
    let document = document
        .as_object()
        .ok_or_else(|| "is not a JSON object".to_owned())?;
    match document.get("client_id").and_then(Value::as_str) {
        Some(id) if id == url => {}
        Some(_) => return Err("names another client_id than its own URL".into()),
        None => return Err("has no client_id".into()),
    }
    match document
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
    {
        None | Some("none") => {}
        Some(other) => {
            return Err(format!(
                "asks for token_endpoint_auth_method `{other}`; this server takes public clients only (`none`)"
            ));
        }
    }
    let uris = document
        .get("redirect_uris")
        .and_then(Value::as_array)
        .filter(|uris| !uris.is_empty() && uris.len() <= 10)
        .ok_or_else(|| "must list between 1 and 10 redirect_uris".to_owned())?;
    let mut redirect_uris = Vec::new();
    for uri in uris {
        let uri = uri
            .as_str()
            .ok_or("lists a redirect URI that is not a string")?;
        check_redirect_uri(uri)
            .map_err(|why| format!("lists the redirect URI {uri:?}, which {why}"))?;
        redirect_uris.push(uri.to_owned());
    }
    let name = document
        .get("client_name")
        .and_then(Value::as_str)
        .and_then(|n| display_name(n, 100));
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    Ok(Client {
        redirect_uris,
        name,
        document_host: host,
    })
}

/// Whether documents may be fetched from `ip`: never a private, link-local, metadata-service,
/// unspecified or multicast address; loopback only when this server is on loopback.
fn allowed(ip: IpAddr, loopback: bool) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return loopback;
    }
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                // Shared address space (RFC 6598) and "this network".
                || (a == 100 && (64..128).contains(&b))
                || a == 0)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// The resolver of document fetches: the system's, keeping only the addresses documents may
/// be fetched from, so that a name cannot lead the fetch to an internal service (the
/// connection uses exactly these addresses).
struct Guarded {
    loopback: bool,
}

/// The error the resolver gives when a name leads only to refused addresses.
#[derive(Debug)]
struct RefusedAddress;

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the name resolves only to addresses this server does not fetch from")
    }
}

impl std::error::Error for RefusedAddress {}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let loopback = self.loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| allowed(addr.ip(), loopback))
                .collect();
            if found.is_empty() {
                return Err(Box::new(RefusedAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether a fetch failed because the resolver refused every address.
fn is_guard_refusal(err: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if cause.is::<RefusedAddress>() {
            return true;
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused() {
        for ip in [
            "169.254.169.254",
            "10.0.0.1",
            "192.168.1.1",
            "172.16.0.1",
            "100.64.0.1",
            "0.0.0.0",
            "fe80::1",
            "fd00::1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!allowed(ip.parse().unwrap(), true), "{ip}");
        }
        assert!(allowed("93.184.216.34".parse().unwrap(), false));
        assert!(!allowed("127.0.0.1".parse().unwrap(), false));
        assert!(allowed("127.0.0.1".parse().unwrap(), true));
        assert!(!allowed("::1".parse().unwrap(), false));
    }

    #[test]
    fn documents_must_name_themselves_and_list_valid_redirect_uris() {
        let url = "https://app.example/client.json";
        let good = br#"{"client_id":"https://app.example/client.json","client_name":"App",
                        "redirect_uris":["http://127.0.0.1:9/cb"],"token_endpoint_auth_method":"none"}"#;
        let client = parse(url, good).unwrap();
        assert_eq!(client.redirect_uris, ["http://127.0.0.1:9/cb"]);
        assert_eq!(client.document_host.as_deref(), Some("app.example"));
        let other = br#"{"client_id":"https://evil.example/client.json","redirect_uris":["http://127.0.0.1:9/cb"]}"#;
        assert!(parse(url, other).unwrap_err().contains("another client_id"));
        let bad_uri = br#"{"client_id":"https://app.example/client.json","redirect_uris":["javascript:alert(1)"]}"#;
        assert!(parse(url, bad_uri).is_err());
        let secret = br#"{"client_id":"https://app.example/client.json","redirect_uris":["http://127.0.0.1:9/cb"],"token_endpoint_auth_method":"private_key_jwt"}"#;
        assert!(parse(url, secret).unwrap_err().contains("public clients"));
        assert!(parse(url, b"[]").is_err());
        assert!(parse(url, b"{").is_err());
    }

    #[test]
    fn urls_are_https_with_a_path_and_never_internal() {
        let documents = Documents::new(false, None).unwrap();
        assert!(
            documents
                .check_url("https://app.example/client.json")
                .is_ok()
        );
        for bad in [
            "http://app.example/client.json",
            "https://app.example/",
            "https://user@app.example/c.json",
            "https://169.254.169.254/c.json",
            "https://10.0.0.1/c.json",
            "http://127.0.0.1:8080/c.json",
            "https://app.example/a/../c.json",
            "https://app.example/c.json#x",
        ] {
            assert!(documents.check_url(bad).is_err(), "{bad}");
        }
        let on_loopback = Documents::new(true, None).unwrap();
        assert!(
            on_loopback
                .check_url("http://127.0.0.1:8080/c.json")
                .is_ok()
        );
        assert!(
            on_loopback
                .check_url("https://169.254.169.254/c.json")
                .is_err()
        );
    }

    #[test]
    fn cache_lifetimes_follow_the_headers() {
        let mut headers = axum::http::HeaderMap::new();
        assert_eq!(ttl(&headers), Some(DEFAULT_TTL));
        headers.insert(header::CACHE_CONTROL, "public, max-age=60".parse().unwrap());
        assert_eq!(ttl(&headers), Some(Duration::from_secs(60)));
        headers.insert(header::CACHE_CONTROL, "max-age=99999999".parse().unwrap());
        assert_eq!(ttl(&headers), Some(MAX_TTL));
        headers.insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
        assert_eq!(ttl(&headers), None);
    }
}

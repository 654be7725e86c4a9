//! The URL rules: https everywhere except on a loopback host, and host names compared without
//! their port.

/// Accepts `https://...`, and `http://` only for a loopback host. The error completes a
/// sentence that starts with the URL.
pub(crate) fn check_url(url: &str) -> Result<(), &'static str> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "is not a URL")?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("carries credentials: remove the user name and password");
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']']);
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err("uses http: only https is accepted, except on a loopback host"),
        _ => Err("is not an https URL"),
    }
}

/// `localhost`, or a loopback IP address (`127.0.0.1`, `::1`, without brackets).
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `url` is reached at a loopback host.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|h| is_loopback(h.trim_matches(['[', ']'])))
        })
        .unwrap_or(false)
}

/// `example.com:443` -> `example.com`, `[::1]:3000` -> `[::1]`; `None` for anything else than
/// a host and an optional numeric port (`localhost:5101:evil`, `host:`, `[::1]x`).
pub(crate) fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let (host, rest) = authority.split_at(authority.find(']')? + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    (!host.is_empty() && port_ok).then_some(host)
}

/// Why `uri` cannot be a redirect URI, or nothing when it can: https with a host, or http on a
/// loopback host (the MCP rule), written exactly as it parses (no other spelling of a host,
/// no character a browser would drop or reinterpret), without credentials or a fragment.
/// The error completes a sentence that starts with the URI.
pub(crate) fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri.len() > 2000 {
        return Err("is longer than 2000 characters");
    }
    // A tab is dropped, a backslash is a slash, a Cyrillic letter or a fullwidth dot turns
    // the host into another: what the browser opens would differ from what the page shows.
    if !uri.bytes().all(|b| b.is_ascii_graphic()) || uri.contains('\\') {
        return Err("holds a space, a control character, a backslash or a character outside ASCII");
    }
    if uri.contains('#') {
        return Err("has a fragment");
    }
    let Ok(url) = reqwest::Url::parse(uri) else {
        return Err("is not a URL");
    };
    // `https://claude.ai@evil.example/cb` reads as claude.ai on a consent page.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("carries a user name or password");
    }
    match url.scheme() {
        "https" if url.host_str().is_some() => {}
        "http"
            if url
                .host_str()
                .is_some_and(|h| is_loopback(h.trim_matches(['[', ']']))) => {}
        "http" => return Err("uses http on a host other than loopback"),
        _ => return Err("is neither https nor http on a loopback host"),
    }
    // `https://Example.com`, `https://example.com:443/cb` or `https://1.1/cb` parse to
    // another spelling (lowercase, default port dropped, an IP address): register that one.
    let parsed = url.as_str();
    if parsed != uri && parsed.strip_suffix('/') != Some(uri) {
        return Err("is not written as it parses: register it in its normalized form");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://tenant.auth0.com/").is_ok());
        assert!(check_url("http://127.0.0.1:4000/").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("http://[::1]:3/").is_ok());
        assert!(check_url("http://tenant.auth0.com/").is_err());
        assert!(check_url("http://127.0.0.1.evil.com/").is_err());
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("tenant.auth0.com").is_err());
        assert!(check_url("http://evil.com#@localhost/").is_err());
        assert!(check_url("http://evil.com?@127.0.0.1").is_err());
        assert!(check_url("https://user:pw@tenant.auth0.com/").is_err());
        assert!(is_loopback_url("http://[::1]:3000"));
        assert!(!is_loopback_url("https://mcp.example.com"));
    }

    #[test]
    fn hosts_with_anything_but_a_numeric_port_are_refused() {
        assert_eq!(host_of("localhost:3000"), Some("localhost"));
        assert_eq!(host_of("[::1]:3000"), Some("[::1]"));
        assert_eq!(host_of("[::1]"), Some("[::1]"));
        assert_eq!(host_of("127.0.0.1"), Some("127.0.0.1"));
        assert_eq!(host_of("localhost:5101:evil"), None);
        assert_eq!(host_of("localhost:"), None);
        assert_eq!(host_of("localhost:abc"), None);
        assert_eq!(host_of("[::1]x"), None);
        assert_eq!(host_of("[::1]:1:2"), None);
        assert_eq!(host_of(""), None);
    }

    #[test]
    fn redirect_uris_are_an_allow_list_of_https_and_http_on_loopback() {
        for good in [
            "https://claude.ai/api/mcp/auth_callback",
            "http://127.0.0.1:6274/oauth/callback",
            "http://localhost:6274/oauth/callback",
            "http://[::1]:1/cb",
            "https://app.example",
            "https://xn--bcher-kva.example/cb",
        ] {
            assert_eq!(check_redirect_uri(good), Ok(()), "{good}");
        }
        for bad in [
            "http://evil.example.com/cb",
            "javascript:alert(1)",
            "mailto:a@b.c",
            "chrome://settings",
            "jar:https://x/y!/z",
            "cursor://anysphere.cursor-retrieval/oauth/callback",
            "com.example.app:/cb",
            "https:evil.com/cb",
            "https://ok.example.com/cb#frag",
            "not a uri",
            "https://claude.ai@evil.example.com/cb",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_redirect_uri_that_parses_to_another_host_than_it_reads_is_refused() {
        for reads_otherwise in [
            "https://cl\u{0430}ude.ai/cb", // Cyrillic a
            "https://claude\u{ff0e}ai/cb", // fullwidth dot
            "https://claude.ai\t.evil.com/cb",
            "https://claude.ai\\@evil.com/cb",
            "https://Claude.AI/cb",
            "https://claude.ai:443/cb",
            "https://0x7f.1/cb",
            "https://claude.ai/a b",
        ] {
            assert!(
                check_redirect_uri(reads_otherwise).is_err(),
                "{reads_otherwise:?}"
            );
        }
    }
}

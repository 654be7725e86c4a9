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

/// `example.com:443` -> `example.com`, `[::1]:3000` -> `[::1]`.
pub(crate) fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// https, http on a loopback host, or a private-use scheme (`com.example.app:/cb`); never
/// a fragment, and never a scheme that runs code.
pub(crate) fn valid_redirect_uri(uri: &str) -> bool {
    if uri.len() > 2000 || uri.contains('#') {
        return false;
    }
    let Ok(url) = reqwest::Url::parse(uri) else {
        return false;
    };
    // `https://claude.ai@evil.example/cb` reads as claude.ai on a consent page.
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => url
            .host_str()
            .is_some_and(|h| is_loopback(h.trim_matches(['[', ']']))),
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "ftp" | "ws" | "wss" => {
            false
        }
        _ => true,
    }
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
    fn strips_ports() {
        assert_eq!(strip_port("localhost:3000"), "localhost");
        assert_eq!(strip_port("[::1]:3000"), "[::1]");
        assert_eq!(strip_port("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn redirect_uris() {
        assert!(valid_redirect_uri(
            "https://claude.ai/api/mcp/auth_callback"
        ));
        assert!(valid_redirect_uri("http://127.0.0.1:6274/oauth/callback"));
        assert!(valid_redirect_uri("http://localhost:6274/oauth/callback"));
        assert!(valid_redirect_uri("http://[::1]:1/cb"));
        assert!(valid_redirect_uri(
            "cursor://anysphere.cursor-retrieval/oauth/callback"
        ));
        assert!(!valid_redirect_uri("http://evil.example.com/cb"));
        assert!(!valid_redirect_uri("javascript:alert(1)"));
        assert!(!valid_redirect_uri("https://ok.example.com/cb#frag"));
        assert!(!valid_redirect_uri("not a uri"));
        assert!(!valid_redirect_uri("https://claude.ai@evil.example.com/cb"));
    }
}

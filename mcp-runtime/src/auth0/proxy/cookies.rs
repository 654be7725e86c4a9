//! The proxy's cookies, named and set by one rule, in one place: `__Host-` names, `Secure`,
//! `HttpOnly`, `SameSite=Lax`, path `/`; without the `__Host-` prefix and `Secure` when the
//! server is reached over plain http (local development on loopback), where browsers drop
//! them. The cookies of a sign-in in progress are named after it, so that two sign-ins in one
//! browser do not overwrite each other's.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::web::form;

/// The remembered consents of this browser (signed).
pub(crate) const CONSENT: &str = "mcp_consent";

/// The cookie that binds the consent form `txn` to the browser that was shown it.
pub(crate) fn txn(txn: &str) -> String {
    per_transaction("mcp_txn", txn)
}

/// The cookie that binds the sign-in at Auth0 under `state` to the browser that consented.
pub(crate) fn state(state: &str) -> String {
    per_transaction("mcp_state", state)
}

/// `{kind}_{the first 16 characters of id}`: ids are random base64url, so names differ; any
/// other character (an id sent by someone else) is dropped, so a name is always a valid token.
fn per_transaction(kind: &str, id: &str) -> String {
    let short: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(16)
        .collect();
    format!("{kind}_{short}")
}

/// How this server names and sets its cookies.
#[derive(Clone, Copy)]
pub(crate) struct Cookies {
    /// Whether the server is reached over https.
    secure: bool,
}

impl Cookies {
    /// The cookie rule of a server whose public URL is `base`.
    pub(crate) fn for_base(base: &str) -> Self {
        Cookies {
            secure: base.starts_with("https://"),
        }
    }

    /// The name of the cookie `name` (one of the names above) on the wire.
    fn name(self, name: &str) -> String {
        if self.secure {
            format!("__Host-{name}")
        } else {
            name.to_owned()
        }
    }

    /// The value of the cookie `name` that the browser sent.
    pub(crate) fn get<'a>(self, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        form::cookie(headers, &self.name(name))
    }

    /// Adds `Set-Cookie` for `name` to `response`, valid for `max_age` seconds.
    pub(crate) fn set(self, response: &mut Response, name: &str, value: &str, max_age: u64) {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            self.name(name)
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }

    /// Adds a `Set-Cookie` to `response` that removes the cookie `name`.
    pub(crate) fn clear(self, response: &mut Response, name: &str) {
        self.set(response, name, "", 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn remembered_consent_cookie_is_read_under_the_name_it_was_written_over_http_and_https() {
        for base in ["https://mcp.example.com", "http://127.0.0.1:3000"] {
            let cookies = Cookies::for_base(base);
            let mut response = axum::http::StatusCode::OK.into_response();
            cookies.set(&mut response, CONSENT, "v1", 60);
            let set = response.headers()[header::SET_COOKIE].to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            let mut request = HeaderMap::new();
            request.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap());
            assert_eq!(cookies.get(&request, CONSENT), Some("v1"), "{base}");
            assert_eq!(set.contains("Secure"), base.starts_with("https"), "{base}");
            assert_eq!(
                pair.starts_with("__Host-"),
                base.starts_with("https"),
                "{base}"
            );
        }
    }

    #[test]
    fn two_sign_ins_in_one_browser_have_cookies_of_their_own() {
        assert_ne!(txn("aaaaaaaaaaaaaaaaXX"), txn("bbbbbbbbbbbbbbbbXX"));
        assert_eq!(state("abc-_DEF"), "mcp_state_abc-_DEF");
        assert_eq!(txn("a;b=c d"), "mcp_txn_abcd", "never a broken cookie name");
    }
}

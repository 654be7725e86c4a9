//! The proxy's cookies, named and set by one rule: `__Host-` names, `Secure`, `HttpOnly`,
//! `SameSite=Lax`, path `/`; without the `__Host-` prefix and `Secure` when the server is
//! reached over plain http (local development on loopback), where browsers drop them.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::web::form;

/// The remembered consents of this browser (signed).
pub(crate) const CONSENT: &str = "mcp_consent";
/// Binds a consent form to the browser that was shown it.
pub(crate) const TXN: &str = "mcp_txn";
/// Binds a sign-in at Auth0 to the browser that consented.
pub(crate) const STATE: &str = "mcp_state";

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

    /// The name of the cookie `name` (one of the constants above) on the wire.
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_cookie_is_read_under_the_name_it_was_written() {
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
}

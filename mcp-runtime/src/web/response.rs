//! HTTP answers as small `IntoResponse` types, each with its fixed headers: a JSON body, an
//! OAuth error, an HTML page for a person, a redirect; and the one CORS rule of the public
//! OAuth endpoints, applied as a layer.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::html::Html;

/// A JSON body with its status.
pub(crate) struct JsonBody {
    status: StatusCode,
    bytes: Vec<u8>,
    no_store: bool,
}

impl JsonBody {
    /// `body` serialized, answered with `status`.
    pub(crate) fn new(status: StatusCode, body: &impl Serialize) -> Self {
        JsonBody {
            status,
            // Values of our own making (strings, maps, numbers): serializing cannot fail.
            bytes: serde_json::to_vec(body).unwrap_or_default(),
            no_store: false,
        }
    }

    /// `200 OK` with `body`.
    pub(crate) fn ok(body: &impl Serialize) -> Self {
        JsonBody::new(StatusCode::OK, body)
    }

    /// Marks the answer as never to be cached (`Cache-Control: no-store`), as tokens and
    /// client credentials must be (RFC 6749, section 5.1).
    pub(crate) fn no_store(mut self) -> Self {
        self.no_store = true;
        self
    }
}

impl IntoResponse for JsonBody {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.bytes,
        )
            .into_response();
        if self.no_store {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        response
    }
}

/// An OAuth error (RFC 6749, section 5.2): `{"error", "error_description"}`, never cached.
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    retry_after: Option<&'static str>,
}

impl OAuthError {
    /// The error code `error` (such as `invalid_grant`) with a description for the developer.
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }

    /// Tells the client when to try again (`Retry-After`, in seconds).
    pub(crate) fn retry_after(mut self, seconds: &'static str) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.error, "error_description": self.description});
        let mut response = JsonBody::new(self.status, &body).no_store().into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        response
    }
}

/// A page for the person in the browser: not frameable, not cached, no scripts (the one
/// style is allowed by its hash), no referrer.
pub(crate) struct HtmlPage {
    status: StatusCode,
    title: String,
    body: Html,
}

/// The style of every page: readable on a phone and on a desktop, light or dark.
const STYLE: &str = ":root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#5b5b66;\
--box:#f3f3f6;--accent:#1d4ed8;--on-accent:#fff;--warn:#b45309}\
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#17171c;--muted:#a4a4b3;\
--box:#26262e;--accent:#7aa2ff;--on-accent:#0b1020;--warn:#fbbf24}}\
body{font-family:system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:36rem;\
margin:2.5rem auto;padding:0 1.1rem;line-height:1.5;font-size:1.05rem}\
h1{font-size:1.45rem;line-height:1.3}code{background:var(--box);padding:.1rem .3rem;\
border-radius:.25rem;word-break:break-all}.muted{color:var(--muted);font-size:.92rem}\
.warn{color:var(--warn);font-weight:600}ul.scopes{padding-left:1.1rem}\
ul.scopes li{margin:.35rem 0}.actions{display:flex;gap:.7rem;flex-wrap:wrap;margin-top:1.4rem}\
button{font:inherit;padding:.6rem 1.4rem;border-radius:.45rem;border:1px solid var(--muted);\
background:var(--box);color:var(--fg);cursor:pointer}\
button.primary{background:var(--accent);border-color:var(--accent);color:var(--on-accent)}\
button .muted{color:inherit;opacity:.85}\
button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}";

/// The `Content-Security-Policy` of every page: nothing but the style above, by its hash
/// (computed once).
fn content_security_policy() -> HeaderValue {
    static POLICY: std::sync::OnceLock<HeaderValue> = std::sync::OnceLock::new();
    POLICY
        .get_or_init(|| {
            use base64::Engine as _;
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, STYLE.as_bytes());
            let hash = base64::engine::general_purpose::STANDARD.encode(hash.as_ref());
            let policy = format!(
                "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; frame-ancestors 'none'"
            );
            // ASCII only, so always a header value; were it not, the stricter policy without
            // the style.
            HeaderValue::from_str(&policy).unwrap_or_else(|_| {
                HeaderValue::from_static("default-src 'none'; base-uri 'none'; frame-ancestors 'none'")
            })
        })
        .clone()
}

impl HtmlPage {
    /// A page titled `title` (plain text) around `body`.
    pub(crate) fn new(status: StatusCode, title: &str, body: Html) -> Self {
        HtmlPage {
            status,
            title: title.to_owned(),
            body,
        }
    }

    /// A page that says what went wrong (plain text) under `heading`.
    pub(crate) fn message(status: StatusCode, heading: &str, message: &str) -> Self {
        let mut body = Html::new();
        body.raw("<h1>")
            .text(heading)
            .raw("</h1>\n<p>")
            .text(message)
            .raw("</p>");
        HtmlPage::new(status, heading, body)
    }
}

impl IntoResponse for HtmlPage {
    fn into_response(self) -> Response {
        let mut html = Html::new();
        html.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .text(&self.title)
            .raw("</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>")
            .raw(STYLE)
            .raw("</style>\n</head><body><main>\n");
        let mut page = html.into_string();
        page.push_str(&self.body.into_string());
        page.push_str("\n</main></body></html>");
        let headers = [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ];
        let mut response = (self.status, headers.map(static_header), page).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, content_security_policy());
        response
    }
}

fn static_header((name, value): (HeaderName, &'static str)) -> (HeaderName, HeaderValue) {
    (name, HeaderValue::from_static(value))
}

/// `303 See Other` to `location`, never cached.
pub(crate) struct Redirect {
    location: String,
}

impl Redirect {
    /// A redirect to `location` (a URL that this server built or checked).
    pub(crate) fn to(location: impl Into<String>) -> Self {
        Redirect {
            location: location.into(),
        }
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&self.location) {
            headers.insert(header::LOCATION, value);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

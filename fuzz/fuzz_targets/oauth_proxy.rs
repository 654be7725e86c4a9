//! Arbitrary bytes as the OAuth proxy's query strings and forms: `/authorize`, the consent
//! form, the callback, `/token` and `/register` answer with pages and OAuth errors, never a
//! server error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_fuzz::{assert_no_server_error, proxy};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::Request;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let query: String = text.chars().filter(|c| !c.is_whitespace() && *c != '#').collect();
    for path in ["/authorize", "/oauth/callback"] {
        if let Ok(request) = Request::get(format!("{path}?{query}")).body(Body::empty()) {
            assert_no_server_error(proxy(), request);
        }
    }
    for (path, content_type) in [
        ("/token", "application/x-www-form-urlencoded"),
        ("/authorize/consent", "application/x-www-form-urlencoded"),
        ("/register", "application/json"),
    ] {
        let request = Request::post(path).header("content-type", content_type).body(Body::from(data.to_vec())).unwrap();
        assert_no_server_error(proxy(), request);
    }
});

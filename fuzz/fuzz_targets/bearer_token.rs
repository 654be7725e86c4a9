//! Arbitrary bytes as the bearer token, and as edits of a valid one: the token front door
//! (header parsing, JWT decoding, verification) answers 401, never a server error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_fuzz::{assert_no_server_error, guarded_app};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{HeaderValue, Request};

const CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"typed","arguments":{"count":1,"name":"x"}}}"#;

fn send(authorization: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(authorization) else { return };
    let mut request = Request::post("/mcp")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Body::from(CALL))
        .unwrap();
    request.headers_mut().insert("authorization", value);
    assert_no_server_error(&guarded_app().0, request);
}

fuzz_target!(|data: &[u8]| {
    send(data);
    let mut bearer = b"Bearer ".to_vec();
    bearer.extend_from_slice(data);
    send(&bearer);
    // A valid token with the input spliced in at a position it chooses.
    let token = guarded_app().1.as_bytes();
    if let Some((&at, rest)) = data.split_first() {
        let at = usize::from(at) * token.len() / 256;
        let mut edited = b"Bearer ".to_vec();
        edited.extend_from_slice(&token[..at]);
        edited.extend_from_slice(rest);
        edited.extend_from_slice(&token[at.min(token.len())..]);
        send(&edited);
    }
});

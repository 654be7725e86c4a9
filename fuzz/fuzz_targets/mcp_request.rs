//! Arbitrary bytes as the body of a POST to `/mcp`: JSON-RPC parsing, dispatch and argument
//! checking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_fuzz::{assert_no_server_error, open};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::Request;

fuzz_target!(|data: &[u8]| {
    let request = Request::post("/mcp")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(Body::from(data.to_vec()))
        .unwrap();
    assert_no_server_error(open(), request);
    // The same bytes as a tools/call's arguments, when they are JSON.
    if let Ok(arguments) = serde_json::from_slice::<serde_json::Value>(data) {
        let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                      "params": {"name": "typed", "arguments": arguments}});
        let request = Request::post("/mcp")
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        assert_no_server_error(open(), request);
    }
});

//! Micro-benchmarks: dispatch of a `tools/call` with argument deserialization (in MCP
//! 2025-11-25 without a session, and in 2026-07-28), the guard with a cached token, JWT verification cold (cache off) and from the cache, and schema generation
//! at start-up. Run with `cargo bench` in `bench/`.

use criterion::{Criterion, criterion_group, criterion_main};
use mcp_bench::AUDIENCE;
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::Request;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;

mcp_runtime::permissions! {
    /// The benchmark's vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
    }
}

/// A tool with a few typed arguments.
#[tool]
async fn search(
    /// Query.
    query: String,
    /// Page size.
    limit: Option<u32>,
    /// Tags.
    tags: Vec<String>,
) -> String {
    format!("{query} {} {}", limit.unwrap_or(10), tags.len())
}

/// The same, guarded.
#[tool(name = "search", requires = "read:data")]
async fn guarded_search(query: String, limit: Option<u32>, tags: Vec<String>) -> String {
    format!("{query} {} {}", limit.unwrap_or(10), tags.len())
}

#[mcp_server(name = "bench", oauth = none, tools = [search])]
struct Open;

#[mcp_server(name = "bench", oauth = jwt, permissions = perms, tools = [guarded_search])]
struct Guarded;

const CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"rust mcp","limit":20,"tags":["a","b","c"]}}}"#;

/// The same call in MCP 2026-07-28: no session, its version and capabilities in `_meta`.
const CALL_2026: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"rust mcp","limit":20,"tags":["a","b","c"]},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"}}}}"#;

fn request(token: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(CALL)).unwrap()
}

fn request_2026(token: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "search");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(CALL_2026)).unwrap()
}

fn benches(c: &mut Criterion) {
    use tower::ServiceExt;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let issuer = rt.block_on(TestIssuer::start());
    let token = issuer.token(AUDIENCE).permissions(["read:data"]).sign();

    let open = Open.into_server().stateless().router();
    c.bench_function("dispatch tools/call with 3 arguments (no auth)", |b| {
        b.iter(|| rt.block_on(open.clone().oneshot(request(None))).unwrap())
    });

    c.bench_function("dispatch 2026-07-28 tools/call with 3 arguments (no auth)", |b| {
        b.iter(|| rt.block_on(open.clone().oneshot(request_2026(None))).unwrap())
    });

    let cached = Guarded.into_server().stateless().jwt(issuer.config(AUDIENCE)).public_url("http://127.0.0.1").router().unwrap();
    rt.block_on(cached.clone().oneshot(request(Some(&token)))).unwrap();
    c.bench_function("dispatch + JWT from the cache + guard", |b| {
        b.iter(|| rt.block_on(cached.clone().oneshot(request(Some(&token)))).unwrap())
    });

    c.bench_function("dispatch 2026-07-28 + JWT from the cache + guard", |b| {
        b.iter(|| rt.block_on(cached.clone().oneshot(request_2026(Some(&token)))).unwrap())
    });

    let cold = Guarded
        .into_server()
        .stateless()
        .jwt(issuer.config(AUDIENCE).token_cache(0))
        .public_url("http://127.0.0.1")
        .router()
        .unwrap();
    rt.block_on(cold.clone().oneshot(request(Some(&token)))).unwrap();
    c.bench_function("dispatch + JWT verified cold (RS256) + guard", |b| {
        b.iter(|| rt.block_on(cold.clone().oneshot(request(Some(&token)))).unwrap())
    });

    c.bench_function("schema generation at start-up (Server::new)", |b| b.iter(|| Open.into_server()));
}

criterion_group!(micro, benches);
criterion_main!(micro);


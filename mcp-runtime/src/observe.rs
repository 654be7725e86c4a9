//! What the server tells its operators: the names of its metrics (through the `metrics`
//! facade, which costs nothing until an application installs a recorder), and a timer for
//! the calls it makes to other services. Never a token, a secret or a code.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::Instant;

use metrics::{Counter, Histogram};

/// Requests answered, by `method` and `outcome`.
pub(crate) const REQUESTS: &str = "mcp_requests_total";
/// Seconds to answer a request, by `method`.
pub(crate) const REQUEST_SECONDS: &str = "mcp_request_duration_seconds";
/// Tool calls, by `tool` and `outcome` (`ok`, `tool_error`, `denied`, `error`).
pub(crate) const TOOL_CALLS: &str = "mcp_tool_calls_total";
/// Requests refused by a guard, by `kind` (tool, resource, prompt, completion) and `reason`
/// (`no_credentials`, `missing_permission`, `hidden`).
pub(crate) const DENIALS: &str = "mcp_denials_total";
/// Bearer tokens checked, by `result` (`valid`, `invalid`) and `cache` (`hit`, `miss`).
pub(crate) const TOKEN_VERIFICATIONS: &str = "mcp_token_verifications_total";
/// Fetches of the authorization server's signing keys, by `outcome`.
pub(crate) const JWKS_REFRESHES: &str = "mcp_jwks_refreshes_total";
/// Calls to other services (Auth0's token endpoint, key set, metadata; clients' metadata
/// documents), by `endpoint` and `outcome`.
pub(crate) const UPSTREAM_REQUESTS: &str = "mcp_upstream_requests_total";
/// Seconds an upstream call took, by `endpoint`.
pub(crate) const UPSTREAM_SECONDS: &str = "mcp_upstream_duration_seconds";

/// Set once this crate installed the process's recorder itself (`metrics::prometheus`): then
/// the per-request metrics' handles are registered once and kept, instead of being looked up
/// by name and labels on every request. With a recorder the application installed, which may
/// come after the first request, they are looked up each time.
static OWN_RECORDER: AtomicBool = AtomicBool::new(false);

/// Says that this crate installed the recorder.
#[cfg_attr(not(feature = "prometheus"), allow(dead_code))]
pub(crate) fn own_recorder_installed() {
    OWN_RECORDER.store(true, Ordering::Release);
}

/// The kept handles, by their label values.
#[derive(Default)]
struct Handles {
    requests: HashMap<(&'static str, &'static str), Counter>,
    seconds: HashMap<&'static str, Histogram>,
    tools: HashMap<(&'static str, &'static str), Counter>,
}

fn handles() -> &'static RwLock<Handles> {
    static HANDLES: OnceLock<RwLock<Handles>> = OnceLock::new();
    HANDLES.get_or_init(RwLock::default)
}

/// The handle kept under `key` in the map `read` (or `write`) picks, registered with `make`
/// the first time.
fn kept<K: std::hash::Hash + Eq, V: Clone>(
    read: fn(&Handles) -> &HashMap<K, V>,
    write: fn(&mut Handles) -> &mut HashMap<K, V>,
    key: K,
    make: impl FnOnce() -> V,
) -> V {
    let found = read(&handles().read().unwrap_or_else(|e| e.into_inner()))
        .get(&key)
        .cloned();
    found.unwrap_or_else(|| {
        let mut handles = handles().write().unwrap_or_else(|e| e.into_inner());
        write(&mut handles).entry(key).or_insert_with(make).clone()
    })
}

/// Counts and times one answered request (and, for `tools/call`, the call of `tool`).
pub(crate) fn request_answered(
    method: &'static str,
    outcome: &'static str,
    tool: Option<&'static str>,
    seconds: f64,
) {
    if !OWN_RECORDER.load(Ordering::Acquire) {
        metrics::counter!(REQUESTS, "method" => method, "outcome" => outcome).increment(1);
        metrics::histogram!(REQUEST_SECONDS, "method" => method).record(seconds);
        if let Some(tool) = tool {
            metrics::counter!(TOOL_CALLS, "tool" => tool, "outcome" => outcome).increment(1);
        }
        return;
    }
    let request = kept(
        |h| &h.requests,
        |h| &mut h.requests,
        (method, outcome),
        || metrics::counter!(REQUESTS, "method" => method, "outcome" => outcome),
    );
    let histogram = kept(
        |h| &h.seconds,
        |h| &mut h.seconds,
        method,
        || metrics::histogram!(REQUEST_SECONDS, "method" => method),
    );
    let tool_counter = tool.map(|tool| {
        kept(
            |h| &h.tools,
            |h| &mut h.tools,
            (tool, outcome),
            || metrics::counter!(TOOL_CALLS, "tool" => tool, "outcome" => outcome),
        )
    });
    request.increment(1);
    histogram.record(seconds);
    if let Some(counter) = tool_counter {
        counter.increment(1);
    }
}

/// Counts one bearer token check: `valid` or not, answered from the cache or not.
pub(crate) fn token_checked(valid: bool, cache_hit: bool) {
    let result = if valid { "valid" } else { "invalid" };
    let cache = if cache_hit { "hit" } else { "miss" };
    if !OWN_RECORDER.load(Ordering::Acquire) {
        metrics::counter!(TOKEN_VERIFICATIONS, "result" => result, "cache" => cache).increment(1);
        return;
    }
    static KEPT: OnceLock<[Counter; 4]> = OnceLock::new();
    let kept = KEPT.get_or_init(|| {
        [("valid", "hit"), ("valid", "miss"), ("invalid", "hit"), ("invalid", "miss")].map(
            |(result, cache)| {
                metrics::counter!(TOKEN_VERIFICATIONS, "result" => result, "cache" => cache)
            },
        )
    });
    kept[usize::from(!valid) * 2 + usize::from(!cache_hit)].increment(1);
}

/// Whether an upstream HTTP call got a success status.
pub(crate) fn http_ok(response: &Result<reqwest::Response, reqwest::Error>) -> bool {
    response.as_ref().is_ok_and(|r| r.status().is_success())
}

/// The methods a metric names as they are; any other is `other`, so that a client cannot
/// grow the number of series.
pub(crate) fn method_label(method: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "initialize",
        "ping",
        "tools/list",
        "tools/call",
        "resources/list",
        "resources/templates/list",
        "resources/read",
        "resources/subscribe",
        "resources/unsubscribe",
        "prompts/list",
        "prompts/get",
        "completion/complete",
        "logging/setLevel",
        "server/discover",
        "subscriptions/listen",
    ];
    KNOWN
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

/// Runs `call`, a request to the service `endpoint` at `url`, in a span, and counts and times
/// it; `ok` says which outputs succeeded. The URL is logged, never a request's body.
pub(crate) async fn upstream<T>(
    endpoint: &'static str,
    url: &str,
    ok: impl FnOnce(&T) -> bool,
    call: impl Future<Output = T>,
) -> T {
    use tracing::Instrument as _;
    let span = tracing::info_span!("upstream", endpoint, url);
    let started = Instant::now();
    let output = call.instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let outcome = if ok(&output) { "ok" } else { "failed" };
    span.in_scope(|| {
        tracing::debug!(
            outcome,
            duration_ms = (seconds * 1000.0) as u64,
            "upstream call"
        );
    });
    metrics::counter!(UPSTREAM_REQUESTS, "endpoint" => endpoint, "outcome" => outcome).increment(1);
    metrics::histogram!(UPSTREAM_SECONDS, "endpoint" => endpoint).record(seconds);
    output
}

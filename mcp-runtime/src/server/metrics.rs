//! The server's metrics, through the [`metrics`](https://docs.rs/metrics) facade: nothing is
//! recorded until the application installs a recorder (any `metrics` exporter), and then:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `mcp_requests_total` | counter | `method`, `outcome` (`ok`, `tool_error`, `error`, `denied`, `cancelled`, `input_required`) |
//! | `mcp_request_duration_seconds` | histogram | `method` |
//! | `mcp_tool_calls_total` | counter | `tool`, `outcome` |
//! | `mcp_denials_total` | counter | `kind` (`tool`, `resource`, `prompt`, `completion`), `reason` (`no_credentials`, `missing_permission`, `hidden`) |
//! | `mcp_token_verifications_total` | counter | `result` (`valid`, `invalid`), `cache` (`hit`, `miss`) |
//! | `mcp_jwks_refreshes_total` | counter | `outcome` (`ok`, `failed`) |
//! | `mcp_upstream_requests_total` | counter | `endpoint` (`auth0_token`, `jwks`, `auth0_metadata`, `client_metadata_document`), `outcome` |
//! | `mcp_upstream_duration_seconds` | histogram | `endpoint` |
//!
//! Label values are the server's own (declared tool names, known methods), never a client's
//! string, so the number of series stays bounded. With the feature `prometheus`,
//! [`prometheus`] installs a Prometheus recorder and gives the scrape endpoint to mount:
//!
//! ```no_run
//! # use mcp_runtime::prelude::*;
//! # #[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [])] struct S;
//! # async fn run() -> mcp_runtime::Result<()> {
//! # #[cfg(feature = "prometheus")]
//! S.into_server()
//!     .merge(mcp_runtime::metrics::prometheus("/metrics")?)
//!     .serve("127.0.0.1:3000")
//!     .await
//! # ; Ok(())
//! # }
//! ```

#[cfg(feature = "prometheus")]
use std::sync::OnceLock;

#[cfg(feature = "prometheus")]
use crate::error::{Error, Result};

/// The histograms' buckets, in seconds: from 50 microseconds (a cached token, a quick tool) to
/// 10 seconds (a slow upstream).
#[cfg(feature = "prometheus")]
const BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 10.0,
];

/// Installs a Prometheus recorder as the process's `metrics` recorder (once; later calls
/// share it) and returns a router that serves the scrape at `path` (`GET`, text format).
/// Fails when another recorder was installed first.
#[cfg(feature = "prometheus")]
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
pub fn prometheus(path: &str) -> Result<axum::Router> {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    let handle = match HANDLE.get() {
        Some(handle) => handle.clone(),
        None => {
            // Histograms as buckets, which cost a few additions to record, rather than
            // summaries, whose quantile sketches cost much more on every request.
            let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .map_err(|err| Error::Config(format!("the metrics buckets: {err}")))?
                .install_recorder()
                .map_err(|err| {
                    Error::Config(format!(
                        "cannot install the Prometheus recorder: {err}: another metrics recorder was installed first; call metrics::prometheus before installing any other, or serve that recorder's own exporter instead"
                    ))
                })?;
            crate::observe::own_recorder_installed();
            // The recorder keeps histogram samples until they are folded into the buckets:
            // fold them every few seconds, so that memory stays flat between scrapes.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("mcp-metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .map_err(|err| Error::Config(format!("cannot start the metrics upkeep: {err}")))?;
            HANDLE.get_or_init(|| handle).clone()
        }
    };
    Ok(axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let handle = handle.clone();
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    handle.render(),
                )
            }
        }),
    ))
}

//! Cross-origin access, with tower-http's CORS layer: any origin for the public documents and
//! endpoints of OAuth, the configured origins for the MCP endpoint.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// How long a browser may keep a preflight's answer.
const MAX_AGE: Duration = Duration::from_secs(86_400);

/// Makes `router`'s answers readable from any origin (`Access-Control-Allow-Origin: *`) and
/// answers its CORS preflights. For the public documents and endpoints of OAuth (metadata,
/// registration, token), which browser-based clients call from their own origin without
/// cookies; never for the pages a person sees.
pub(crate) fn public<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.route_layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                HeaderName::from_static("mcp-protocol-version"),
            ])
            .max_age(MAX_AGE),
    )
}

/// The MCP endpoint's CORS for browser-based clients at `origins` (exact origins, such as
/// `https://app.example.com`): the methods and headers of Streamable HTTP, and the headers a
/// client must read (the session id, the protocol version, the authentication challenge).
pub(crate) fn for_origins<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    origins: &[String],
) -> Router<S> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let mcp = |name| HeaderName::from_static(name);
    router.route_layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                mcp("mcp-session-id"),
                mcp("mcp-protocol-version"),
                mcp("last-event-id"),
                mcp("mcp-method"),
                mcp("mcp-name"),
            ])
            .expose_headers([
                mcp("mcp-session-id"),
                mcp("mcp-protocol-version"),
                header::WWW_AUTHENTICATE,
            ])
            .max_age(MAX_AGE),
    )
}

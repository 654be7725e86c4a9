//! rmcp (the official Rust SDK) with the same `echo` tool, stateless JSON responses.
//! `AUTH=jwt` adds an axum middleware that verifies an RS256 token on every request.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use mcp_bench::{PerRequestJwt, issuer_with_token, listen_addr, with_jwt};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoRequest {
    /// The message.
    message: String,
}

#[derive(Debug, Clone)]
struct Echo {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Echo {
    #[tool(description = "Echo the message")]
    fn echo(&self, Parameters(EchoRequest { message }): Parameters<EchoRequest>) -> String {
        message
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Echo {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

async fn verify(State(jwt): State<PerRequestJwt>, request: Request, next: Next) -> Response {
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if !jwt.check(authorization) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    next.run(request).await
}

#[tokio::main]
async fn main() {
    let issuer = issuer_with_token().await;
    let config = StreamableHttpServerConfig::default().with_legacy_session_mode(false).with_json_response(true);
    let service: StreamableHttpService<Echo, LocalSessionManager> =
        StreamableHttpService::new(|| Ok(Echo { tool_router: Echo::tool_router() }), Default::default(), config);
    let mut app = axum::Router::new().nest_service("/mcp", service);
    if with_jwt() {
        app = app.layer(middleware::from_fn_with_state(PerRequestJwt::new(&issuer), verify));
    }
    let listener = tokio::net::TcpListener::bind(listen_addr()).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}

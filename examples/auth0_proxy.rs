//! The flagship example: MCP tools behind Auth0, with this server as an OAuth proxy in front of
//! a pre-registered Auth0 Regular Web Application (no Auth0 early access needed).
//!
//! ```sh
//! AUTH0_DOMAIN=your-tenant.us.auth0.com AUTH0_CLIENT_ID=... AUTH0_CLIENT_SECRET=... \
//! AUTH0_AUDIENCE=https://my-mcp-api/ cargo run --example auth0_proxy
//! ```
//!
//! With no Auth0 settings at all it starts a built-in development issuer on loopback (test
//! users `alice` and `bob`), so the whole flow works offline. See README.md, "Auth0 set-up".

#[path = "common/documents.rs"]
mod documents;

use documents::{
    Documents, addresses, auth0_or_dev_issuer, delete_document, get_user_info, list_documents,
};
use mcp_runtime::prelude::*;

#[mcp_server(
    name = "documents",
    version = "1.0.0",
    oauth = auth0_proxy,
    permissions = documents::perms,
    tools = [get_user_info, list_documents, delete_document]
)]
#[derive(Clone, Default)]
struct DocumentsServer {
    documents: Documents,
}

impl FromRef<DocumentsServer> for Documents {
    fn from_ref(server: &DocumentsServer) -> Documents {
        server.documents.clone()
    }
}

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    tracing_subscriber::fmt().init();
    let (listen, public_url) = addresses();
    // Auth0 when its settings are present; the development issuer only when none is.
    let (config, _dev_issuer) = auth0_or_dev_issuer(true, &public_url).await?;
    DocumentsServer::default()
        .into_server()
        .auth0(config)
        .public_url(public_url)
        .serve(&listen)
        .await
}

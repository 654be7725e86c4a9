//! MCP tools behind Auth0 with Auth0's own dynamic client registration (early access): the
//! server is a resource server, and MCP clients register and sign in at the tenant.
//!
//! ```sh
//! AUTH0_DOMAIN=your-tenant.auth0.com AUTH0_AUDIENCE=https://your-api.example.com \
//! cargo run --example auth0_dcr
//! ```
//!
//! The reference page's names `MCP_USE_OAUTH_AUTH0_DOMAIN` and `MCP_USE_OAUTH_AUTH0_AUDIENCE`
//! work too. With no Auth0 settings it starts the built-in development issuer (loopback only,
//! open registration, test users `alice` and `bob`). See README.md, "Auth0 set-up".

#[path = "common/documents.rs"]
mod documents;

use documents::{
    Documents, addresses, auth0_or_dev_issuer, delete_document, get_user_info, list_documents,
};
use mcp_runtime::prelude::*;

#[mcp_server(
    name = "documents",
    version = "1.0.0",
    oauth = auth0,
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
    let (config, _dev_issuer) = auth0_or_dev_issuer(false, &public_url).await?;
    DocumentsServer::default()
        .into_server()
        .auth0(config)
        .public_url(public_url)
        .serve(&listen)
        .await
}

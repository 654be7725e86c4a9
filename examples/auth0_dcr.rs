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
    DEV_AUDIENCE, Documents, addresses, delete_document, get_user_info, list_documents,
};
use mcp_runtime::Auth0Config;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::DevIssuer;

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
    let (config, _dev_issuer) = match Auth0Config::from_env_dcr() {
        Ok(config) => (config, None),
        Err(missing) if missing.none_set => {
            let dev = DevIssuer::start(DEV_AUDIENCE, &[]).await?;
            tracing::warn!(
                "No Auth0 settings (AUTH0_DOMAIN, AUTH0_AUDIENCE): using the built-in DEVELOPMENT issuer at {} \
                 with open registration and test users alice and bob. Never use it in production.",
                dev.domain()
            );
            (dev.auth0_config(), Some(dev))
        }
        Err(missing) => return Err(missing.into()),
    };
    DocumentsServer::default()
        .into_server()
        .auth0(config)
        .public_url(public_url)
        .serve(&listen)
        .await
}

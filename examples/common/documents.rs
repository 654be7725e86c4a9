//! The tools of the Auth0 examples (the reference page's): the caller's user info, and a small
//! in-memory document store whose deletion needs `delete:documents`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mcp_runtime::Auth0Config;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::DevIssuer;
use schemars::JsonSchema;
use serde::Serialize;

use perms::DeleteDocuments;

mcp_runtime::permissions! {
    /// What callers of the documents server may be granted (the Auth0 API's permissions).
    pub(crate) mod perms {
        /// Read documents.
        ReadData = "read:data",
        /// Delete documents.
        DeleteDocuments = "delete:documents",
    }
}

/// The document store, shared by every request.
#[derive(Clone)]
pub(crate) struct Documents(Arc<Mutex<BTreeMap<String, String>>>);

impl Default for Documents {
    fn default() -> Self {
        let seed = [
            ("doc-1", "Quarterly report"),
            ("doc-2", "Meeting notes"),
            ("doc-3", "Roadmap"),
        ];
        Documents(Arc::new(Mutex::new(
            seed.into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )))
    }
}

impl Documents {
    /// Deleting needs proof that the caller's permission was checked.
    fn delete(&self, _proof: Granted<DeleteDocuments>, id: &str) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }
}

/// The caller, as a tool sees it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserInfo {
    /// `sub`: the user's id at Auth0.
    user_id: String,
    /// The user's email, when the token carries it.
    email: Option<String>,
    /// The user's name.
    name: Option<String>,
    /// The user's nickname.
    nickname: Option<String>,
    /// A picture URL.
    picture: Option<String>,
    /// The `permissions` claim (Auth0 RBAC).
    permissions: Vec<String>,
    /// The granted scopes.
    scopes: Vec<String>,
}

/// Get authenticated user info.
#[tool(name = "get-user-info", authenticated, read_only)]
pub(crate) async fn get_user_info(auth: &Auth) -> Json<UserInfo> {
    let user = auth.user();
    Json(UserInfo {
        user_id: user.user_id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        nickname: user.nickname.clone(),
        picture: user.picture.clone(),
        permissions: auth.permissions().to_vec(),
        scopes: auth.scopes().to_vec(),
    })
}

/// List the documents (id and title).
#[tool(name = "list-documents", requires = "read:data", read_only)]
pub(crate) async fn list_documents(documents: State<Documents>) -> String {
    let documents = documents.0.0.lock().unwrap_or_else(|e| e.into_inner());
    if documents.is_empty() {
        return "No documents.".into();
    }
    documents
        .iter()
        .map(|(id, title)| format!("{id}: {title}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Delete a document (requires delete:documents).
#[tool(
    name = "delete-document",
    requires = "delete:documents",
    destructive,
    idempotent,
    rename_all = "camelCase"
)]
pub(crate) async fn delete_document(
    proof: Granted<DeleteDocuments>,
    documents: State<Documents>,
    /// The id of the document, as `list-documents` shows it.
    document_id: String,
) -> Result<String, ToolError> {
    match documents.delete(proof, &document_id) {
        Some(title) => Ok(format!("Document deleted: {document_id} ({title})")),
        None => Err(ToolError::new(format!(
            "No document `{document_id}`: call list-documents for the ids."
        ))),
    }
}

/// Where the examples listen: `127.0.0.1:$PORT` (default 3000), and the public base URL
/// (`MCP_PUBLIC_URL`, default `http://127.0.0.1:$PORT`).
pub(crate) fn addresses() -> (String, String) {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let public =
        std::env::var("MCP_PUBLIC_URL").unwrap_or_else(|_| format!("http://127.0.0.1:{port}"));
    (
        format!("127.0.0.1:{port}"),
        public.trim_end_matches('/').to_owned(),
    )
}

/// The API identifier the development issuer uses when no Auth0 settings are present.
const DEV_AUDIENCE: &str = "https://mcp-runtime.example/api";

/// The Auth0 settings of an example: from the environment when any Auth0 variable is set (a
/// missing one is then an error naming it), or, when none is, the built-in development issuer,
/// announced loudly. Keep the issuer alive as long as the server.
pub(crate) async fn auth0_or_dev_issuer(
    proxy: bool,
    public_url: &str,
) -> mcp_runtime::Result<(Auth0Config, Option<DevIssuer>)> {
    let from_env = if proxy {
        Auth0Config::from_env_proxy()
    } else {
        Auth0Config::from_env_dcr()
    };
    match from_env {
        Ok(config) => Ok((config, None)),
        Err(missing) if missing.none_set => {
            // The proxy's own callback is the one redirect URI its application may use; in the
            // DCR mode clients register theirs at the issuer.
            let callbacks = if proxy {
                vec![format!("{public_url}/oauth/callback")]
            } else {
                Vec::new()
            };
            let dev = DevIssuer::start(DEV_AUDIENCE, &callbacks).await?;
            tracing::warn!(
                "No Auth0 settings ({}): using the built-in DEVELOPMENT issuer at {} with test users \
                 alice and bob. Anyone can sign in as anyone: never use it in production.",
                missing.missing.join(", "),
                dev.domain()
            );
            Ok((dev.auth0_config(), Some(dev)))
        }
        Err(missing) => Err(missing.into()),
    }
}

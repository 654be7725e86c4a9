//! Documents tools behind Auth0, with this server as the OAuth proxy in front of an Auth0
//! Regular Web Application: `cargo run --example auth0_proxy`. Without Auth0 settings it
//! starts the development issuer (users alice and bob); see README.md, "Auth0 set-up".

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mcp_runtime::Auth0Config;
use mcp_runtime::prelude::*;
use perms::DeleteDocuments;

mcp_runtime::permissions! {
    /// What callers may be granted: the Auth0 API's permissions.
    pub mod perms {
        /// Read documents.
        ReadData = "read:data",
        /// Delete documents.
        DeleteDocuments = "delete:documents",
    }
}

/// The caller, as a tool sees it.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
struct UserInfo {
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
async fn get_user_info(auth: &Auth) -> Json<UserInfo> {
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
async fn list_documents(documents: State<Documents>) -> String {
    let documents = documents.0.0.lock().unwrap_or_else(|e| e.into_inner());
    if documents.is_empty() {
        return "No documents.".into();
    }
    let lines: Vec<String> = documents
        .iter()
        .map(|(id, title)| format!("{id}: {title}"))
        .collect();
    lines.join("\n")
}

/// Delete a document (requires delete:documents).
#[tool(
    name = "delete-document",
    requires = "delete:documents",
    destructive,
    idempotent,
    rename_all = "camelCase"
)]
async fn delete_document(
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

/// A document's text, by id.
#[resource_template(
    uri = "documents://{id}",
    name = "document",
    mime_type = "text/plain",
    requires = "read:data"
)]
async fn document(
    documents: State<Documents>,
    /// The document's id, as `list-documents` shows it.
    #[arg(complete = complete_document_id)]
    id: String,
) -> Option<String> {
    documents
        .0
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .cloned()
}

/// The ids of the documents that start like the typed value.
async fn complete_document_id(input: Completion) -> Vec<String> {
    let Some(documents) = input.server::<Documents>() else {
        return Vec::new();
    };
    let documents = documents.0.lock().unwrap_or_else(|e| e.into_inner());
    documents
        .keys()
        .filter(|id| id.starts_with(input.value()))
        .cloned()
        .collect()
}

/// Ask the model to summarize a document.
#[prompt(name = "summarize-document", requires = "read:data")]
async fn summarize_document(
    /// The id of the document to summarize.
    #[arg(rename = "documentId", complete = complete_document_id)]
    document_id: String,
) -> Vec<Message> {
    let link = Content::resource_link(format!("documents://{document_id}"), document_id);
    vec![
        Message::user(link),
        Message::user("Summarize this document in three sentences."),
    ]
}

/// The documents server: its state is the document store, shared by every request.
#[mcp_server(
    name = "documents",
    version = "1.0.0",
    oauth = auth0_proxy,
    permissions = perms,
    tools = [get_user_info, list_documents, delete_document],
    resources = [document],
    prompts = [summarize_document]
)]
#[derive(Clone)]
struct Documents(Arc<Mutex<BTreeMap<String, String>>>);

impl Documents {
    fn new() -> Self {
        let seed = [
            ("doc-1", "Quarterly report"),
            ("doc-2", "Meeting notes"),
            ("doc-3", "Roadmap"),
        ];
        Documents(Arc::new(Mutex::new(
            seed.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )))
    }

    /// Deleting takes proof that the caller's permission was checked.
    fn delete(&self, _proof: Granted<DeleteDocuments>, id: &str) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }
}

#[tokio::main]
async fn main() -> mcp_runtime::Result<()> {
    // RUST_LOG picks what is logged (`info` by default); colours only on a terminal.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    Documents::new()
        .into_server()
        .auth0(Auth0Config::from_env_or_dev_issuer().await?)
        .serve_from_env()
        .await
}

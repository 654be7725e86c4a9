//! Documents tools behind Auth0, with this server as the OAuth proxy in front of an Auth0
//! Regular Web Application: `cargo run --example auth0_proxy`. Without Auth0 settings it
//! starts the development issuer (users alice and bob); see README.md, "Auth0 set-up".
//!
//! Deleting goes through the documents API, a service of its own with its own Auth0 audience,
//! called with a token obtained on the caller's behalf (README.md, "Calling other APIs").

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mcp_runtime::axum::extract::{Path, State as ApiState};
use mcp_runtime::axum::http::{HeaderMap, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::{Auth0Config, DelegatedToken, TokenVerifier};
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
    let documents = documents.0.store.lock().unwrap_or_else(|e| e.into_inner());
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
    auth: &Auth,
    documents: State<Documents>,
    /// The id of the document, as `list-documents` shows it.
    document_id: String,
) -> Result<String, ToolError> {
    // A token of the documents API for this user, in exchange for theirs: the API never sees
    // the token the MCP client sent.
    let token = auth
        .token_for(&documents.0.api_audience, &["delete:documents"])
        .await?;
    documents.delete(proof, &token, &document_id).await
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
        .store
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
    let documents = documents.store.lock().unwrap_or_else(|e| e.into_inner());
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

/// The documents server: its state is the document store, shared by every request, and the
/// documents API that deletes from it.
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
struct Documents {
    store: Store,
    /// Where the documents API listens, and its audience (its identifier at Auth0).
    api_url: String,
    api_audience: String,
    http: reqwest::Client,
}

type Store = Arc<Mutex<BTreeMap<String, String>>>;

impl Documents {
    fn new(store: Store, api_url: String, api_audience: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        Documents {
            store,
            api_url,
            api_audience,
            http,
        }
    }

    /// Deleting takes proof that the caller's permission was checked, and the API's token.
    async fn delete(
        &self,
        _proof: Granted<DeleteDocuments>,
        token: &DelegatedToken,
        id: &str,
    ) -> Result<String, ToolError> {
        // The id is one path segment, whatever the model sent.
        let invalid = || ToolError::new("The documents API's URL is invalid.");
        let mut url = reqwest::Url::parse(&self.api_url).map_err(|_| invalid())?;
        url.path_segments_mut()
            .map_err(|_| invalid())?
            .extend(["documents", id]);
        let sent = self
            .http
            .delete(url)
            .header("authorization", token.authorization());
        let response = sent
            .send()
            .await
            .map_err(|_| ToolError::new("The documents API cannot be reached; try again later."))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let text: String = text.chars().take(500).collect();
        match status {
            200 => Ok(format!("Document deleted: {id} ({text})")),
            404 => Err(ToolError::new(format!(
                "No document `{id}`: call list-documents for the ids."
            ))),
            _ => Err(ToolError::new(format!(
                "The documents API refused the deletion ({status}): {text}"
            ))),
        }
    }
}

/// The documents API: a service of its own, which takes only tokens of its own audience.
/// `DELETE /documents/{id}` needs `delete:documents`.
fn documents_api(verifier: TokenVerifier, store: Store) -> mcp_runtime::axum::Router {
    let delete = mcp_runtime::axum::routing::delete(delete_in_api);
    mcp_runtime::axum::Router::new()
        .route("/documents/{id}", delete)
        .with_state((Arc::new(verifier), store))
}

async fn delete_in_api(
    ApiState((verifier, store)): ApiState<(Arc<TokenVerifier>, Store)>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let caller = match bearer {
        Some(token) => verifier.verify(token).await,
        None => return (StatusCode::UNAUTHORIZED, "no access token".into()),
    };
    let caller = match caller {
        Ok(caller) => caller,
        Err(why) => {
            tracing::warn!(target: "documents_api", "refused a token: {why}");
            let status = match why.is_unavailable() {
                true => StatusCode::SERVICE_UNAVAILABLE,
                false => StatusCode::UNAUTHORIZED,
            };
            return (status, why.to_string());
        }
    };
    let claim = |name: &str| caller.claims().get(name).cloned().unwrap_or_default();
    tracing::info!(
        target: "documents_api",
        sub = %caller.user().user_id,
        aud = %claim("aud"),
        scope = %caller.scopes().join(" "),
        act = %claim("act"),
        "DELETE /documents/{id}"
    );
    if !caller.is_granted("delete:documents") {
        return (StatusCode::FORBIDDEN, "requires delete:documents".into());
    }
    match store.lock().unwrap_or_else(|e| e.into_inner()).remove(&id) {
        Some(title) => (StatusCode::OK, title),
        None => (StatusCode::NOT_FOUND, format!("no document {id}")),
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
    let auth0 = Auth0Config::from_env_or_dev_issuer().await?;
    let seed = [
        ("doc-1", "Quarterly report"),
        ("doc-2", "Meeting notes"),
        ("doc-3", "Roadmap"),
    ];
    let store: Store = Arc::new(Mutex::new(
        seed.into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    ));
    // The documents API, on a loopback port of its own (DOCUMENTS_API_PORT, or any free one).
    let audience = std::env::var("DOCUMENTS_API_AUDIENCE")
        .unwrap_or_else(|_| "https://documents-api.example/".into());
    let port = std::env::var("DOCUMENTS_API_PORT").unwrap_or_else(|_| "0".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let api_url = format!("http://{}", listener.local_addr()?);
    let verifier = TokenVerifier::new(auth0.jwt_config_for(&audience))?;
    let api = documents_api(verifier, Arc::clone(&store));
    tokio::spawn(async move { mcp_runtime::axum::serve(listener, api).await });
    tracing::info!("documents API for audience {audience} listening on {api_url}");
    Documents::new(store, api_url, audience)
        .into_server()
        .auth0(auth0)
        .serve_from_env()
        .await
}

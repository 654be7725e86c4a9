//! Shared application state: tools that read and write an in-memory note store.
//!
//! `cargo run --example notes`, then call `add_note`, `list_notes` and `delete_note` from an MCP
//! client at http://127.0.0.1:3000/mcp (`PORT` changes the port).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mcp_runtime::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

/// The store: cheap to clone, shared by every request.
#[derive(Clone, Default)]
struct Notes {
    inner: Arc<Mutex<NotesInner>>,
}

#[derive(Default)]
struct NotesInner {
    next_id: u64,
    notes: BTreeMap<u64, String>,
}

/// One note.
#[derive(Serialize, JsonSchema)]
struct Note {
    /// The note's id.
    id: u64,
    /// The note's text.
    text: String,
}

/// All notes.
#[derive(Serialize, JsonSchema)]
struct NoteList {
    /// The notes, oldest first.
    notes: Vec<Note>,
}

/// Add a note and return its id.
#[tool]
async fn add_note(
    notes: State<Notes>,
    /// The note's text.
    text: String,
) -> Result<String, ToolError> {
    if text.trim().is_empty() {
        return Err(ToolError::new(
            "The note is empty: pass the text to remember.",
        ));
    }
    let mut inner = notes.inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.next_id += 1;
    let id = inner.next_id;
    inner.notes.insert(id, text);
    Ok(format!("Added note {id}."))
}

/// List all notes.
#[tool(read_only)]
async fn list_notes(notes: State<Notes>) -> Json<NoteList> {
    let inner = notes.inner.lock().unwrap_or_else(|e| e.into_inner());
    let notes = inner
        .notes
        .iter()
        .map(|(id, text)| Note {
            id: *id,
            text: text.clone(),
        })
        .collect();
    Json(NoteList { notes })
}

/// Delete a note.
#[tool(destructive, idempotent, rename_all = "camelCase")]
async fn delete_note(
    notes: State<Notes>,
    /// The id that `add_note` returned.
    note_id: u64,
) -> Result<String, ToolError> {
    let mut inner = notes.inner.lock().unwrap_or_else(|e| e.into_inner());
    match inner.notes.remove(&note_id) {
        Some(_) => Ok(format!("Deleted note {note_id}.")),
        None => Err(ToolError::new(format!(
            "No note {note_id}: call list_notes to see the ids."
        ))),
    }
}

/// The server struct holds the state; `FromRef` hands each tool the part it asks for.
#[mcp_server(name = "notes", version = "1.0.0", oauth = none, tools = [add_note, list_notes, delete_note])]
#[derive(Default)]
struct NotesServer {
    notes: Notes,
}

impl FromRef<NotesServer> for Notes {
    fn from_ref(server: &NotesServer) -> Notes {
        server.notes.clone()
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
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    NotesServer::default()
        .serve(&format!("127.0.0.1:{port}"))
        .await
}

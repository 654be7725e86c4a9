//! Tools that talk back: a long-running tool that reports progress and stops when the client
//! cancels, and a destructive tool that asks the user to confirm first (elicitation).
//!
//! `cargo run --example interactive`, then with the MCP Inspector CLI:
//! `npx @modelcontextprotocol/inspector-cli --cli http://127.0.0.1:3000/mcp --transport http --method tools/call --tool-name count_slowly --tool-arg to=5`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_runtime::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Count to `to`, one number every `delay_ms` milliseconds, reporting progress. Stops as
/// soon as the client cancels.
#[tool(read_only)]
async fn count_slowly(
    ctx: &Context,
    /// The number to count to (at most 1000).
    to: u32,
    /// Milliseconds between numbers (default 200).
    delay_ms: Option<u64>,
) -> Result<String, ToolError> {
    if to > 1000 {
        return Err(ToolError::new("`to` is at most 1000"));
    }
    let delay = Duration::from_millis(delay_ms.unwrap_or(200));
    for n in 1..=to {
        // The future is dropped when the client cancels; this `select!` also lets the
        // tool stop at once from inside a long wait and say so in the log.
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = ctx.cancelled() => return Err(ToolError::new("cancelled")),
        }
        ctx.progress(
            f64::from(n),
            Some(f64::from(to)),
            Some(&format!("counted to {n}")),
        );
        ctx.log(LogLevel::Debug, format!("counted to {n}"));
    }
    Ok(format!("Counted to {to}."))
}

/// The user's confirmation.
#[derive(Debug, Deserialize, JsonSchema)]
struct Confirmation {
    /// Type the number of items to delete, to confirm.
    count: u32,
}

/// Delete every item of the store, after the user confirms by typing how many there are.
#[tool(destructive)]
async fn delete_everything(ctx: &Context, store: State<Store>) -> Result<String, ToolError> {
    let count = store.0.0.load(Ordering::SeqCst);
    let question =
        format!("This deletes all {count} items and cannot be undone. Type {count} to confirm.");
    match ctx.elicit::<Confirmation>(&question).await? {
        Elicitation::Accepted(Confirmation { count: typed }) if typed as usize == count => {
            store.0.0.store(0, Ordering::SeqCst);
            Ok(format!("Deleted {count} items."))
        }
        Elicitation::Accepted(_) => Err(ToolError::new(
            "The number typed did not match: nothing was deleted.",
        )),
        Elicitation::Declined | Elicitation::Cancelled => {
            Ok("Nothing was deleted: the user did not confirm.".into())
        }
    }
}

/// How many items the store holds.
#[derive(Clone)]
struct Store(Arc<AtomicUsize>);

#[mcp_server(name = "interactive", version = "1.0.0", oauth = none, tools = [count_slowly, delete_everything])]
#[derive(Clone)]
struct Interactive {
    store: Store,
}

impl FromRef<Interactive> for Store {
    fn from_ref(server: &Interactive) -> Store {
        server.store.clone()
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
    let server = Interactive {
        store: Store(Arc::new(AtomicUsize::new(42))),
    };
    server.serve(&format!("127.0.0.1:{port}")).await
}

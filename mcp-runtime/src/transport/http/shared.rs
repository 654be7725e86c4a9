//! What every handler of the endpoint shares: the engine, the admission gate, the session
//! table and the shutdown signal, and the names of the MCP headers.

use std::sync::Arc;

use super::admission::Gate;
use super::sessions::SessionTable;
use crate::engine::Engine;
use crate::protocol::peer::Cancel;

/// `Mcp-Session-Id`.
pub(crate) const SESSION_HEADER: &str = "mcp-session-id";
/// `MCP-Protocol-Version`.
pub(crate) const VERSION_HEADER: &str = "mcp-protocol-version";

/// The endpoint's state.
pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) gate: Gate,
    pub(crate) stateless: bool,
    pub(crate) max_body_bytes: usize,
    pub(crate) sessions: SessionTable,
    pub(crate) shutdown: Arc<Cancel>,
}

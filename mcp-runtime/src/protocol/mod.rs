//! The MCP protocol below any transport: JSON-RPC messages, protocol versions, log levels,
//! what the server keeps of a client (its session), and the way back to it during a request.

pub(crate) mod era;
pub(crate) mod input;
pub(crate) mod jsonrpc;
pub(crate) mod log;
pub(crate) mod peer;
pub(crate) mod session;
pub(crate) mod subscriptions;
pub(crate) mod version;

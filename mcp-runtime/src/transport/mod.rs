//! Transports: MCP Streamable HTTP, and stdio for local clients.

pub(crate) mod http;
pub(crate) mod stdio;

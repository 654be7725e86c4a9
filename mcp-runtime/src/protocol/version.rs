//! The protocol versions this server speaks.

/// Newest first; `initialize` answers with the first one unless the client asks for another.
pub(crate) const SUPPORTED: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26"];

/// The version assumed when a request after `initialize` carries no `MCP-Protocol-Version`.
pub(crate) const DEFAULT_NEGOTIATED: &str = "2025-03-26";

/// The supported version equal to `version`, as a `'static` string.
pub(crate) fn supported(version: &str) -> Option<&'static str> {
    SUPPORTED.iter().copied().find(|v| *v == version)
}

/// The version `initialize` agrees on: the client's, if supported, or the newest.
pub(crate) fn negotiate(requested: Option<&str>) -> &'static str {
    requested.and_then(supported).unwrap_or(SUPPORTED[0])
}

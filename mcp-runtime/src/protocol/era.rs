//! The two eras of MCP on one endpoint: 2025-era clients that open a session with
//! `initialize`, and 2026-07-28 clients whose every request carries its protocol version and
//! capabilities in `_meta`. Which one a request belongs to is decided per request.

use serde_json::{Map, Value};

use super::jsonrpc::RpcError;
use super::log::LogLevel;

/// Which era a request belongs to, which decides its wire (statuses, headers, sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Era {
    /// 2025-11-25 and before: `initialize`, then a session.
    Legacy,
    /// 2026-07-28: every request stands alone.
    Modern,
}

/// The revision of the stateless era.
pub(crate) const MODERN: &str = "2026-07-28";

/// The revisions served statelessly, for `server/discover` and the unsupported-version error.
pub(crate) const MODERN_VERSIONS: &[&str] = &[MODERN];

/// The `_meta` keys of a 2026-07-28 request.
pub(crate) mod key {
    pub(crate) const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
    pub(crate) const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
    pub(crate) const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
    pub(crate) const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
    pub(crate) const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
}

/// The JSON-RPC error codes of 2026-07-28.
pub(crate) mod code {
    /// An `MCP-Protocol-Version`, `Mcp-Method` or `Mcp-Name` header that disagrees with the body.
    pub(crate) const HEADER_MISMATCH: i64 = -32020;
    /// The request needs a client capability it did not declare.
    pub(crate) const MISSING_CLIENT_CAPABILITY: i64 = -32021;
    /// The request's protocol version is not served.
    pub(crate) const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// What a 2026-07-28 request says of itself in `params._meta`.
#[derive(Debug, Clone)]
pub(crate) struct ModernMeta {
    /// `io.modelcontextprotocol/protocolVersion`, as sent.
    pub(crate) version: String,
    /// `io.modelcontextprotocol/clientCapabilities`: what the client can do, for this request.
    pub(crate) client_capabilities: Value,
    /// `io.modelcontextprotocol/logLevel`: the least severe log level the client wants from this
    /// request; none, no log messages.
    pub(crate) log_level: Option<LogLevel>,
}

impl ModernMeta {
    /// Reads the `_meta` of a 2026-07-28 request; a missing field is `-32602`.
    pub(crate) fn parse(params: Option<&Map<String, Value>>) -> Result<Self, RpcError> {
        let meta = params
            .and_then(|p| p.get("_meta"))
            .and_then(Value::as_object);
        let missing = || {
            RpcError::invalid_params(format!(
                "Invalid params: params._meta must carry {} and {}",
                key::PROTOCOL_VERSION,
                key::CLIENT_CAPABILITIES
            ))
        };
        let meta = meta.ok_or_else(missing)?;
        let version = meta
            .get(key::PROTOCOL_VERSION)
            .and_then(Value::as_str)
            .ok_or_else(missing)?
            .to_owned();
        let client_capabilities = meta
            .get(key::CLIENT_CAPABILITIES)
            .filter(|c| c.is_object())
            .cloned()
            .ok_or_else(missing)?;
        let log_level =
            match meta.get(key::LOG_LEVEL) {
                None | Some(Value::Null) => None,
                Some(level) => Some(level.as_str().and_then(LogLevel::from_name).ok_or_else(
                    || {
                        RpcError::invalid_params(format!(
                            "Invalid params: {} must be one of {}",
                            key::LOG_LEVEL,
                            LogLevel::ALL.map(LogLevel::name).join(", ")
                        ))
                    },
                )?),
            };
        Ok(ModernMeta {
            version,
            client_capabilities,
            log_level,
        })
    }
}

/// Whether `params` carry the `_meta` keys of a 2026-07-28 request.
pub(crate) fn has_modern_meta(params: Option<&Map<String, Value>>) -> bool {
    params
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object)
        .is_some_and(|meta| {
            meta.contains_key(key::PROTOCOL_VERSION) || meta.contains_key(key::CLIENT_CAPABILITIES)
        })
}

/// Whether a method exists only in the session era (and so is unknown to a 2026 request).
pub(crate) fn is_legacy_only(method: &str) -> bool {
    matches!(
        method,
        "initialize"
            | "ping"
            | "logging/setLevel"
            | "resources/subscribe"
            | "resources/unsubscribe"
            | "notifications/initialized"
            | "notifications/roots/list_changed"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn meta_is_read_and_its_absence_explained() {
        let good = params(json!({"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"sampling": {}},
            "io.modelcontextprotocol/logLevel": "warning"}}));
        let meta = ModernMeta::parse(Some(&good)).unwrap();
        assert_eq!(meta.version, "2026-07-28");
        assert_eq!(meta.log_level, Some(LogLevel::Warning));
        assert!(has_modern_meta(Some(&good)));
        for bad in [
            json!({}),
            json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}),
            json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}),
            json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                             "io.modelcontextprotocol/clientCapabilities": {},
                             "io.modelcontextprotocol/logLevel": "loud"}}),
        ] {
            assert_eq!(
                ModernMeta::parse(Some(&params(bad.clone())))
                    .unwrap_err()
                    .code,
                -32602,
                "{bad}"
            );
        }
        assert!(!has_modern_meta(Some(&params(
            json!({"_meta": {"progressToken": 1}})
        ))));
    }
}

//! JSON-RPC 2.0 messages, as MCP uses them: one message per POST, no batches.

use serde_json::{Map, Value, json};

/// The JSON-RPC error codes this server answers with, each by name.
pub(crate) mod code {
    /// The message is not JSON.
    pub(crate) const PARSE_ERROR: i64 = -32700;
    /// The message is not a valid JSON-RPC request, or not one this server accepts now.
    pub(crate) const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
    /// The method's parameters are wrong.
    pub(crate) const INVALID_PARAMS: i64 = -32602;
    /// The server failed.
    pub(crate) const INTERNAL_ERROR: i64 = -32603;
    /// The request is refused before any method runs (host, origin, credentials), as the
    /// official SDKs answer it: the first of JSON-RPC's server-defined codes.
    pub(crate) const REFUSED: i64 = -32000;
    /// The `Mcp-Session-Id` names no session of this caller, as the official SDKs answer it.
    pub(crate) const SESSION_NOT_FOUND: i64 = -32001;
    /// `resources/read` of a URI the server has no resource for (MCP 2025-11-25).
    pub(crate) const RESOURCE_NOT_FOUND: i64 = -32002;
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RpcError {
    pub code: i64,
    pub message: String,
    /// More about the error, for the client to act on (such as the `uri` not found); boxed,
    /// since errors are passed around by value and most have none.
    pub data: Option<Box<Value>>,
}

impl RpcError {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The error with `data`.
    pub(crate) fn with_data(mut self, data: Value) -> Self {
        self.data = Some(Box::new(data));
        self
    }

    /// `-32602` with `message`.
    pub(crate) fn invalid_params(message: impl Into<String>) -> Self {
        RpcError::new(code::INVALID_PARAMS, message)
    }

    /// The error as a response to `id` (`null` when the request's id is unknown).
    pub(crate) fn into_response(self, id: Value) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(data) = self.data {
            error["data"] = *data;
        }
        json!({"jsonrpc": "2.0", "id": id, "error": error})
    }
}

/// A successful response. Built by moving `id` and `result` in: `json!` would copy `result`.
pub(crate) fn response(id: Value, result: Value) -> Value {
    let mut object = Map::with_capacity(3);
    object.insert("jsonrpc".into(), Value::String("2.0".into()));
    object.insert("id".into(), id);
    object.insert("result".into(), result);
    Value::Object(object)
}

/// A successful response, serialized from borrowed parts (for an answer written out once,
/// with no `Value` built for its envelope).
#[derive(serde::Serialize)]
pub(crate) struct Reply<'a> {
    jsonrpc: &'static str,
    id: &'a Value,
    result: &'a Value,
}

impl<'a> Reply<'a> {
    pub(crate) fn new(id: &'a Value, result: &'a Value) -> Self {
        Reply {
            jsonrpc: "2.0",
            id,
            result,
        }
    }
}

/// One incoming message.
#[derive(Debug)]
pub(crate) enum Message {
    Request {
        id: Value,
        method: String,
        params: Option<Map<String, Value>>,
    },
    Notification {
        method: String,
        params: Option<Map<String, Value>>,
    },
    /// A response to a request the server sent to the client.
    Response { id: Value, body: Map<String, Value> },
}

/// Parses one message. The error carries the request id when it could be read.
pub(crate) fn parse(bytes: &[u8]) -> Result<Message, (Value, RpcError)> {
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        (
            Value::Null,
            RpcError::new(code::PARSE_ERROR, format!("Parse error: {err}")),
        )
    })?;
    from_value(value)
}

fn from_value(value: Value) -> Result<Message, (Value, RpcError)> {
    let invalid = |id: Value, why: &str| {
        (
            id,
            RpcError::new(code::INVALID_REQUEST, format!("Invalid Request: {why}")),
        )
    };
    let mut object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(invalid(
                Value::Null,
                "batches are not supported; send one JSON-RPC message per request",
            ));
        }
        _ => return Err(invalid(Value::Null, "a JSON-RPC message must be an object")),
    };
    let id = object.remove("id");
    if let Some(id) = &id {
        let valid = id.is_string() || id.as_i64().is_some() || id.as_u64().is_some();
        if !valid {
            return Err(invalid(Value::Null, "`id` must be a string or an integer"));
        }
    }
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(
            id.unwrap_or(Value::Null),
            "`jsonrpc` must be \"2.0\"",
        ));
    }
    let params = match object.remove("params") {
        None | Some(Value::Null) => None,
        Some(Value::Object(params)) => Some(params),
        Some(_) => {
            return Err(invalid(
                id.unwrap_or(Value::Null),
                "`params` must be an object",
            ));
        }
    };
    match (object.remove("method"), id) {
        (Some(Value::String(method)), Some(id)) => Ok(Message::Request { id, method, params }),
        (Some(Value::String(method)), None) => Ok(Message::Notification { method, params }),
        (Some(_), id) => Err(invalid(
            id.unwrap_or(Value::Null),
            "`method` must be a string",
        )),
        (None, Some(id)) if object.contains_key("result") || object.contains_key("error") => {
            Ok(Message::Response { id, body: object })
        }
        (None, id) => Err(invalid(id.unwrap_or(Value::Null), "missing `method`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(bytes: &str) -> i64 {
        parse(bytes.as_bytes()).unwrap_err().1.code
    }

    #[test]
    fn classifies_messages() {
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            Ok(Message::Request { .. })
        ));
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Ok(Message::Notification { .. })
        ));
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#),
            Ok(Message::Response { .. })
        ));
    }

    #[test]
    fn rejects_malformed_messages_with_standard_codes() {
        assert_eq!(code_of("{"), code::PARSE_ERROR);
        assert_eq!(code_of("[]"), code::INVALID_REQUEST);
        assert_eq!(
            code_of(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1}"#),
            code::INVALID_REQUEST
        );
    }
}

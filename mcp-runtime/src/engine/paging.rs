//! Pagination of every list: pages of the server's size, and opaque cursors that a client
//! cannot forge into anything but an error.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::protocol::jsonrpc::RpcError;

/// The page of `items` that the request's `cursor` asks for, and the cursor of the next page.
pub(crate) fn page<'a, T>(
    items: &[&'a T],
    params: Option<&Map<String, Value>>,
    page_size: usize,
    method: &str,
) -> Result<(Vec<&'a T>, Option<String>), RpcError> {
    let invalid = || {
        RpcError::invalid_params(format!(
            "Invalid cursor: pass a `nextCursor` from a previous `{method}`, or none for the first page"
        ))
    };
    let start = match params.and_then(|p| p.get("cursor")) {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) => decode(cursor)
            .filter(|start| *start < items.len())
            .ok_or_else(invalid)?,
        Some(_) => return Err(invalid()),
    };
    let end = items.len().min(start + page_size.max(1));
    let next = (end < items.len()).then(|| encode(end));
    Ok((items[start..end].to_vec(), next))
}

/// A list result (`tools/list`, `prompts/list`, ...): the page of `visible` that the request
/// asks for, each item as `listed` shows it, under `key`, with `nextCursor` when more follow.
pub(crate) fn list_result<T>(
    visible: &[&T],
    listed: impl Fn(&T) -> &Value,
    params: Option<&Map<String, Value>>,
    page_size: usize,
    method: &str,
    key: &str,
) -> Result<Value, RpcError> {
    let (items, next) = page(visible, params, page_size, method)?;
    let listed: Vec<&Value> = items.into_iter().map(listed).collect();
    let mut result = json!({ key: listed });
    if let Some(next) = next {
        result["nextCursor"] = next.into();
    }
    Ok(result)
}

fn encode(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("page:{offset}"))
}

fn decode(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("page:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_follow_their_cursors_and_forged_ones_are_refused() {
        let items = [1, 2, 3];
        let items: Vec<&i32> = items.iter().collect();
        let (first, next) = page(&items, None, 2, "tools/list").unwrap();
        assert_eq!(first, [&1, &2]);
        let params = json!({"cursor": next.unwrap()});
        let (second, next) = page(&items, params.as_object(), 2, "tools/list").unwrap();
        assert_eq!((second, next), (vec![&3], None));
        for forged in [json!("2"), json!("garbage"), json!(encode(9)), json!(7)] {
            let params = json!({ "cursor": forged });
            let err = page(&items, params.as_object(), 2, "tools/list").unwrap_err();
            assert_eq!(err.code, -32602, "{forged}");
        }
    }
}

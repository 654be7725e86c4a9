//! Property tests of argument checking: arguments that fit a tool's parameter types reach the
//! tool intact; arguments that do not (a wrong type, a missing or an unknown argument) get an
//! `isError` result; and any JSON at all gets an answer, never a panic or a 500.

use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::prelude::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Echo the arguments back as JSON.
#[tool]
async fn typed(
    /// A count.
    count: i64,
    /// A name.
    name: String,
    /// A flag.
    flag: Option<bool>,
    /// Small numbers.
    bytes: Vec<u8>,
) -> String {
    json!({"count": count, "name": name, "flag": flag, "bytes": bytes}).to_string()
}

#[mcp_server(name = "props", version = "1.0.0", oauth = none, tools = [typed])]
struct Props;

fn call(arguments: &Value) -> (StatusCode, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = Props.into_server().stateless().router();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "typed", "arguments": arguments}});
    let request = Request::post("/mcp")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    runtime.block_on(async {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    })
}

fn valid_arguments() -> impl Strategy<Value = Value> {
    (
        any::<i64>(),
        ".*",
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|(count, name, flag, bytes)| {
            let mut arguments = json!({"count": count, "name": name, "bytes": bytes});
            if let Some(flag) = flag {
                arguments["flag"] = flag.into();
            }
            arguments
        })
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map("[a-z]{1,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arguments_that_fit_reach_the_tool_intact(arguments in valid_arguments()) {
        let (status, reply) = call(&arguments);
        prop_assert_eq!(status, StatusCode::OK);
        prop_assert!(reply["result"]["isError"].is_null(), "{}", reply);
        let echoed: Value = serde_json::from_str(reply["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
        prop_assert_eq!(&echoed["count"], &arguments["count"]);
        prop_assert_eq!(&echoed["name"], &arguments["name"]);
        prop_assert_eq!(&echoed["bytes"], &arguments["bytes"]);
    }

    #[test]
    fn arguments_that_do_not_fit_are_a_tool_error(
        arguments in valid_arguments(),
        field in prop_oneof![Just("count"), Just("name"), Just("flag"), Just("bytes")],
        wrong in prop_oneof![Just(json!("text")), Just(json!({"an": "object"})), Just(json!([true])), Just(json!(1.5)), Just(json!(300))],
        mutation in 0..3u8,
    ) {
        let mut arguments = arguments;
        match mutation {
            // A wrong type (a string is right for `name`, and 300 is a fine `count`: skip those).
            0 => {
                let fits = (field == "name" && wrong.is_string()) || (field == "count" && wrong == json!(300));
                prop_assume!(!fits);
                arguments[field] = wrong;
            }
            // A missing required argument.
            1 => {
                prop_assume!(field != "flag");
                arguments.as_object_mut().unwrap().remove(field);
            }
            // An unknown argument.
            _ => arguments["unexpected"] = wrong,
        }
        let (status, reply) = call(&arguments);
        prop_assert_eq!(status, StatusCode::OK);
        prop_assert_eq!(&reply["result"]["isError"], &json!(true), "{}", reply);
        prop_assert!(reply["result"]["content"][0]["text"].as_str().unwrap().starts_with("Invalid arguments for tool `typed`"));
    }

    #[test]
    fn any_json_gets_an_answer(arguments in any_json()) {
        let (status, reply) = call(&arguments);
        prop_assert_eq!(status, StatusCode::OK);
        prop_assert!(reply.get("result").is_some() || reply.get("error").is_some(), "{}", reply);
    }
}

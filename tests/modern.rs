//! MCP 2026-07-28 through the `Router`, beside the session era on the same endpoint:
//! `server/discover`, result shapes and cache hints, the header checks, multi-round-trip
//! input with signed, single-use request states bound to the caller, logging by request,
//! `subscriptions/listen`, and authorization on every stateless request.

mod common;

use common::{Events, Reply, initialize, post, rpc, send, session};
use mcp_runtime::axum::Router;
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use mcp_runtime::{JwtConfig, SamplingRequest};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

const AUDIENCE: &str = "https://api.example.com";
const PUBLIC_URL: &str = "http://127.0.0.1:3000";
const MODERN: &str = "2026-07-28";

/// A name.
#[derive(Debug, Deserialize, JsonSchema)]
struct Name {
    name: String,
}

/// A colour.
#[derive(Debug, Deserialize, JsonSchema)]
struct Colour {
    colour: String,
}

/// Greets the user by the name they give.
#[tool]
async fn greet(ctx: &Context) -> Result<String, ToolError> {
    Ok(match ctx.elicit::<Name>("What is your name?").await? {
        Elicitation::Accepted(name) => format!("Hello, {}!", name.name),
        _ => "Hello, stranger!".into(),
    })
}

/// Asks twice, in two rounds.
#[tool]
async fn survey(ctx: &Context) -> Result<String, ToolError> {
    let Elicitation::Accepted(name) = ctx.elicit::<Name>("Your name?").await? else {
        return Ok("no name".into());
    };
    let Elicitation::Accepted(colour) = ctx.elicit::<Colour>("Your colour?").await? else {
        return Ok("no colour".into());
    };
    Ok(format!("{} likes {}", name.name, colour.colour))
}

/// Asks the client's model.
#[tool]
async fn haiku(ctx: &Context) -> Result<String, ToolError> {
    let answer = ctx
        .sample(SamplingRequest::text("A haiku about Rust", 50))
        .await?;
    Ok(answer.text().unwrap_or_default().to_owned())
}

/// Logs, then answers.
#[tool]
async fn chatty(ctx: &Context) -> &'static str {
    ctx.log(LogLevel::Info, "working");
    ctx.log(LogLevel::Debug, "details");
    "done"
}

/// The README.
#[resource(uri = "docs://readme", mime_type = "text/markdown")]
async fn readme() -> &'static str {
    "# Hello"
}

#[mcp_server(
    name = "era",
    version = "1.0.0",
    oauth = none,
    tools = [greet, survey, haiku, chatty],
    resources = [readme]
)]
struct Era;

mcp_runtime::permissions! {
    /// The test vocabulary.
    pub mod perms {
        /// Read data.
        ReadData = "read:data",
        /// Administer.
        Admin = "admin",
    }
}

/// Anyone signed in may ask who they are; asks for a name first.
#[tool(requires = "read:data")]
async fn whoami(ctx: &Context, auth: &Auth) -> Result<String, ToolError> {
    let answer = ctx.elicit::<Name>("Your name?").await?;
    let name = match answer {
        Elicitation::Accepted(name) => name.name,
        _ => "?".into(),
    };
    Ok(format!("{} is {name}", auth.user().user_id))
}

/// Needs admin; hidden from others.
#[tool(requires = "admin", on_denied = hide)]
async fn admin_hidden() -> &'static str {
    "secret"
}

/// Needs admin; denial is a step-up 403.
#[tool(requires = "admin", on_denied = insufficient_scope)]
async fn admin_step_up() -> &'static str {
    "admin"
}

#[mcp_server(
    name = "guarded",
    version = "1.0.0",
    oauth = jwt,
    permissions = perms,
    tools = [whoami, admin_hidden, admin_step_up]
)]
struct Guarded;

fn era() -> Router {
    Era.into_server().router()
}

fn guarded(config: JwtConfig) -> Router {
    Guarded
        .into_server()
        .jwt(config)
        .public_url(PUBLIC_URL)
        .router()
        .expect("valid settings")
}

/// The `_meta` of a 2026-07-28 request declaring `capabilities`.
fn meta(capabilities: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1.0.0"},
    })
}

/// A 2026-07-28 request: `params` with the `_meta` of a client declaring `capabilities`.
fn modern(id: u64, method: &str, mut params: Value, capabilities: Value) -> Value {
    params["_meta"] = meta(capabilities);
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// A POST of a 2026-07-28 request, with the headers that mirror its body.
fn post_modern(body: &Value, token: Option<&str>) -> Request<Body> {
    let mut request = post(body, token, None);
    let headers = request.headers_mut();
    let version = body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"]
        .as_str()
        .unwrap_or(MODERN);
    headers.insert("mcp-protocol-version", version.parse().unwrap());
    headers.insert(
        "mcp-method",
        body["method"].as_str().unwrap().parse().unwrap(),
    );
    let name = body["params"]["name"]
        .as_str()
        .or(body["params"]["uri"].as_str());
    if let Some(name) = name {
        headers.insert("mcp-name", name.parse().unwrap());
    }
    request
}

/// Sends a 2026-07-28 request.
async fn ask(app: &Router, body: &Value, token: Option<&str>) -> Reply {
    send(app, post_modern(body, token)).await
}

/// `tools/call` of `tool` in 2026-07-28, with `extra` params (input responses, state).
fn call(id: u64, tool: &str, extra: Value, capabilities: Value) -> Value {
    let mut params = json!({"name": tool, "arguments": {}});
    if let Value::Object(extra) = extra {
        for (key, value) in extra {
            params[key] = value;
        }
    }
    modern(id, "tools/call", params, capabilities)
}

fn elicitation() -> Value {
    json!({"elicitation": {}})
}

fn text(reply: &Reply) -> &str {
    common::text(&reply.body)
}

#[tokio::test]
async fn discover_describes_the_server_with_no_session() {
    let reply = ask(
        &era(),
        &modern(1, "server/discover", json!({}), json!({})),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.header("mcp-session-id").is_none(),
        "2026-07-28 has no sessions"
    );
    let result = &reply.body["result"];
    assert_eq!(result["supportedVersions"], json!([MODERN]));
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["ttlMs"], 0);
    assert_eq!(result["cacheScope"], "public");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"],
        json!({"name": "era", "version": "1.0.0"})
    );
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["tools"], json!({}));
    assert_eq!(capabilities["resources"], json!({"subscribe": true}));
    assert!(capabilities.get("prompts").is_none(), "{capabilities}");
}

#[tokio::test]
async fn results_have_their_type_and_lists_the_cache_ttl_the_server_sets() {
    let app = Era
        .into_server()
        .cache_ttl(std::time::Duration::from_secs(60))
        .router();
    let listed = ask(&app, &modern(1, "tools/list", json!({}), json!({})), None).await;
    let result = &listed.body["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["ttlMs"], 60_000);
    assert_eq!(result["cacheScope"], "public");
    let read = ask(
        &app,
        &modern(
            2,
            "resources/read",
            json!({"uri": "docs://readme"}),
            json!({}),
        ),
        None,
    )
    .await;
    assert_eq!(read.body["result"]["contents"][0]["text"], "# Hello");
    assert_eq!(read.body["result"]["ttlMs"], 60_000);
    // A call is not cacheable: it has its type, and no hints.
    let called = ask(&app, &call(3, "chatty", json!({}), json!({})), None).await;
    assert_eq!(called.body["result"]["resultType"], "complete");
    assert!(called.body["result"].get("ttlMs").is_none());
    // A resource that is not there is invalid params in 2026-07-28, with its URI.
    let missing = ask(
        &app,
        &modern(
            4,
            "resources/read",
            json!({"uri": "docs://gone"}),
            json!({}),
        ),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["error"]["code"], -32602);
    assert_eq!(missing.body["error"]["data"]["uri"], "docs://gone");
}

#[tokio::test]
async fn headers_must_agree_with_the_body() {
    let app = era();
    // No `_meta`: invalid params, with the request's id.
    let bare = json!({"jsonrpc": "2.0", "id": 7, "method": "server/discover", "params": {}});
    let reply = ask(&app, &bare, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], -32602);
    assert_eq!(reply.body["id"], 7);

    let discover = modern(8, "server/discover", json!({}), json!({}));
    // The version header disagrees with `_meta`.
    let mut request = post_modern(&discover, None);
    request
        .headers_mut()
        .insert("mcp-protocol-version", "2026-01-01".parse().unwrap());
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], -32020);
    // Mcp-Method missing, then different.
    let mut request = post_modern(&discover, None);
    request.headers_mut().remove("mcp-method");
    assert_eq!(send(&app, request).await.body["error"]["code"], -32020);
    let mut request = post_modern(&discover, None);
    request
        .headers_mut()
        .insert("mcp-method", "SERVER/DISCOVER".parse().unwrap());
    assert_eq!(send(&app, request).await.body["error"]["code"], -32020);
    // Mcp-Name: another tool's name is refused; the same name, padded or in base64, is not.
    let greet = call(9, "greet", json!({}), elicitation());
    let mut request = post_modern(&greet, None);
    request
        .headers_mut()
        .insert("mcp-name", "haiku".parse().unwrap());
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], -32020);
    for name in ["  greet\t", "=?base64?Z3JlZXQ=?="] {
        let mut request = post_modern(&greet, None);
        request
            .headers_mut()
            .insert("mcp-name", name.parse().unwrap());
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
    }
    // A version this server does not serve: 400, saying which it does.
    let mut future = modern(10, "server/discover", json!({}), json!({}));
    future["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2099-01-01".into();
    let reply = ask(&app, &future, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], -32022);
    assert_eq!(
        reply.body["error"]["data"],
        json!({"supported": [MODERN], "requested": "2099-01-01"})
    );
    // Methods of the session era only: 404 and -32601.
    for method in [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
    ] {
        let reply = ask(&app, &modern(11, method, json!({}), json!({})), None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(reply.body["error"]["code"], -32601, "{method}");
    }
    // Not JSON, from a 2026 client: 400, and no `null` id.
    let mut request = common::post_raw("{", None, None);
    request
        .headers_mut()
        .insert("mcp-protocol-version", MODERN.parse().unwrap());
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], -32700);
    assert!(reply.body.get("id").is_none(), "{}", reply.body);
    // No standalone stream and no session to end.
    for method in ["GET", "DELETE"] {
        let request = Request::builder()
            .method(method)
            .uri("/mcp")
            .header("host", common::HOST)
            .header("accept", "text/event-stream")
            .header("mcp-protocol-version", MODERN)
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.header("allow"), Some("POST"));
    }
}

#[tokio::test]
async fn the_session_era_is_unchanged_beside_it() {
    let app = era();
    let id = session(&app, None).await;
    let listed = rpc(&app, None, &id, "tools/list", json!({})).await;
    assert!(listed.body["result"].get("resultType").is_none());
    assert!(listed.body["result"].get("ttlMs").is_none());
    let level = rpc(
        &app,
        None,
        &id,
        "logging/setLevel",
        json!({"level": "info"}),
    )
    .await;
    assert_eq!(level.body["result"], json!({}));
    // `server/discover` is of 2026-07-28 even when sent first without a header.
    let plain = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover",
                       "params": {"_meta": meta(json!({}))}});
    let reply = send(&app, post(&plain, None, None)).await;
    assert_eq!(
        reply.body["error"]["code"], -32020,
        "a 2026 request must name its version in the header too"
    );
    // And `initialize` still opens a session.
    let opened = send(&app, post(&initialize("2025-11-25", json!({})), None, None)).await;
    assert!(opened.header("mcp-session-id").is_some());
}

#[tokio::test]
async fn a_tool_that_asks_runs_again_with_the_answer() {
    let app = era();
    let first = ask(&app, &call(1, "greet", json!({}), elicitation()), None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let result = &first.body["result"];
    assert_eq!(result["resultType"], "input_required");
    let request = &result["inputRequests"]["elicitation-1"];
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["message"], "What is your name?");
    assert_eq!(
        request["params"]["requestedSchema"]["required"],
        json!(["name"])
    );
    assert!(
        result.get("ttlMs").is_none(),
        "input_required is not cached"
    );
    let state = result["requestState"].as_str().unwrap().to_owned();

    let answer = json!({"inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Ada"}}},
                        "requestState": state});
    let second = ask(&app, &call(2, "greet", answer.clone(), elicitation()), None).await;
    assert_eq!(second.body["result"]["resultType"], "complete");
    assert_eq!(text(&second), "Hello, Ada!");

    // A state is used once.
    let replay = ask(&app, &call(3, "greet", answer, elicitation()), None).await;
    assert_eq!(replay.body["error"]["code"], -32602);
    assert!(
        replay.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("used already"),
        "{}",
        replay.body
    );
    // A state altered by the client is refused.
    let fresh = ask(&app, &call(4, "greet", json!({}), elicitation()), None).await;
    let state = fresh.body["result"]["requestState"].as_str().unwrap();
    let tampered = json!({"inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Eve"}}},
                          "requestState": format!("{state}x")});
    let reply = ask(&app, &call(5, "greet", tampered, elicitation()), None).await;
    assert_eq!(reply.body["error"]["code"], -32602);
    // A state is bound to its request: not usable for another tool.
    let other = json!({"inputResponses": {}, "requestState": state});
    let reply = ask(&app, &call(6, "survey", other, elicitation()), None).await;
    assert_eq!(reply.body["error"]["code"], -32602);
    // An answer that is not an object is the client's error.
    let garbage = json!({"inputResponses": {"elicitation-1": 12345}});
    let reply = ask(&app, &call(7, "greet", garbage, elicitation()), None).await;
    assert_eq!(reply.body["error"]["code"], -32602);
}

#[tokio::test]
async fn rounds_carry_earlier_answers_in_the_state() {
    let app = era();
    let first = ask(&app, &call(1, "survey", json!({}), elicitation()), None).await;
    let state1 = request_state(&first);
    let step1 = json!({"inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Ada"}}},
                       "requestState": state1});
    let second = ask(&app, &call(2, "survey", step1, elicitation()), None).await;
    let result = &second.body["result"];
    assert_eq!(result["resultType"], "input_required");
    assert!(result["inputRequests"].get("elicitation-1").is_none());
    assert_eq!(
        result["inputRequests"]["elicitation-2"]["params"]["message"],
        "Your colour?"
    );
    let state2 = request_state(&second);
    assert_ne!(request_state(&first), state2);
    // Only the second answer comes now: the first is in the state.
    let step2 = json!({"inputResponses": {"elicitation-2": {"action": "accept", "content": {"colour": "teal"}}},
                       "requestState": state2});
    let third = ask(&app, &call(3, "survey", step2, elicitation()), None).await;
    assert_eq!(text(&third), "Ada likes teal");
}

/// The `requestState` of an `InputRequiredResult`.
fn request_state(reply: &Reply) -> String {
    reply.body["result"]["requestState"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_capability_the_client_did_not_declare_is_named() {
    let app = era();
    let reply = ask(&app, &call(1, "haiku", json!({}), elicitation()), None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["code"], -32021);
    assert_eq!(
        reply.body["error"]["data"]["requiredCapabilities"],
        json!({"sampling": {}})
    );
    // Declared, it is asked for.
    let reply = ask(
        &app,
        &call(2, "haiku", json!({}), json!({"sampling": {}})),
        None,
    )
    .await;
    let request = &reply.body["result"]["inputRequests"]["sampling-1"];
    assert_eq!(request["method"], "sampling/createMessage");
    assert_eq!(request["params"]["maxTokens"], 50);
}

#[tokio::test]
async fn logs_go_only_to_a_request_that_asks_for_them_at_its_level() {
    let app = era();
    // No level: no log messages, so a plain JSON answer.
    let reply = ask(&app, &call(1, "chatty", json!({}), json!({})), None).await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(text(&reply), "done");
    // `info`: the info message streams before the result; the debug one does not.
    let mut body = call(2, "chatty", json!({}), json!({}));
    body["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = "info".into();
    let response = app.clone().oneshot(post_modern(&body, None)).await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream",
        "a request with a level gets its logs on its own stream"
    );
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let events = Events::of(response.into_body()).all().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["method"], "notifications/message");
    assert_eq!(events[0]["params"]["level"], "info");
    assert_eq!(events[1]["result"]["content"][0]["text"], "done");
    // A level that does not exist is the client's error.
    body["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = "loud".into();
    let reply = ask(&app, &body, None).await;
    assert_eq!(reply.body["error"]["code"], -32602);
}

#[tokio::test]
async fn listen_acknowledges_then_carries_the_updates_it_was_given() {
    let server = Era.into_server();
    let notifier = server.notifier();
    let shutdown = server.shutdown_handle();
    let app = server.router();
    let listen = modern(
        42,
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true,
                                 "resourceSubscriptions": ["docs://readme", "docs://missing"]}}),
        json!({}),
    );
    let response = app
        .clone()
        .oneshot(post_modern(&listen, None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut events = Events::of(response.into_body());
    let ack = events.next().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        42
    );
    // Lists never change here, and there is no `docs://missing`: only the README is agreed.
    assert_eq!(
        ack["params"]["notifications"],
        json!({"resourceSubscriptions": ["docs://readme"]})
    );
    assert_eq!(notifier.resource_updated("docs://readme"), 1);
    assert_eq!(notifier.resource_updated("docs://missing"), 0);
    let update = events.next().await.unwrap();
    assert_eq!(update["method"], "notifications/resources/updated");
    assert_eq!(update["params"]["uri"], "docs://readme");
    assert_eq!(
        update["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        42
    );
    // At shutdown the stream ends with the request's result.
    shutdown.shutdown();
    let farewell = events.next().await.unwrap();
    assert_eq!(farewell["id"], 42);
    assert_eq!(farewell["result"]["resultType"], "complete");
    assert_eq!(
        farewell["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        42
    );
    assert!(events.next().await.is_none());
    // A listen without its filter is the client's error.
    let bare = modern(43, "subscriptions/listen", json!({}), json!({}));
    assert_eq!(ask(&app, &bare, None).await.body["error"]["code"], -32602);
}

#[tokio::test]
async fn every_stateless_request_is_authorized_and_lists_are_private_to_the_caller() {
    let issuer = TestIssuer::start().await;
    let app = guarded(issuer.config(AUDIENCE));
    let alice = issuer
        .token(AUDIENCE)
        .subject("alice")
        .permissions(["read:data", "admin"])
        .sign();
    let bob = issuer
        .token(AUDIENCE)
        .subject("bob")
        .permissions(["read:data"])
        .sign();

    // No token: the challenge, as in the session era.
    let reply = ask(&app, &modern(1, "tools/list", json!({}), json!({})), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply.www_authenticate().contains(
            "resource_metadata=\"http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp\""
        ),
        "{}",
        reply.www_authenticate()
    );
    let forged = format!("{bob}x");
    let reply = ask(
        &app,
        &modern(1, "tools/list", json!({}), json!({})),
        Some(&forged),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // Each caller sees their own list, marked private.
    let names = |reply: &Reply| -> Vec<String> {
        reply.body["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let for_alice = ask(
        &app,
        &modern(2, "tools/list", json!({}), json!({})),
        Some(&alice),
    )
    .await;
    let for_bob = ask(
        &app,
        &modern(3, "tools/list", json!({}), json!({})),
        Some(&bob),
    )
    .await;
    assert!(names(&for_alice).contains(&"admin_hidden".to_owned()));
    assert!(!names(&for_bob).contains(&"admin_hidden".to_owned()));
    assert_eq!(for_alice.body["result"]["cacheScope"], "private");
    assert_eq!(for_bob.body["result"]["cacheScope"], "private");
    // Discovery is the same for everyone.
    let discovered = ask(
        &app,
        &modern(4, "server/discover", json!({}), json!({})),
        Some(&bob),
    )
    .await;
    assert_eq!(discovered.body["result"]["cacheScope"], "public");

    // Step-up: 403 with the scope to ask for.
    let reply = ask(
        &app,
        &call(5, "admin_step_up", json!({}), json!({})),
        Some(&bob),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.www_authenticate().contains("insufficient_scope"));
    assert!(reply.www_authenticate().contains("scope=\"admin\""));

    // A request state is bound to its caller: alice's is no use to bob.
    let first = ask(
        &app,
        &call(6, "whoami", json!({}), elicitation()),
        Some(&alice),
    )
    .await;
    let state = first.body["result"]["requestState"].as_str().unwrap();
    let answer = json!({"inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Ada"}}},
                        "requestState": state});
    let stolen = ask(
        &app,
        &call(7, "whoami", answer.clone(), elicitation()),
        Some(&bob),
    )
    .await;
    assert_eq!(stolen.body["error"]["code"], -32602, "{}", stolen.body);
    let own = ask(
        &app,
        &call(8, "whoami", answer, elicitation()),
        Some(&alice),
    )
    .await;
    assert_eq!(text(&own), "alice is Ada");
}

#[tokio::test]
async fn a_state_signed_with_a_shared_secret_is_good_at_another_replica() {
    // Replicas share the secret and the store (here one memory store for two routers; Redis
    // between processes), where each state's nonce lives until its one use.
    let store = mcp_runtime::Store::memory();
    let replica = |store: &mcp_runtime::Store| {
        Era.into_server()
            .request_state_secret(b"a shared secret of at least thirty-two bytes")
            .store(store.clone())
            .router()
    };
    let (one, two) = (replica(&store), replica(&store));
    let first = ask(&one, &call(1, "greet", json!({}), elicitation()), None).await;
    let answer = json!({"inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Ada"}}},
                        "requestState": request_state(&first)});
    let second = ask(&two, &call(2, "greet", answer.clone(), elicitation()), None).await;
    assert_eq!(text(&second), "Hello, Ada!");
    let replayed = ask(&one, &call(3, "greet", answer.clone(), elicitation()), None).await;
    assert_eq!(
        replayed.body["error"]["code"], -32602,
        "used once, on any replica"
    );
    // With the secret but not the store, a replica refuses it: it cannot know the state
    // was not used.
    let apart = replica(&mcp_runtime::Store::memory());
    let fresh = ask(&one, &call(4, "greet", json!({}), elicitation()), None).await;
    let answer = json!({"inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Ada"}}},
                        "requestState": request_state(&fresh)});
    let alone = ask(
        &apart,
        &call(5, "greet", answer.clone(), elicitation()),
        None,
    )
    .await;
    assert_eq!(alone.body["error"]["code"], -32602);
    // Without the shared secret, another server refuses it.
    let stranger = ask(&era(), &call(6, "greet", answer, elicitation()), None).await;
    assert_eq!(stranger.body["error"]["code"], -32602);
}

//! Resources, resource templates, prompts and completion through the `Router`: listing with
//! pages, reading fixed and templated URIs with typed variables, prompts with typed
//! arguments, completers, the guards (hidden, refused, step-up) and subscriptions.

mod common;

use common::{Events, post, rpc, send, session};
use mcp_runtime::axum::body::Body;
use mcp_runtime::axum::http::{Request, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestIssuer;
use mcp_runtime::{Completions, GetPromptResult, JwtConfig};
use serde_json::{Value, json};

const AUDIENCE: &str = "https://api.example.com";

/// The README.
#[resource(uri = "docs://readme", title = "Read me", mime_type = "text/markdown", size = 7, audience = ["user"], priority = 0.5, last_modified = "2025-01-12T15:00:58Z")]
async fn readme() -> &'static str {
    "# Hello"
}

/// The logo.
#[resource(uri = "docs://logo", mime_type = "image/png", icon(src = "https://example.com/logo.png", mime_type = "image/png", sizes = ["48x48"], theme = light))]
async fn logo() -> Vec<u8> {
    vec![0x89, b'P', b'N', b'G']
}

/// A page of the book, by number.
#[resource_template(uri = "book://pages/{number}")]
async fn page(
    /// The page number.
    #[arg(complete = complete_page)]
    number: u64,
) -> Option<String> {
    (number <= 3).then(|| format!("page {number}"))
}

async fn complete_page(input: Completion) -> Vec<String> {
    (1..=3)
        .map(|n| n.to_string())
        .filter(|n| n.starts_with(input.value()))
        .collect()
}

/// A file under a directory.
#[resource_template(uri = "files://{+path}")]
async fn file(path: String) -> String {
    format!("contents of {path}")
}

/// Always fails.
#[resource(uri = "docs://broken")]
async fn broken() -> &'static str {
    panic!("broken")
}

/// Greet someone.
#[prompt(title = "Greeting")]
async fn greet(
    /// Who to greet.
    #[arg(complete = complete_name)]
    name: String,
    /// How many exclamation marks.
    excitement: Option<u8>,
) -> String {
    format!(
        "Hello, {name}{}",
        "!".repeat(excitement.unwrap_or(0).into())
    )
}

async fn complete_name(input: Completion) -> Completions {
    let names = ["alice", "albert", "bob"];
    let matching: Vec<&str> = names
        .into_iter()
        .filter(|n| n.starts_with(input.value()))
        .collect();
    let total = matching.len();
    Completions::new(matching).total(total)
}

/// Two messages, with a description.
#[prompt]
async fn conversation() -> GetPromptResult {
    GetPromptResult::new(vec![
        Message::user("What is 2 + 2?"),
        Message::assistant("4"),
    ])
    .description("a short exchange")
}

#[mcp_server(
    name = "library",
    version = "1.0.0",
    oauth = none,
    tools = [],
    resources = [readme, logo, page, file, broken],
    prompts = [greet, conversation]
)]
struct Library;

fn library() -> mcp_runtime::axum::Router {
    Library.into_server().router()
}

async fn ask(app: &mcp_runtime::axum::Router, method: &str, params: Value) -> Value {
    let id = session(app, None).await;
    let reply = rpc(app, None, &id, method, params).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn capabilities_follow_what_the_server_has() {
    let reply = send(
        &library(),
        post(&common::initialize("2025-11-25", json!({})), None, None),
    )
    .await;
    let capabilities = &reply.body["result"]["capabilities"];
    assert_eq!(
        capabilities["resources"],
        json!({"subscribe": true, "listChanged": false})
    );
    assert_eq!(capabilities["prompts"], json!({"listChanged": false}));
    assert_eq!(capabilities["completions"], json!({}));

    #[mcp_server(name = "tools-only", version = "1.0.0", oauth = none, tools = [])]
    struct ToolsOnly;
    let app = ToolsOnly.into_server().router();
    let reply = send(
        &app,
        post(&common::initialize("2025-11-25", json!({})), None, None),
    )
    .await;
    let capabilities = &reply.body["result"]["capabilities"];
    for absent in ["resources", "prompts", "completions"] {
        assert!(
            capabilities.get(absent).is_none(),
            "{absent}: {capabilities}"
        );
    }
    let id = session(&app, None).await;
    let reply = rpc(&app, None, &id, "resources/list", json!({})).await;
    assert_eq!(reply.body["error"]["code"], -32601);
    // Stateless: no session to send an update on, so no subscriptions.
    let app = Library.into_server().stateless().router();
    let reply = send(
        &app,
        post(&common::initialize("2025-11-25", json!({})), None, None),
    )
    .await;
    assert_eq!(
        reply.body["result"]["capabilities"]["resources"]["subscribe"],
        false
    );
}

#[tokio::test]
async fn resources_and_templates_are_listed_with_their_metadata() {
    let app = library();
    let listed = ask(&app, "resources/list", json!({})).await;
    let resources = &listed["result"]["resources"];
    assert_eq!(
        resources[0],
        json!({"uri": "docs://readme", "name": "readme", "title": "Read me", "description": "The README.",
               "mimeType": "text/markdown", "size": 7,
               "annotations": {"audience": ["user"], "priority": 0.5, "lastModified": "2025-01-12T15:00:58Z"}})
    );
    assert_eq!(
        resources[1]["icons"],
        json!([{"src": "https://example.com/logo.png", "mimeType": "image/png", "sizes": ["48x48"], "theme": "light"}])
    );
    assert_eq!(
        resources.as_array().unwrap().len(),
        3,
        "templates are not resources"
    );
    let templates = ask(&app, "resources/templates/list", json!({})).await;
    assert_eq!(
        templates["result"]["resourceTemplates"],
        json!([
            {"uriTemplate": "book://pages/{number}", "name": "page", "description": "A page of the book, by number."},
            {"uriTemplate": "files://{+path}", "name": "file", "description": "A file under a directory."},
        ])
    );
}

#[tokio::test]
async fn lists_page_with_opaque_cursors_and_a_forged_one_is_a_clear_error() {
    let app = Library.into_server().page_size(2).router();
    let id = session(&app, None).await;
    let first = rpc(&app, None, &id, "resources/list", json!({})).await.body;
    assert_eq!(first["result"]["resources"].as_array().unwrap().len(), 2);
    let cursor = first["result"]["nextCursor"].as_str().unwrap().to_owned();
    let second = rpc(
        &app,
        None,
        &id,
        "resources/list",
        json!({ "cursor": cursor }),
    )
    .await
    .body;
    assert_eq!(second["result"]["resources"][0]["uri"], "docs://broken");
    assert!(second["result"].get("nextCursor").is_none());
    for forged in [json!("2"), json!("garbage"), json!(3)] {
        let reply = rpc(&app, None, &id, "prompts/list", json!({ "cursor": forged })).await;
        assert_eq!(reply.body["error"]["code"], -32602, "{forged}");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("nextCursor")
        );
    }
}

#[tokio::test]
async fn reads_give_text_blobs_and_template_variables_typed() {
    let app = library();
    let text = ask(&app, "resources/read", json!({"uri": "docs://readme"})).await;
    assert_eq!(
        text["result"],
        json!({"contents": [{"uri": "docs://readme", "mimeType": "text/markdown", "text": "# Hello"}]})
    );
    let blob = ask(&app, "resources/read", json!({"uri": "docs://logo"})).await;
    assert_eq!(blob["result"]["contents"][0]["blob"], "iVBORw==");
    let page = ask(&app, "resources/read", json!({"uri": "book://pages/2"})).await;
    assert_eq!(page["result"]["contents"][0]["text"], "page 2");
    assert_eq!(
        page["result"]["contents"][0]["uri"], "book://pages/2",
        "the URI read, not the template"
    );
    let file = ask(&app, "resources/read", json!({"uri": "files://a/b/c.txt"})).await;
    assert_eq!(
        file["result"]["contents"][0]["text"],
        "contents of a/b/c.txt"
    );

    // A variable that is not what its type takes is a clear -32602, not a panic.
    let wrong = ask(&app, "resources/read", json!({"uri": "book://pages/two"})).await;
    assert_eq!(wrong["error"]["code"], -32602);
    let message = wrong["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`two` is not a valid `number`"),
        "{message}"
    );
    // Not found: -32002 with the URI, for an unknown URI and for a template's `None`.
    for uri in ["docs://nothing", "book://pages/9"] {
        let missing = ask(&app, "resources/read", json!({ "uri": uri })).await;
        assert_eq!(missing["error"]["code"], -32002, "{uri}");
        assert_eq!(missing["error"]["data"]["uri"], uri);
    }
    // A resource that panics is an error; the server serves on.
    let broken = ask(&app, "resources/read", json!({"uri": "docs://broken"})).await;
    assert_eq!(broken["error"]["code"], -32603);
    let again = ask(&app, "resources/read", json!({"uri": "docs://readme"})).await;
    assert_eq!(again["result"]["contents"][0]["text"], "# Hello");
    let no_uri = ask(&app, "resources/read", json!({})).await;
    assert_eq!(no_uri["error"]["code"], -32602);
}

#[tokio::test]
async fn prompts_take_typed_arguments_and_say_what_is_wrong() {
    let app = library();
    let listed = ask(&app, "prompts/list", json!({})).await;
    assert_eq!(
        listed["result"]["prompts"][0],
        json!({"name": "greet", "title": "Greeting", "description": "Greet someone.", "arguments": [
            {"name": "name", "description": "Who to greet.", "required": true},
            {"name": "excitement", "description": "How many exclamation marks.", "required": false},
        ]})
    );
    let got = ask(
        &app,
        "prompts/get",
        json!({"name": "greet", "arguments": {"name": "Ada", "excitement": "2"}}),
    )
    .await;
    assert_eq!(
        got["result"],
        json!({"messages": [{"role": "user", "content": {"type": "text", "text": "Hello, Ada!!"}}]})
    );
    let got = ask(&app, "prompts/get", json!({"name": "conversation"})).await;
    assert_eq!(got["result"]["description"], "a short exchange");
    assert_eq!(got["result"]["messages"][1]["role"], "assistant");
    for (arguments, says) in [
        (json!({}), "missing required argument `name`"),
        (
            json!({"name": "Ada", "excitement": "lots"}),
            "argument `excitement`: `lots` is not valid",
        ),
        (
            json!({"name": "Ada", "mood": "happy"}),
            "unknown argument `mood`",
        ),
        (json!({"name": 3}), "must be a string"),
    ] {
        let reply = ask(
            &app,
            "prompts/get",
            json!({"name": "greet", "arguments": arguments}),
        )
        .await;
        assert_eq!(reply["error"]["code"], -32602, "{arguments}");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let unknown = ask(&app, "prompts/get", json!({"name": "nope"})).await;
    assert_eq!(unknown["error"]["code"], -32602);
}

#[tokio::test]
async fn completers_answer_for_prompt_arguments_and_template_variables() {
    let app = library();
    let names = ask(
        &app,
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "al"}}),
    )
    .await;
    assert_eq!(
        names["result"],
        json!({"completion": {"values": ["alice", "albert"], "hasMore": false, "total": 2}})
    );
    let pages = ask(
        &app,
        "completion/complete",
        json!({"ref": {"type": "ref/resource", "uri": "book://pages/{number}"}, "argument": {"name": "number", "value": ""}}),
    )
    .await;
    assert_eq!(
        pages["result"]["completion"]["values"],
        json!(["1", "2", "3"])
    );
    // An argument without a completer has no values; an unknown reference is an error.
    let none = ask(
        &app,
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "excitement", "value": ""}}),
    )
    .await;
    assert_eq!(none["result"]["completion"]["values"], json!([]));
    for reference in [
        json!({"type": "ref/prompt", "name": "nope"}),
        json!({"type": "ref/resource", "uri": "nope://{x}"}),
        json!({"type": "ref/tool", "name": "x"}),
    ] {
        let reply = ask(
            &app,
            "completion/complete",
            json!({"ref": reference, "argument": {"name": "x", "value": ""}}),
        )
        .await;
        assert_eq!(reply["error"]["code"], -32602, "{reference}");
    }
}

#[tokio::test]
async fn subscribers_hear_of_updates_on_their_session_stream() {
    let server = Library.into_server();
    let notifier = server.notifier();
    let app = server.router();
    let id = session(&app, None).await;
    let stream = Request::get("/mcp")
        .header("host", common::HOST)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.clone(), stream)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut events = Events::of(response.into_body());
    let subscribed = rpc(
        &app,
        None,
        &id,
        "resources/subscribe",
        json!({"uri": "docs://readme"}),
    )
    .await;
    assert_eq!(subscribed.body["result"], json!({}));
    assert_eq!(
        notifier.resource_updated("docs://logo"),
        0,
        "not subscribed"
    );
    assert_eq!(notifier.resource_updated("docs://readme"), 1);
    let event = events.next().await.expect("an update");
    assert_eq!(
        event,
        json!({"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "docs://readme"}})
    );
    let unsubscribed = rpc(
        &app,
        None,
        &id,
        "resources/unsubscribe",
        json!({"uri": "docs://readme"}),
    )
    .await;
    assert_eq!(unsubscribed.body["result"], json!({}));
    assert_eq!(notifier.resource_updated("docs://readme"), 0);
    // Subscribing to a URI that names no resource is the not-found error.
    let unknown = rpc(
        &app,
        None,
        &id,
        "resources/subscribe",
        json!({"uri": "docs://nothing"}),
    )
    .await;
    assert_eq!(unknown.body["error"]["code"], -32002);
}

mcp_runtime::permissions! {
    /// The vocabulary.
    pub mod perms {
        /// Read.
        ReadData = "read:data",
        /// Administer.
        Admin = "admin",
    }
}

/// Public notes.
#[resource(uri = "notes://public", public)]
async fn public_notes() -> &'static str {
    "for everyone"
}

/// Private notes.
#[resource(uri = "notes://private", requires = "read:data")]
async fn private_notes(auth: &Auth) -> String {
    format!("for {}", auth.user().user_id)
}

/// The admin's notes, hidden from others.
#[resource(uri = "notes://admin", requires = "admin", on_denied = hide)]
async fn admin_notes() -> &'static str {
    "secret"
}

/// An admin note by id, with a step-up for others.
#[resource_template(uri = "notes://admin/{id}", requires = "admin", on_denied = insufficient_scope)]
async fn admin_note(id: String) -> String {
    id
}

/// A prompt for readers.
#[prompt(requires = "read:data")]
async fn reader_prompt() -> &'static str {
    "read"
}

/// A prompt for admins, hidden from others.
#[prompt(requires = "admin", on_denied = hide)]
async fn admin_prompt() -> &'static str {
    "admin"
}

#[mcp_server(
    name = "guarded",
    version = "1.0.0",
    oauth = jwt,
    permissions = perms,
    tools = [],
    resources = [public_notes, private_notes, admin_notes, admin_note],
    prompts = [reader_prompt, admin_prompt]
)]
struct Guarded;

fn guarded(config: JwtConfig) -> mcp_runtime::axum::Router {
    Guarded
        .into_server()
        .jwt(config)
        .public_url("http://127.0.0.1:3000")
        .allow_anonymous()
        .router()
        .unwrap()
}

#[tokio::test]
async fn resources_and_prompts_are_guarded_like_tools() {
    let issuer = TestIssuer::start().await;
    let app = guarded(issuer.config(AUDIENCE));
    let reader = issuer
        .token(AUDIENCE)
        .subject("reader")
        .permissions(["read:data"])
        .sign();
    let admin = issuer
        .token(AUDIENCE)
        .subject("admin")
        .permissions(["admin"])
        .sign();

    // Listing: hidden items only for those they would let in; each says what it requires.
    let uris = |body: &Value| -> Vec<String> {
        body["result"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["uri"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = session(&app, Some(&reader)).await;
    let listed = rpc(&app, Some(&reader), &id, "resources/list", json!({})).await;
    assert_eq!(uris(&listed.body), ["notes://public", "notes://private"]);
    assert_eq!(
        listed.body["result"]["resources"][1]["_meta"]["mcp-runtime/requires"],
        json!({"allOf": ["read:data"]})
    );
    let admin_id = session(&app, Some(&admin)).await;
    let listed = rpc(&app, Some(&admin), &admin_id, "resources/list", json!({})).await;
    assert_eq!(
        uris(&listed.body),
        ["notes://public", "notes://private", "notes://admin"]
    );

    // Reading: the contents for the caller who may; an error or a challenge otherwise.
    let read = |token: Option<&str>, id: &str, uri: &str| {
        let app = app.clone();
        let (token, id, uri) = (token.map(str::to_owned), id.to_owned(), uri.to_owned());
        async move {
            rpc(
                &app,
                token.as_deref(),
                &id,
                "resources/read",
                json!({ "uri": uri }),
            )
            .await
        }
    };
    let ok = read(Some(&reader), &id, "notes://private").await;
    assert_eq!(ok.body["result"]["contents"][0]["text"], "for reader");
    let refused = read(Some(&admin), &admin_id, "notes://private").await;
    assert_eq!(refused.status, StatusCode::OK);
    assert_eq!(refused.body["error"]["code"], -32000);
    assert_eq!(
        refused.body["error"]["message"],
        "Forbidden: requires read:data"
    );
    assert!(refused.body.get("result").is_none(), "never the contents");
    let hidden = read(Some(&reader), &id, "notes://admin").await;
    assert_eq!(hidden.body["error"]["code"], -32002, "hidden: not found");
    let step_up = read(Some(&reader), &id, "notes://admin/7").await;
    assert_eq!(step_up.status, StatusCode::FORBIDDEN);
    assert!(
        step_up
            .www_authenticate()
            .contains("error=\"insufficient_scope\", scope=\"admin\"")
    );
    // Anonymous: the public resource, and the 401 challenge for the others.
    let anonymous = session(&app, None).await;
    let public = read(None, &anonymous, "notes://public").await;
    assert_eq!(public.body["result"]["contents"][0]["text"], "for everyone");
    let challenged = read(None, &anonymous, "notes://private").await;
    assert_eq!(challenged.status, StatusCode::UNAUTHORIZED);
    assert!(
        challenged
            .www_authenticate()
            .contains("scope=\"read:data\"")
    );

    // Prompts: the same guard.
    let prompts = rpc(&app, Some(&reader), &id, "prompts/list", json!({})).await;
    assert_eq!(
        prompts.body["result"]["prompts"].as_array().unwrap().len(),
        1
    );
    let got = rpc(
        &app,
        Some(&reader),
        &id,
        "prompts/get",
        json!({"name": "reader_prompt"}),
    )
    .await;
    assert_eq!(got.body["result"]["messages"][0]["content"]["text"], "read");
    let hidden = rpc(
        &app,
        Some(&reader),
        &id,
        "prompts/get",
        json!({"name": "admin_prompt"}),
    )
    .await;
    assert_eq!(hidden.body["error"]["code"], -32602);
    let refused = rpc(
        &app,
        Some(&admin),
        &admin_id,
        "prompts/get",
        json!({"name": "reader_prompt"}),
    )
    .await;
    assert_eq!(
        refused.body["error"]["message"],
        "Forbidden: requires read:data"
    );
    // Subscribing needs the right to read.
    let subscribe = rpc(
        &app,
        Some(&admin),
        &admin_id,
        "resources/subscribe",
        json!({"uri": "notes://private"}),
    )
    .await;
    assert_eq!(subscribe.body["error"]["code"], -32000);
}

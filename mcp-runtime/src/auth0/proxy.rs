//! `oauth = auth0_proxy`: this server is the authorization server that MCP clients see, in
//! front of one pre-registered Auth0 Regular Web Application.
//!
//! Clients register here (RFC 7591) and get a client id that is signed and stateless: it
//! carries the redirect URIs it registered, so no client can later use another. `/authorize`
//! checks the client, the exact redirect URI and PKCE S256, asks the user's consent for that
//! client (the confused-deputy defence the specification requires of proxies with a static
//! upstream client), then sends the browser to Auth0 with our client id, the `audience` and
//! our own callback, under a random single-use `state`. The callback hands the client a
//! code of ours, bound to that client and redirect URI, with `iss` (RFC 9207). `/token`
//! exchanges it (or a refresh token) at Auth0 with the application's credentials; the
//! client's PKCE verifier passes through, so Auth0 checks it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::{digest, hmac};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::Auth0Config;
use super::metadata::json_ok;
use crate::http_util::{escape, oauth_error, random_token, read_capped};

/// How long a pending authorization, a consent form or an issued code stays valid.
const LIFETIME: Duration = Duration::from_secs(600);
/// The most pending items of each kind; past it new ones are refused until some expire.
const CAPACITY: usize = 10_000;
/// The longest list of remembered consents kept in the cookie.
const MAX_CONSENTS: usize = 20;
const CONSENT_COOKIE: &str = "__Host-mcp_consent";
const TXN_COOKIE: &str = "__Host-mcp_txn";
const STATE_COOKIE: &str = "__Host-mcp_state";

/// Items that expire, with a cap.
struct Expiring<T> {
    items: HashMap<String, (Instant, T)>,
}

impl<T> Expiring<T> {
    fn new() -> Self {
        Expiring {
            items: HashMap::new(),
        }
    }

    fn insert(&mut self, key: String, value: T) -> Result<(), ()> {
        if self.items.len() >= CAPACITY {
            self.items.retain(|_, (at, _)| at.elapsed() < LIFETIME);
            if self.items.len() >= CAPACITY {
                return Err(());
            }
        }
        self.items.insert(key, (Instant::now(), value));
        Ok(())
    }

    /// Removes and returns the item if `valid` accepts it; otherwise leaves it in place.
    fn take_if(&mut self, key: &str, valid: impl FnOnce(&T) -> bool) -> Result<T, Taken> {
        match self.items.get(key) {
            None => return Err(Taken::Missing),
            Some((_, value)) if !valid(value) => return Err(Taken::Refused),
            Some(_) => {}
        }
        self.take(key).ok_or(Taken::Missing)
    }

    /// Removes and returns the item: everything here is single use.
    fn take(&mut self, key: &str) -> Option<T> {
        let (at, value) = self.items.remove(key)?;
        (at.elapsed() < LIFETIME).then_some(value)
    }
}

/// Why [`Expiring::take_if`] gave nothing.
enum Taken {
    Missing,
    Refused,
}

/// A registered client, as its signed client id carries it.
#[derive(Debug, Clone, PartialEq)]
struct Client {
    redirect_uris: Vec<String>,
    name: Option<String>,
}

/// An authorization waiting for the user at Auth0.
struct Pending {
    client_id: String,
    redirect_uri: String,
    client_state: Option<String>,
    /// SHA-256 of the browser's binding cookie: only the browser that consented may finish.
    browser: Vec<u8>,
}

/// An authorization waiting for the user's consent.
struct ConsentRequest {
    client_id: String,
    redirect_uri: String,
    client_state: Option<String>,
    code_challenge: String,
    scope: String,
}

/// A code this server handed to a client, standing for Auth0's.
struct IssuedCode {
    upstream_code: String,
    client_id: String,
    redirect_uri: String,
}

/// A token bucket: `capacity` requests at once, refilled at `per_second`.
struct RateLimit {
    capacity: f64,
    per_second: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimit {
    fn per_minute(per_minute: u32) -> Self {
        let capacity = f64::from((per_minute / 10).max(1));
        RateLimit {
            capacity,
            per_second: f64::from(per_minute) / 60.0,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Takes one request's token; false when the bucket is empty.
    fn allow(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = &mut *state;
        *tokens = (*tokens + last.elapsed().as_secs_f64() * self.per_second).min(self.capacity);
        *last = Instant::now();
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The rate limits of the proxy's endpoints.
struct Limits {
    register: RateLimit,
    authorize: RateLimit,
    token: RateLimit,
}

fn too_many_requests(json: bool) -> Response {
    let mut response = if json {
        oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            "too many requests; try again shortly",
        )
    } else {
        html_error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-ins right now. Try again in a minute.",
        )
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
    response
}

pub(crate) struct Proxy {
    limits: Limits,
    upstream: Auth0Config,
    /// Our issuer: the server's public URL.
    base: String,
    /// The canonical MCP URL tokens are for.
    resource: String,
    scopes_supported: Vec<String>,
    server_name: String,
    key: hmac::Key,
    http: reqwest::Client,
    pending: Mutex<Expiring<Pending>>,
    consents: Mutex<Expiring<ConsentRequest>>,
    codes: Mutex<Expiring<IssuedCode>>,
    /// Cookies get `Secure` unless the server is reached over plain http on loopback.
    secure_cookies: bool,
}

impl Proxy {
    pub(crate) fn new(
        upstream: Auth0Config,
        base: String,
        resource: String,
        scopes_supported: Vec<String>,
        server_name: &str,
        http: reqwest::Client,
    ) -> Self {
        // Registrations, consent cookies and CSRF tokens are signed with a key derived from the
        // application's secret: stable across restarts, never known to clients.
        let secret = upstream.client_secret.clone().unwrap_or_default();
        let master = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let derived = hmac::sign(&master, b"mcp-runtime oauth proxy signing key v1");
        let key = hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref());
        let secure_cookies = base.starts_with("https://");
        let per_minute = upstream.rate_limit_per_minute;
        let limits = Limits {
            register: RateLimit::per_minute(per_minute),
            authorize: RateLimit::per_minute(per_minute),
            token: RateLimit::per_minute(per_minute),
        };
        Proxy {
            limits,
            upstream,
            base,
            resource,
            scopes_supported,
            server_name: server_name.to_owned(),
            key,
            http,
            pending: Mutex::new(Expiring::new()),
            consents: Mutex::new(Expiring::new()),
            codes: Mutex::new(Expiring::new()),
            secure_cookies,
        }
    }

    /// The routes of the authorization server side.
    pub(crate) fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route(
                "/.well-known/oauth-authorization-server",
                get(metadata).options(preflight),
            )
            .route(
                "/.well-known/openid-configuration",
                get(metadata).options(preflight),
            )
            .route("/register", post(register).options(preflight))
            .route("/authorize", get(authorize))
            .route("/authorize/consent", post(consent))
            .route("/oauth/callback", get(callback))
            .route("/token", post(token).options(preflight))
            .with_state(self)
    }

    fn metadata(&self) -> Value {
        let base = &self.base;
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "scopes_supported": self.scopes_supported,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "subject_types_supported": ["public"],
        })
    }

    fn sign(&self, data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, data))
    }

    fn verify(&self, data: &[u8], tag: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(tag)
            .is_ok_and(|tag| hmac::verify(&self.key, data, &tag).is_ok())
    }

    /// `mcp.{payload}.{tag}`: the registration, signed.
    fn client_id_for(&self, client: &Client) -> String {
        let payload = json!({"r": client.redirect_uris, "n": client.name, "t": unix_now()});
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let tag = self.sign(format!("client:{payload}").as_bytes());
        format!("mcp.{payload}.{tag}")
    }

    fn client(&self, client_id: &str) -> Option<Client> {
        let rest = client_id.strip_prefix("mcp.")?;
        let (payload, tag) = rest.split_once('.')?;
        if !self.verify(format!("client:{payload}").as_bytes(), tag) {
            return None;
        }
        let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let redirect_uris = payload
            .get("r")?
            .as_array()?
            .iter()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .collect();
        let name = payload.get("n").and_then(Value::as_str).map(str::to_owned);
        Some(Client {
            redirect_uris,
            name,
        })
    }

    fn consent_tag(client_id: &str) -> String {
        let hash = digest::digest(&digest::SHA256, client_id.as_bytes());
        URL_SAFE_NO_PAD.encode(&hash.as_ref()[..12])
    }

    /// The clients this browser consented to, from the signed cookie.
    fn consented(&self, headers: &HeaderMap) -> Vec<String> {
        let Some(value) = cookie(headers, CONSENT_COOKIE) else {
            return Vec::new();
        };
        let Some((list, tag)) = value.rsplit_once('.') else {
            return Vec::new();
        };
        if !self.verify(format!("consent:{list}").as_bytes(), tag) {
            return Vec::new();
        }
        list.split('~')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn consent_cookie(&self, mut list: Vec<String>, client_id: &str) -> String {
        let tag = Self::consent_tag(client_id);
        list.retain(|t| *t != tag);
        list.push(tag);
        let start = list.len().saturating_sub(MAX_CONSENTS);
        let list = list[start..].join("~");
        let signature = self.sign(format!("consent:{list}").as_bytes());
        self.cookie(
            CONSENT_COOKIE,
            &format!("{list}.{signature}"),
            30 * 24 * 3600,
        )
    }

    /// A cookie's name as this server sets it (without `__Host-` on plain-http loopback).
    fn cookie_name(&self, name: &str) -> String {
        if self.secure_cookies {
            name.to_owned()
        } else {
            name.replacen("__Host-", "", 1)
        }
    }

    fn cookie(&self, name: &str, value: &str, max_age: u64) -> String {
        // `__Host-` cookies need `Secure`; browsers accept it on http://localhost too, but a
        // plain-http loopback server (local development) gets a cookie without the prefix rule.
        let name = if self.secure_cookies {
            name.to_owned()
        } else {
            name.replacen("__Host-", "", 1)
        };
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }

    /// Sends the browser to Auth0 for this authorization.
    fn upstream_redirect(&self, request: ConsentRequest) -> Response {
        let state = random_token(32);
        // The `state` alone could be handed to someone else's browser; a cookie set here binds
        // the sign-in to the browser that consented (the callback checks it).
        let binding = random_token(32);
        let pending = Pending {
            client_id: request.client_id,
            redirect_uri: request.redirect_uri,
            client_state: request.client_state,
            browser: digest::digest(&digest::SHA256, binding.as_bytes())
                .as_ref()
                .to_vec(),
        };
        if self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(state.clone(), pending)
            .is_err()
        {
            return html_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many sign-ins are in progress. Try again in a few minutes.",
            );
        }
        let mut scopes: Vec<&str> = self
            .upstream
            .upstream_scopes
            .iter()
            .map(String::as_str)
            .collect();
        for scope in request.scope.split(' ').filter(|s| !s.is_empty()) {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let mut url = match reqwest::Url::parse(&self.upstream.authorize_url()) {
            Ok(url) => url,
            Err(_) => {
                return html_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The Auth0 domain is not a valid URL.",
                );
            }
        };
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair(
                "client_id",
                self.upstream.client_id.as_deref().unwrap_or_default(),
            )
            .append_pair("redirect_uri", &format!("{}/oauth/callback", self.base))
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("audience", &self.upstream.audience)
            .append_pair("code_challenge", &request.code_challenge)
            .append_pair("code_challenge_method", "S256");
        let mut response = redirect(url.as_str());
        if let Ok(value) =
            HeaderValue::from_str(&self.cookie(STATE_COOKIE, &binding, LIFETIME.as_secs()))
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }

    fn consent_page(&self, request: ConsentRequest, client: &Client) -> Response {
        let txn = random_token(32);
        let csrf = self.sign(format!("csrf:{txn}").as_bytes());
        let name = client
            .name
            .clone()
            .unwrap_or_else(|| "An unnamed application".into());
        let page = format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Allow access to {server}?</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}
code{{background:#f3f3f3;padding:.1rem .3rem;word-break:break-all}}button{{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}}</style>
</head><body>
<h1>Allow <em>{name}</em> to use {server}?</h1>
<p>The application <strong>{name}</strong> asks to act on your behalf on <strong>{server}</strong>.</p>
<p>After you sign in, you will be sent back to:<br><code>{redirect}</code></p>
<p>Requested access: <code>{scope}</code></p>
<p>Only continue if you started this sign-in yourself and trust this application.</p>
<form method="post" action="{action}">
<input type="hidden" name="txn" value="{txn}">
<input type="hidden" name="csrf" value="{csrf}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>"#,
            server = escape(&self.server_name),
            name = escape(&name),
            redirect = escape(&request.redirect_uri),
            scope = escape(if request.scope.is_empty() {
                "(default)"
            } else {
                &request.scope
            }),
            action = escape(&format!("{}/authorize/consent", self.base)),
        );
        if self
            .consents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(txn.clone(), request)
            .is_err()
        {
            return html_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many sign-ins are in progress. Try again in a few minutes.",
            );
        }
        let mut response = html(StatusCode::OK, page);
        if let Ok(value) = HeaderValue::from_str(&self.cookie(TXN_COOKIE, &txn, LIFETIME.as_secs()))
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

async fn metadata(State(proxy): State<Arc<Proxy>>) -> Response {
    with_cors(json_ok(&proxy.metadata()))
}

async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Authorization, MCP-Protocol-Version"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

fn with_cors(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// RFC 7591 dynamic client registration.
async fn register(State(proxy): State<Arc<Proxy>>, body: Bytes) -> Response {
    if !proxy.limits.register.allow() {
        return too_many_requests(true);
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the registration must be a JSON object",
        );
    };
    let Some(uris) = request.get("redirect_uris").and_then(Value::as_array) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "`redirect_uris` must list at least one URI",
        );
    };
    if uris.is_empty() || uris.len() > 10 {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "register between 1 and 10 redirect URIs",
        );
    }
    let mut redirect_uris = Vec::new();
    for uri in uris {
        match uri.as_str().filter(|u| valid_redirect_uri(u)) {
            Some(uri) => redirect_uris.push(uri.to_owned()),
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_redirect_uri",
                    "redirect URIs must be https, http on a loopback host, or a private-use scheme, without a fragment",
                );
            }
        }
    }
    let name = request.get("client_name").and_then(Value::as_str).map(|n| {
        n.chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>()
    });
    let client = Client {
        redirect_uris,
        name,
    };
    let client_id = proxy.client_id_for(&client);
    let mut answer = json!({
        "client_id": client_id,
        "client_id_issued_at": unix_now(),
        "redirect_uris": client.redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if let Some(name) = client.name {
        answer["client_name"] = name.into();
    }
    let mut response = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    with_cors(response)
}

/// https, http on a loopback host, or a private-use scheme (`com.example.app:/cb`); never
/// a fragment, and never a scheme that runs code.
fn valid_redirect_uri(uri: &str) -> bool {
    if uri.len() > 2000 || uri.contains('#') {
        return false;
    }
    let Ok(url) = reqwest::Url::parse(uri) else {
        return false;
    };
    // `https://claude.ai@evil.example/cb` reads as claude.ai on a consent page.
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => url
            .host_str()
            .is_some_and(|h| crate::auth::jwt::is_loopback(h.trim_matches(['[', ']']))),
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "ftp" | "ws" | "wss" => {
            false
        }
        _ => true,
    }
}

/// `GET /authorize`: check the client, its exact redirect URI and PKCE, then consent.
async fn authorize(
    State(proxy): State<Arc<Proxy>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !proxy.limits.authorize.allow() {
        return too_many_requests(false);
    }
    let params = form_urlencoded(query.unwrap_or_default().as_bytes());
    let Some(client_id) = params.get("client_id") else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "The request names no client (`client_id`).",
        );
    };
    let Some(client) = proxy.client(client_id) else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "This client is not registered here. Its registration may come from another server: register again.",
        );
    };
    // Never redirect to a URI the client did not register: errors before this point are pages.
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if client.redirect_uris.contains(uri) => uri.clone(),
        Some(_) => {
            return html_error(
                StatusCode::BAD_REQUEST,
                "The redirect URI is not one this client registered.",
            );
        }
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => {
            return html_error(
                StatusCode::BAD_REQUEST,
                "The request names no redirect URI (`redirect_uri`).",
            );
        }
    };
    let client_state = params.get("state").cloned();
    // Errors go back to the client's redirect URI only once the user has consented to this
    // client; before that they are a page here, so that anyone who registers a client cannot
    // use this server as an open redirector.
    let consented = proxy
        .consented(&headers)
        .contains(&Proxy::consent_tag(client_id));
    let fail = |error: &str, description: &str| {
        if consented {
            redirect_with(
                &redirect_uri,
                &[("error", error), ("error_description", description)],
                client_state.as_deref(),
                &proxy.base,
            )
        } else {
            html_error(
                StatusCode::BAD_REQUEST,
                &format!("{description} ({error})."),
            )
        }
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return fail(
            "unsupported_response_type",
            "only the authorization code flow (response_type=code) is supported",
        );
    }
    let challenge = params
        .get("code_challenge")
        .filter(|c| (43..=128).contains(&c.len()));
    let (Some(challenge), Some("S256")) = (
        challenge,
        params.get("code_challenge_method").map(String::as_str),
    ) else {
        return fail(
            "invalid_request",
            "PKCE is required: send a code_challenge with code_challenge_method=S256",
        );
    };
    if let Some(resource) = params.get("resource")
        && resource.trim_end_matches('/') != proxy.resource.trim_end_matches('/')
    {
        return fail(
            "invalid_target",
            "the resource is not this server's MCP endpoint",
        );
    }
    let request = ConsentRequest {
        client_id: client_id.to_owned(),
        redirect_uri,
        client_state,
        code_challenge: challenge.clone(),
        scope: params.get("scope").cloned().unwrap_or_default(),
    };
    if consented {
        return proxy.upstream_redirect(request);
    }
    proxy.consent_page(request, &client)
}

/// `POST /authorize/consent`: the user's answer, checked against the CSRF token and cookie.
async fn consent(State(proxy): State<Arc<Proxy>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = form_urlencoded(&body);
    let (Some(txn), Some(csrf)) = (form.get("txn"), form.get("csrf")) else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "The consent form is incomplete. Start again from your application.",
        );
    };
    let cookie_name = if proxy.secure_cookies {
        TXN_COOKIE.to_owned()
    } else {
        TXN_COOKIE.replacen("__Host-", "", 1)
    };
    let bound = cookie(&headers, &cookie_name).is_some_and(|c| c == *txn);
    if !bound || !proxy.verify(format!("csrf:{txn}").as_bytes(), csrf) {
        return html_error(
            StatusCode::FORBIDDEN,
            "This consent did not come from the page this server showed you.",
        );
    }
    let Some(request) = proxy
        .consents
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take(txn)
    else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "This consent page expired or was already used. Start again from your application.",
        );
    };
    if form.get("decision").map(String::as_str) != Some("approve") {
        return redirect_with(
            &request.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "the user denied access"),
            ],
            request.client_state.as_deref(),
            &proxy.base,
        );
    }
    let cookie = proxy.consent_cookie(proxy.consented(&headers), &request.client_id);
    let mut response = proxy.upstream_redirect(request);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /oauth/callback`: Auth0 sends the browser back; the client gets a code of ours.
async fn callback(
    State(proxy): State<Arc<Proxy>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = form_urlencoded(query.unwrap_or_default().as_bytes());
    // Only the browser that consented (it holds the binding cookie) may finish the sign-in; a
    // `state` shown to any other browser is refused and stays usable by the right one.
    let binding = cookie(&headers, &proxy.cookie_name(STATE_COOKIE)).unwrap_or_default();
    let binding = digest::digest(&digest::SHA256, binding.as_bytes());
    let same_browser = |pending: &Pending| {
        aws_lc_rs::constant_time::verify_slices_are_equal(binding.as_ref(), &pending.browser)
            .is_ok()
    };
    let taken = match params.get("state") {
        Some(state) => proxy
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take_if(state, same_browser),
        None => Err(Taken::Missing),
    };
    let pending = match taken {
        Ok(pending) => pending,
        Err(Taken::Missing) => {
            return html_error(
                StatusCode::BAD_REQUEST,
                "This sign-in expired or was already completed. Start again from your application.",
            );
        }
        Err(Taken::Refused) => {
            return html_error(
                StatusCode::FORBIDDEN,
                "This sign-in was started in another browser. Start again from your application, in this browser.",
            );
        }
    };
    let state = pending.client_state.as_deref();
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(String::as_str)
            .unwrap_or("Auth0 refused the sign-in");
        return redirect_with(
            &pending.redirect_uri,
            &[("error", error), ("error_description", description)],
            state,
            &proxy.base,
        );
    }
    let Some(upstream_code) = params.get("code") else {
        return redirect_with(
            &pending.redirect_uri,
            &[("error", "server_error")],
            state,
            &proxy.base,
        );
    };
    let code = random_token(32);
    let issued = IssuedCode {
        upstream_code: upstream_code.clone(),
        client_id: pending.client_id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
    };
    if proxy
        .codes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(code.clone(), issued)
        .is_err()
    {
        return redirect_with(
            &pending.redirect_uri,
            &[("error", "temporarily_unavailable")],
            state,
            &proxy.base,
        );
    }
    redirect_with(
        &pending.redirect_uri,
        &[("code", &code)],
        state,
        &proxy.base,
    )
}

/// `POST /token`: authorization_code and refresh_token grants, exchanged at Auth0.
async fn token(State(proxy): State<Arc<Proxy>>, headers: HeaderMap, body: Bytes) -> Response {
    if !proxy.limits.token.allow() {
        return too_many_requests(true);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the token request as application/x-www-form-urlencoded",
        );
    }
    let form = form_urlencoded(&body);
    let param = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_id) = param("client_id") else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the request names no client_id",
        );
    };
    if proxy.client(client_id).is_none() {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "this client is not registered here: register again",
        );
    }
    let upstream_client = proxy.upstream.client_id.clone().unwrap_or_default();
    let upstream_secret = proxy.upstream.client_secret.clone().unwrap_or_default();
    let mut upstream: Vec<(&str, String)> = vec![
        ("client_id", upstream_client),
        ("client_secret", upstream_secret),
    ];
    match param("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(verifier)) = (param("code"), param("code_verifier")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "send the code and the PKCE code_verifier",
                );
            };
            let Some(issued) = proxy
                .codes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(code)
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code is unknown, expired or already used",
                );
            };
            if issued.client_id != client_id {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code was issued to another client",
                );
            }
            if param("redirect_uri").is_some_and(|uri| uri != issued.redirect_uri) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the redirect_uri differs from the authorization request's",
                );
            }
            upstream.extend([
                ("grant_type", "authorization_code".to_owned()),
                ("code", issued.upstream_code),
                ("code_verifier", verifier.to_owned()),
                ("redirect_uri", format!("{}/oauth/callback", proxy.base)),
            ]);
        }
        Some("refresh_token") => {
            let Some(refresh_token) = param("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "send the refresh_token",
                );
            };
            upstream.extend([
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", refresh_token.to_owned()),
            ]);
            if let Some(scope) = param("scope") {
                upstream.push(("scope", scope.to_owned()));
            }
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    }
    upstream.push(("audience", proxy.upstream.audience.clone()));
    relay(&proxy, &upstream).await
}

/// Sends the token request to Auth0 and relays its answer and status.
async fn relay(proxy: &Proxy, form: &[(&str, String)]) -> Response {
    let body = serde_urlencoded(form);
    let sent = proxy
        .http
        .post(proxy.upstream.token_url())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(err) => {
            let why = if err.is_timeout() {
                "Auth0 did not answer in time"
            } else {
                "Auth0 cannot be reached"
            };
            tracing::warn!("token exchange failed: {why}");
            return oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                why,
            );
        }
    };
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let Ok(bytes) = read_capped(response, 1 << 20).await else {
        return oauth_error(
            StatusCode::BAD_GATEWAY,
            "temporarily_unavailable",
            "Auth0's answer was cut short or too large",
        );
    };
    if serde_json::from_slice::<Value>(&bytes).is_err() {
        return oauth_error(
            StatusCode::BAD_GATEWAY,
            "server_error",
            "Auth0 answered with something other than JSON",
        );
    }
    let mut response =
        (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    with_cors(response)
}

fn form_urlencoded(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn serde_urlencoded(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Redirects to a client's registered redirect URI with `params`, its `state` and our `iss`.
fn redirect_with(
    uri: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let Ok(mut url) = reqwest::Url::parse(uri) else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "The redirect URI is not a valid URL.",
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in params {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    redirect(url.as_str())
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A page for the person in the browser. Not frameable, not cached, no scripts.
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn html_error(status: StatusCode, message: &str) -> Response {
    html(
        status,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head>\
             <body><h1>Sign-in failed</h1><p>{}</p></body></html>",
            escape(message)
        ),
    )
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris() {
        assert!(valid_redirect_uri(
            "https://claude.ai/api/mcp/auth_callback"
        ));
        assert!(valid_redirect_uri("http://127.0.0.1:6274/oauth/callback"));
        assert!(valid_redirect_uri("http://localhost:6274/oauth/callback"));
        assert!(valid_redirect_uri("http://[::1]:1/cb"));
        assert!(valid_redirect_uri(
            "cursor://anysphere.cursor-retrieval/oauth/callback"
        ));
        assert!(!valid_redirect_uri("http://evil.example.com/cb"));
        assert!(!valid_redirect_uri("javascript:alert(1)"));
        assert!(!valid_redirect_uri("https://ok.example.com/cb#frag"));
        assert!(!valid_redirect_uri("not a uri"));
        assert!(!valid_redirect_uri("https://claude.ai@evil.example.com/cb"));
    }
}

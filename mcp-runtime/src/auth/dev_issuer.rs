//! A development stand-in for an Auth0 tenant, on loopback: the same endpoint paths, test users
//! `alice` and `bob`, and a login page to pick one. It lets the Auth0 examples run their whole
//! flow with no Auth0 account. Never for production: anyone can sign in as anyone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::testing::{KeyRing, TestIssuer};
use crate::Auth0Config;
use crate::http_util::{escape, oauth_error, random_token};

/// A test user of the development issuer.
struct DevUser {
    name: &'static str,
    display: &'static str,
    permissions: &'static [&'static str],
}

const USERS: &[DevUser] = &[
    DevUser {
        name: "alice",
        display: "Alice Example",
        permissions: &["read:data", "delete:documents"],
    },
    DevUser {
        name: "bob",
        display: "Bob Example",
        permissions: &["read:data"],
    },
];

const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

const CODE_LIFETIME: Duration = Duration::from_secs(300);

struct Grant {
    user: &'static DevUser,
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    scope: String,
    issued: Instant,
}

struct Refresh {
    user: &'static DevUser,
    client_id: String,
    scope: String,
}

struct Issuer {
    keys: KeyRing,
    issuer: String,
    base: String,
    audience: String,
    client_id: String,
    client_secret: String,
    /// Redirect URIs of the pre-registered application, and of clients registered at
    /// `/oidc/register` (public clients, as Auth0's dynamic registration makes).
    clients: Mutex<HashMap<String, Vec<String>>>,
    codes: Mutex<HashMap<String, Grant>>,
    refresh_tokens: Mutex<HashMap<String, Refresh>>,
}

/// A development issuer that behaves like an Auth0 tenant, on a loopback port.
///
/// It serves `/authorize` (with a login page to pick `alice`, who may read and delete
/// documents, or `bob`, who may only read), `/oauth/token` (authorization code with PKCE, and
/// refresh tokens), `/.well-known/jwks.json`, `/.well-known/openid-configuration` and open
/// dynamic registration at `/oidc/register`. Its access tokens carry Auth0's `permissions`
/// claim. Anyone can sign in as anyone: it is for trying things out, never for production.
pub struct DevIssuer {
    inner: TestIssuer,
    audience: String,
    client_id: String,
    client_secret: String,
}

impl DevIssuer {
    /// Starts the issuer for the API `audience`, with one pre-registered application whose
    /// credentials are generated here and which may redirect to `redirect_uris`.
    pub async fn start(audience: &str, redirect_uris: &[String]) -> std::io::Result<DevIssuer> {
        let client_id = format!("dev-client-{}", random_token(8));
        let client_secret = random_token(32);
        let (audience_c, id_c, secret_c) = (
            audience.to_owned(),
            client_id.clone(),
            client_secret.clone(),
        );
        let uris = redirect_uris.to_vec();
        let inner = TestIssuer::start_with(move |keys, issuer| {
            let base = issuer.trim_end_matches('/').to_owned();
            let state = Arc::new(Issuer {
                keys,
                issuer,
                base,
                audience: audience_c,
                client_id: id_c.clone(),
                client_secret: secret_c,
                clients: Mutex::new(HashMap::from([(id_c, uris)])),
                codes: Mutex::new(HashMap::new()),
                refresh_tokens: Mutex::new(HashMap::new()),
            });
            Router::new()
                .route("/.well-known/openid-configuration", get(discovery))
                .route("/.well-known/oauth-authorization-server", get(discovery))
                .route("/authorize", get(login_page).post(login))
                .route("/oauth/token", post(token))
                .route("/oidc/register", post(register))
                .with_state(state)
        })
        .await?;
        Ok(DevIssuer {
            inner,
            audience: audience.to_owned(),
            client_id,
            client_secret,
        })
    }

    /// The issuer's base URL, to use as `AUTH0_DOMAIN`.
    pub fn domain(&self) -> &str {
        self.inner.issuer().trim_end_matches('/')
    }

    /// Settings that point the Auth0 modes at this issuer, with its application's credentials.
    pub fn auth0_config(&self) -> Auth0Config {
        Auth0Config::new(self.domain(), self.audience.clone())
            .client(self.client_id.clone(), self.client_secret.clone())
    }
}

async fn discovery(State(issuer): State<Arc<Issuer>>) -> Response {
    let base = &issuer.base;
    let body = json!({
        "issuer": issuer.issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "registration_endpoint": format!("{base}/oidc/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
    });
    let mut response = (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn register(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let uris: Vec<String> = request["redirect_uris"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|u| u.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if uris.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "register at least one redirect URI",
        );
    }
    let client_id = format!("dev-dcr-{}", random_token(12));
    issuer
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(client_id.clone(), uris.clone());
    let body = json!({"client_id": client_id, "redirect_uris": uris, "token_endpoint_auth_method": "none",
                      "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]});
    let mut response = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Checks an authorization request; the error is a page for the person in the browser.
fn check_request(issuer: &Issuer, params: &HashMap<String, String>) -> Result<(), String> {
    let client_id = params.get("client_id").ok_or("no client_id")?;
    let clients = issuer.clients.lock().unwrap_or_else(|e| e.into_inner());
    let uris = clients.get(client_id).ok_or("unknown client")?;
    let redirect_uri = params.get("redirect_uri").ok_or("no redirect_uri")?;
    if !uris.contains(redirect_uri) {
        return Err("this redirect_uri is not registered for the client".into());
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err("only response_type=code is supported".into());
    }
    if params.get("code_challenge_method").map(String::as_str) != Some("S256")
        || !params.contains_key("code_challenge")
    {
        return Err("PKCE with S256 is required".into());
    }
    let audience = params.get("audience").or_else(|| params.get("resource"));
    if audience.map(|a| a.trim_end_matches('/')) != Some(issuer.audience.trim_end_matches('/')) {
        return Err(format!(
            "ask for the audience `{}`: like Auth0, this issuer would otherwise give an opaque token",
            issuer.audience
        ));
    }
    Ok(())
}

async fn login_page(State(issuer): State<Arc<Issuer>>, RawQuery(query): RawQuery) -> Response {
    let params: HashMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if let Err(why) = check_request(&issuer, &params) {
        return page(
            StatusCode::BAD_REQUEST,
            &format!("<h1>Invalid request</h1><p>{}</p>", escape(&why)),
        );
    }
    let hidden: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(k),
                escape(v)
            )
        })
        .collect();
    let buttons: String = USERS
        .iter()
        .map(|u| {
            format!(
                r#"<button type="submit" name="username" value="{}">{} <small>({})</small></button> "#,
                u.name,
                u.display,
                u.permissions.join(", ")
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &format!(
            "<h1>Development sign-in</h1><p>This is the built-in development issuer, standing in for Auth0. \
             Pick a test user:</p><form method=\"post\" action=\"{}/authorize\">{hidden}{buttons}</form>",
            escape(&issuer.base)
        ),
    )
}

async fn login(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let params: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    if let Err(why) = check_request(&issuer, &params) {
        return page(
            StatusCode::BAD_REQUEST,
            &format!("<h1>Invalid request</h1><p>{}</p>", escape(&why)),
        );
    }
    let Some(user) = params
        .get("username")
        .and_then(|name| USERS.iter().find(|u| u.name == name))
    else {
        return page(StatusCode::BAD_REQUEST, "<h1>Unknown user</h1>");
    };
    let code = random_token(24);
    // As Auth0 does with RBAC enforced: API scopes are granted only to users who hold them.
    let scope: Vec<&str> = params
        .get("scope")
        .map(String::as_str)
        .unwrap_or_default()
        .split(' ')
        .filter(|s| OIDC_SCOPES.contains(s) || user.permissions.contains(s))
        .collect();
    let grant = Grant {
        user,
        client_id: params["client_id"].clone(),
        redirect_uri: params["redirect_uri"].clone(),
        code_challenge: params["code_challenge"].clone(),
        scope: scope.join(" "),
        issued: Instant::now(),
    };
    issuer
        .codes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(code.clone(), grant);
    let mut location = params["redirect_uri"].clone();
    location.push(if location.contains('?') { '&' } else { '?' });
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("code", &code);
    if let Some(state) = params.get("state") {
        query.append_pair("state", state);
    }
    location.push_str(&query.finish());
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn token(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let client_id = get("client_id");
    let known = issuer
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains_key(client_id);
    // The pre-registered application is confidential; registered clients are public.
    if !known || (client_id == issuer.client_id && get("client_secret") != issuer.client_secret) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let (user, scope) = match get("grant_type") {
        "authorization_code" => {
            let Some(grant) = issuer
                .codes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(get("code"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or used code",
                );
            };
            let challenge = URL_SAFE_NO_PAD.encode(digest::digest(
                &digest::SHA256,
                get("code_verifier").as_bytes(),
            ));
            if grant.issued.elapsed() > CODE_LIFETIME
                || grant.client_id != client_id
                || grant.redirect_uri != get("redirect_uri")
                || grant.code_challenge != challenge
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code does not match this request",
                );
            }
            (grant.user, grant.scope)
        }
        "refresh_token" => {
            let Some(refresh) = issuer
                .refresh_tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(get("refresh_token"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or used refresh token",
                );
            };
            if refresh.client_id != client_id {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the refresh token belongs to another client",
                );
            }
            (refresh.user, refresh.scope)
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "authorization_code or refresh_token",
            );
        }
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut claims = Map::new();
    claims.insert("iss".into(), issuer.issuer.clone().into());
    claims.insert("sub".into(), format!("dev|{}", user.name).into());
    claims.insert(
        "aud".into(),
        json!([issuer.audience, format!("{}/userinfo", issuer.base)]),
    );
    claims.insert("iat".into(), now.into());
    claims.insert("exp".into(), (now + 3600).into());
    claims.insert("azp".into(), client_id.into());
    claims.insert("scope".into(), scope.clone().into());
    claims.insert("permissions".into(), json!(user.permissions));
    claims.insert("email".into(), format!("{}@example.com", user.name).into());
    claims.insert("email_verified".into(), true.into());
    claims.insert("name".into(), user.display.into());
    claims.insert("nickname".into(), user.name.into());
    claims.insert(
        "picture".into(),
        format!("https://example.com/{}.png", user.name).into(),
    );
    let access_token = issuer.keys.sign(&claims);
    let refresh_token = random_token(32);
    issuer
        .refresh_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            refresh_token.clone(),
            Refresh {
                user,
                client_id: client_id.to_owned(),
                scope: scope.clone(),
            },
        );
    let body = json!({"access_token": access_token, "token_type": "Bearer", "expires_in": 3600,
                      "refresh_token": refresh_token, "scope": scope});
    let mut response = (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Development issuer</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto}}button{{font-size:1rem;margin:.3rem}}</style>\
         </head><body>{body}</body></html>"
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

//! The development issuer's JSON endpoints: discovery, keys, open client registration, and
//! the token endpoint (authorization code with PKCE, refresh tokens, and the On-Behalf-Of
//! token exchange of RFC 8693 as Auth0 has it).

use std::sync::Arc;

use aws_lc_rs::digest;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::state::{CODE_LIFETIME, DevUser, Issuer, Refresh, USERS, lock};
use crate::auth::caller::now;
use crate::auth::exchange::{ACCESS_TOKEN_TYPE, GRANT_TYPE};
use crate::web::form;
use crate::web::random::random_token;
use crate::web::response::{JsonBody, OAuthError};

/// `GET /.well-known/openid-configuration` (and the RFC 8414 path).
pub(crate) async fn discovery(State(issuer): State<Arc<Issuer>>) -> Response {
    let base = &issuer.base;
    JsonBody::ok(&json!({
        "issuer": issuer.issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "registration_endpoint": format!("{base}/oidc/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", GRANT_TYPE],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
    }))
    .into_response()
}

/// `GET /.well-known/jwks.json`.
pub(crate) async fn jwks(State(issuer): State<Arc<Issuer>>) -> Response {
    JsonBody::ok(&json!({"keys": [issuer.key.jwk()]})).into_response()
}

/// `POST /oidc/register`: open dynamic registration of public clients, as Auth0's.
pub(crate) async fn register(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
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
        return OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "register at least one redirect URI",
        )
        .into_response();
    }
    let client_id = format!("dev-dcr-{}", random_token(12));
    lock(&issuer.clients).insert(client_id.clone(), uris.clone());
    let body = json!({"client_id": client_id, "redirect_uris": uris, "token_endpoint_auth_method": "none",
                      "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]});
    JsonBody::new(StatusCode::CREATED, &body).into_response()
}

fn invalid_grant(description: &'static str) -> Response {
    OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", description).into_response()
}

/// `POST /oauth/token`.
pub(crate) async fn token(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let form = form::parse(&body);
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let client_id = get("client_id");
    let known = lock(&issuer.clients).contains_key(client_id);
    // The pre-registered application is confidential; registered clients are public.
    let secret_ok = aws_lc_rs::constant_time::verify_slices_are_equal(
        get("client_secret").as_bytes(),
        issuer.client_secret.as_bytes(),
    )
    .is_ok();
    if !known || (client_id == issuer.client_id && !secret_ok) {
        return OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        )
        .into_response();
    }
    if get("grant_type") == GRANT_TYPE {
        if client_id != issuer.client_id {
            return OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "only the confidential application may exchange tokens",
            )
            .into_response();
        }
        return exchange(&issuer, client_id, get);
    }
    let (user, scope) = match get("grant_type") {
        "authorization_code" => {
            let Some(grant) = lock(&issuer.codes).remove(get("code")) else {
                return invalid_grant("unknown or used code");
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
                return invalid_grant("the code does not match this request");
            }
            (grant.user, grant.scope)
        }
        "refresh_token" => {
            let Some(refresh) = lock(&issuer.refresh_tokens).remove(get("refresh_token")) else {
                return invalid_grant("unknown or used refresh token");
            };
            if refresh.client_id != client_id {
                return invalid_grant("the refresh token belongs to another client");
            }
            (refresh.user, refresh.scope)
        }
        _ => {
            return OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "authorization_code or refresh_token",
            )
            .into_response();
        }
    };
    let access_token = issuer
        .key
        .sign(&claims(&issuer, user, client_id, &scope), None);
    let refresh_token = random_token(32);
    lock(&issuer.refresh_tokens).insert(
        refresh_token.clone(),
        Refresh {
            user,
            client_id: client_id.to_owned(),
            scope: scope.clone(),
        },
    );
    let body = json!({"access_token": access_token, "token_type": "Bearer", "expires_in": 3600,
                      "refresh_token": refresh_token, "scope": scope});
    JsonBody::ok(&body).no_store().into_response()
}

/// The On-Behalf-Of exchange: a valid access token of this issuer for the server's API (the
/// subject) for a token of another API (`audience`) for the same user, with the `scope`
/// asked, each of which the user must hold.
fn exchange<'a>(issuer: &Issuer, client_id: &str, get: impl Fn(&str) -> &'a str) -> Response {
    let refuse = |status: StatusCode, error: &'static str, description: String| {
        OAuthError::new(status, error, description).into_response()
    };
    if get("subject_token_type") != ACCESS_TOKEN_TYPE {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("subject_token_type must be {ACCESS_TOKEN_TYPE}"),
        );
    }
    let audience = get("audience");
    if audience.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "name the API the token is for in `audience`".into(),
        );
    }
    let Some(user) = verified_subject(issuer, get("subject_token")) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the subject_token is not a valid access token for this server's API".into(),
        );
    };
    let scopes: Vec<&str> = get("scope").split(' ').filter(|s| !s.is_empty()).collect();
    let missing: Vec<&str> = scopes
        .iter()
        .copied()
        .filter(|s| !user.permissions.contains(s))
        .collect();
    if !missing.is_empty() {
        return refuse(
            StatusCode::FORBIDDEN,
            "access_denied",
            format!("{} does not hold {}", user.name, missing.join(", ")),
        );
    }
    let scope = scopes.join(" ");
    let now = now();
    let mut claims = Map::new();
    claims.insert("iss".into(), issuer.issuer.clone().into());
    claims.insert("sub".into(), format!("dev|{}", user.name).into());
    claims.insert("aud".into(), audience.into());
    claims.insert("iat".into(), now.into());
    claims.insert("exp".into(), (now + EXCHANGED_LIFETIME).into());
    claims.insert("azp".into(), client_id.into());
    claims.insert("scope".into(), scope.clone().into());
    claims.insert("permissions".into(), json!(scopes));
    claims.insert("act".into(), json!({"sub": client_id}));
    let access_token = issuer.key.sign(&claims, None);
    let body = json!({"access_token": access_token, "token_type": "Bearer",
                      "issued_token_type": ACCESS_TOKEN_TYPE,
                      "expires_in": EXCHANGED_LIFETIME, "scope": scope});
    JsonBody::ok(&body).no_store().into_response()
}

/// How long an exchanged token lives, in seconds.
const EXCHANGED_LIFETIME: u64 = 600;

/// The user of `token` if it is this issuer's, unexpired, for the server's API.
fn verified_subject(issuer: &Issuer, token: &str) -> Option<&'static DevUser> {
    let jwk = issuer.key.jwk();
    let key =
        jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str()?, jwk["e"].as_str()?)
            .ok()?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[&issuer.issuer]);
    validation.set_audience(&[&issuer.audience]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .ok()?
        .claims;
    let sub = claims.get("sub")?.as_str()?;
    USERS
        .iter()
        .find(|user| format!("dev|{}", user.name) == sub)
}

/// An access token's claims, as Auth0 writes them with RBAC and the user's profile.
fn claims(issuer: &Issuer, user: &DevUser, client_id: &str, scope: &str) -> Map<String, Value> {
    let now = now();
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
    claims.insert("scope".into(), scope.into());
    claims.insert("permissions".into(), json!(user.permissions));
    claims.insert("email".into(), format!("{}@example.com", user.name).into());
    claims.insert("email_verified".into(), true.into());
    claims.insert("name".into(), user.display.into());
    claims.insert("nickname".into(), user.name.into());
    claims.insert(
        "picture".into(),
        format!("https://example.com/{}.png", user.name).into(),
    );
    claims
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;
    use crate::auth::signing::SigningKey;

    fn issuer() -> Issuer {
        Issuer {
            key: SigningKey::generate("k".into()),
            issuer: "http://127.0.0.1:1/".into(),
            base: "http://127.0.0.1:1".into(),
            audience: "https://mcp.example/api".into(),
            client_id: "app".into(),
            client_secret: "secret".into(),
            clients: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
        }
    }

    async fn exchanged(issuer: &Issuer, subject: &str, scope: &str) -> (StatusCode, Value) {
        let form = HashMap::from([
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("subject_token", subject),
            ("audience", "https://documents-api.example/"),
            ("scope", scope),
        ]);
        let response = exchange(issuer, "app", |k| form.get(k).copied().unwrap_or_default());
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn the_exchange_is_for_valid_subjects_of_the_api_and_scopes_the_user_holds() {
        let issuer = issuer();
        let [alice, bob] = [&USERS[0], &USERS[1]];
        let alice_token = issuer.key.sign(&claims(&issuer, alice, "app", ""), None);
        let (status, body) = exchanged(&issuer, &alice_token, "delete:documents").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["access_token"].as_str().unwrap();
        let issued =
            jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token).unwrap();
        assert_eq!(issued["aud"], "https://documents-api.example/");
        assert_eq!(issued["sub"], "dev|alice");
        assert_eq!(issued["scope"], "delete:documents");
        assert_eq!(issued["act"]["sub"], "app");
        // bob does not hold delete:documents.
        let bob_token = issuer.key.sign(&claims(&issuer, bob, "app", ""), None);
        let (status, body) = exchanged(&issuer, &bob_token, "delete:documents").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "access_denied");
        assert!(body.get("access_token").is_none());
        // A subject of another API, of another issuer, or not a token at all.
        let mut other_api = claims(&issuer, alice, "app", "");
        other_api.insert("aud".into(), "https://elsewhere.example/".into());
        let other_key = SigningKey::generate("k".into());
        for subject in [
            issuer.key.sign(&other_api, None),
            other_key.sign(&claims(&issuer, alice, "app", ""), None),
            token.to_owned(),
            "not-a-token".to_owned(),
        ] {
            let (status, body) = exchanged(&issuer, &subject, "read:data").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(body["error"], "invalid_grant");
        }
    }
}

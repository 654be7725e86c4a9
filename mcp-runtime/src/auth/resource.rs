//! The HTTP side of a resource server: reading bearer tokens, the 401/403 challenges with
//! `WWW-Authenticate`, and the protected resource metadata (RFC 9728).

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::caller::Auth;
use super::jwt::{JwtConfig, TokenError, Verifier};
use crate::store::Store;
use crate::web::response::JsonBody;
use crate::web::url::{host_of, is_loopback};

/// A resource server: verifies the bearer token of each request and answers the challenges.
pub(crate) struct ResourceServer {
    verifier: Verifier,
    /// The canonical URL of the MCP endpoint: the `resource` tokens are issued for.
    resource: String,
    /// The MCP endpoint's path, such as `/mcp`.
    path: String,
    /// Where the protected resource metadata is served.
    metadata_url: String,
    /// The metadata document, built once.
    metadata: Value,
    /// All permissions of the vocabulary, for challenges that concern no one tool.
    all_scopes: String,
    allow_anonymous: bool,
    /// The public URL was not configured and is a loopback one: a client that reached the
    /// server as `localhost` rather than `127.0.0.1` (on the same port) is answered with the
    /// resource it used, as clients check it against the URL they were given.
    loopback_port: Option<u16>,
}

/// What a resource server is, as its protected resource metadata describes it.
pub(crate) struct ResourceSettings {
    /// The URL clients reach the server at, without the MCP path.
    pub(crate) public_url: String,
    /// The MCP endpoint's path, such as `/mcp`.
    pub(crate) path: String,
    /// `resource_name`: the server's title or name.
    pub(crate) name: String,
    /// `scopes_supported`.
    pub(crate) scopes: Vec<String>,
    /// Whether requests without a token are let through (to public tools).
    pub(crate) allow_anonymous: bool,
    /// Whether `public_url` was derived from the listening address rather than configured.
    pub(crate) derived_public_url: bool,
    /// The server's store, where exchanged tokens are shared when it is shared.
    pub(crate) store: Store,
}

impl ResourceServer {
    pub(crate) fn new(
        config: JwtConfig,
        client: reqwest::Client,
        settings: ResourceSettings,
    ) -> Self {
        let ResourceSettings {
            public_url,
            path,
            name,
            scopes,
            allow_anonymous,
            derived_public_url,
            store,
        } = settings;
        let loopback_port = derived_public_url
            .then(|| reqwest::Url::parse(&public_url).ok())
            .flatten()
            .filter(|url| url.scheme() == "http")
            .filter(|url| {
                url.host_str()
                    .is_some_and(|h| is_loopback(h.trim_matches(['[', ']'])))
            })
            .and_then(|url| url.port_or_known_default());
        let resource = format!("{public_url}{path}");
        let metadata_url = format!("{public_url}/.well-known/oauth-protected-resource{path}");
        let metadata = json!({
            "resource": resource,
            "authorization_servers": [config.authorization_server],
            "scopes_supported": scopes,
            "bearer_methods_supported": ["header"],
            "resource_name": name,
        });
        ResourceServer {
            verifier: Verifier::new(config, client, &store),
            resource,
            metadata_url,
            metadata,
            path,
            loopback_port,
            all_scopes: scopes.join(" "),
            allow_anonymous,
        }
    }

    /// `GET /.well-known/oauth-protected-resource[/mcp]`.
    pub(crate) fn metadata(&self, headers: &HeaderMap) -> Response {
        match self.loopback_origin(headers) {
            None => JsonBody::ok(&self.metadata).into_response(),
            Some(origin) => {
                let mut metadata = self.metadata.clone();
                metadata["resource"] = format!("{origin}{}", self.path).into();
                JsonBody::ok(&metadata).into_response()
            }
        }
    }

    /// `http://{Host}` when the server answers for its loopback address under another
    /// loopback name (`localhost`, `127.0.0.1`, `[::1]`) on the same port.
    fn loopback_origin(&self, headers: &HeaderMap) -> Option<String> {
        let port = self.loopback_port?;
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let name = host_of(host)?;
        let host_port = host[name.len()..]
            .strip_prefix(':')
            .map_or(Some(80), |p| p.parse().ok())?;
        (is_loopback(name.trim_matches(['[', ']'])) && host_port == port)
            .then(|| format!("http://{host}"))
            .filter(|origin| !self.resource.starts_with(&format!("{origin}/")))
    }

    /// The metadata URL the challenge names: on the loopback name the client used.
    fn metadata_url(&self, headers: Option<&HeaderMap>) -> String {
        match headers.and_then(|h| self.loopback_origin(h)) {
            Some(origin) => format!("{origin}/.well-known/oauth-protected-resource{}", self.path),
            None => self.metadata_url.clone(),
        }
    }

    /// The caller of a request: `Ok(None)` for an anonymous request the server lets through,
    /// `Err` with the finished 401 (or 503) response otherwise.
    #[allow(clippy::result_large_err)] // the error is the finished HTTP response
    pub(crate) async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Arc<Auth>>, Response> {
        let token = match bearer_token(headers) {
            Credentials::None if self.allow_anonymous => return Ok(None),
            Credentials::None => {
                return Err(self.challenge(Some(headers), TokenError::Missing, &[]));
            }
            Credentials::OtherScheme => {
                return Err(self.challenge(
                    Some(headers),
                    TokenError::Invalid("send the access token with the Bearer scheme".into()),
                    &[],
                ));
            }
            Credentials::Bearer("") => {
                return Err(self.challenge(
                    Some(headers),
                    TokenError::Invalid("the bearer token is empty".into()),
                    &[],
                ));
            }
            Credentials::Bearer(token) => token,
        };
        match self.verifier.verify(token).await {
            Ok(auth) => Ok(Some(auth)),
            Err(err) => {
                // The reason, never the token.
                tracing::info!(resource = %self.resource, "refused a token: {err:?}");
                Err(self.challenge(Some(headers), err, &[]))
            }
        }
    }

    /// A 401 challenge (or 503 while the keys are unavailable), naming `scope` or, when empty,
    /// every permission of the vocabulary.
    pub(crate) fn challenge(
        &self,
        headers: Option<&HeaderMap>,
        error: TokenError,
        scope: &[&str],
    ) -> Response {
        let scope = if scope.is_empty() {
            self.all_scopes.clone()
        } else {
            scope.join(" ")
        };
        let mut value = format!(
            "Bearer resource_metadata=\"{}\"",
            self.metadata_url(headers)
        );
        if !scope.is_empty() {
            value.push_str(&format!(", scope=\"{}\"", quoted(&scope)));
        }
        let body = match &error {
            TokenError::Missing => {
                json!({"error": "unauthorized", "error_description": "this server needs an access token: see the resource metadata"})
            }
            TokenError::Invalid(why) => {
                value.push_str(&format!(
                    ", error=\"invalid_token\", error_description=\"{}\"",
                    quoted(why)
                ));
                json!({"error": "invalid_token", "error_description": why})
            }
            TokenError::KeysUnavailable => {
                let why = "the authorization server's signing keys cannot be fetched now; try again shortly";
                let mut response = JsonBody::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &json!({"error": "temporarily_unavailable", "error_description": why}),
                )
                .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                return response;
            }
        };
        with_challenge(JsonBody::new(StatusCode::UNAUTHORIZED, &body), &value)
    }

    /// A 403 for a caller that lacks `scope` (the specification's step-up challenge).
    pub(crate) fn insufficient_scope(&self, scope: &[&str]) -> Response {
        let scope = quoted(&scope.join(" "));
        let value = format!(
            "Bearer error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{}\", \
             error_description=\"this tool requires {scope}\"",
            self.metadata_url(None)
        );
        let body = json!({"error": "insufficient_scope", "error_description": format!("this tool requires {scope}")});
        with_challenge(JsonBody::new(StatusCode::FORBIDDEN, &body), &value)
    }
}

fn with_challenge(body: JsonBody, challenge: &str) -> Response {
    let mut response = body.into_response();
    if let Ok(value) = HeaderValue::from_str(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// What the `Authorization` header holds. Tokens are read from this header only, never
/// from the query string or the body.
enum Credentials<'a> {
    None,
    OtherScheme,
    Bearer(&'a str),
}

fn bearer_token(headers: &HeaderMap) -> Credentials<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::None;
    };
    let Ok(value) = value.to_str() else {
        return Credentials::OtherScheme;
    };
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::OtherScheme;
    }
    match token.trim() {
        // An empty bearer is an invalid token, not a missing one.
        "" => Credentials::Bearer(""),
        token => Credentials::Bearer(token),
    }
}

/// Text for a quoted-string in `WWW-Authenticate`: no quotes, backslashes or control characters.
fn quoted(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\\') && !c.is_control())
        .collect()
}

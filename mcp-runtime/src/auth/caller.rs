//! The verified caller a tool sees: [`Auth`] and its [`User`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::exchange::{DelegatedToken, Exchanger};
use crate::error::ToolError;

/// The verified caller of a tool: take `&Auth` as a parameter.
///
/// It is built from the claims of a verified access token. The token itself is out of reach:
/// neither `Debug` nor any method shows it; on a server that exchanges tokens it is kept, out
/// of sight, only to be exchanged for [`token_for`](Auth::token_for).
#[derive(Clone)]
pub struct Auth {
    user: User,
    permissions: Vec<String>,
    scopes: Vec<String>,
    client_id: Option<String>,
    expires_at: Option<SystemTime>,
    claims: Arc<Map<String, Value>>,
    delegation: Option<Arc<Delegation>>,
}

/// What exchanging the caller's token takes: the token, and the server's exchanger.
struct Delegation {
    subject: String,
    exchanger: Arc<Exchanger>,
}

/// The user behind a token, from its standard claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// `sub`: the user's stable id at the authorization server.
    pub user_id: String,
    /// `email`, when the token carries it.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: Option<bool>,
    /// `name`.
    pub name: Option<String>,
    /// `nickname`.
    pub nickname: Option<String>,
    /// `picture`: a URL.
    pub picture: Option<String>,
}

impl Auth {
    /// Builds the caller from verified claims.
    ///
    /// Granted permissions are the union of the `permissions` claim (Auth0 RBAC with the
    /// `rfc9068_profile_authz` dialect), the `scope` claim (space separated, RFC 9068) and
    /// `scp` (a string or an array, as some providers send).
    pub(crate) fn from_claims(claims: Map<String, Value>) -> Self {
        let string = |key: &str| claims.get(key).and_then(Value::as_str).map(str::to_owned);
        let permissions = strings(claims.get("permissions"));
        let mut scopes = strings(claims.get("scope"));
        for scope in strings(claims.get("scp")) {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let user = User {
            user_id: string("sub").unwrap_or_default(),
            email: string("email"),
            email_verified: claims.get("email_verified").and_then(Value::as_bool),
            name: string("name"),
            nickname: string("nickname"),
            picture: string("picture"),
        };
        let client_id = string("azp").or_else(|| string("client_id"));
        let expires_at = claims
            .get("exp")
            .and_then(Value::as_u64)
            .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)));
        Auth {
            user,
            permissions,
            scopes,
            client_id,
            expires_at,
            claims: Arc::new(claims),
            delegation: None,
        }
    }

    /// The caller whose verified access token is `token`, which `exchanger` may exchange.
    pub(crate) fn with_delegation(mut self, token: &str, exchanger: Arc<Exchanger>) -> Self {
        self.delegation = Some(Arc::new(Delegation {
            subject: token.to_owned(),
            exchanger,
        }));
        self
    }

    /// A token for the downstream API `audience` (its API identifier at Auth0) with `scopes`,
    /// on the caller's behalf: the caller's own token is exchanged for it at the authorization
    /// server (OAuth 2.0 Token Exchange, RFC 8693; Auth0's On-Behalf-Of exchange), never sent
    /// to the API itself. The new token's subject is the caller, and its scopes at most what
    /// the user holds for that API (Auth0's RBAC): asking for a permission the user does not
    /// hold there is an error. What the MCP client was granted is the tool's guard's to check
    /// (`#[tool(requires = ...)]`): guard a tool for what its downstream calls may do.
    ///
    /// Tokens are cached per caller token, audience and scopes until shortly before they (or
    /// the caller's token) expire, and concurrent calls share one exchange. An error is a
    /// [`ToolError`] for the model to relay, such as "`https://documents-api.example/`
    /// refused the exchange: the user does not hold delete:documents".
    ///
    /// ```no_run
    /// # use mcp_runtime::prelude::*;
    /// #[tool(requires = "delete:documents", destructive)]
    /// async fn delete_document(auth: &Auth, document_id: String) -> Result<String, ToolError> {
    ///     let token = auth
    ///         .token_for("https://documents-api.example/", &["delete:documents"])
    ///         .await?;
    ///     // Send `token.authorization()` as the `Authorization` header of the API call.
    ///     # let _ = (token, document_id);
    ///     Ok("deleted".into())
    /// }
    /// ```
    pub async fn token_for(
        &self,
        audience: &str,
        scopes: &[&str],
    ) -> Result<DelegatedToken, ToolError> {
        let Some(delegation) = &self.delegation else {
            return Err(ToolError::new(
                "this server cannot call other APIs on the caller's behalf: token exchange is not \
                 configured (with Auth0, set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or \
                 AUTH0_EXCHANGE_CLIENT_ID and AUTH0_EXCHANGE_CLIENT_SECRET; otherwise \
                 JwtConfig::token_exchange; see README.md, \"Calling other APIs\")",
            ));
        };
        delegation
            .exchanger
            .token_for(&delegation.subject, self.expires_at, audience, scopes)
            .await
            .map_err(|err| ToolError::new(err.0))
    }

    /// The user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The `permissions` claim (Auth0 RBAC).
    pub fn permissions(&self) -> &[String] {
        &self.permissions
    }

    /// The scopes, from `scope` and `scp`.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether the caller was granted `permission`, as a permission or as a scope.
    pub fn is_granted(&self, permission: &str) -> bool {
        self.permissions
            .iter()
            .chain(&self.scopes)
            .any(|p| p == permission)
    }

    /// The OAuth client the token was issued to (`azp`, or `client_id`).
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// When the token expires.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Every claim of the token.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The issuer and subject, which identify the principal a session belongs to.
    pub(crate) fn principal(&self) -> String {
        let issuer = self
            .claims
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("{issuer} {}", self.user.user_id)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("user", &self.user)
            .field("permissions", &self.permissions)
            .field("scopes", &self.scopes)
            .field("client_id", &self.client_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A space-separated string or an array of strings.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => s
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auth(claims: Value) -> Auth {
        Auth::from_claims(claims.as_object().unwrap().clone())
    }

    #[test]
    fn grants_come_from_permissions_scope_and_scp() {
        let a = auth(
            json!({"sub": "u", "permissions": ["delete:documents"], "scope": "openid read:data", "scp": ["x"]}),
        );
        assert!(a.is_granted("delete:documents"));
        assert!(a.is_granted("read:data"));
        assert!(a.is_granted("x"));
        assert!(!a.is_granted("admin"));
        let b = auth(json!({"sub": "u", "scp": "a b"}));
        assert_eq!(b.scopes(), ["a", "b"]);
    }

    #[test]
    fn debug_shows_no_token_and_the_user() {
        let a = auth(json!({"sub": "alice", "permissions": []}));
        let shown = format!("{a:?}");
        assert!(shown.contains("alice"));
        assert!(!shown.contains("claims"));
    }
}

//! What the development issuer knows: its test users, its key, the clients that may redirect
//! where, and the codes and refresh tokens it handed out.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::auth::signing::SigningKey;

/// A test user.
pub(crate) struct DevUser {
    pub(crate) name: &'static str,
    pub(crate) display: &'static str,
    pub(crate) permissions: &'static [&'static str],
}

/// `alice` may read and delete documents; `bob` may only read.
pub(crate) const USERS: &[DevUser] = &[
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

/// The OpenID scopes every user is granted; API scopes only to users who hold them.
pub(crate) const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// How long an authorization code may be redeemed.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(300);

/// An authorization code's grant.
pub(crate) struct Grant {
    pub(crate) user: &'static DevUser,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) code_challenge: String,
    pub(crate) scope: String,
    pub(crate) issued: Instant,
}

/// A refresh token's grant.
pub(crate) struct Refresh {
    pub(crate) user: &'static DevUser,
    pub(crate) client_id: String,
    pub(crate) scope: String,
}

/// The issuer's state, shared by its routes.
pub(crate) struct Issuer {
    pub(crate) key: SigningKey,
    /// `http://127.0.0.1:{port}/`, as `iss`.
    pub(crate) issuer: String,
    /// The issuer without its trailing slash, where the endpoints are.
    pub(crate) base: String,
    pub(crate) audience: String,
    /// The pre-registered (confidential) application.
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    /// Redirect URIs of the pre-registered application, and of clients registered at
    /// `/oidc/register` (public clients, as Auth0's dynamic registration makes).
    pub(crate) clients: Mutex<HashMap<String, Vec<String>>>,
    pub(crate) codes: Mutex<HashMap<String, Grant>>,
    pub(crate) refresh_tokens: Mutex<HashMap<String, Refresh>>,
}

/// Locks a table, whether or not a thread panicked holding it (its data stays consistent:
/// every change is one insert or remove).
pub(crate) fn lock<T>(table: &Mutex<T>) -> MutexGuard<'_, T> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

impl Issuer {
    /// Checks an authorization request; the error is for the person in the browser.
    pub(crate) fn check_request(&self, params: &HashMap<String, String>) -> Result<(), String> {
        let client_id = params.get("client_id").ok_or("no client_id")?;
        let clients = lock(&self.clients);
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
        if audience.map(|a| a.trim_end_matches('/')) != Some(self.audience.trim_end_matches('/')) {
            return Err(format!(
                "ask for the audience `{}`: like Auth0, this issuer would otherwise give an opaque token",
                self.audience
            ));
        }
        Ok(())
    }
}

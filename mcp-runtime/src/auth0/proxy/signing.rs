//! What the proxy signs, so that it keeps no table of them: registered clients (the client id
//! carries its redirect URIs), the browser's remembered consents, and consent forms' CSRF
//! tokens. The key is derived from the application's secret: stable across restarts and the
//! same on every replica, never known to clients.

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::auth::caller::now;

/// The longest list of remembered consents kept in the cookie.
const MAX_CONSENTS: usize = 20;

/// A registered client, as its signed client id carries it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Client {
    pub(crate) redirect_uris: Vec<String>,
    /// The client's name, as it says it: self-asserted.
    pub(crate) name: Option<String>,
    /// For a client with a metadata document: the host it was fetched from, which is
    /// verified (the client id is the document's URL).
    pub(crate) document_host: Option<String>,
}

/// Signs and checks with the proxy's key.
pub(crate) struct Signer {
    key: hmac::Key,
}

impl Signer {
    /// The key derived from the upstream application's `secret`.
    pub(crate) fn from_secret(secret: &str) -> Self {
        let master = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let derived = hmac::sign(&master, b"mcp-runtime oauth proxy signing key v1");
        Signer {
            key: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()),
        }
    }

    /// A tag for `data`, URL-safe.
    pub(crate) fn sign(&self, data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, data))
    }

    /// Whether `tag` is this key's tag for `data` (compared in constant time).
    pub(crate) fn verify(&self, data: &[u8], tag: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(tag)
            .is_ok_and(|tag| hmac::verify(&self.key, data, &tag).is_ok())
    }

    /// `mcp.{payload}.{tag}`: the registration, signed.
    pub(crate) fn client_id_for(&self, client: &Client) -> String {
        let payload = json!({"r": client.redirect_uris, "n": client.name, "t": now()});
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let tag = self.sign(format!("client:{payload}").as_bytes());
        format!("mcp.{payload}.{tag}")
    }

    /// The client a client id stands for, if this server signed it.
    pub(crate) fn client(&self, client_id: &str) -> Option<Client> {
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
            document_host: None,
        })
    }

    /// The CSRF token of the consent form `txn`.
    pub(crate) fn csrf(&self, txn: &str) -> String {
        self.sign(format!("csrf:{txn}").as_bytes())
    }

    /// Whether `csrf` is the token of the consent form `txn`.
    pub(crate) fn csrf_ok(&self, txn: &str, csrf: &str) -> bool {
        self.verify(format!("csrf:{txn}").as_bytes(), csrf)
    }

    /// The clients a browser consented to, from its signed consent cookie.
    pub(crate) fn consents(&self, cookie: Option<&str>) -> Consents {
        let tags = cookie
            .and_then(|value| value.rsplit_once('.'))
            .filter(|(list, tag)| self.verify(format!("consent:{list}").as_bytes(), tag))
            .map(|(list, _)| {
                list.split('~')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Consents { tags }
    }

    /// The consent cookie's value for `consents`, signed.
    pub(crate) fn consent_cookie(&self, consents: &Consents) -> String {
        let list = consents.tags.join("~");
        let signature = self.sign(format!("consent:{list}").as_bytes());
        format!("{list}.{signature}")
    }
}

/// The clients a browser consented to, by a short hash of their client ids.
pub(crate) struct Consents {
    tags: Vec<String>,
}

impl Consents {
    fn tag(client_id: &str) -> String {
        let hash = digest::digest(&digest::SHA256, client_id.as_bytes());
        URL_SAFE_NO_PAD.encode(&hash.as_ref()[..12])
    }

    /// Whether the browser consented to `client_id`.
    pub(crate) fn contains(&self, client_id: &str) -> bool {
        self.tags.contains(&Self::tag(client_id))
    }

    /// Remembers `client_id` as the newest consent, forgetting the oldest past the limit.
    pub(crate) fn add(&mut self, client_id: &str) {
        let tag = Self::tag(client_id);
        self.tags.retain(|t| *t != tag);
        self.tags.push(tag);
        let start = self.tags.len().saturating_sub(MAX_CONSENTS);
        self.tags.drain(..start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_and_consents_are_signed() {
        let signer = Signer::from_secret("secret");
        let client = Client {
            redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
            name: Some("app".into()),
            document_host: None,
        };
        let id = signer.client_id_for(&client);
        assert_eq!(signer.client(&id), Some(client));
        assert_eq!(Signer::from_secret("other").client(&id), None);
        let mut consents = signer.consents(None);
        consents.add(&id);
        let cookie = signer.consent_cookie(&consents);
        assert!(signer.consents(Some(&cookie)).contains(&id));
        assert!(
            !signer
                .consents(Some(&cookie.replace('.', "x.")))
                .contains(&id)
        );
        assert!(
            !Signer::from_secret("other")
                .consents(Some(&cookie))
                .contains(&id)
        );
    }
}

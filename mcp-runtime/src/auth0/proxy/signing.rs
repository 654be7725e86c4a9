//! What the proxy signs, so that it keeps no table of them: registered clients (the client id
//! carries its redirect URIs), the browser's remembered consents, and consent forms' CSRF
//! tokens. The key is derived from the application's secret: stable across restarts and the
//! same on every replica, never known to clients.

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::auth::caller::now;
use crate::auth::sealed::Sealer;
use crate::web::url::check_redirect_uri;

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

/// A client id, by its SHA-256: what pending items keep of it, 32 bytes however long the id
/// (a signed registration or a metadata document's URL can be kilobytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct ClientKey(pub(crate) [u8; 32]);

/// Kept in the store as 43 characters of base64url, not as 32 numbers.
impl serde::Serialize for ClientKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for ClientKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)?;
        let key = bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("a client key is 32 bytes"))?;
        Ok(ClientKey(key))
    }
}

impl ClientKey {
    pub(crate) fn of(client_id: &str) -> Self {
        let hash = digest::digest(&digest::SHA256, client_id.as_bytes());
        let mut key = [0; 32];
        key.copy_from_slice(hash.as_ref());
        ClientKey(key)
    }
}

/// Signs and checks with the proxy's key, and seals what clients must hold but not read.
pub(crate) struct Signer {
    key: hmac::Key,
    /// Seals Auth0's refresh tokens, bound to the client they were issued to.
    sealing: Sealer,
}

/// The prefix of a refresh token this proxy sealed.
const SEALED_REFRESH: &str = "mcp_rt.";

impl Signer {
    /// The key derived from the upstream application's `secret`.
    pub(crate) fn from_secret(secret: &str) -> Self {
        let master = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let derived = hmac::sign(&master, b"mcp-runtime oauth proxy signing key v1");
        Signer {
            key: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()),
            sealing: Sealer::derive(
                secret.as_bytes(),
                b"mcp-runtime oauth proxy refresh token key v1",
            ),
        }
    }

    /// Auth0's refresh token, encrypted and authenticated together with the client it was
    /// issued to: the client cannot read it, and no other client can redeem it.
    pub(crate) fn seal_refresh_token(&self, client_id: &str, token: &str) -> String {
        let sealed = self.sealing.seal(&refresh_aad(client_id), token.as_bytes());
        format!("{SEALED_REFRESH}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    /// Auth0's refresh token inside `sealed`, if this proxy sealed it for `client_id`.
    pub(crate) fn open_refresh_token(&self, client_id: &str, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.strip_prefix(SEALED_REFRESH)?)
            .ok()?;
        let opened = self.sealing.open(&refresh_aad(client_id), &bytes)?;
        String::from_utf8(opened).ok()
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
        let redirect_uris: Vec<String> = payload
            .get("r")?
            .as_array()?
            .iter()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .collect();
        // A registration signed before the redirect URI rules tightened fails closed.
        if redirect_uris
            .iter()
            .any(|uri: &String| check_redirect_uri(uri).is_err())
        {
            return None;
        }
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

    /// The consents a browser gave, from its signed consent cookie.
    pub(crate) fn consents(&self, cookie: Option<&str>) -> Consents {
        let entries = cookie
            .and_then(|value| value.rsplit_once('.'))
            .filter(|(list, tag)| self.verify(format!("consent:{list}").as_bytes(), tag))
            .map(|(list, _)| {
                list.split('~')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Consents { entries }
    }

    /// The consent cookie's value for `consents`, signed.
    pub(crate) fn consent_cookie(&self, consents: &Consents) -> String {
        let list = consents.entries.join("~");
        let signature = self.sign(format!("consent:{list}").as_bytes());
        format!("{list}.{signature}")
    }
}

fn refresh_aad(client_id: &str) -> [u8; 32] {
    ClientKey::of(client_id).0
}

/// What a browser consented to: each consent for one client, one redirect URI and one set of
/// permissions, kept as short hashes (`target:permissions`). Anything else asks again.
pub(crate) struct Consents {
    entries: Vec<String>,
}

impl Consents {
    fn short(data: &[u8], bytes: usize) -> String {
        let hash = digest::digest(&digest::SHA256, data);
        URL_SAFE_NO_PAD.encode(&hash.as_ref()[..bytes])
    }

    /// The client and redirect URI of a consent.
    fn target(client: ClientKey, redirect_uri: &str) -> String {
        let mut data = client.0.to_vec();
        data.push(0);
        data.extend_from_slice(redirect_uri.as_bytes());
        Self::short(&data, 12)
    }

    /// The permissions of a consent, in any order.
    fn permissions(scope: &str) -> String {
        let mut scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
        scopes.sort_unstable();
        scopes.dedup();
        Self::short(scopes.join(" ").as_bytes(), 9)
    }

    fn entry(client: ClientKey, redirect_uri: &str, scope: &str) -> String {
        format!(
            "{}:{}",
            Self::target(client, redirect_uri),
            Self::permissions(scope)
        )
    }

    /// Whether the browser consented to `client` getting `scope` sent to `redirect_uri`.
    pub(crate) fn contains(&self, client: ClientKey, redirect_uri: &str, scope: &str) -> bool {
        self.entries
            .contains(&Self::entry(client, redirect_uri, scope))
    }

    /// Whether the browser ever consented to be sent to `redirect_uri` for `client` (with any
    /// permissions): then errors may go there instead of to a page.
    pub(crate) fn trusts(&self, client: ClientKey, redirect_uri: &str) -> bool {
        let target = Self::target(client, redirect_uri);
        self.entries
            .iter()
            .any(|entry| entry.split(':').next() == Some(target.as_str()))
    }

    /// Remembers this consent as the newest, forgetting the oldest past the limit.
    pub(crate) fn add(&mut self, client: ClientKey, redirect_uri: &str, scope: &str) {
        let entry = Self::entry(client, redirect_uri, scope);
        self.entries.retain(|e| *e != entry);
        self.entries.push(entry);
        let start = self.entries.len().saturating_sub(MAX_CONSENTS);
        self.entries.drain(..start);
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
        let key = ClientKey::of(&id);
        let mut consents = signer.consents(None);
        consents.add(key, "http://127.0.0.1:9/cb", "read:data");
        let cookie = signer.consent_cookie(&consents);
        assert!(
            signer
                .consents(Some(&cookie))
                .contains(key, "http://127.0.0.1:9/cb", "read:data")
        );
        assert!(
            !signer
                .consents(Some(&cookie.replace('.', "x.")))
                .trusts(key, "http://127.0.0.1:9/cb")
        );
        assert!(
            !Signer::from_secret("other")
                .consents(Some(&cookie))
                .trusts(key, "http://127.0.0.1:9/cb")
        );
    }

    #[test]
    fn remembered_consent_is_per_client_redirect_uri_and_permissions() {
        let signer = Signer::from_secret("secret");
        let (one, other) = (ClientKey::of("one"), ClientKey::of("other"));
        let mut consents = signer.consents(None);
        consents.add(one, "https://app.example/cb", "read:data");
        let consents = signer.consents(Some(&signer.consent_cookie(&consents)));
        assert!(consents.contains(one, "https://app.example/cb", "read:data"));
        assert!(!consents.contains(one, "https://evil.example/cb", "read:data"));
        assert!(!consents.contains(one, "https://app.example/cb", "read:data delete:documents"));
        assert!(!consents.contains(one, "https://app.example/cb", ""));
        assert!(!consents.contains(other, "https://app.example/cb", "read:data"));
        assert!(consents.trusts(one, "https://app.example/cb"));
        assert!(!consents.trusts(one, "https://evil.example/cb"));
        // The same permissions in another order are the same consent.
        let mut two = signer.consents(None);
        two.add(one, "https://app.example/cb", "b a a");
        assert!(two.contains(one, "https://app.example/cb", "a b"));
    }

    #[test]
    fn a_refresh_token_opens_only_for_the_client_it_was_sealed_for() {
        let signer = Signer::from_secret("secret");
        let sealed = signer.seal_refresh_token("client-a", "auth0-refresh-token");
        assert!(!sealed.contains("auth0-refresh-token"));
        assert_eq!(
            signer.open_refresh_token("client-a", &sealed).as_deref(),
            Some("auth0-refresh-token")
        );
        assert_eq!(signer.open_refresh_token("client-b", &sealed), None);
        assert_eq!(
            Signer::from_secret("other").open_refresh_token("client-a", &sealed),
            None
        );
        assert_eq!(
            signer.open_refresh_token("client-a", "auth0-refresh-token"),
            None
        );
        let mut tampered = sealed.clone();
        tampered.push('A');
        assert_eq!(signer.open_refresh_token("client-a", &tampered), None);
    }
}

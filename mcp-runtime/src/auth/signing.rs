//! RS256 signing keys for the issuers this crate runs itself (the development issuer and the
//! testing kit): generate a key, publish it as a JWK, sign access tokens with it.

use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// An RSA key pair with its key id.
pub(crate) struct SigningKey {
    kid: String,
    pair: KeyPair,
    jwk: Value,
}

impl SigningKey {
    /// A new 2048-bit key under `kid`.
    pub(crate) fn generate(kid: String) -> Self {
        // Key generation failing means the crypto library itself is broken.
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation failed");
        Self::from_pair(kid, pair)
    }

    /// The key in PKCS#8 DER, to keep it across restarts.
    pub(crate) fn to_pkcs8(&self) -> Option<Vec<u8>> {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        let der: Pkcs8V1Der<'static> = self.pair.as_der().ok()?;
        Some(der.as_ref().to_vec())
    }

    /// A key read back from [`to_pkcs8`](Self::to_pkcs8), under `kid`.
    pub(crate) fn from_pkcs8(kid: String, der: &[u8]) -> Option<Self> {
        KeyPair::from_pkcs8(der)
            .ok()
            .map(|pair| Self::from_pair(kid, pair))
    }

    fn from_pair(kid: String, pair: KeyPair) -> Self {
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        });
        SigningKey { kid, pair, jwk }
    }

    /// The key id.
    #[cfg(feature = "testing")]
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK, for a JWKS document.
    pub(crate) fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// The public key in PEM (SubjectPublicKeyInfo).
    #[cfg(feature = "testing")]
    pub(crate) fn public_pem(&self) -> String {
        use aws_lc_rs::encoding::AsDer;
        use base64::engine::general_purpose::STANDARD;
        let der = self
            .pair
            .public_key()
            .as_der()
            .expect("public key encoding failed");
        let body = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// A JWT of `claims`, signed with RS256, whose header names `kid` (this key's, unless a
    /// test wants another).
    pub(crate) fn sign(&self, claims: &Map<String, Value>, kid: Option<&str>) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid.unwrap_or(&self.kid)});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string())
        );
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .expect("RSA signing failed");
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

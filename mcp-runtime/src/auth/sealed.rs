//! Values sealed with AES-256-GCM under a key derived from a secret: whoever holds the sealed
//! bytes can neither read nor alter them without the secret. A random 96-bit nonce is drawn
//! for every seal and travels in front of the ciphertext.

use aws_lc_rs::{aead, hmac};

/// Seals and opens with one key.
pub(crate) struct Sealer {
    key: aead::LessSafeKey,
}

impl Sealer {
    /// The key HMAC-SHA256(`secret`, `label`): one secret gives a key per label.
    pub(crate) fn derive(secret: &[u8], label: &[u8]) -> Self {
        let master = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let derived = hmac::sign(&master, label);
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, derived.as_ref())
            .expect("an HMAC-SHA256 tag is a 32-byte AES-256 key");
        Sealer {
            key: aead::LessSafeKey::new(key),
        }
    }

    /// `plain`, encrypted and authenticated together with `aad`: nonce, ciphertext and tag.
    pub(crate) fn seal(&self, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random number generator failed");
        let mut sealed = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut sealed,
            )
            .expect("AES-GCM seals any value");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// What `sealed` holds, if this key sealed it with `aad`.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < aead::NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = sealed.split_at(aead::NONCE_LEN);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let opened = self
            .key
            .open_in_place(nonce, aead::Aad::from(aad), &mut sealed)
            .ok()?;
        Some(opened.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_with_its_key_and_aad() {
        let sealer = Sealer::derive(b"secret", b"label");
        let sealed = sealer.seal(b"aad", b"value");
        assert_ne!(sealer.seal(b"aad", b"value"), sealed, "a nonce per seal");
        assert_eq!(sealer.open(b"aad", &sealed).as_deref(), Some(&b"value"[..]));
        assert_eq!(sealer.open(b"other", &sealed), None);
        assert_eq!(
            Sealer::derive(b"secret", b"other").open(b"aad", &sealed),
            None
        );
        assert_eq!(
            Sealer::derive(b"other", b"label").open(b"aad", &sealed),
            None
        );
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open(b"aad", &altered), None);
        assert_eq!(sealer.open(b"aad", &sealed[..5]), None);
    }
}

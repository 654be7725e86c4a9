//! Who may call a tool: verified callers, permissions and their proofs, JWT verification
//! against a JWKS, and the HTTP side of a resource server.

pub(crate) mod cache;
pub(crate) mod caller;
pub(crate) mod exchange;
pub(crate) mod jwks;
pub(crate) mod jwt;
pub(crate) mod permission;
pub(crate) mod resource;
pub(crate) mod sealed;
pub(crate) mod signing;
#[cfg(feature = "testing")]
pub mod testing;

//! The two Auth0 modes: `oauth = auth0` (a resource server for Auth0's own dynamic client
//! registration) and `oauth = auth0_proxy` (this server as an OAuth proxy in front of a
//! pre-registered Auth0 Regular Web Application), their settings, and the development issuer
//! that stands in for a tenant on loopback.

pub(crate) mod config;
pub(crate) mod dev_issuer;
pub(crate) mod metadata;
pub(crate) mod proxy;

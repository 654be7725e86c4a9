//! The OAuth modes of `#[mcp_server(oauth = ...)]`, as types: the mode decides, at compile
//! time, which settings a [`Server`](crate::Server) takes.

/// A server's OAuth mode: [`NoAuth`], [`Jwt`], [`Auth0`] or [`Auth0Proxy`].
pub trait OAuthMode: sealed::Sealed + Send + Sync + 'static {
    /// The mode, for the server's own use.
    #[doc(hidden)]
    const MODE: Mode;
}

/// An OAuth mode in which callers are authenticated: [`Jwt`], [`Auth0`] or [`Auth0Proxy`].
pub trait Authenticated: OAuthMode {}

/// `oauth = none`: no authentication.
#[derive(Debug, Clone, Copy)]
pub enum NoAuth {}

/// `oauth = jwt`: an OAuth 2.1 resource server that verifies JWT access tokens from an
/// authorization server configured with [`JwtConfig`](crate::JwtConfig).
#[derive(Debug, Clone, Copy)]
pub enum Jwt {}

/// `oauth = auth0`: a resource server for Auth0's own dynamic client registration; clients
/// register and sign in at the tenant. Configured with [`Auth0Config`](crate::Auth0Config).
#[derive(Debug, Clone, Copy)]
pub enum Auth0 {}

/// `oauth = auth0_proxy`: this server is the authorization server clients see, in front of
/// a pre-registered Auth0 Regular Web Application. Configured with
/// [`Auth0Config`](crate::Auth0Config).
#[derive(Debug, Clone, Copy)]
pub enum Auth0Proxy {}

/// The modes as values.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    None,
    Jwt,
    Auth0,
    Auth0Proxy,
}

impl Mode {
    /// The mode as `#[mcp_server(oauth = ...)]` spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::None => "none",
            Mode::Jwt => "jwt",
            Mode::Auth0 => "auth0",
            Mode::Auth0Proxy => "auth0_proxy",
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::NoAuth {}
    impl Sealed for super::Jwt {}
    impl Sealed for super::Auth0 {}
    impl Sealed for super::Auth0Proxy {}
}

impl OAuthMode for NoAuth {
    const MODE: Mode = Mode::None;
}
impl OAuthMode for Jwt {
    const MODE: Mode = Mode::Jwt;
}
impl OAuthMode for Auth0 {
    const MODE: Mode = Mode::Auth0;
}
impl OAuthMode for Auth0Proxy {
    const MODE: Mode = Mode::Auth0Proxy;
}
impl Authenticated for Jwt {}
impl Authenticated for Auth0 {}
impl Authenticated for Auth0Proxy {}

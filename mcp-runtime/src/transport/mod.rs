//! Transports: Streamable HTTP and stdio.

pub(crate) mod http;
pub(crate) mod oauth;
pub(crate) mod stdio;

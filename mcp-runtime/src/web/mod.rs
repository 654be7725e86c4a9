//! Small HTTP pieces below everything else: responses as `IntoResponse` types, URL rules,
//! bounded upstream reads, forms and cookies, HTML escaping, random tokens, names fit to show.

pub(crate) mod cors;
pub(crate) mod form;
pub(crate) mod html;
pub(crate) mod loopback;
pub(crate) mod random;
pub(crate) mod response;
pub(crate) mod text;
pub(crate) mod throttle;
pub(crate) mod upstream;
pub(crate) mod url;

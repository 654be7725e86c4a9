//! Tools: what `#[tool]` generates code against, and the types a tool takes and returns.

pub(crate) mod call;
pub(crate) mod descriptor;
pub(crate) mod handler;
pub(crate) mod params;
pub(crate) mod result;

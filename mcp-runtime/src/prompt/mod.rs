//! Prompts: what `#[prompt]` generates code against, and what a prompt's function may return.

pub(crate) mod descriptor;
pub(crate) mod get;
pub(crate) mod handler;

//! Resources and resource templates: what `#[resource]` and `#[resource_template]` generate
//! code against, and what a resource's function may return.

pub(crate) mod descriptor;
pub(crate) mod handler;
pub(crate) mod read;
pub(crate) mod template;

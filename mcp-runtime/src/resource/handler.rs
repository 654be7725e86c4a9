//! The traits `#[resource]` and `#[resource_template]` implement, and the set of resources
//! `#[mcp_server]` builds from them.

use super::descriptor::ResourceDescriptor;
use super::read::{ReadError, ResourceRead};
use crate::auth::permission::{Denial, Requirement};
use crate::completion::{CompleteFn, Completion, Completions};
use crate::content::ResourceContents;
use crate::task::BoxFuture;

/// The compile-time facts of a resource, used by `#[mcp_server]` to check a server's
/// resources together.
pub trait ResourceMeta {
    /// The resource's URI, or the template's.
    const URI: &'static str;
    /// Its name.
    const NAME: &'static str;
    /// Who may read it.
    const REQUIRES: Requirement;
    /// What a caller without the permission gets, if the resource chose.
    const ON_DENIED: Option<Denial>;
}

/// A resource that a server with state `S` can serve. Implemented by the macros.
pub trait ResourceHandler<S>: ResourceMeta + 'static {
    /// Its listing.
    fn descriptor() -> ResourceDescriptor;
    /// Reads it (a template: the URI that matched, with its variables).
    fn read(
        state: &S,
        read: ResourceRead,
    ) -> BoxFuture<'static, Result<Vec<ResourceContents>, ReadError>>;
    /// Completes the template variable `completion.argument()`.
    fn complete(completion: Completion) -> BoxFuture<'static, Completions> {
        let _ = completion;
        Box::pin(std::future::ready(Completions::default()))
    }
}

/// How the engine reads a resource of a server with state `S`.
pub(crate) type ReadFn<S> =
    fn(&S, ResourceRead) -> BoxFuture<'static, Result<Vec<ResourceContents>, ReadError>>;

/// One resource of a set.
pub(crate) struct ResourceEntry<S> {
    pub(crate) descriptor: ResourceDescriptor,
    pub(crate) read: ReadFn<S>,
    pub(crate) complete: CompleteFn,
}

/// The resources and templates of a server, in the order `#[mcp_server(resources = [...])]`
/// lists them.
pub struct ResourceSet<S> {
    pub(crate) entries: Vec<ResourceEntry<S>>,
}

impl<S> ResourceSet<S> {
    /// An empty set.
    #[allow(clippy::new_without_default)] // generated code calls `new`; `Default` would add nothing
    pub fn new() -> Self {
        ResourceSet {
            entries: Vec::new(),
        }
    }

    /// Adds the resource `R`.
    pub fn push<R: ResourceHandler<S>>(&mut self) {
        let mut descriptor = R::descriptor();
        descriptor.requires = R::REQUIRES;
        descriptor.on_denied = R::ON_DENIED;
        self.entries.push(ResourceEntry {
            descriptor,
            read: R::read,
            complete: R::complete,
        });
    }
}

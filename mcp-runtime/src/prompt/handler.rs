//! The traits `#[prompt]` implements, and the set of prompts `#[mcp_server]` builds from them.

use super::descriptor::PromptDescriptor;
use super::get::{GetPromptResult, PromptCall, PromptError};
use crate::auth::permission::{Denial, Requirement};
use crate::completion::{CompleteFn, Completion, Completions};
use crate::task::BoxFuture;

/// The compile-time facts of a prompt, used by `#[mcp_server]` to check a server's prompts
/// together.
pub trait PromptMeta {
    /// The prompt's name.
    const NAME: &'static str;
    /// Who may use it.
    const REQUIRES: Requirement;
    /// What a caller without the permission gets, if the prompt chose.
    const ON_DENIED: Option<Denial>;
}

/// A prompt that a server with state `S` can serve. Implemented by `#[prompt]`.
pub trait PromptHandler<S>: PromptMeta + 'static {
    /// Its listing.
    fn descriptor() -> PromptDescriptor;
    /// Gets its messages for the arguments of `call`.
    fn get(state: &S, call: PromptCall)
    -> BoxFuture<'static, Result<GetPromptResult, PromptError>>;
    /// Completes the argument `completion.argument()`.
    fn complete(completion: Completion) -> BoxFuture<'static, Completions> {
        let _ = completion;
        Box::pin(std::future::ready(Completions::default()))
    }
}

/// How the engine gets a prompt of a server with state `S`.
pub(crate) type GetFn<S> =
    fn(&S, PromptCall) -> BoxFuture<'static, Result<GetPromptResult, PromptError>>;

/// One prompt of a set.
pub(crate) struct PromptEntry<S> {
    pub(crate) descriptor: PromptDescriptor,
    pub(crate) get: GetFn<S>,
    pub(crate) complete: CompleteFn,
}

/// The prompts of a server, in the order `#[mcp_server(prompts = [...])]` lists them.
pub struct PromptSet<S> {
    pub(crate) entries: Vec<PromptEntry<S>>,
}

impl<S> PromptSet<S> {
    /// An empty set.
    #[allow(clippy::new_without_default)] // generated code calls `new`; `Default` would add nothing
    pub fn new() -> Self {
        PromptSet {
            entries: Vec::new(),
        }
    }

    /// Adds the prompt `P`.
    pub fn push<P: PromptHandler<S>>(&mut self) {
        let mut descriptor = P::descriptor();
        descriptor.requires = P::REQUIRES;
        descriptor.on_denied = P::ON_DENIED;
        self.entries.push(PromptEntry {
            descriptor,
            get: P::get,
            complete: P::complete,
        });
    }
}

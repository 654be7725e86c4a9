//! A typed view of the function under `#[prompt]`.

use proc_macro2::Span;
use syn::ItemFn;

use super::attr::PromptAttr;
use crate::common::Errors;
use crate::item::params::{self, Param};
use crate::item::{Kind, func};

/// A function annotated with `#[prompt]`.
pub(crate) struct Prompt {
    pub attr: PromptAttr,
    /// The user's function, with the attributes this macro consumes removed from its parameters.
    pub item: ItemFn,
    /// The prompt's wire name and the token it came from.
    pub name: (String, Span),
    pub description: Option<String>,
    pub params: Vec<Param>,
}

impl Prompt {
    pub(crate) fn from_syn(attr: PromptAttr, mut item: ItemFn) -> (Self, Errors) {
        let mut errors = Errors::default();
        let params = params::from_fn(&mut item, Kind::Prompt, &mut errors);
        let name = func::wire_name(attr.name.as_ref(), &item);
        let description = func::description(attr.description.as_ref(), &item);
        let prompt = Prompt {
            attr,
            item,
            name,
            description,
            params,
        };
        (prompt, errors)
    }
}

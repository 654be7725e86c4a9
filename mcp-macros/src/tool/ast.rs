//! A typed view of the function under `#[tool]`, keeping the user's tokens for spans.

use proc_macro2::Span;
use syn::ItemFn;

use super::attr::ToolAttr;
use crate::common::Errors;
use crate::item::params::{self, Param};
use crate::item::{Kind, func};

/// A function annotated with `#[tool]`.
pub(crate) struct Tool {
    pub attr: ToolAttr,
    /// The user's function, with the attributes this macro consumes removed from its parameters.
    pub item: ItemFn,
    /// The tool's wire name and the token it came from.
    pub name: (String, Span),
    pub description: Option<String>,
    pub params: Vec<Param>,
}

impl Tool {
    pub(crate) fn from_syn(attr: ToolAttr, mut item: ItemFn) -> (Self, Errors) {
        let mut errors = Errors::default();
        let params = params::from_fn(&mut item, Kind::Tool, &mut errors);
        let name = func::wire_name(attr.name.as_ref(), &item);
        let description = func::description(attr.description.as_ref(), &item);
        let tool = Tool {
            attr,
            item,
            name,
            description,
            params,
        };
        (tool, errors)
    }
}

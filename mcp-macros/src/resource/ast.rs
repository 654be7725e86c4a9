//! A typed view of the function under `#[resource]` or `#[resource_template]`.

use syn::ItemFn;

use super::attr::ResourceAttr;
use super::template::{self, Part};
use crate::common::Errors;
use crate::item::params::{self, Param};
use crate::item::{Kind, func};

/// A function annotated with `#[resource]` or `#[resource_template]`.
pub(crate) struct Resource {
    pub kind: Kind,
    pub attr: ResourceAttr,
    /// The user's function, with the attributes this macro consumes removed from its parameters.
    pub item: ItemFn,
    /// The resource's name (default: the function's).
    pub name: String,
    pub description: Option<String>,
    pub params: Vec<Param>,
    /// The URI's parts; `None` when the URI is missing or malformed (already reported).
    pub parts: Option<Vec<Part>>,
}

impl Resource {
    pub(crate) fn from_syn(kind: Kind, attr: ResourceAttr, mut item: ItemFn) -> (Self, Errors) {
        let mut errors = Errors::default();
        let params = params::from_fn(&mut item, kind, &mut errors);
        let (name, _) = func::wire_name(attr.name.as_ref(), &item);
        let description = func::description(attr.description.as_ref(), &item);
        let parts = match &attr.uri {
            None => {
                errors.push(syn::Error::new_spanned(
                    &item.sig.ident,
                    format!(
                        "a {} needs its URI: `uri = \"{}\"`",
                        kind.noun(),
                        if kind == Kind::Resource {
                            "docs://readme"
                        } else {
                            "docs://{id}"
                        }
                    ),
                ));
                None
            }
            Some(uri) => match template::parse(&uri.value()) {
                Ok(parts) => Some(parts),
                Err(why) => {
                    errors.push(syn::Error::new(
                        uri.span(),
                        format!("invalid URI template: {why}"),
                    ));
                    None
                }
            },
        };
        let resource = Resource {
            kind,
            attr,
            item,
            name,
            description,
            params,
            parts,
        };
        (resource, errors)
    }
}

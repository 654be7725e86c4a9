//! `#[resource]` and `#[resource_template]`: parse the attribute and the function, check
//! them, generate the resource.

mod ast;
mod attr;
mod expand;
mod template;
mod valid;

use proc_macro2::{Span, TokenStream};
use syn::ItemFn;

use crate::common::{Errors, with_error};
use crate::item::Kind;
use ast::Resource;
use attr::ResourceAttr;

/// The pipeline: `Resource::from_syn`, `validate`, `generate`, with every error reported at
/// once and the user's function emitted beside them.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                format!("`#[{}]` applies to an `async fn`", macro_name(kind)),
            );
            return with_error(err, item);
        }
    };
    let attr = match ResourceAttr::parse(args, kind) {
        Ok(attr) => attr,
        // After a malformed argument nothing else can be checked reliably: report that one,
        // with the function (its parameters' attributes removed).
        Err(err) => {
            let (resource, _) = Resource::from_syn(kind, ResourceAttr::default(), item);
            return with_error(err, quote::ToTokens::to_token_stream(&resource.item));
        }
    };
    let mut errors = Errors::default();
    let (resource, more) = Resource::from_syn(kind, attr, item);
    if let Err(err) = more.finish() {
        errors.push(err);
    }
    resource.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand::generate(&resource),
        Err(err) => with_error(err, quote::ToTokens::to_token_stream(&resource.item)),
    }
}

fn macro_name(kind: Kind) -> &'static str {
    match kind {
        Kind::ResourceTemplate => "resource_template",
        _ => "resource",
    }
}

//! `#[tool]`: parse the attribute and the function, check them, generate the tool.

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro2::{Span, TokenStream};
use syn::ItemFn;

use crate::common::{Errors, with_error};
use ast::Tool;
use attr::ToolAttr;

/// The pipeline: `Tool::from_syn`, `validate`, `generate`, with every error reported at once
/// and the user's function emitted beside them.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        // Not a function: report it and give the item back untouched.
        Err(_) => {
            let err = syn::Error::new(Span::call_site(), "`#[tool]` applies to an `async fn`");
            return with_error(err, item);
        }
    };
    let mut errors = Errors::default();
    let attr = ToolAttr::parse(args).unwrap_or_else(|err| {
        errors.push(err);
        ToolAttr::default()
    });
    let (tool, more) = Tool::from_syn(attr, item);
    if let Err(err) = more.finish() {
        errors.push(err);
    }
    tool.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand::generate(&tool),
        // The user's function, with our parameter attributes removed.
        Err(err) => with_error(err, quote::ToTokens::to_token_stream(&tool.item)),
    }
}

//! `#[mcp_server]`: parse the attribute and the struct, check them, generate the server.

mod attr;
mod expand;
mod valid;

use proc_macro2::{Span, TokenStream};

use crate::common::{Errors, with_error};
use attr::ServerAttr;

/// The pipeline: `ServerAttr::parse`, `validate`, `generate`, with every check's error
/// reported at once and the user's struct emitted beside them.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let input: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(_) => {
            let err = syn::Error::new(Span::call_site(), "`#[mcp_server]` applies to a struct");
            return with_error(err, item);
        }
    };
    let mut errors = Errors::default();
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "an MCP server struct cannot be generic",
        ));
    }
    // After a malformed argument the rest cannot be read reliably: report that one alone.
    let attr = match ServerAttr::parse(args) {
        Ok(attr) => attr,
        Err(err) => return with_error(err, item),
    };
    attr.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand::generate(&attr, &input, &item),
        Err(err) => with_error(err, item),
    }
}

//! `#[prompt]`: parse the attribute and the function, check them, generate the prompt.

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro2::{Span, TokenStream};
use syn::ItemFn;

use crate::common::{Errors, with_error};
use ast::Prompt;
use attr::PromptAttr;

/// The pipeline: `Prompt::from_syn`, `validate`, `generate`, with every error reported at
/// once and the user's function emitted beside them.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            let err = syn::Error::new(Span::call_site(), "`#[prompt]` applies to an `async fn`");
            return with_error(err, item);
        }
    };
    let mut errors = Errors::default();
    let attr = PromptAttr::parse(args).unwrap_or_else(|err| {
        errors.push(err);
        PromptAttr::default()
    });
    let (prompt, more) = Prompt::from_syn(attr, item);
    if let Err(err) = more.finish() {
        errors.push(err);
    }
    prompt.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand::generate(&prompt),
        Err(err) => with_error(err, quote::ToTokens::to_token_stream(&prompt.item)),
    }
}

//! Checks of an item's function signature: an `async fn`, not generic, const, unsafe, extern
//! or variadic.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{ItemFn, LitStr};

use super::Kind;
use crate::common::{Errors, doc_string};

/// An item's wire name and the token it came from: `name = "..."`, or else the function's
/// name (without `r#`).
pub(crate) fn wire_name(name: Option<&LitStr>, item: &ItemFn) -> (String, Span) {
    match name {
        Some(lit) => (lit.value(), lit.span()),
        None => (item.sig.ident.unraw().to_string(), item.sig.ident.span()),
    }
}

/// An item's description: `description = "..."`, or else its doc comment.
pub(crate) fn description(description: Option<&LitStr>, item: &ItemFn) -> Option<String> {
    match description {
        Some(lit) => Some(lit.value()),
        None => doc_string(&item.attrs),
    }
}

/// Reports every way `item` is not a plain `async fn`.
pub(crate) fn check_signature(item: &ItemFn, kind: Kind, errors: &mut Errors) {
    let noun = kind.noun();
    let sig = &item.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!("a {noun} must be an `async fn`; add `async` before `fn`"),
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            format!("a {noun} cannot be a `const fn`"),
        ));
    }
    if !matches!(sig.safety, syn::Safety::Default) {
        errors.push(syn::Error::new_spanned(
            &sig.safety,
            format!("a {noun} cannot be an `unsafe fn`"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            format!("a {noun} cannot have an `extern` ABI"),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            format!("a {noun} cannot be variadic"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let why = match kind {
            Kind::Tool => "its input schema must be known when the server starts",
            _ => "what it lists must be known when the server starts",
        };
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            format!("a {noun} cannot be generic: {why}"),
        ));
    }
}

/// The MCP rule for tool and prompt names: 1 to 128 characters of `[A-Za-z0-9_.-]`.
pub(crate) fn check_name(name: &str, kind: Kind) -> Result<(), String> {
    let noun = kind.noun();
    if name.is_empty() {
        return Err(format!("a {noun} name cannot be empty"));
    }
    if name.len() > 128 {
        return Err(format!(
            "a {noun} name has at most 128 characters, this one has {}",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(format!(
            "`{bad}` is not allowed; MCP {noun} names use only ASCII letters, digits, `_`, `.` and `-`"
        ));
    }
    Ok(())
}

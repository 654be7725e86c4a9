//! What both attribute macros share: errors collected and reported together, the parsing of
//! repeated keys and bare flags, permissions as OAuth scope tokens, doc comments.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Ident, LitStr, Token};

/// Collects errors so that a macro reports all of them at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The errors as `compile_error!`s, followed by the user's item (without our attributes), so
/// that the rest of the crate still type-checks and the IDE keeps working.
pub(crate) fn with_error(err: syn::Error, item: TokenStream) -> TokenStream {
    let err = err.to_compile_error();
    quote!(#err #item)
}

/// The key of a nested meta item, such as `requires` in `requires = "..."`.
pub(crate) fn key(meta: &ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Stores a key's value, rejecting a key given twice (the error points at the second one).
pub(crate) fn set<T>(
    slot: &mut Option<T>,
    meta: &ParseNestedMeta,
    parse: impl FnOnce(&ParseNestedMeta) -> syn::Result<T>,
) -> syn::Result<()> {
    let value = parse(meta)?;
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format!("duplicate `{}` argument", key(meta)),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Parses a bare flag such as `read_only`, rejecting `read_only = ...`.
pub(crate) fn flag(meta: &ParseNestedMeta) -> syn::Result<Span> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = key(meta);
        return Err(meta.error(format!("`{key}` is a flag: write `{key}` alone")));
    }
    Ok(syn::spanned::Spanned::span(&meta.path))
}

/// Parses `"p"` or `["p", "q"]`, checking each permission.
pub(crate) fn permission_list(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let input = meta.value()?;
    let list: Vec<LitStr> = if input.peek(syn::token::Bracket) {
        let content;
        syn::bracketed!(content in input);
        let items = syn::punctuated::Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
        if items.is_empty() {
            return Err(meta.error("list at least one permission, or mark the tool `public`"));
        }
        items.into_iter().collect()
    } else {
        vec![input.parse()?]
    };
    for (i, lit) in list.iter().enumerate() {
        check_permission(lit)?;
        if list[..i]
            .iter()
            .any(|earlier| earlier.value() == lit.value())
        {
            return Err(syn::Error::new(
                lit.span(),
                "this permission is already listed",
            ));
        }
    }
    Ok(list)
}

/// A permission is an OAuth scope token (RFC 6749, section 3.3): one or more printable ASCII
/// characters other than space, `"` and `\`.
pub(crate) fn check_permission(lit: &LitStr) -> syn::Result<()> {
    let value = lit.value();
    if value.is_empty() {
        return Err(syn::Error::new(lit.span(), "a permission cannot be empty"));
    }
    if let Some(bad) = value
        .chars()
        .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E'))
    {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "invalid permission `{}`: {bad:?} is not allowed in an OAuth scope; use printable ASCII \
                 without spaces, quotes or backslashes, such as `delete:documents`",
                value.escape_default()
            ),
        ));
    }
    Ok(())
}

/// The name of the hidden item that stands for `permission` in a vocabulary: letters and digits
/// kept, every other character escaped as `_xx_` hex, so that different permissions never share
/// a name (`delete:documents` -> `delete_3a_documents`).
pub(crate) fn permission_ident(permission: &LitStr) -> Ident {
    let mut name = String::from("p_");
    for c in permission.value().chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else {
            name.push_str(&format!("_{:02x}_", c as u32));
        }
    }
    Ident::new(&name, permission.span())
}

/// Joins `///` lines into one description, dropping the single space rustdoc puts after `///`.
pub(crate) fn doc_string(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_owned()
        })
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// `Some("text")` or `None`, as tokens.
pub(crate) fn opt_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

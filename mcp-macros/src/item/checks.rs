//! The checks an item makes against the server that serves it (its OAuth mode, its
//! permission vocabulary), as a `macro_rules!` macro that `#[mcp_server]` invokes with what
//! it knows, so that the errors are reported on the item's own tokens.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ItemFn;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::Kind;
use super::access::Access;
use super::params::{Param, ParamKind};
use crate::common::permission_ident;

/// The macros of the standard prelude: an item's checks macro under one of these names would
/// shadow it in the item's module (a tool called `write` or `format`).
const PRELUDE_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "cfg",
    "column",
    "compile_error",
    "concat",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "thread_local",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// The name under which `#[mcp_server]` invokes the checks macro of the item `fn_ident` of
/// `kind`, at the item's path: the item's own name (so that a misspelt item gets rustc's
/// "similar name" suggestion), or, for a name of the standard prelude's macros, a name of
/// the item's kind.
pub(crate) fn invoked_name(kind: Kind, fn_ident: &syn::Ident) -> syn::Ident {
    if PRELUDE_MACROS.contains(&fn_ident.unraw().to_string().as_str()) {
        macro_name(kind, fn_ident)
    } else {
        fn_ident.clone()
    }
}

/// The name of the checks macro of the item `fn_ident` of `kind`.
fn macro_name(kind: Kind, fn_ident: &syn::Ident) -> syn::Ident {
    let prefix = match kind {
        Kind::Tool => "tool",
        Kind::Resource | Kind::ResourceTemplate => "resource",
        Kind::Prompt => "prompt",
    };
    format_ident!("__mcp_{}_{}", prefix, fn_ident.unraw())
}

/// The `macro_rules!` macro that `#[mcp_server]` invokes for each item, made reachable by path:
/// a permission missing from the vocabulary is an unresolved name spanned on the permission's
/// literal, with rustc's own "similar name" suggestion.
pub(crate) fn server_checks(
    kind: Kind,
    item: &ItemFn,
    access: &Access,
    params: &[Param],
) -> TokenStream {
    let noun = kind.noun();
    let fn_ident = &item.sig.ident;
    let mac = macro_name(kind, fn_ident);
    let invoked = invoked_name(kind, fn_ident);
    let export = if invoked == mac {
        quote!(#mac)
    } else {
        quote!(#mac as #invoked)
    };
    // `macro_rules!` macros cannot be re-exported beyond their crate.
    let vis = match &item.vis {
        syn::Visibility::Inherited => quote!(),
        _ => quote!(pub(crate)),
    };
    let permissions = access.permissions();

    let mut none_checks = Vec::new();
    if let Some(first) = permissions.first() {
        let message = format!(
            "this {noun} requires a permission, but the server has `oauth = none`, so no caller has any: choose an OAuth mode for the server"
        );
        none_checks.push(quote_spanned! {first.span()=> ::core::compile_error!(#message); });
    }
    for param in params {
        if matches!(
            param.kind,
            ParamKind::Auth { .. } | ParamKind::OptionalAuth | ParamKind::Granted { .. }
        ) {
            let ty = &param.ty;
            let message = format!(
                "this {noun} asks who its caller is, but the server has `oauth = none`, so callers are never identified: choose an OAuth mode for the server"
            );
            none_checks.push(quote_spanned! {ty.span()=> ::core::compile_error!(#message); });
        }
    }

    let mut oauth_checks = Vec::new();
    if !access.is_stated() {
        let verb = match kind {
            Kind::Tool => "call",
            Kind::Resource | Kind::ResourceTemplate => "read",
            Kind::Prompt => "use",
        };
        let message = format!(
            "this {noun} is served with OAuth but says nothing about who may {verb} it: add `requires = \"permission\"` \
             (or `requires_any = [...]`) to guard it, `authenticated` to let any signed-in caller {verb} it, or `public` \
             to let anyone {verb} it"
        );
        oauth_checks.push(quote_spanned! {fn_ident.span()=> ::core::compile_error!(#message); });
    }
    for permission in &permissions {
        let ident = permission_ident(permission);
        oauth_checks.push(quote_spanned! {permission.span()=>
            const _: () = { let _ = $($vocabulary)*::__mcp_vocabulary::#ident; };
        });
    }

    quote! {
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #mac {
            (@none) => { #(#none_checks)* };
            (@oauth [$($vocabulary:tt)*]) => { #(#oauth_checks)* };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #vis use #export;
    }
}

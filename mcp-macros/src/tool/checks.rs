//! The checks a tool makes against the server that serves it (its OAuth mode, its permission
//! vocabulary), as a `macro_rules!` macro that `#[mcp_server]` invokes with what it knows.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::LitStr;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::ast::{ParamKind, Tool};

/// The `macro_rules!` macro that `#[mcp_server]` invokes for each of its tools, so that the
/// server's checks (its OAuth mode, its permission vocabulary) are reported on this tool's
/// tokens: a permission missing from the vocabulary is an unresolved name spanned on the
/// permission's literal, with rustc's own "similar name" suggestion.
pub(crate) fn server_checks(tool: &Tool, all_of: &[LitStr], any_of: &[LitStr]) -> TokenStream {
    let item = &tool.item;
    let fn_ident = &item.sig.ident;
    let mac = format_ident!("__mcp_tool_{}", fn_ident.unraw());
    // `macro_rules!` macros cannot be re-exported beyond their crate.
    let vis = match &item.vis {
        syn::Visibility::Inherited => quote!(),
        _ => quote!(pub(crate)),
    };
    let permissions: Vec<&LitStr> = all_of.iter().chain(any_of).collect();

    let mut none_checks = Vec::new();
    if let Some(first) = permissions.first() {
        none_checks.push(quote_spanned! {first.span()=>
            ::core::compile_error!("this tool requires a permission, but the server has `oauth = none`, so no caller has any: choose an OAuth mode for the server");
        });
    }
    for param in &tool.params {
        if matches!(
            param.kind,
            ParamKind::Auth { .. } | ParamKind::OptionalAuth | ParamKind::Granted { .. }
        ) {
            let ty = &param.ty;
            none_checks.push(quote_spanned! {ty.span()=>
                ::core::compile_error!("this tool asks who its caller is, but the server has `oauth = none`, so callers are never identified: choose an OAuth mode for the server");
            });
        }
    }

    let mut oauth_checks = Vec::new();
    if permissions.is_empty() && tool.attr.public.is_none() && tool.attr.authenticated.is_none() {
        oauth_checks.push(quote_spanned! {fn_ident.span()=>
            ::core::compile_error!("this tool is served with OAuth but says nothing about who may call it: add `requires = \"permission\"` (or `requires_any = [...]`) to guard it, `authenticated` to let any signed-in caller call it, or `public` to let anyone call it");
        });
    }
    for permission in &permissions {
        let ident = crate::common::permission_ident(permission);
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
        #vis use #mac as #fn_ident;
    }
}

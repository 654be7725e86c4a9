//! `#[mcp_server(...)]`: parsing and code generation.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Path, Token, parse_quote};

use crate::attr::{Errors, set};

const SERVER_KEYS: &[&str] = &[
    "name",
    "version",
    "title",
    "instructions",
    "oauth",
    "tools",
    "crate",
];

/// How callers of the server are authenticated, chosen with `oauth = ...`.
enum OAuth {
    /// `oauth = none`: no authentication; tools cannot ask who the caller is.
    None,
}

const OAUTH_MODES: &str = "`none`";

#[derive(Default)]
struct ServerAttr {
    name: Option<LitStr>,
    version: Option<LitStr>,
    title: Option<LitStr>,
    instructions: Option<LitStr>,
    oauth: Option<(OAuth, Span)>,
    tools: Option<Vec<Path>>,
    krate: Option<Path>,
}

impl ServerAttr {
    fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut attr = ServerAttr::default();
        syn::meta::parser(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                // name = "server-name"
                "name" => set(&mut attr.name, &meta, |m| m.value()?.parse()),
                // version = "1.2.3"
                "version" => set(&mut attr.version, &meta, |m| m.value()?.parse()),
                // title = "Human readable title"
                "title" => set(&mut attr.title, &meta, |m| m.value()?.parse()),
                // instructions = "How to use this server"
                "instructions" => set(&mut attr.instructions, &meta, |m| m.value()?.parse()),
                // oauth = none
                "oauth" => set(&mut attr.oauth, &meta, |m| {
                    let ident: Ident = m.value()?.parse()?;
                    match ident.to_string().as_str() {
                        "none" => Ok((OAuth::None, ident.span())),
                        _ => Err(syn::Error::new(
                            ident.span(),
                            format!("unknown OAuth mode `{ident}`; expected one of: {OAUTH_MODES}"),
                        )),
                    }
                }),
                // tools = [tool_a, module::tool_b]
                "tools" => set(&mut attr.tools, &meta, |m| {
                    let content;
                    m.value()?;
                    syn::bracketed!(content in m.input);
                    let paths = Punctuated::<Path, Token![,]>::parse_terminated(&content)?;
                    Ok(paths.into_iter().collect())
                }),
                // crate = ::path::to::mcp_runtime
                "crate" => set(&mut attr.krate, &meta, |m| m.value()?.parse()),
                _ => Err(meta.error(format!(
                    "unknown `mcp_server` argument; expected one of: {}",
                    SERVER_KEYS.join(", ")
                ))),
            }
        })
        .parse2(args)?;
        Ok(attr)
    }
}

/// Entry point of `#[mcp_server]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(args, item.clone()) {
        Ok(tokens) => tokens,
        Err(err) => {
            let err = err.to_compile_error();
            quote!(#err #item)
        }
    }
}

fn try_expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let input: syn::DeriveInput = syn::parse2(item.clone())
        .map_err(|_| syn::Error::new(Span::call_site(), "`#[mcp_server]` applies to a struct"))?;
    if !matches!(input.data, syn::Data::Struct(_)) {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`#[mcp_server]` applies to a struct",
        ));
    }
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "an MCP server struct cannot be generic",
        ));
    }
    let attr = ServerAttr::parse(args)?;
    let mut errors = Errors::default();
    if attr.oauth.is_none() {
        errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "missing `oauth`: every server states how callers are authenticated, \
                 e.g. `oauth = none` for a server without authentication; expected one of: {OAUTH_MODES}"
            ),
        ));
    }
    let tools = attr.tools.clone().unwrap_or_default();
    let spelled: Vec<String> = tools.iter().map(|path| quote!(#path).to_string()).collect();
    for (i, path) in tools.iter().enumerate() {
        if spelled[..i].contains(&spelled[i]) {
            errors.push(syn::Error::new_spanned(
                path,
                "this tool is already listed in this server",
            ));
        }
    }
    errors.finish()?;

    let krate: Path = attr
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::mcp_runtime));
    let p = quote!(#krate::__private);
    let ident = &input.ident;
    let name = match &attr.name {
        Some(lit) => quote!(#lit),
        None => quote!(::core::env!("CARGO_PKG_NAME")),
    };
    let version = match &attr.version {
        Some(lit) => quote!(#lit),
        None => quote!(::core::env!("CARGO_PKG_VERSION")),
    };
    let opt = |lit: &Option<LitStr>| match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    let title = opt(&attr.title);
    let instructions = opt(&attr.instructions);
    let pushes = tools
        .iter()
        .map(|path| quote_spanned!(path.span()=> __mcp_tools.push::<#path>();));
    // Two tools with the same wire name (say, one renamed with `name = "..."`) are caught by
    // the compiler through a constant evaluated in the user's crate, spanned on the later tool.
    let mut duplicate_checks = Vec::new();
    for (j, later) in tools.iter().enumerate() {
        for earlier in &tools[..j] {
            duplicate_checks.push(quote_spanned! {later.span()=>
                const _: () = ::core::assert!(
                    !#p::str_eq(<#earlier as #p::ToolMeta>::NAME, <#later as #p::ToolMeta>::NAME),
                    "duplicate tool name: another tool in this server has the same name"
                );
            });
        }
    }

    Ok(quote! {
        #item

        impl #krate::McpServer for #ident {
            fn info() -> #p::ServerInfo {
                #p::ServerInfo {
                    name: #name,
                    version: #version,
                    title: #title,
                    instructions: #instructions,
                }
            }

            fn tools() -> #p::ToolSet<Self> {
                let mut __mcp_tools = #p::ToolSet::new();
                #(#pushes)*
                __mcp_tools
            }
        }

        #(#duplicate_checks)*
    })
}

//! `#[mcp_server(...)]`: parsing and code generation.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Path, Token, parse_quote};

use crate::attr::{Errors, on_denied, set};
use crate::expand::denial_variant;

const SERVER_KEYS: &[&str] = &[
    "name",
    "version",
    "title",
    "instructions",
    "oauth",
    "permissions",
    "on_denied",
    "tools",
    "crate",
];

/// The values of `oauth = ...`, and the runtime's `OAuthMode` variant for each.
const OAUTH_MODES: &[(&str, &str)] = &[
    ("none", "None"),
    ("jwt", "Jwt"),
    ("auth0", "Auth0"),
    ("auth0_proxy", "Auth0Proxy"),
];

fn oauth_modes() -> String {
    OAUTH_MODES
        .iter()
        .map(|(m, _)| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Default)]
struct ServerAttr {
    name: Option<LitStr>,
    version: Option<LitStr>,
    title: Option<LitStr>,
    instructions: Option<LitStr>,
    oauth: Option<Ident>,
    permissions: Option<Path>,
    on_denied: Option<Ident>,
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
                // oauth = none | jwt | ...
                "oauth" => set(&mut attr.oauth, &meta, |m| {
                    let ident: Ident = m.value()?.parse()?;
                    if OAUTH_MODES.iter().any(|(mode, _)| ident == mode) {
                        Ok(ident)
                    } else {
                        Err(syn::Error::new(
                            ident.span(),
                            format!(
                                "unknown OAuth mode `{ident}`; expected one of: {}",
                                oauth_modes()
                            ),
                        ))
                    }
                }),
                // permissions = path::to::vocabulary (a module declared with `permissions!`)
                "permissions" => set(&mut attr.permissions, &meta, |m| m.value()?.parse()),
                // on_denied = tool_error | insufficient_scope | hide
                "on_denied" => set(&mut attr.on_denied, &meta, on_denied),
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
    let with_oauth = attr.oauth.as_ref().is_some_and(|mode| mode != "none");
    match (&attr.oauth, &attr.permissions) {
        (None, _) => errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "missing `oauth`: every server states how callers are authenticated, \
                 e.g. `oauth = none` for a server without authentication; expected one of: {}",
                oauth_modes()
            ),
        )),
        (Some(mode), Some(permissions)) if mode == "none" => errors.push(syn::Error::new_spanned(
            permissions,
            "`permissions` need OAuth: with `oauth = none` no caller has any",
        )),
        (Some(mode), None) if mode != "none" => errors.push(syn::Error::new(
            Span::call_site(),
            "missing `permissions`: a server with OAuth declares its permission vocabulary once, with \
             `mcp_runtime::permissions! { pub mod perms { ... } }`, and names it here: `permissions = perms`",
        )),
        _ => {}
    }
    if let (false, Some(on_denied)) = (with_oauth, &attr.on_denied) {
        errors.push(syn::Error::new_spanned(
            on_denied,
            "`on_denied` needs OAuth: with `oauth = none` no call is denied",
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
    let mode = attr.oauth.as_ref().expect("checked above");
    let variant = OAUTH_MODES
        .iter()
        .find(|(m, _)| mode == m)
        .map(|(_, v)| Ident::new(v, mode.span()))
        .expect("the mode was checked when parsed");
    let permissions = match &attr.permissions {
        Some(path) => quote!(#path::__mcp_vocabulary::ALL),
        None => quote!(&[]),
    };
    let on_denied = match &attr.on_denied {
        Some(mode) => {
            let variant = denial_variant(mode);
            quote!(#p::Denial::#variant)
        }
        None => quote!(#p::Denial::ToolError),
    };
    let pushes = tools
        .iter()
        .map(|path| quote_spanned!(path.span()=> __mcp_tools.push::<#path>();));
    // Each tool checks itself against this server's OAuth mode and vocabulary, on its own tokens.
    let checks = tools.iter().map(|path| match &attr.permissions {
        Some(vocabulary) if with_oauth => {
            quote_spanned!(path.span()=> #path!(@oauth [#vocabulary]);)
        }
        _ => quote_spanned!(path.span()=> #path!(@none);),
    });
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
                    oauth: #p::OAuthMode::#variant,
                    permissions: #permissions,
                    on_denied: #on_denied,
                }
            }

            fn tools() -> #p::ToolSet<Self> {
                let mut __mcp_tools = #p::ToolSet::new();
                #(#pushes)*
                __mcp_tools
            }
        }

        #(#checks)*
        #(#duplicate_checks)*
    })
}

//! Code generation for `#[mcp_server]`: the `McpServer` impl, and the checks of each tool
//! against the server, spanned on the tool's own tokens.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{LitStr, Path, parse_quote};

use super::attr::ServerAttr;
use crate::item::checks::invoked_name;
use crate::item::{Kind, icons};
use crate::words::OAuth;

/// The tokens of a server that passed its checks: `item` is the user's struct.
pub(crate) fn generate(
    attr: &ServerAttr,
    input: &syn::ItemStruct,
    item: &TokenStream,
) -> TokenStream {
    let krate: Path = attr
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::mcp_runtime));
    let krate = quote!(#krate);
    let p = quote!(#krate::__private);
    let ident = &input.ident;
    let tools = attr.tools.as_deref().unwrap_or_default();
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
    // Validation made sure there is a mode.
    let mode = attr.oauth.map_or(OAuth::None, |o| o.value);
    let mode_type = mode.type_tokens(&krate);
    let (permissions, permission_descriptions) = match &attr.permissions {
        Some(path) => (
            quote!(#path::__mcp_vocabulary::ALL),
            quote!(#path::__mcp_vocabulary::DESCRIPTIONS),
        ),
        None => (quote!(&[]), quote!(&[])),
    };
    let on_denied = match &attr.on_denied {
        Some(mode) => mode.value.tokens(&p),
        None => quote!(#p::Denial::ToolError),
    };
    let resources = attr.resources.as_deref().unwrap_or_default();
    let prompts = attr.prompts.as_deref().unwrap_or_default();
    let icons = icons::tokens(&attr.icons, &p);
    let pushes = |list: &[Path], set: &str| {
        let set = syn::Ident::new(set, proc_macro2::Span::call_site());
        list.iter()
            .map(|path| quote_spanned!(path.span()=> #set.push::<#path>();))
            .collect::<Vec<_>>()
    };
    let tool_pushes = pushes(tools, "__mcp_tools");
    let resource_pushes = pushes(resources, "__mcp_resources");
    let prompt_pushes = pushes(prompts, "__mcp_prompts");
    // Each item checks itself against this server's OAuth mode and vocabulary, on its own
    // tokens: its checks macro is at its path.
    let kinds = [
        (tools, Kind::Tool),
        (resources, Kind::Resource),
        (prompts, Kind::Prompt),
    ];
    let checks: Vec<TokenStream> = kinds
        .iter()
        .flat_map(|(list, kind)| list.iter().map(move |path| (path, *kind)))
        .map(|(path, kind)| {
            let mut checks_path = path.clone();
            if let Some(last) = checks_path.segments.last_mut() {
                last.ident = invoked_name(kind, &last.ident);
            }
            match &attr.permissions {
                Some(vocabulary) if attr.with_oauth() => {
                    quote_spanned!(path.span()=> #checks_path!(@oauth [#vocabulary]);)
                }
                _ => quote_spanned!(path.span()=> #checks_path!(@none);),
            }
        })
        .collect();
    // Two items with the same name or URI (say, one renamed with `name = "..."`) are caught
    // by the compiler through a constant evaluated in the user's crate, spanned on the later one.
    let mut duplicate_checks = Vec::new();
    let mut unique = |list: &[Path], meta: TokenStream, constant: &str, message: &str| {
        let constant = syn::Ident::new(constant, proc_macro2::Span::call_site());
        for (j, later) in list.iter().enumerate() {
            for earlier in &list[..j] {
                duplicate_checks.push(quote_spanned! {later.span()=>
                    const _: () = ::core::assert!(
                        !#p::str_eq(<#earlier as #meta>::#constant, <#later as #meta>::#constant),
                        #message
                    );
                });
            }
        }
    };
    unique(
        tools,
        quote!(#p::ToolMeta),
        "NAME",
        "duplicate tool name: another tool in this server has the same name",
    );
    unique(
        resources,
        quote!(#p::ResourceMeta),
        "URI",
        "duplicate resource URI: another resource in this server has the same URI",
    );
    unique(
        resources,
        quote!(#p::ResourceMeta),
        "NAME",
        "duplicate resource name: another resource in this server has the same name",
    );
    unique(
        prompts,
        quote!(#p::PromptMeta),
        "NAME",
        "duplicate prompt name: another prompt in this server has the same name",
    );
    let resources_fn = (!resources.is_empty()).then(|| {
        quote! {
            fn resources() -> #p::ResourceSet<Self> {
                let mut __mcp_resources = #p::ResourceSet::new();
                #(#resource_pushes)*
                __mcp_resources
            }
        }
    });
    let prompts_fn = (!prompts.is_empty()).then(|| {
        quote! {
            fn prompts() -> #p::PromptSet<Self> {
                let mut __mcp_prompts = #p::PromptSet::new();
                #(#prompt_pushes)*
                __mcp_prompts
            }
        }
    });

    quote! {
        #item

        impl #krate::McpServer for #ident {
            type OAuth = #mode_type;

            fn info() -> #p::ServerInfo {
                #p::ServerInfo {
                    name: #name,
                    version: #version,
                    title: #title,
                    instructions: #instructions,
                    icons: #icons,
                    permissions: #permissions,
                    permission_descriptions: #permission_descriptions,
                    on_denied: #on_denied,
                }
            }

            fn tools() -> #p::ToolSet<Self> {
                let mut __mcp_tools = #p::ToolSet::new();
                #(#tool_pushes)*
                __mcp_tools
            }

            #resources_fn
            #prompts_fn
        }

        #(#checks)*
        #(#duplicate_checks)*
    }
}

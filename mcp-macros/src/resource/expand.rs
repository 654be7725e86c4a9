//! Code generation for `#[resource]` and `#[resource_template]`: the handle type, its
//! metadata, its listing, its read and its completion.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, ReturnType, Type, parse_quote};

use super::ast::Resource;
use super::template;
use crate::common::opt_str;
use crate::item::calls::{context_code, var};
use crate::item::checks::server_checks;
use crate::item::icons;
use crate::item::params::ParamKind;

/// The tokens of a resource that passed its checks.
pub(crate) fn generate(resource: &Resource) -> TokenStream {
    let attr = &resource.attr;
    let krate: syn::Path = attr
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::mcp_runtime));
    let p = quote!(#krate::__private);
    let item = &resource.item;
    let fn_ident = &item.sig.ident;
    let vis = &item.vis;
    let uri = attr.uri.as_ref().map(LitStr::value).unwrap_or_default();
    let parts = template::tokens(
        resource
            .parts
            .as_deref()
            .filter(|_| resource.kind == crate::item::Kind::ResourceTemplate)
            .unwrap_or_default(),
        &p,
    );
    let name = &resource.name;
    let title = opt_str(attr.title.as_ref().map(LitStr::value));
    let description = opt_str(resource.description.clone());
    let mime_type = opt_str(attr.mime_type.as_ref().map(LitStr::value));
    let size = match &attr.size {
        Some(size) => quote!(::core::option::Option::Some(#size)),
        None => quote!(::core::option::Option::None),
    };
    let audience = attr.audience.clone().unwrap_or_default();
    let priority = match &attr.priority {
        Some(priority) => quote!(::core::option::Option::Some(#priority)),
        None => quote!(::core::option::Option::None),
    };
    let last_modified = opt_str(attr.last_modified.as_ref().map(LitStr::value));
    let icons = icons::tokens(&attr.icons, &p);
    let requires = attr.access.requirement(&p);
    let on_denied = attr.access.denial(&p);
    let ret_ty: Type = match &item.sig.output {
        ReturnType::Default => parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };

    let meta_trait = quote!(#p::ResourceMeta);
    let refuse = quote!(::core::result::Result::Err(::core::convert::From::from(
        refused
    )));
    let (context, proof_checks) = context_code(
        &resource.params,
        resource.kind,
        fn_ident,
        &meta_trait,
        &refuse,
        &p,
    );
    let mut takes = Vec::new();
    let mut call_args = Vec::new();
    let mut completers = Vec::new();
    for (index, (param, context_arg)) in resource.params.iter().zip(&context.args).enumerate() {
        let ty = &param.ty;
        let var = var(index);
        match &param.kind {
            ParamKind::Arg {
                ident, complete, ..
            } => {
                let variable = ident.unraw().to_string();
                takes.push(quote_spanned! {ty.span()=>
                    let #var = match __mcp_vars.take::<#ty>(#variable) {
                        ::core::result::Result::Ok(value) => value,
                        ::core::result::Result::Err(err) => return ::core::result::Result::Err(err),
                    };
                });
                call_args.push(quote!(#var));
                if let Some(complete) = complete {
                    completers.push(quote_spanned! {complete.span()=>
                        #variable => ::std::boxed::Box::pin(async move {
                            #p::IntoCompletions::into_completions(#complete(__mcp_completion).await)
                        }),
                    });
                }
            }
            _ => call_args.extend(context_arg.clone()),
        }
    }
    let state_bounds = &context.state_bounds;
    let state_lets = &context.state_lets;
    let caller = &context.caller;
    let server_checks = server_checks(resource.kind, item, &attr.access, &resource.params);
    let into_contents = quote_spanned! {ret_ty.span()=>
        <#ret_ty as #p::IntoResourceContents>::into_contents(__mcp_out, &__mcp_uri, #mime_type)
    };
    let complete = (!completers.is_empty()).then(|| {
        quote! {
            fn complete(
                __mcp_completion: #p::Completion,
            ) -> #p::BoxFuture<'static, #p::Completions> {
                let __mcp_argument = ::std::string::ToString::to_string(__mcp_completion.argument());
                match __mcp_argument.as_str() {
                    #(#completers)*
                    _ => ::std::boxed::Box::pin(::core::future::ready(
                        <#p::Completions as ::core::default::Default>::default(),
                    )),
                }
            }
        }
    });
    let handle_doc = format!(
        "The MCP {} `{uri}`, defined by the function [`{fn_ident}()`]: name it in \
         `#[mcp_server(resources = [...])]` to serve it.",
        resource.kind.noun()
    );

    quote! {
        #item

        #server_checks

        #[doc = #handle_doc]
        #[allow(non_camel_case_types)]
        #vis struct #fn_ident {}

        const _: () = {
            impl #p::ResourceMeta for #fn_ident {
                const URI: &'static str = #uri;
                const NAME: &'static str = #name;
                const REQUIRES: #p::Requirement = #requires;
                const ON_DENIED: ::core::option::Option<#p::Denial> = #on_denied;
            }

            #(#proof_checks)*

            impl<S: ::core::marker::Send + ::core::marker::Sync + 'static> #p::ResourceHandler<S> for #fn_ident
            where #(#state_bounds,)*
            {
                fn descriptor() -> #p::ResourceDescriptor {
                    #p::ResourceDescriptor {
                        uri: #uri,
                        template: #parts,
                        name: #name,
                        title: #title,
                        description: #description,
                        mime_type: #mime_type,
                        size: #size,
                        audience: &[#(#audience),*],
                        priority: #priority,
                        last_modified: #last_modified,
                        icons: #icons,
                        requires: <Self as #p::ResourceMeta>::REQUIRES,
                        on_denied: <Self as #p::ResourceMeta>::ON_DENIED,
                    }
                }

                fn read(
                    __mcp_state: &S,
                    __mcp_read: #p::ResourceRead,
                ) -> #p::BoxFuture<
                    'static,
                    ::core::result::Result<::std::vec::Vec<#krate::ResourceContents>, #p::ReadError>,
                > {
                    #(#state_lets)*
                    ::std::boxed::Box::pin(async move {
                        #[allow(unused_mut, unused_variables)]
                        let (mut __mcp_vars, __mcp_ctx, __mcp_uri) = __mcp_read.into_parts();
                        #(#takes)*
                        #caller
                        let __mcp_out = #fn_ident(#(#call_args),*).await;
                        #into_contents
                    })
                }

                #complete
            }
        };
    }
}

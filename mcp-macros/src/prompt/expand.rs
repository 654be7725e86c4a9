//! Code generation for `#[prompt]`: the handle type, its metadata, its listing, its get and
//! its completion.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, ReturnType, Type, parse_quote};

use super::ast::Prompt;
use crate::common::{doc_string, opt_str};
use crate::item::calls::{context_code, var};
use crate::item::checks::server_checks;
use crate::item::params::{ParamKind, option_inner};
use crate::item::{Kind, icons};

/// The tokens of a prompt that passed its checks.
pub(crate) fn generate(prompt: &Prompt) -> TokenStream {
    let attr = &prompt.attr;
    let krate: syn::Path = attr
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::mcp_runtime));
    let p = quote!(#krate::__private);
    let item = &prompt.item;
    let fn_ident = &item.sig.ident;
    let vis = &item.vis;
    let name = &prompt.name.0;
    let title = opt_str(attr.title.as_ref().map(LitStr::value));
    let description = opt_str(prompt.description.clone());
    let icons = icons::tokens(&attr.icons, &p);
    let requires = attr.access.requirement(&p);
    let on_denied = attr.access.denial(&p);
    let ret_ty: Type = match &item.sig.output {
        ReturnType::Default => parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };

    let meta_trait = quote!(#p::PromptMeta);
    let refuse = quote!(::core::result::Result::Err(::core::convert::From::from(
        refused
    )));
    let (context, proof_checks) = context_code(
        &prompt.params,
        Kind::Prompt,
        fn_ident,
        &meta_trait,
        &refuse,
        &p,
    );
    let mut arguments = Vec::new();
    let mut takes = Vec::new();
    let mut call_args = Vec::new();
    let mut completers = Vec::new();
    for (index, (param, context_arg)) in prompt.params.iter().zip(&context.args).enumerate() {
        let ty = &param.ty;
        let var = var(index);
        match &param.kind {
            ParamKind::Arg {
                ident,
                rename,
                complete,
                docs,
            } => {
                let wire = match rename {
                    Some(lit) => lit.value(),
                    None => ident.unraw().to_string(),
                };
                let doc = opt_str(doc_string(docs));
                let inner = option_inner(ty);
                let required = inner.is_none();
                arguments.push(quote! {
                    #p::PromptArgument { name: #wire, description: #doc, required: #required }
                });
                takes.push(match &inner {
                    Some(inner) => quote_spanned! {ty.span()=>
                        let #var = __mcp_args.take_optional::<#inner>(#wire);
                    },
                    None => quote_spanned! {ty.span()=>
                        let #var = __mcp_args.take::<#ty>(#wire);
                    },
                });
                call_args.push(quote!(#p::checked(#var)));
                if let Some(complete) = complete {
                    completers.push(quote_spanned! {complete.span()=>
                        #wire => ::std::boxed::Box::pin(async move {
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
    let server_checks = server_checks(Kind::Prompt, item, &attr.access, &prompt.params);
    let into_result = quote_spanned! {ret_ty.span()=>
        <#ret_ty as #p::IntoPromptResult>::into_prompt_result(__mcp_out)
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
        "The MCP prompt `{name}`, defined by the function [`{fn_ident}()`]: name it in \
         `#[mcp_server(prompts = [...])]` to serve it."
    );

    quote! {
        #item

        #server_checks

        #[doc = #handle_doc]
        #[allow(non_camel_case_types)]
        #vis struct #fn_ident {}

        const _: () = {
            impl #p::PromptMeta for #fn_ident {
                const NAME: &'static str = #name;
                const REQUIRES: #p::Requirement = #requires;
                const ON_DENIED: ::core::option::Option<#p::Denial> = #on_denied;
            }

            #(#proof_checks)*

            impl<S: ::core::marker::Send + ::core::marker::Sync + 'static> #p::PromptHandler<S> for #fn_ident
            where #(#state_bounds,)*
            {
                fn descriptor() -> #p::PromptDescriptor {
                    #p::PromptDescriptor {
                        name: #name,
                        title: #title,
                        description: #description,
                        arguments: &[#(#arguments),*],
                        icons: #icons,
                        requires: <Self as #p::PromptMeta>::REQUIRES,
                        on_denied: <Self as #p::PromptMeta>::ON_DENIED,
                    }
                }

                fn get(
                    __mcp_state: &S,
                    __mcp_call: #p::PromptCall,
                ) -> #p::BoxFuture<
                    'static,
                    ::core::result::Result<#krate::GetPromptResult, #p::PromptError>,
                > {
                    #(#state_lets)*
                    ::std::boxed::Box::pin(async move {
                        #[allow(unused_mut)]
                        let (mut __mcp_args, __mcp_ctx) = __mcp_call.into_parts(#name);
                        #(#takes)*
                        if let ::core::result::Result::Err(__mcp_err) = __mcp_args.finish() {
                            return ::core::result::Result::Err(__mcp_err);
                        }
                        #caller
                        let __mcp_out = #fn_ident(#(#call_args),*).await;
                        #into_result
                    })
                }

                #complete
            }
        };
    }
}

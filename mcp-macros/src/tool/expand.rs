//! Code generation for `#[tool]`: the handle type, its metadata, its schema and its call.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, ReturnType, Type, parse_quote};

use super::ast::Tool;
use crate::common::{doc_string, opt_str};
use crate::item::calls::{context_code, var};
use crate::item::checks::server_checks;
use crate::item::params::{ParamKind, option_inner};
use crate::item::{Kind, icons};

/// The tokens of a tool that passed its checks.
pub(crate) fn generate(tool: &Tool) -> TokenStream {
    let krate: syn::Path = tool
        .attr
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::mcp_runtime));
    let p = quote!(#krate::__private);
    let item = &tool.item;
    let fn_ident = &item.sig.ident;
    let vis = &item.vis;
    let name = &tool.name.0;
    let title = opt_str(tool.attr.title.as_ref().map(LitStr::value));
    let description = opt_str(tool.description.clone());
    let hint = |flag: &Option<Span>| {
        if flag.is_some() {
            quote!(::core::option::Option::Some(true))
        } else {
            quote!(::core::option::Option::None)
        }
    };
    let read_only = hint(&tool.attr.read_only);
    let destructive = hint(&tool.attr.destructive);
    let idempotent = hint(&tool.attr.idempotent);
    let open_world = hint(&tool.attr.open_world);
    let ret_ty: Type = match &item.sig.output {
        ReturnType::Default => parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };

    let meta_trait = quote!(#p::ToolMeta);
    let refuse = quote!(::core::convert::From::from(refused));
    let (context, proof_checks) =
        context_code(&tool.params, Kind::Tool, fn_ident, &meta_trait, &refuse, &p);
    let mut schema = Vec::new();
    let mut takes = Vec::new();
    let mut call_args = Vec::new();
    for (index, (param, context_arg)) in tool.params.iter().zip(&context.args).enumerate() {
        let ty = &param.ty;
        let var = var(index);
        match &param.kind {
            ParamKind::Arg {
                ident,
                rename,
                docs,
                ..
            } => {
                let rust_name = ident.unraw().to_string();
                let wire = match (rename, tool.attr.rename_all) {
                    (Some(lit), _) => lit.value(),
                    (None, Some(rule)) => rule.apply(&rust_name),
                    (None, None) => rust_name,
                };
                let doc = opt_str(doc_string(docs));
                let required = option_inner(ty).is_none();
                schema.push(quote_spanned! {ty.span()=>
                    __mcp_schema.arg::<#ty>(#wire, #doc, #required);
                });
                takes.push(quote_spanned! {ty.span()=>
                    let #var = __mcp_reader.take::<#ty>(#wire, #required);
                });
                call_args.push(quote!(#p::checked(#var)));
            }
            ParamKind::Args => {
                schema.push(quote_spanned! {ty.span()=>
                    __mcp_schema.flatten::<#ty>();
                });
                takes.push(quote_spanned! {ty.span()=>
                    let #var = __mcp_reader.take_all::<#ty>();
                });
                call_args.push(quote!(#p::checked(#var)));
            }
            _ => call_args.extend(context_arg.clone()),
        }
    }
    let state_bounds = &context.state_bounds;
    let state_lets = &context.state_lets;
    let caller = &context.caller;
    let requires = tool.attr.access.requirement(&p);
    let on_denied = tool.attr.access.denial(&p);
    let server_checks = server_checks(Kind::Tool, item, &tool.attr.access, &tool.params);
    let icons = icons::tokens(&tool.attr.icons, &p);
    let talks_back = tool
        .params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::Context { .. }));
    let timeout = match &tool.attr.timeout_secs {
        Some(secs) => {
            quote!(::core::option::Option::Some(::core::time::Duration::from_secs(#secs)))
        }
        None => quote!(::core::option::Option::None),
    };
    let output_schema = quote_spanned! {ret_ty.span()=>
        <#ret_ty as #p::IntoToolResult>::output_schema()
    };
    let into_result = quote_spanned! {ret_ty.span()=>
        <#ret_ty as #p::IntoToolResult>::into_tool_result(__mcp_out)
    };
    let handle_doc = format!(
        "The MCP tool `{name}`, defined by the function [`{fn_ident}()`]: name it in \
         `#[mcp_server(tools = [...])]` to serve it."
    );

    quote! {
        #item

        #server_checks

        #[doc = #handle_doc]
        #[allow(non_camel_case_types)]
        #vis struct #fn_ident {}

        const _: () = {
            impl #p::ToolMeta for #fn_ident {
                const NAME: &'static str = #name;
                const REQUIRES: #p::Requirement = #requires;
                const ON_DENIED: ::core::option::Option<#p::Denial> = #on_denied;
            }

            #(#proof_checks)*

            impl<S: ::core::marker::Send + ::core::marker::Sync + 'static> #p::ToolHandler<S> for #fn_ident
            where #(#state_bounds,)*
            {
                fn descriptor() -> #p::ToolDescriptor {
                    let mut __mcp_gen = #p::schema_generator(true);
                    let mut __mcp_schema = #p::InputSchema::new(&mut __mcp_gen);
                    #(#schema)*
                    let __mcp_input = __mcp_schema.finish();
                    #p::ToolDescriptor {
                        name: #name,
                        title: #title,
                        description: #description,
                        input_schema: __mcp_input,
                        output_schema: #output_schema,
                        annotations: #p::ToolAnnotations {
                            title: #title,
                            read_only_hint: #read_only,
                            destructive_hint: #destructive,
                            idempotent_hint: #idempotent,
                            open_world_hint: #open_world,
                        },
                        icons: #icons,
                        requires: <Self as #p::ToolMeta>::REQUIRES,
                        on_denied: <Self as #p::ToolMeta>::ON_DENIED,
                        talks_back: #talks_back,
                        timeout: #timeout,
                    }
                }

                fn call(
                    __mcp_state: &S,
                    __mcp_call: #p::ToolCall,
                ) -> #p::BoxFuture<'static, #p::CallToolResult> {
                    #(#state_lets)*
                    ::std::boxed::Box::pin(async move {
                        let (mut __mcp_reader, __mcp_ctx) = __mcp_call.into_parts(#name);
                        #(#takes)*
                        if let ::core::result::Result::Err(__mcp_err) = __mcp_reader.finish() {
                            return __mcp_err;
                        }
                        #caller
                        let __mcp_out = #fn_ident(#(#call_args),*).await;
                        #into_result
                    })
                }
            }
        };
    }
}

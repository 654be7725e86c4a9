//! Code generation for `#[tool]`: the handle type, its metadata, its schema and its call.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, ReturnType, Type, parse_quote};

use super::ast::{ParamKind, Tool};
use super::checks::server_checks;
use crate::common::{doc_string, opt_str};

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

    let mut schema = Vec::new();
    let mut takes = Vec::new();
    let mut call_args = Vec::new();
    let mut state_bounds = Vec::new();
    let mut state_lets = Vec::new();
    let mut proof_checks = Vec::new();
    let mut proofs = Vec::new();
    let mut needs_caller = false;
    for (index, param) in tool.params.iter().enumerate() {
        let ty = &param.ty;
        let var = format_ident!("__mcp_arg{}", index);
        match &param.kind {
            ParamKind::Arg {
                ident,
                rename,
                docs,
            } => {
                let rust_name = ident.unraw().to_string();
                let wire = match (rename, tool.attr.rename_all) {
                    (Some(lit), _) => lit.value(),
                    (None, Some(rule)) => rule.apply(&rust_name),
                    (None, None) => rust_name,
                };
                let doc = opt_str(doc_string(docs));
                let required = !is_option(ty);
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
            ParamKind::Context { by_ref: true } => call_args.push(quote!(&__mcp_ctx)),
            ParamKind::Context { by_ref: false } => {
                call_args.push(quote!(::core::clone::Clone::clone(&__mcp_ctx)))
            }
            ParamKind::State { inner } => {
                state_bounds.push(quote_spanned!(inner.span()=> #inner: #p::FromRef<S>));
                state_lets.push(quote_spanned! {inner.span()=>
                    let #var = #p::State(<#inner as #p::FromRef<S>>::from_ref(__mcp_state));
                });
                call_args.push(quote!(#var));
            }
            ParamKind::Auth { by_ref } => {
                needs_caller = true;
                call_args.push(if *by_ref {
                    quote!(__mcp_caller)
                } else {
                    quote!(::core::clone::Clone::clone(__mcp_caller))
                });
            }
            ParamKind::OptionalAuth => {
                call_args.push(quote!(#p::optional_caller(&__mcp_ctx)));
            }
            ParamKind::Granted { permission } => {
                needs_caller = true;
                proof_checks.push(quote_spanned! {ty.span()=>
                    const _: () = ::core::assert!(
                        #p::Requirement::includes(
                            <#fn_ident as #p::ToolMeta>::REQUIRES,
                            <#permission as #p::Permission>::NAME,
                        ),
                        "`Granted<P>` is proof that the guard checked `P`, but this tool does not require `P`: add it to `requires`"
                    );
                });
                // Checked against the caller like any proof: the guard let the caller in.
                proofs.push(quote_spanned! {ty.span()=>
                    let #var = match #p::proof::<#permission>(__mcp_caller) {
                        ::core::result::Result::Ok(proof) => proof,
                        ::core::result::Result::Err(err) => return err,
                    };
                });
                call_args.push(quote!(#var));
            }
        }
    }
    let caller = needs_caller.then(|| {
        quote! {
            let __mcp_caller = match #p::caller(&__mcp_ctx) {
                ::core::result::Result::Ok(caller) => caller,
                ::core::result::Result::Err(err) => return err,
            };
        }
    });
    let lits = |list: &Option<Vec<LitStr>>| list.clone().unwrap_or_default();
    let (all_of, any_of) = (lits(&tool.attr.requires), lits(&tool.attr.requires_any));
    let requires = if tool.attr.public.is_some() {
        quote!(#p::Requirement::Public)
    } else if tool.attr.authenticated.is_some() {
        quote!(#p::Requirement::Authenticated)
    } else if tool.attr.requires.is_some() {
        quote!(#p::Requirement::AllOf(&[#(#all_of),*]))
    } else if tool.attr.requires_any.is_some() {
        quote!(#p::Requirement::AnyOf(&[#(#any_of),*]))
    } else {
        quote!(#p::Requirement::Unstated)
    };
    let on_denied = match &tool.attr.on_denied {
        Some(mode) => {
            let denial = mode.value.tokens(&p);
            quote!(::core::option::Option::Some(#denial))
        }
        None => quote!(::core::option::Option::None),
    };
    let server_checks = server_checks(tool, &all_of, &any_of);
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
                        #(#proofs)*
                        let __mcp_out = #fn_ident(#(#call_args),*).await;
                        #into_result
                    })
                }
            }
        };
    }
}

/// `Option<T>` arguments are optional; recognised syntactically, as serde does.
fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().is_some_and(|seg| {
            seg.ident == "Option" && matches!(seg.arguments, syn::PathArguments::AngleBracketed(_))
        }),
        _ => false,
    }
}

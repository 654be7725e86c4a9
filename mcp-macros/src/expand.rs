//! Code generation for `#[tool]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr, ReturnType, Type, parse_quote};

use crate::ast::{ParamKind, Tool, doc_string};
use crate::attr::{Errors, ToolAttr};

/// Entry point of `#[tool]`: parse, validate, generate.
pub(crate) fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        // Not a function: report it and give the item back untouched.
        Err(_) => {
            let err = syn::Error::new(Span::call_site(), "`#[tool]` applies to an `async fn`");
            return with_error(err, item);
        }
    };
    let mut errors = Errors::default();
    let attr = ToolAttr::parse(args).unwrap_or_else(|err| {
        errors.push(err);
        ToolAttr::default()
    });
    let (tool, more) = Tool::from_syn(attr, item);
    if let Err(err) = more.finish() {
        errors.push(err);
    }
    tool.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand(&tool),
        // Emit the user's function (with our parameter attributes removed) so the rest of
        // the crate still type-checks and the IDE keeps working.
        Err(err) => with_error(err, quote::ToTokens::to_token_stream(&tool.item)),
    }
}

fn with_error(err: syn::Error, item: TokenStream) -> TokenStream {
    let err = err.to_compile_error();
    quote!(#err #item)
}

fn expand(tool: &Tool) -> TokenStream {
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
                let wire = match rename {
                    Some(lit) => lit.value(),
                    None => apply_rename(&ident.unraw().to_string(), tool.attr.rename_all.as_ref()),
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
                proof_checks.push(quote_spanned! {ty.span()=>
                    const _: () = ::core::assert!(
                        #p::requirement_includes(
                            <#fn_ident as #p::ToolMeta>::REQUIRES,
                            <#permission as #p::Permission>::NAME,
                        ),
                        "`Granted<P>` is proof that the guard checked `P`, but this tool does not require `P`: add it to `requires`"
                    );
                });
                call_args.push(quote_spanned!(ty.span()=> #p::grant::<#permission>()));
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
            let variant = denial_variant(mode);
            quote!(::core::option::Option::Some(#p::Denial::#variant))
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
                        let __mcp_out = #fn_ident(#(#call_args),*).await;
                        #into_result
                    })
                }
            }
        };
    }
}

/// The `macro_rules!` macro that `#[mcp_server]` invokes for each of its tools, so that the
/// server's checks (its OAuth mode, its permission vocabulary) are reported on this tool's
/// tokens: a permission missing from the vocabulary is an unresolved name spanned on the
/// permission's literal, with rustc's own "similar name" suggestion.
fn server_checks(tool: &Tool, all_of: &[LitStr], any_of: &[LitStr]) -> TokenStream {
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
        let ident = crate::attr::permission_ident(permission);
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

/// `tool_error` -> `ToolError`, for the runtime's `Denial` enum.
pub(crate) fn denial_variant(mode: &syn::Ident) -> syn::Ident {
    let camel: String = mode
        .to_string()
        .split('_')
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    syn::Ident::new(&camel, mode.span())
}

fn opt_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
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

/// Applies a serde-style `rename_all` rule to a snake_case Rust identifier.
fn apply_rename(ident: &str, rule: Option<&LitStr>) -> String {
    let Some(rule) = rule else {
        return ident.to_owned();
    };
    let words: Vec<&str> = ident.split('_').filter(|w| !w.is_empty()).collect();
    let capitalize = |w: &str| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default()
    };
    match rule.value().as_str() {
        "lowercase" => ident.to_ascii_lowercase(),
        "UPPERCASE" => ident.to_ascii_uppercase(),
        "PascalCase" => words.iter().map(|w| capitalize(w)).collect(),
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 {
                    (*w).to_owned()
                } else {
                    capitalize(w)
                }
            })
            .collect(),
        "SCREAMING_SNAKE_CASE" => ident.to_ascii_uppercase(),
        "kebab-case" => ident.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => ident.replace('_', "-").to_ascii_uppercase(),
        _ => ident.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_rules() {
        let camel: LitStr = parse_quote!("camelCase");
        assert_eq!(apply_rename("document_id", Some(&camel)), "documentId");
        let kebab: LitStr = parse_quote!("kebab-case");
        assert_eq!(apply_rename("document_id", Some(&kebab)), "document-id");
        assert_eq!(apply_rename("document_id", None), "document_id");
    }
}

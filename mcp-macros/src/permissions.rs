//! `permissions! { ... }`: a server's permission vocabulary, declared once.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token, Visibility, braced};

use crate::common::{Errors, check_permission, permission_ident};

/// `/// docs  pub mod name { /// docs  TypeName = "permission", ... }`
struct Vocabulary {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    entries: Punctuated<Entry, Token![,]>,
}

struct Entry {
    attrs: Vec<Attribute>,
    ident: Ident,
    permission: LitStr,
}

impl Parse for Vocabulary {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![mod]>()?;
        let ident = input.parse()?;
        let content;
        braced!(content in input);
        let entries = Punctuated::parse_terminated(&content)?;
        Ok(Vocabulary {
            attrs,
            vis,
            ident,
            entries,
        })
    }
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let permission = input.parse()?;
        Ok(Entry {
            attrs,
            ident,
            permission,
        })
    }
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Vocabulary>(input).and_then(|v| generate(&v)) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

fn generate(vocabulary: &Vocabulary) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let entries: Vec<&Entry> = vocabulary.entries.iter().collect();
    if entries.is_empty() {
        errors.push(syn::Error::new_spanned(
            &vocabulary.ident,
            "declare at least one permission: `Name = \"scope:token\"`",
        ));
    }
    for (i, entry) in entries.iter().enumerate() {
        if let Err(err) = check_permission(&entry.permission) {
            errors.push(err);
        }
        if entries[..i]
            .iter()
            .any(|e| e.permission.value() == entry.permission.value())
        {
            errors.push(syn::Error::new(
                entry.permission.span(),
                "this permission is already declared",
            ));
        }
    }
    errors.finish()?;

    let Vocabulary {
        attrs, vis, ident, ..
    } = vocabulary;
    let types = entries.iter().map(
        |Entry {
             attrs,
             ident,
             permission,
         }| {
            let doc = format!("Grants `{}`.", permission.value());
            quote! {
                #(#attrs)*
                #[doc = ""]
                #[doc = #doc]
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                pub enum #ident {}

                impl ::mcp_runtime::Permission for #ident {
                    const NAME: &'static str = #permission;
                }
            }
        },
    );
    let names = entries.iter().map(|e| permission_ident(&e.permission));
    let all = entries.iter().map(|e| &e.permission);
    let descriptions = entries.iter().map(|e| doc_text(&e.attrs));
    Ok(quote! {
        #(#attrs)*
        #vis mod #ident {
            #(#types)*

            /// What `#[mcp_server(permissions = ...)]` and `#[tool(requires = ...)]` check against.
            #[doc(hidden)]
            pub mod __mcp_vocabulary {
                #(
                    #[allow(non_upper_case_globals)]
                    pub const #names: () = ();
                )*
                /// Every permission of the vocabulary, in declaration order.
                pub const ALL: &[&str] = &[#(#all),*];
                /// What each means, from its doc comment, in the same order.
                pub const DESCRIPTIONS: &[&str] = &[#(#descriptions),*];
            }
        }
    })
}

/// The text of `///` doc comments, lines joined by spaces.
fn doc_text(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }),
            ..
        }) = &attr.meta
        {
            let line = text.value();
            let line = line.trim();
            if !line.is_empty() {
                lines.push(line.to_owned());
            }
        }
    }
    lines.join(" ")
}

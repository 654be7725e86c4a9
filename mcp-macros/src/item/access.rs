//! Who may use an item: `requires`, `requires_any`, `authenticated`, `public`, `on_denied`,
//! the same words on tools, resources and prompts.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;
use syn::meta::ParseNestedMeta;

use super::Kind;
use super::params::{Param, ParamKind};
use crate::common::{Errors, flag, key, permission_list, set};
use crate::words::{DenialMode, Spanned};

/// The keys of an item's attribute that say who may use it.
#[derive(Default)]
pub(crate) struct Access {
    /// `requires = "p"` or `requires = ["p", "q"]`: all of them.
    pub requires: Option<Vec<LitStr>>,
    /// `requires_any = ["p", "q"]`: at least one of them.
    pub requires_any: Option<Vec<LitStr>>,
    /// `authenticated`: any verified caller, whatever their permissions.
    pub authenticated: Option<Span>,
    /// `public`: anyone.
    pub public: Option<Span>,
    pub on_denied: Option<Spanned<DenialMode>>,
}

/// The keys [`Access::parse_key`] takes, for "expected one of" messages.
pub(crate) const ACCESS_KEYS: &[&str] = &[
    "requires",
    "requires_any",
    "authenticated",
    "public",
    "on_denied",
];

impl Access {
    /// Parses `meta` if it is one of the access keys; `None` when it is another key.
    pub(crate) fn parse_key(&mut self, meta: &ParseNestedMeta) -> Option<syn::Result<()>> {
        Some(match key(meta).as_str() {
            // requires = "delete:documents" | requires = ["read:data", "delete:documents"]
            "requires" => set(&mut self.requires, meta, permission_list),
            // requires_any = ["read:data", "admin"]
            "requires_any" => set(&mut self.requires_any, meta, permission_list),
            // authenticated
            "authenticated" => set(&mut self.authenticated, meta, flag),
            // public
            "public" => set(&mut self.public, meta, flag),
            // on_denied = tool_error | insufficient_scope | hide
            "on_denied" => set(&mut self.on_denied, meta, DenialMode::parse),
            _ => return None,
        })
    }

    /// Every permission named, all-of first.
    pub(crate) fn permissions(&self) -> Vec<&LitStr> {
        self.requires
            .iter()
            .flatten()
            .chain(self.requires_any.iter().flatten())
            .collect()
    }

    /// Whether the item says who may use it.
    pub(crate) fn is_stated(&self) -> bool {
        self.requires.is_some()
            || self.requires_any.is_some()
            || self.authenticated.is_some()
            || self.public.is_some()
    }

    /// The keys that exclude each other, and the parameters that depend on them.
    pub(crate) fn validate(&self, params: &[Param], kind: Kind, errors: &mut Errors) {
        let noun = kind.noun();
        if let (Some(_), Some(any)) = (&self.requires, &self.requires_any) {
            let span = any.first().map_or_else(Span::call_site, |lit| lit.span());
            errors.push(syn::Error::new(
                span,
                "`requires` (all of) and `requires_any` (one of) exclude each other: pick one",
            ));
        }
        if let Some(authenticated) = self.authenticated
            && (self.public.is_some() || self.requires.is_some() || self.requires_any.is_some())
        {
            errors.push(syn::Error::new(
                authenticated,
                "`authenticated` means any signed-in caller: it excludes `public`, `requires` and `requires_any`",
            ));
        }
        if let Some(public) = self.public {
            if self.requires.is_some() || self.requires_any.is_some() {
                errors.push(syn::Error::new(
                    public,
                    format!(
                        "a `public` {noun} needs no permission: remove `public` or the requirement"
                    ),
                ));
            }
            if let Some(on_denied) = &self.on_denied {
                errors.push(syn::Error::new(
                    on_denied.span,
                    format!("a `public` {noun} is never denied: remove `on_denied`"),
                ));
            }
        }
        for param in params {
            match &param.kind {
                ParamKind::Auth { .. } if self.public.is_some() => errors.push(syn::Error::new_spanned(
                    &param.ty,
                    format!("a `public` {noun} can be {} without a token: take `Option<Auth>` instead", kind.used()),
                )),
                ParamKind::Granted { .. } if self.requires.is_none() => errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "`Granted<P>` is proof that the guard checked `P`: add `requires = \"...\"` naming `P`'s permission",
                )),
                _ => {}
            }
        }
    }

    /// The runtime's `Requirement`.
    pub(crate) fn requirement(&self, p: &TokenStream) -> TokenStream {
        let lits = |list: &Option<Vec<LitStr>>| list.clone().unwrap_or_default();
        let (all_of, any_of) = (lits(&self.requires), lits(&self.requires_any));
        if self.public.is_some() {
            quote!(#p::Requirement::Public)
        } else if self.authenticated.is_some() {
            quote!(#p::Requirement::Authenticated)
        } else if self.requires.is_some() {
            quote!(#p::Requirement::AllOf(&[#(#all_of),*]))
        } else if self.requires_any.is_some() {
            quote!(#p::Requirement::AnyOf(&[#(#any_of),*]))
        } else {
            quote!(#p::Requirement::Unstated)
        }
    }

    /// The item's own `Option<Denial>`.
    pub(crate) fn denial(&self, p: &TokenStream) -> TokenStream {
        match &self.on_denied {
            Some(mode) => {
                let denial = mode.value.tokens(p);
                quote!(::core::option::Option::Some(#denial))
            }
            None => quote!(::core::option::Option::None),
        }
    }
}

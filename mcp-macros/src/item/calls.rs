//! The code that hands an item's function its context: the request context, shared state,
//! the verified caller and the proofs of its permissions.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::Kind;
use super::params::{Param, ParamKind};

/// The pieces of an item's call that come from its context parameters.
pub(crate) struct ContextCode {
    /// `T: FromRef<S>` for each `State<T>`.
    pub state_bounds: Vec<TokenStream>,
    /// Statements run before the call's future is made, with the state at hand.
    pub state_lets: Vec<TokenStream>,
    /// Statements run in the call, once the arguments are read: the caller and the proofs.
    pub caller: TokenStream,
    /// The expression for each parameter; `None` for arguments, which the item reads itself.
    pub args: Vec<Option<TokenStream>>,
}

/// The name of the variable that holds parameter `index`.
pub(crate) fn var(index: usize) -> Ident {
    format_ident!("__mcp_arg{}", index)
}

/// The context code of `params`, for a function whose item is `item` (to check proofs
/// against its requirement at compile time), in a call that names its context `__mcp_ctx`
/// and its state `__mcp_state`. A refusal returns `refuse`, an expression of `refused`.
pub(crate) fn context_code(
    params: &[Param],
    kind: Kind,
    item: &Ident,
    meta_trait: &TokenStream,
    refuse: &TokenStream,
    p: &TokenStream,
) -> (ContextCode, Vec<TokenStream>) {
    let unrequired_proof = format!(
        "`Granted<P>` is proof that the guard checked `P`, but this {} does not require `P`: add it to `requires`",
        kind.noun()
    );
    let mut state_bounds = Vec::new();
    let mut state_lets = Vec::new();
    let mut proofs = Vec::new();
    let mut proof_checks = Vec::new();
    let mut args = Vec::new();
    let mut needs_caller = false;
    for (index, param) in params.iter().enumerate() {
        let ty = &param.ty;
        let var = var(index);
        let arg = match &param.kind {
            ParamKind::Arg { .. } | ParamKind::Args => None,
            ParamKind::Context { by_ref: true } => Some(quote!(&__mcp_ctx)),
            ParamKind::Context { by_ref: false } => {
                Some(quote!(::core::clone::Clone::clone(&__mcp_ctx)))
            }
            ParamKind::State { inner } => {
                state_bounds.push(quote_spanned!(inner.span()=> #inner: #p::FromRef<S>));
                state_lets.push(quote_spanned! {inner.span()=>
                    let #var = #p::State(<#inner as #p::FromRef<S>>::from_ref(__mcp_state));
                });
                Some(quote!(#var))
            }
            ParamKind::Auth { by_ref } => {
                needs_caller = true;
                Some(if *by_ref {
                    quote!(__mcp_caller)
                } else {
                    quote!(::core::clone::Clone::clone(__mcp_caller))
                })
            }
            ParamKind::OptionalAuth => Some(quote!(#p::optional_caller(&__mcp_ctx))),
            ParamKind::Granted { permission } => {
                needs_caller = true;
                proof_checks.push(quote_spanned! {ty.span()=>
                    const _: () = ::core::assert!(
                        #p::Requirement::includes(
                            <#item as #meta_trait>::REQUIRES,
                            <#permission as #p::Permission>::NAME,
                        ),
                        #unrequired_proof
                    );
                });
                // Checked against the caller like any proof: the guard let the caller in.
                proofs.push(quote_spanned! {ty.span()=>
                    let #var = match #p::proof::<#permission>(__mcp_caller) {
                        ::core::result::Result::Ok(proof) => proof,
                        ::core::result::Result::Err(refused) => return #refuse,
                    };
                });
                Some(quote!(#var))
            }
        };
        args.push(arg);
    }
    let caller = if needs_caller {
        quote! {
            let __mcp_caller = match #p::caller(&__mcp_ctx) {
                ::core::result::Result::Ok(caller) => caller,
                ::core::result::Result::Err(refused) => return #refuse,
            };
            #(#proofs)*
        }
    } else {
        quote!()
    };
    (
        ContextCode {
            state_bounds,
            state_lets,
            caller,
            args,
        },
        proof_checks,
    )
}

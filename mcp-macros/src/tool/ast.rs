//! A typed view of the function under `#[tool]`, keeping the user's tokens for spans.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Attribute, FnArg, Ident, ItemFn, LitStr, Pat, Type};

use super::attr::ToolAttr;
use crate::common::{Errors, doc_string, set};

/// A function annotated with `#[tool]`.
pub(crate) struct Tool {
    pub attr: ToolAttr,
    /// The user's function, with the attributes this macro consumes removed from its parameters.
    pub item: ItemFn,
    /// The tool's wire name and the token it came from.
    pub name: (String, Span),
    pub description: Option<String>,
    pub params: Vec<Param>,
}

/// One parameter of the tool function.
pub(crate) struct Param {
    pub ty: Type,
    pub kind: ParamKind,
}

/// What a parameter is, recognised by its type.
pub(crate) enum ParamKind {
    /// A tool argument: one property of the input schema.
    Arg {
        ident: Ident,
        rename: Option<LitStr>,
        docs: Vec<Attribute>,
    },
    /// `Args<T>`: the whole input schema is `T`'s.
    Args,
    /// `Context` or `&Context`: the request context.
    Context { by_ref: bool },
    /// `State<T>`: shared state taken from the server.
    State { inner: Type },
    /// `Auth` or `&Auth`: the verified caller.
    Auth { by_ref: bool },
    /// `Option<Auth>`: the caller, if the request carried a token (for public tools).
    OptionalAuth,
    /// `Granted<P>`: proof that the guard checked the permission `P`.
    Granted { permission: Type },
}

impl Tool {
    pub(crate) fn from_syn(attr: ToolAttr, mut item: ItemFn) -> (Self, Errors) {
        let mut errors = Errors::default();
        let mut params = Vec::new();
        for input in &mut item.sig.inputs {
            match input {
                FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                    receiver,
                    "a tool is a free function: take shared state as a `State<T>` parameter instead of `self`",
                )),
                FnArg::Typed(pat_type) => match Param::from_syn(pat_type) {
                    Ok(param) => params.push(param),
                    Err(err) => errors.push(err),
                },
            }
        }
        let name = match &attr.name {
            Some(lit) => (lit.value(), lit.span()),
            None => (item.sig.ident.unraw().to_string(), item.sig.ident.span()),
        };
        let description = match &attr.description {
            Some(lit) => Some(lit.value()),
            None => doc_string(&item.attrs),
        };
        let tool = Tool {
            attr,
            item,
            name,
            description,
            params,
        };
        (tool, errors)
    }
}

impl Param {
    /// Reads one parameter and strips the attributes that belong to this macro
    /// (`///` docs and `#[arg(...)]`) from it, since rustc rejects them on parameters.
    fn from_syn(pat_type: &mut syn::PatType) -> syn::Result<Self> {
        let (docs, arg_attrs, rest): (Vec<_>, Vec<_>, Vec<_>) = split_attrs(&pat_type.attrs);
        pat_type.attrs = rest;
        let ty = (*pat_type.ty).clone();
        let kind = match context_kind(&ty) {
            Some(kind) => {
                if let Some(attr) = arg_attrs.first() {
                    return Err(syn::Error::new_spanned(
                        attr,
                        "`#[arg]` applies to tool arguments, not to context parameters",
                    ));
                }
                kind
            }
            None => {
                let ident = match &*pat_type.pat {
                    Pat::Ident(pat) if pat.subpat.is_none() && pat.by_ref.is_none() => {
                        pat.ident.clone()
                    }
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            "unsupported parameter pattern: a tool argument must be a plain name, \
                             which becomes the argument's name in the input schema",
                        ));
                    }
                };
                let mut rename = None;
                for attr in &arg_attrs {
                    attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            set(&mut rename, &meta, |m| m.value()?.parse())
                        } else {
                            Err(meta.error("unknown `arg` argument; expected: rename"))
                        }
                    })?;
                }
                ParamKind::Arg {
                    ident,
                    rename,
                    docs,
                }
            }
        };
        Ok(Param { ty, kind })
    }
}

fn split_attrs(attrs: &[Attribute]) -> (Vec<Attribute>, Vec<Attribute>, Vec<Attribute>) {
    let mut docs = Vec::new();
    let mut ours = Vec::new();
    let mut rest = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("doc") {
            docs.push(attr.clone());
        } else if attr.path().is_ident("arg") {
            ours.push(attr.clone());
        } else {
            rest.push(attr.clone());
        }
    }
    (docs, ours, rest)
}

/// Recognises the context parameter types by the last segment of their path:
/// `Context`, `&Context`, `Auth`, `&Auth`, `Option<Auth>`, `Granted<P>`, `State<T>` and `Args<T>`.
fn context_kind(ty: &Type) -> Option<ParamKind> {
    let (ty, by_ref) = match ty {
        Type::Reference(reference) if reference.mutability.is_none() => (&*reference.elem, true),
        other => (other, false),
    };
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    match (last.ident.to_string().as_str(), by_ref) {
        ("Context", by_ref) => Some(ParamKind::Context { by_ref }),
        ("Auth", by_ref) => Some(ParamKind::Auth { by_ref }),
        ("State", false) => Some(ParamKind::State {
            inner: single_generic(&last.arguments)?,
        }),
        ("Granted", false) => Some(ParamKind::Granted {
            permission: single_generic(&last.arguments)?,
        }),
        ("Args", false) => Some(ParamKind::Args),
        ("Option", false) => match single_generic(&last.arguments)? {
            Type::Path(inner) if inner.path.segments.last()?.ident == "Auth" => {
                Some(ParamKind::OptionalAuth)
            }
            _ => None,
        },
        _ => None,
    }
}

fn single_generic(args: &syn::PathArguments) -> Option<Type> {
    let syn::PathArguments::AngleBracketed(args) = args else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ty) if args.args.len() == 1 => Some(ty.clone()),
        _ => None,
    }
}

//! The parameters of an item's function, recognised by type: its arguments (or URI variables)
//! and the context it asks for.

use syn::{Attribute, FnArg, Ident, ItemFn, LitStr, Pat, Path, Type};

use super::Kind;
use crate::common::{Errors, set};

/// One parameter of the function.
pub(crate) struct Param {
    pub ty: Type,
    pub kind: ParamKind,
}

/// What a parameter is, recognised by its type.
pub(crate) enum ParamKind {
    /// An argument of a tool or prompt, or a variable of a resource template's URI.
    Arg {
        ident: Ident,
        rename: Option<LitStr>,
        /// `#[arg(complete = path)]`: the function that completes its values.
        complete: Option<Path>,
        docs: Vec<Attribute>,
    },
    /// `Args<T>`: a tool's whole input schema is `T`'s.
    Args,
    /// `Context` or `&Context`: the request context.
    Context { by_ref: bool },
    /// `State<T>`: shared state taken from the server.
    State { inner: Type },
    /// `Auth` or `&Auth`: the verified caller.
    Auth { by_ref: bool },
    /// `Option<Auth>`: the caller, if the request carried a token (for public items).
    OptionalAuth,
    /// `Granted<P>`: proof that the guard checked the permission `P`.
    Granted { permission: Type },
}

/// Reads the parameters of `item`, stripping the attributes that belong to the macro
/// (`///` docs and `#[arg(...)]`) from them, since rustc rejects them on parameters.
pub(crate) fn from_fn(item: &mut ItemFn, kind: Kind, errors: &mut Errors) -> Vec<Param> {
    let mut params = Vec::new();
    for input in &mut item.sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                format!(
                    "a {} is a free function: take shared state as a `State<T>` parameter instead of `self`",
                    kind.noun()
                ),
            )),
            FnArg::Typed(pat_type) => match Param::from_syn(pat_type, kind) {
                Ok(param) => params.push(param),
                Err(err) => errors.push(err),
            },
        }
    }
    params
}

impl Param {
    fn from_syn(pat_type: &mut syn::PatType, kind: Kind) -> syn::Result<Self> {
        let (docs, arg_attrs, rest): (Vec<_>, Vec<_>, Vec<_>) = split_attrs(&pat_type.attrs);
        pat_type.attrs = rest;
        let ty = (*pat_type.ty).clone();
        let param_kind = match context_kind(&ty) {
            Some(param_kind) => {
                if let Some(attr) = arg_attrs.first() {
                    return Err(syn::Error::new_spanned(
                        attr,
                        format!(
                            "`#[arg]` applies to {} {}s, not to context parameters",
                            kind.noun(),
                            kind.argument()
                        ),
                    ));
                }
                param_kind
            }
            None => {
                let ident = match &*pat_type.pat {
                    Pat::Ident(pat) if pat.subpat.is_none() && pat.by_ref.is_none() => {
                        pat.ident.clone()
                    }
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            format!(
                                "unsupported parameter pattern: a {} {} must be a plain name, which \
                                 becomes its name on the wire",
                                kind.noun(),
                                kind.argument()
                            ),
                        ));
                    }
                };
                let (mut rename, mut complete) = (None, None);
                for attr in &arg_attrs {
                    attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") && kind != Kind::ResourceTemplate {
                            set(&mut rename, &meta, |m| m.value()?.parse())
                        } else if meta.path.is_ident("complete") && kind != Kind::Tool {
                            set(&mut complete, &meta, |m| m.value()?.parse())
                        } else {
                            let expected = match kind {
                                Kind::Tool => "rename",
                                Kind::Prompt => "rename, complete",
                                Kind::Resource | Kind::ResourceTemplate => "complete",
                            };
                            Err(meta.error(format!("unknown `arg` argument; expected: {expected}")))
                        }
                    })?;
                }
                ParamKind::Arg {
                    ident,
                    rename,
                    complete,
                    docs,
                }
            }
        };
        Ok(Param {
            ty,
            kind: param_kind,
        })
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

/// `T` of `Name<T>`.
pub(crate) fn single_generic(args: &syn::PathArguments) -> Option<Type> {
    let syn::PathArguments::AngleBracketed(args) = args else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ty) if args.args.len() == 1 => Some(ty.clone()),
        _ => None,
    }
}

/// `T` of `Option<T>`, recognised syntactically, as serde does.
pub(crate) fn option_inner(ty: &Type) -> Option<Type> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .filter(|seg| seg.ident == "Option")
            .and_then(|seg| single_generic(&seg.arguments)),
        _ => None,
    }
}

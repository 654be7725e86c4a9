//! Checks on a parsed tool that do not need type information.

use super::ast::{ParamKind, Tool};
use crate::common::Errors;

impl Tool {
    pub(crate) fn validate(&self, errors: &mut Errors) {
        let sig = &self.item.sig;
        if sig.asyncness.is_none() {
            errors.push(syn::Error::new_spanned(
                sig.fn_token,
                "a tool must be an `async fn`; add `async` before `fn`",
            ));
        }
        if let Some(constness) = &sig.constness {
            errors.push(syn::Error::new_spanned(
                constness,
                "a tool cannot be a `const fn`",
            ));
        }
        if !matches!(sig.safety, syn::Safety::Default) {
            errors.push(syn::Error::new_spanned(
                &sig.safety,
                "a tool cannot be an `unsafe fn`",
            ));
        }
        if let Some(abi) = &sig.abi {
            errors.push(syn::Error::new_spanned(
                abi,
                "a tool cannot have an `extern` ABI",
            ));
        }
        if let Some(variadic) = &sig.variadic {
            errors.push(syn::Error::new_spanned(
                variadic,
                "a tool cannot be variadic",
            ));
        }
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            errors.push(syn::Error::new_spanned(
                &sig.generics,
                "a tool cannot be generic: its input schema must be known when the server starts",
            ));
        }
        self.validate_access(errors);
        let (name, span) = &self.name;
        if let Err(why) = check_tool_name(name) {
            errors.push(syn::Error::new(
                *span,
                format!("invalid tool name `{name}`: {why}"),
            ));
        }
        let args_params = self
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Args));
        let arg_params = self
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Arg { .. }));
        if args_params.clone().count() > 1 {
            for param in args_params.clone().skip(1) {
                errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "a tool takes at most one `Args<T>`",
                ));
            }
        }
        if args_params.clone().next().is_some() {
            for param in arg_params {
                errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "a tool with `Args<T>` takes all of its arguments from `T`; \
                     move this parameter into `T` as a field",
                ));
            }
        }
    }
}

impl Tool {
    /// `requires`, `requires_any`, `public` and the parameters that depend on them.
    fn validate_access(&self, errors: &mut Errors) {
        let attr = &self.attr;
        if let (Some(_), Some(any)) = (&attr.requires, &attr.requires_any) {
            let span = any
                .first()
                .map_or_else(proc_macro2::Span::call_site, |lit| lit.span());
            errors.push(syn::Error::new(
                span,
                "`requires` (all of) and `requires_any` (one of) exclude each other: pick one",
            ));
        }
        if let Some(authenticated) = attr.authenticated
            && (attr.public.is_some() || attr.requires.is_some() || attr.requires_any.is_some())
        {
            errors.push(syn::Error::new(
                authenticated,
                "`authenticated` means any signed-in caller: it excludes `public`, `requires` and `requires_any`",
            ));
        }
        if let Some(public) = attr.public {
            if attr.requires.is_some() || attr.requires_any.is_some() {
                errors.push(syn::Error::new(
                    public,
                    "a `public` tool needs no permission: remove `public` or the requirement",
                ));
            }
            if let Some(on_denied) = &attr.on_denied {
                errors.push(syn::Error::new(
                    on_denied.span,
                    "a `public` tool is never denied: remove `on_denied`",
                ));
            }
        }
        for param in &self.params {
            match &param.kind {
                ParamKind::Auth { .. } if attr.public.is_some() => errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "a `public` tool can be called without a token: take `Option<Auth>` instead",
                )),
                ParamKind::Granted { .. } if attr.requires.is_none() => errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "`Granted<P>` is proof that the guard checked `P`: add `requires = \"...\"` naming `P`'s permission",
                )),
                _ => {}
            }
        }
    }
}

/// The MCP rule for tool names: 1 to 128 characters of `[A-Za-z0-9_.-]`.
fn check_tool_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a tool name cannot be empty".into());
    }
    if name.len() > 128 {
        return Err(format!(
            "a tool name has at most 128 characters, this one has {}",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(format!(
            "`{bad}` is not allowed; MCP tool names use only ASCII letters, digits, `_`, `.` and `-`"
        ));
    }
    Ok(())
}

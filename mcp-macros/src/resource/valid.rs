//! Checks on a parsed resource that do not need type information: a fixed resource has no
//! variables; every variable of a template's URI is a parameter, and every plain parameter a
//! variable.

use syn::ext::IdentExt;

use super::ast::Resource;
use super::template::variables;
use crate::common::Errors;
use crate::item::Kind;
use crate::item::func::check_signature;
use crate::item::params::ParamKind;

impl Resource {
    pub(crate) fn validate(&self, errors: &mut Errors) {
        check_signature(&self.item, self.kind, errors);
        self.attr.access.validate(&self.params, self.kind, errors);
        for param in &self.params {
            if matches!(param.kind, ParamKind::Args) {
                errors.push(syn::Error::new_spanned(
                    &param.ty,
                    format!(
                        "a {} takes no `Args<T>`: its values are the URI's variables",
                        self.kind.noun()
                    ),
                ));
            }
        }
        let (Some(parts), Some(uri)) = (&self.parts, &self.attr.uri) else {
            return;
        };
        if !uri.value().contains(':') {
            errors.push(syn::Error::new(
                uri.span(),
                "a resource URI has a scheme, such as `docs://readme` or `file:///notes.txt`",
            ));
        }
        let variables = variables(parts);
        match self.kind {
            Kind::Resource if !variables.is_empty() => errors.push(syn::Error::new(
                uri.span(),
                "this URI has variables: declare it with `#[resource_template]`, whose parameters are its variables",
            )),
            Kind::ResourceTemplate if variables.is_empty() => errors.push(syn::Error::new(
                uri.span(),
                "a template's URI has variables, such as `docs://{id}`; for a fixed URI, use `#[resource]`",
            )),
            _ => {}
        }
        let mut named = Vec::new();
        for param in &self.params {
            let ParamKind::Arg { ident, .. } = &param.kind else {
                continue;
            };
            let name = ident.unraw().to_string();
            if self.kind == Kind::Resource {
                errors.push(syn::Error::new_spanned(
                    ident,
                    "a resource at a fixed URI takes no arguments; for a URI with variables, use `#[resource_template]`",
                ));
            } else if !variables.contains(&name.as_str()) {
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!(
                        "`{name}` is not a variable of the URI `{}`: name it there as `{{{name}}}`, or take it from the context",
                        uri.value()
                    ),
                ));
            }
            named.push(name);
        }
        if self.kind == Kind::ResourceTemplate {
            for variable in variables {
                if !named.iter().any(|n| n == variable) {
                    errors.push(syn::Error::new(
                        uri.span(),
                        format!("the URI's variable `{variable}` is no parameter of the function: add `{variable}: String` (or another type that parses from text)"),
                    ));
                }
            }
        }
    }
}

//! Checks on a parsed tool that do not need type information.

use super::ast::Tool;
use crate::common::Errors;
use crate::item::Kind;
use crate::item::func::{check_name, check_signature};
use crate::item::params::ParamKind;

impl Tool {
    pub(crate) fn validate(&self, errors: &mut Errors) {
        check_signature(&self.item, Kind::Tool, errors);
        self.attr.access.validate(&self.params, Kind::Tool, errors);
        let (name, span) = &self.name;
        if let Err(why) = check_name(name, Kind::Tool) {
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

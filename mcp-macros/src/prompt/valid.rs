//! Checks on a parsed prompt that do not need type information.

use super::ast::Prompt;
use crate::common::Errors;
use crate::item::Kind;
use crate::item::func::{check_name, check_signature};
use crate::item::params::ParamKind;

impl Prompt {
    pub(crate) fn validate(&self, errors: &mut Errors) {
        check_signature(&self.item, Kind::Prompt, errors);
        self.attr
            .access
            .validate(&self.params, Kind::Prompt, errors);
        let (name, span) = &self.name;
        if let Err(why) = check_name(name, Kind::Prompt) {
            errors.push(syn::Error::new(
                *span,
                format!("invalid prompt name `{name}`: {why}"),
            ));
        }
        for param in &self.params {
            if matches!(param.kind, ParamKind::Args) {
                errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "a prompt takes its arguments one by one, as parameters: its arguments are strings, not a schema",
                ));
            }
        }
    }
}

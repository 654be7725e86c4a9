//! Parsing of `#[prompt(...)]` arguments.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitStr, Path};

use crate::common::{key, set};
use crate::item::access::{ACCESS_KEYS, Access};
use crate::item::icons::{self, Icon};

/// The parsed arguments of `#[prompt(...)]`.
#[derive(Default)]
pub(crate) struct PromptAttr {
    pub name: Option<LitStr>,
    pub title: Option<LitStr>,
    pub description: Option<LitStr>,
    pub access: Access,
    pub icons: Vec<Icon>,
    pub krate: Option<Path>,
}

impl PromptAttr {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut attr = PromptAttr::default();
        syn::meta::parser(|meta| attr.parse_one(&meta)).parse2(args)?;
        Ok(attr)
    }

    fn parse_one(&mut self, meta: &ParseNestedMeta) -> syn::Result<()> {
        if let Some(parsed) = self.access.parse_key(meta) {
            return parsed;
        }
        match key(meta).as_str() {
            // name = "summarize"
            "name" => set(&mut self.name, meta, |m| m.value()?.parse()),
            // title = "Human readable title"
            "title" => set(&mut self.title, meta, |m| m.value()?.parse()),
            // description = "Overrides the doc comment"
            "description" => set(&mut self.description, meta, |m| m.value()?.parse()),
            // icon(src = "https://...", ...)
            "icon" => {
                self.icons.push(icons::parse(meta)?);
                Ok(())
            }
            // crate = ::path::to::mcp_runtime
            "crate" => set(&mut self.krate, meta, |m| m.value()?.parse()),
            _ => {
                let keys: Vec<&str> = [
                    &["name", "title", "description"][..],
                    ACCESS_KEYS,
                    &["icon", "crate"],
                ]
                .concat();
                Err(meta.error(format!(
                    "unknown `prompt` argument; expected one of: {}",
                    keys.join(", ")
                )))
            }
        }
    }
}

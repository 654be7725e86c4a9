//! Parsing of `#[tool(...)]` arguments.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitStr, Path};

use crate::common::{flag, key, set};
use crate::item::access::{ACCESS_KEYS, Access};
use crate::item::icons::{self, Icon};
use crate::words::RenameRule;

/// Every key `#[tool(...)]` accepts besides the access keys, in the order the "expected one
/// of" message lists them.
const TOOL_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "read_only",
    "destructive",
    "idempotent",
    "open_world",
    "rename_all",
];

/// The keys listed after the access keys.
const LAST_KEYS: &[&str] = &["timeout_secs", "icon", "crate"];

/// The parsed arguments of `#[tool(...)]`.
#[derive(Default)]
pub(crate) struct ToolAttr {
    pub name: Option<LitStr>,
    pub title: Option<LitStr>,
    pub description: Option<LitStr>,
    pub read_only: Option<Span>,
    pub destructive: Option<Span>,
    pub idempotent: Option<Span>,
    pub open_world: Option<Span>,
    pub rename_all: Option<RenameRule>,
    /// Who may call the tool.
    pub access: Access,
    /// `icon(...)`, once per icon.
    pub icons: Vec<Icon>,
    /// `timeout_secs = 30`: this tool's time limit, instead of the server's.
    pub timeout_secs: Option<syn::LitInt>,
    pub krate: Option<Path>,
}

impl ToolAttr {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut attr = ToolAttr::default();
        // Stops at the first mistake: after a malformed argument the rest cannot be read reliably.
        syn::meta::parser(|meta| attr.parse_one(&meta)).parse2(args)?;
        Ok(attr)
    }

    fn parse_one(&mut self, meta: &ParseNestedMeta) -> syn::Result<()> {
        if let Some(parsed) = self.access.parse_key(meta) {
            return parsed;
        }
        match key(meta).as_str() {
            // name = "tool_name"
            "name" => set(&mut self.name, meta, |m| m.value()?.parse()),
            // title = "Human readable title"
            "title" => set(&mut self.title, meta, |m| m.value()?.parse()),
            // description = "Overrides the doc comment"
            "description" => set(&mut self.description, meta, |m| m.value()?.parse()),
            // rename_all = "camelCase"
            "rename_all" => set(&mut self.rename_all, meta, |m| {
                RenameRule::parse(&m.value()?.parse()?)
            }),
            // crate = ::path::to::mcp_runtime
            "crate" => set(&mut self.krate, meta, |m| m.value()?.parse()),
            // icon(src = "https://...", mime_type = "image/png", sizes = ["48x48"], theme = light)
            "icon" => {
                self.icons.push(icons::parse(meta)?);
                Ok(())
            }
            // timeout_secs = 30
            "timeout_secs" => set(&mut self.timeout_secs, meta, |m| {
                let lit: syn::LitInt = m.value()?.parse()?;
                match lit.base10_parse::<u64>() {
                    Ok(secs) if secs > 0 => Ok(lit),
                    _ => Err(syn::Error::new(
                        lit.span(),
                        "`timeout_secs` is a whole number of seconds, at least 1",
                    )),
                }
            }),
            // Bare flags: read_only, destructive, idempotent, open_world
            "read_only" => set(&mut self.read_only, meta, flag),
            "destructive" => set(&mut self.destructive, meta, flag),
            "idempotent" => set(&mut self.idempotent, meta, flag),
            "open_world" => set(&mut self.open_world, meta, flag),
            _ => {
                let keys: Vec<&str> = [TOOL_KEYS, ACCESS_KEYS, LAST_KEYS].concat();
                Err(meta.error(format!(
                    "unknown `tool` argument; expected one of: {}",
                    keys.join(", ")
                )))
            }
        }
    }
}

//! Parsing of `#[tool(...)]` arguments.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitStr, Path};

use crate::common::{flag, key, permission_list, set};
use crate::words::{DenialMode, RenameRule, Spanned};

/// Every key `#[tool(...)]` accepts, in the order the "expected one of" message lists them.
const TOOL_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "read_only",
    "destructive",
    "idempotent",
    "open_world",
    "rename_all",
    "requires",
    "requires_any",
    "authenticated",
    "public",
    "on_denied",
    "timeout_secs",
    "crate",
];

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
    /// `requires = "p"` or `requires = ["p", "q"]`: all of them.
    pub requires: Option<Vec<LitStr>>,
    /// `requires_any = ["p", "q"]`: at least one of them.
    pub requires_any: Option<Vec<LitStr>>,
    pub public: Option<Span>,
    /// `authenticated`: any verified caller, whatever their permissions.
    pub authenticated: Option<Span>,
    pub on_denied: Option<Spanned<DenialMode>>,
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
            // requires = "delete:documents" | requires = ["read:data", "delete:documents"]
            "requires" => set(&mut self.requires, meta, permission_list),
            // requires_any = ["read:data", "admin"]
            "requires_any" => set(&mut self.requires_any, meta, permission_list),
            // public
            "public" => set(&mut self.public, meta, flag),
            // authenticated
            "authenticated" => set(&mut self.authenticated, meta, flag),
            // on_denied = tool_error | insufficient_scope | hide
            "on_denied" => set(&mut self.on_denied, meta, DenialMode::parse),
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
            _ => Err(meta.error(format!(
                "unknown `tool` argument; expected one of: {}",
                TOOL_KEYS.join(", ")
            ))),
        }
    }
}

//! Parsing of `#[tool(...)]` arguments.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitStr, Path};

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
    pub rename_all: Option<LitStr>,
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
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            // name = "tool_name"
            "name" => set(&mut self.name, meta, |m| m.value()?.parse()),
            // title = "Human readable title"
            "title" => set(&mut self.title, meta, |m| m.value()?.parse()),
            // description = "Overrides the doc comment"
            "description" => set(&mut self.description, meta, |m| m.value()?.parse()),
            // rename_all = "camelCase"
            "rename_all" => set(&mut self.rename_all, meta, |m| {
                let lit: LitStr = m.value()?.parse()?;
                valid_rename_rule(&lit)?;
                Ok(lit)
            }),
            // crate = ::path::to::mcp_runtime
            "crate" => set(&mut self.krate, meta, |m| m.value()?.parse()),
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

/// Parses a bare flag such as `read_only`, rejecting `read_only = ...`.
fn flag(meta: &ParseNestedMeta) -> syn::Result<Span> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(meta.error(format!("`{key}` is a flag: write `{key}` alone")));
    }
    Ok(syn::spanned::Spanned::span(&meta.path))
}

/// Stores a key's value, rejecting a key given twice (the error points at the second one).
pub(crate) fn set<T>(
    slot: &mut Option<T>,
    meta: &ParseNestedMeta,
    parse: impl FnOnce(&ParseNestedMeta) -> syn::Result<T>,
) -> syn::Result<()> {
    let value = parse(meta)?;
    if slot.is_some() {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(syn::Error::new_spanned(
            &meta.path,
            format!("duplicate `{key}` argument"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

const RENAME_RULES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

fn valid_rename_rule(lit: &LitStr) -> syn::Result<()> {
    if RENAME_RULES.contains(&lit.value().as_str()) {
        Ok(())
    } else {
        Err(syn::Error::new(
            lit.span(),
            format!(
                "unknown rename rule; expected one of: {}",
                RENAME_RULES.join(", ")
            ),
        ))
    }
}

/// Collects errors so that a macro reports all of them at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

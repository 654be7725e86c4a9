//! Parsing of `#[tool(...)]` arguments.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Ident, LitStr, Path, Token};

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
    pub rename_all: Option<LitStr>,
    /// `requires = "p"` or `requires = ["p", "q"]`: all of them.
    pub requires: Option<Vec<LitStr>>,
    /// `requires_any = ["p", "q"]`: at least one of them.
    pub requires_any: Option<Vec<LitStr>>,
    pub public: Option<Span>,
    /// `authenticated`: any verified caller, whatever their permissions.
    pub authenticated: Option<Span>,
    pub on_denied: Option<Ident>,
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
            // requires = "delete:documents" | requires = ["read:data", "delete:documents"]
            "requires" => set(&mut self.requires, meta, permission_list),
            // requires_any = ["read:data", "admin"]
            "requires_any" => set(&mut self.requires_any, meta, permission_list),
            // public
            "public" => set(&mut self.public, meta, flag),
            // authenticated
            "authenticated" => set(&mut self.authenticated, meta, flag),
            // on_denied = tool_error | insufficient_scope | hide
            "on_denied" => set(&mut self.on_denied, meta, on_denied),
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

/// The ways a server can answer a call its caller may not make.
pub(crate) const DENIAL_MODES: &[&str] = &["tool_error", "insufficient_scope", "hide"];

/// Parses `on_denied = mode`.
pub(crate) fn on_denied(meta: &ParseNestedMeta) -> syn::Result<Ident> {
    let ident: Ident = meta.value()?.parse()?;
    if DENIAL_MODES.contains(&ident.to_string().as_str()) {
        Ok(ident)
    } else {
        Err(syn::Error::new(
            ident.span(),
            format!(
                "unknown denial mode `{ident}`; expected one of: {}",
                DENIAL_MODES.join(", ")
            ),
        ))
    }
}

/// Parses `"p"` or `["p", "q"]`, checking each permission.
fn permission_list(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let input = meta.value()?;
    let list: Vec<LitStr> = if input.peek(syn::token::Bracket) {
        let content;
        syn::bracketed!(content in input);
        let items = syn::punctuated::Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
        if items.is_empty() {
            return Err(meta.error("list at least one permission, or mark the tool `public`"));
        }
        items.into_iter().collect()
    } else {
        vec![input.parse()?]
    };
    for (i, lit) in list.iter().enumerate() {
        check_permission(lit)?;
        if list[..i]
            .iter()
            .any(|earlier| earlier.value() == lit.value())
        {
            return Err(syn::Error::new(
                lit.span(),
                "this permission is already listed",
            ));
        }
    }
    Ok(list)
}

/// A permission is an OAuth scope token (RFC 6749, section 3.3): one or more printable ASCII
/// characters other than space, `"` and `\`.
pub(crate) fn check_permission(lit: &LitStr) -> syn::Result<()> {
    let value = lit.value();
    if value.is_empty() {
        return Err(syn::Error::new(lit.span(), "a permission cannot be empty"));
    }
    if let Some(bad) = value
        .chars()
        .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E'))
    {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "invalid permission `{}`: {bad:?} is not allowed in an OAuth scope; use printable ASCII \
                 without spaces, quotes or backslashes, such as `delete:documents`",
                value.escape_default()
            ),
        ));
    }
    Ok(())
}

/// The name of the hidden item that stands for `permission` in a vocabulary: letters and digits
/// kept, every other character escaped as `_xx_` hex, so that different permissions never share
/// a name (`delete:documents` -> `delete_3a_documents`).
pub(crate) fn permission_ident(permission: &LitStr) -> Ident {
    let mut name = String::from("p_");
    for c in permission.value().chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else {
            name.push_str(&format!("_{:02x}_", c as u32));
        }
    }
    Ident::new(&name, permission.span())
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

//! Parsing of `#[mcp_server(...)]` arguments.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{LitStr, Path, Token};

use crate::common::{key, set};
use crate::item::icons::{self, Icon};
use crate::words::{DenialMode, OAuth, Spanned};

/// Every key `#[mcp_server(...)]` accepts, in the order the "expected one of" message lists them.
const SERVER_KEYS: &[&str] = &[
    "name",
    "version",
    "title",
    "instructions",
    "oauth",
    "permissions",
    "on_denied",
    "tools",
    "resources",
    "prompts",
    "icon",
    "crate",
];

/// The parsed arguments of `#[mcp_server(...)]`.
#[derive(Default)]
pub(crate) struct ServerAttr {
    pub name: Option<LitStr>,
    pub version: Option<LitStr>,
    pub title: Option<LitStr>,
    pub instructions: Option<LitStr>,
    pub oauth: Option<Spanned<OAuth>>,
    pub permissions: Option<Path>,
    pub on_denied: Option<Spanned<DenialMode>>,
    pub tools: Option<Vec<Path>>,
    /// Resources and resource templates.
    pub resources: Option<Vec<Path>>,
    pub prompts: Option<Vec<Path>>,
    /// `icon(...)`, once per icon.
    pub icons: Vec<Icon>,
    pub krate: Option<Path>,
}

impl ServerAttr {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut attr = ServerAttr::default();
        syn::meta::parser(|meta| match key(&meta).as_str() {
            // name = "server-name"
            "name" => set(&mut attr.name, &meta, |m| m.value()?.parse()),
            // version = "1.2.3"
            "version" => set(&mut attr.version, &meta, |m| m.value()?.parse()),
            // title = "Human readable title"
            "title" => set(&mut attr.title, &meta, |m| m.value()?.parse()),
            // instructions = "How to use this server"
            "instructions" => set(&mut attr.instructions, &meta, |m| m.value()?.parse()),
            // oauth = none | jwt | auth0 | auth0_proxy
            "oauth" => set(&mut attr.oauth, &meta, OAuth::parse),
            // permissions = path::to::vocabulary (a module declared with `permissions!`)
            "permissions" => set(&mut attr.permissions, &meta, |m| m.value()?.parse()),
            // on_denied = tool_error | insufficient_scope | hide
            "on_denied" => set(&mut attr.on_denied, &meta, DenialMode::parse),
            // tools = [tool_a, module::tool_b]
            "tools" => set(&mut attr.tools, &meta, paths),
            // resources = [readme, document]
            "resources" => set(&mut attr.resources, &meta, paths),
            // prompts = [summarize]
            "prompts" => set(&mut attr.prompts, &meta, paths),
            // icon(src = "https://...", ...)
            "icon" => {
                attr.icons.push(icons::parse(&meta)?);
                Ok(())
            }
            // crate = ::path::to::mcp_runtime
            "crate" => set(&mut attr.krate, &meta, |m| m.value()?.parse()),
            _ => Err(meta.error(format!(
                "unknown `mcp_server` argument; expected one of: {}",
                SERVER_KEYS.join(", ")
            ))),
        })
        .parse2(args)?;
        Ok(attr)
    }
}

/// `[a, path::b]`.
fn paths(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Vec<Path>> {
    let content;
    meta.value()?;
    syn::bracketed!(content in meta.input);
    let paths = Punctuated::<Path, Token![,]>::parse_terminated(&content)?;
    Ok(paths.into_iter().collect())
}

//! Parsing of `#[resource(...)]` and `#[resource_template(...)]` arguments.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{LitFloat, LitInt, LitStr, Path, Token};

use crate::common::{key, set};
use crate::item::Kind;
use crate::item::access::{ACCESS_KEYS, Access};
use crate::item::icons::{self, Icon};

/// The parsed arguments of `#[resource(...)]` or `#[resource_template(...)]`.
#[derive(Default)]
pub(crate) struct ResourceAttr {
    pub uri: Option<LitStr>,
    pub name: Option<LitStr>,
    pub title: Option<LitStr>,
    pub description: Option<LitStr>,
    pub mime_type: Option<LitStr>,
    /// `size = 1024`: bytes (fixed resources only).
    pub size: Option<LitInt>,
    /// `audience = ["user", "assistant"]`.
    pub audience: Option<Vec<LitStr>>,
    /// `priority = 0.5`: from 0 to 1.
    pub priority: Option<LitFloat>,
    /// `last_modified = "2025-01-12T15:00:58Z"`.
    pub last_modified: Option<LitStr>,
    pub access: Access,
    pub icons: Vec<Icon>,
    pub krate: Option<Path>,
}

impl ResourceAttr {
    pub(crate) fn parse(args: TokenStream, kind: Kind) -> syn::Result<Self> {
        let mut attr = ResourceAttr::default();
        syn::meta::parser(|meta| attr.parse_one(&meta, kind)).parse2(args)?;
        Ok(attr)
    }

    fn parse_one(&mut self, meta: &ParseNestedMeta, kind: Kind) -> syn::Result<()> {
        if let Some(parsed) = self.access.parse_key(meta) {
            return parsed;
        }
        match key(meta).as_str() {
            // uri = "docs://readme" | uri = "docs://{id}"
            "uri" => set(&mut self.uri, meta, |m| m.value()?.parse()),
            // name = "readme"
            "name" => set(&mut self.name, meta, |m| m.value()?.parse()),
            // title = "Human readable title"
            "title" => set(&mut self.title, meta, |m| m.value()?.parse()),
            // description = "Overrides the doc comment"
            "description" => set(&mut self.description, meta, |m| m.value()?.parse()),
            // mime_type = "text/markdown"
            "mime_type" => set(&mut self.mime_type, meta, |m| m.value()?.parse()),
            // size = 1024 (a fixed resource's)
            "size" if kind == Kind::Resource => set(&mut self.size, meta, |m| {
                let lit: LitInt = m.value()?.parse()?;
                lit.base10_parse::<u64>()?;
                Ok(lit)
            }),
            // audience = ["user", "assistant"]
            "audience" => set(&mut self.audience, meta, |m| {
                let content;
                m.value()?;
                syn::bracketed!(content in m.input);
                let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                for lit in &list {
                    if !matches!(lit.value().as_str(), "user" | "assistant") {
                        return Err(syn::Error::new(
                            lit.span(),
                            "an audience is \"user\" or \"assistant\"",
                        ));
                    }
                }
                Ok(list.into_iter().collect())
            }),
            // priority = 0.8
            "priority" => set(&mut self.priority, meta, |m| {
                let lit: LitFloat = m.value()?.parse()?;
                match lit.base10_parse::<f64>() {
                    Ok(priority) if (0.0..=1.0).contains(&priority) => Ok(lit),
                    _ => Err(syn::Error::new(
                        lit.span(),
                        "a priority is a number from 0.0 (least important) to 1.0 (most)",
                    )),
                }
            }),
            // last_modified = "2025-01-12T15:00:58Z"
            "last_modified" => set(&mut self.last_modified, meta, |m| {
                let lit: LitStr = m.value()?.parse()?;
                if is_timestamp(&lit.value()) {
                    Ok(lit)
                } else {
                    Err(syn::Error::new(
                        lit.span(),
                        "`last_modified` is an ISO 8601 date and time with its offset, such as \"2025-01-12T15:00:58Z\"",
                    ))
                }
            }),
            // icon(src = "https://...", ...)
            "icon" => {
                self.icons.push(icons::parse(meta)?);
                Ok(())
            }
            // crate = ::path::to::mcp_runtime
            "crate" => set(&mut self.krate, meta, |m| m.value()?.parse()),
            _ => {
                let mut keys = vec!["uri", "name", "title", "description", "mime_type"];
                if kind == Kind::Resource {
                    keys.push("size");
                }
                keys.extend(["audience", "priority", "last_modified"]);
                keys.extend(ACCESS_KEYS);
                keys.extend(["icon", "crate"]);
                let macro_name = match kind {
                    Kind::ResourceTemplate => "resource_template",
                    _ => "resource",
                };
                Err(meta.error(format!(
                    "unknown `{macro_name}` argument; expected one of: {}",
                    keys.join(", ")
                )))
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS` with optional fraction and `Z` or `±HH:MM`: what clients accept.
fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    match rest.as_bytes() {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert!(is_timestamp("2025-01-12T15:00:58Z"));
        assert!(is_timestamp("2025-01-12T15:00:58.123+02:00"));
        assert!(!is_timestamp("2025-01-12"));
        assert!(!is_timestamp("2025-01-12 15:00:58Z"));
        assert!(!is_timestamp("2025-01-12T15:00:58"));
    }
}

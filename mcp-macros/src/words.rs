//! The fixed words of the attributes, each parsed into an enum once and read from it:
//! serde's rename rules, the denial modes, the OAuth modes.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr};

/// A value with the span of the token it was written as.
#[derive(Clone, Copy)]
pub(crate) struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// `rename_all = "camelCase"`: serde's rules, applied to snake_case parameter names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    const ALL: [(&'static str, RenameRule); 8] = [
        ("lowercase", RenameRule::Lower),
        ("UPPERCASE", RenameRule::Upper),
        ("PascalCase", RenameRule::Pascal),
        ("camelCase", RenameRule::Camel),
        ("snake_case", RenameRule::Snake),
        ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
        ("kebab-case", RenameRule::Kebab),
        ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
    ];

    /// Parses the rule's name, as serde spells it.
    pub(crate) fn parse(lit: &LitStr) -> syn::Result<Self> {
        let name = lit.value();
        Self::ALL
            .iter()
            .find(|(spelled, _)| *spelled == name)
            .map(|(_, rule)| *rule)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
                syn::Error::new(
                    lit.span(),
                    format!("unknown rename rule; expected one of: {}", names.join(", ")),
                )
            })
    }

    /// The wire name of the snake_case Rust identifier `ident` under this rule.
    pub(crate) fn apply(self, ident: &str) -> String {
        let words: Vec<&str> = ident.split('_').filter(|w| !w.is_empty()).collect();
        let capitalize = |w: &str| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        };
        match self {
            RenameRule::Lower => ident.to_ascii_lowercase(),
            RenameRule::Upper | RenameRule::ScreamingSnake => ident.to_ascii_uppercase(),
            RenameRule::Pascal => words.iter().map(|w| capitalize(w)).collect(),
            RenameRule::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        (*w).to_owned()
                    } else {
                        capitalize(w)
                    }
                })
                .collect(),
            RenameRule::Snake => ident.to_owned(),
            RenameRule::Kebab => ident.replace('_', "-"),
            RenameRule::ScreamingKebab => ident.replace('_', "-").to_ascii_uppercase(),
        }
    }
}

/// `on_denied = ...`: what a caller without the permission gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DenialMode {
    ToolError,
    InsufficientScope,
    Hide,
}

impl DenialMode {
    const ALL: [(&'static str, DenialMode); 3] = [
        ("tool_error", DenialMode::ToolError),
        ("insufficient_scope", DenialMode::InsufficientScope),
        ("hide", DenialMode::Hide),
    ];

    /// Parses `on_denied = mode`.
    pub(crate) fn parse(meta: &ParseNestedMeta) -> syn::Result<Spanned<Self>> {
        let ident: Ident = meta.value()?.parse()?;
        let names: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
        one_of(&ident, &Self::ALL, "denial mode", &names.join(", "))
    }

    /// The runtime's `Denial` value.
    pub(crate) fn tokens(self, private: &TokenStream) -> TokenStream {
        match self {
            DenialMode::ToolError => quote!(#private::Denial::ToolError),
            DenialMode::InsufficientScope => quote!(#private::Denial::InsufficientScope),
            DenialMode::Hide => quote!(#private::Denial::Hide),
        }
    }
}

/// `oauth = ...`: how a server authenticates its callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OAuth {
    None,
    Jwt,
    Auth0,
    Auth0Proxy,
}

impl OAuth {
    pub(crate) const ALL: [(&'static str, OAuth); 4] = [
        ("none", OAuth::None),
        ("jwt", OAuth::Jwt),
        ("auth0", OAuth::Auth0),
        ("auth0_proxy", OAuth::Auth0Proxy),
    ];

    /// Parses `oauth = mode`.
    pub(crate) fn parse(meta: &ParseNestedMeta) -> syn::Result<Spanned<Self>> {
        let ident: Ident = meta.value()?.parse()?;
        one_of(&ident, &Self::ALL, "OAuth mode", &Self::names())
    }

    /// "`none`, `jwt`, `auth0`, `auth0_proxy`", for messages.
    pub(crate) fn names() -> String {
        Self::ALL
            .iter()
            .map(|(m, _)| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The runtime's type for the mode, in `mcp_runtime::oauth`.
    pub(crate) fn type_tokens(self, krate: &TokenStream) -> TokenStream {
        match self {
            OAuth::None => quote!(#krate::oauth::NoAuth),
            OAuth::Jwt => quote!(#krate::oauth::Jwt),
            OAuth::Auth0 => quote!(#krate::oauth::Auth0),
            OAuth::Auth0Proxy => quote!(#krate::oauth::Auth0Proxy),
        }
    }
}

/// The value `ident` names among `all`, or an error that lists `names`.
fn one_of<T: Copy>(
    ident: &Ident,
    all: &[(&str, T)],
    what: &str,
    names: &str,
) -> syn::Result<Spanned<T>> {
    all.iter()
        .find(|(name, _)| ident == name)
        .map(|(_, value)| Spanned {
            value: *value,
            span: ident.span(),
        })
        .ok_or_else(|| {
            syn::Error::new(
                ident.span(),
                format!("unknown {what} `{ident}`; expected one of: {names}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_rules() {
        let rule = |name: &str| RenameRule::parse(&LitStr::new(name, Span::call_site())).unwrap();
        assert_eq!(rule("camelCase").apply("document_id"), "documentId");
        assert_eq!(rule("kebab-case").apply("document_id"), "document-id");
        assert_eq!(rule("PascalCase").apply("document_id"), "DocumentId");
        assert_eq!(rule("SCREAMING-KEBAB-CASE").apply("a_b"), "A-B");
        assert_eq!(rule("snake_case").apply("document_id"), "document_id");
        assert!(RenameRule::parse(&LitStr::new("Camel", Span::call_site())).is_err());
    }
}

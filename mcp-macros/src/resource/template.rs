//! URI templates (RFC 6570 level 1 `{var}` and reserved `{+var}`), parsed and checked at
//! compile time; the runtime matches URIs against the parts.

use proc_macro2::TokenStream;
use quote::quote;

/// One part of a template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Literal(String),
    Var { name: String, reserved: bool },
}

/// The parts of `template`; the error says what is wrong.
pub(crate) fn parse(template: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Part::Literal(rest[..open].to_owned()));
        }
        let Some(close) = rest[open..].find('}').map(|close| close + open) else {
            return Err("a `{` is never closed".into());
        };
        let expression = &rest[open + 1..close];
        let (name, reserved) = match expression.strip_prefix('+') {
            Some(name) => (name, true),
            None => (expression, false),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`{{{expression}}}` is not a variable this framework reads: write `{{name}}`, or `{{+name}}` \
                 for a value that may hold `/` (names are letters, digits and `_`)"
            ));
        }
        if parts
            .iter()
            .any(|part| matches!(part, Part::Var { name: other, .. } if other == name))
        {
            return Err(format!("the variable `{name}` appears twice"));
        }
        if matches!(parts.last(), Some(Part::Var { .. })) {
            return Err(format!(
                "the variable `{name}` follows another with nothing between them, so a URI cannot tell them apart"
            ));
        }
        parts.push(Part::Var {
            name: name.to_owned(),
            reserved,
        });
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err("a `}` closes nothing".into());
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest.to_owned()));
    }
    Ok(parts)
}

/// The variables' names, in order.
pub(crate) fn variables(parts: &[Part]) -> Vec<&str> {
    parts
        .iter()
        .filter_map(|part| match part {
            Part::Var { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
        .collect()
}

/// The runtime's `&[TemplatePart]`.
pub(crate) fn tokens(parts: &[Part], p: &TokenStream) -> TokenStream {
    let parts = parts.iter().map(|part| match part {
        Part::Literal(text) => quote!(#p::TemplatePart::Literal(#text)),
        Part::Var { name, reserved } => {
            quote!(#p::TemplatePart::Var { name: #name, reserved: #reserved })
        }
    });
    quote!(&[#(#parts),*])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_parsed_and_mistakes_explained() {
        let parts = parse("test://template/{id}/data").unwrap();
        assert_eq!(variables(&parts), ["id"]);
        assert_eq!(
            parse("file:///{+path}").unwrap()[1],
            Part::Var {
                name: "path".into(),
                reserved: true
            }
        );
        for wrong in [
            "docs://{id",
            "docs://{}",
            "docs://{a,b}",
            "docs://{?q}",
            "docs://{a}{b}",
            "docs://{a}/{a}",
            "docs://a}",
        ] {
            assert!(parse(wrong).is_err(), "{wrong}");
        }
        assert!(
            parse("docs://readme")
                .unwrap()
                .iter()
                .all(|p| matches!(p, Part::Literal(_)))
        );
    }
}

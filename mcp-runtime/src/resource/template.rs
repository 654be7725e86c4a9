//! URI templates (RFC 6570, level 1 `{var}` and the reserved `{+var}`), matched against the
//! URIs clients read. `#[resource_template]` parses (and checks) the template at compile time
//! and hands over its parts.

/// One part of a URI template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplatePart {
    /// Text that the URI holds as it is.
    Literal(&'static str),
    /// `{name}` (a value without `/`, `?` or `#`, percent-decoded) or `{+name}` (any value,
    /// `/` included, as sent).
    Var {
        /// The variable's name.
        name: &'static str,
        /// Whether it is `{+name}`.
        reserved: bool,
    },
}

/// A URI template, as its parts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UriTemplate {
    parts: &'static [TemplatePart],
}

impl UriTemplate {
    pub(crate) fn new(parts: &'static [TemplatePart]) -> Self {
        UriTemplate { parts }
    }

    /// The variables' values if `uri` matches, percent-decoded for `{var}`.
    pub(crate) fn matches(&self, uri: &str) -> Option<Vec<(String, String)>> {
        let mut values = Vec::new();
        match_from(self.parts, uri, &mut values).then_some(values)
    }
}

fn match_from(parts: &[TemplatePart], uri: &str, values: &mut Vec<(String, String)>) -> bool {
    let Some((part, rest)) = parts.split_first() else {
        return uri.is_empty();
    };
    match *part {
        TemplatePart::Literal(literal) => {
            uri.starts_with(literal) && match_from(rest, &uri[literal.len()..], values)
        }
        TemplatePart::Var { name, reserved } => {
            // The longest value that lets the rest match: values end where the next literal does.
            let limit = if reserved {
                uri.len()
            } else {
                uri.find(['/', '?', '#']).unwrap_or(uri.len())
            };
            for end in (1..=limit).rev().filter(|end| uri.is_char_boundary(*end)) {
                values.push((name.to_owned(), decode(&uri[..end], reserved)));
                if match_from(rest, &uri[end..], values) {
                    return true;
                }
                values.pop();
            }
            false
        }
    }
}

/// Percent-decodes `{var}` values (RFC 6570 encodes them); `{+var}` values are kept as sent.
fn decode(value: &str, reserved: bool) -> String {
    if reserved || !value.contains('%') {
        return value.to_owned();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::TemplatePart::{Literal, Var};
    use super::*;

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    const DATA: &[TemplatePart] = &[
        Literal("test://template/"),
        Var {
            name: "id",
            reserved: false,
        },
        Literal("/data"),
    ];
    const DOCS: &[TemplatePart] = &[
        Literal("docs://"),
        Var {
            name: "id",
            reserved: false,
        },
    ];
    const TWO: &[TemplatePart] = &[
        Literal("weather://"),
        Var {
            name: "city",
            reserved: false,
        },
        Literal("/"),
        Var {
            name: "day",
            reserved: false,
        },
    ];
    const PATH: &[TemplatePart] = &[
        Literal("repo://"),
        Var {
            name: "owner",
            reserved: false,
        },
        Literal("/"),
        Var {
            name: "path",
            reserved: true,
        },
        Literal("/raw"),
    ];

    #[test]
    fn level_one_variables_match_one_segment() {
        let data = UriTemplate::new(DATA);
        assert_eq!(
            data.matches("test://template/123/data"),
            Some(vec![pair("id", "123")])
        );
        assert_eq!(data.matches("test://template/1/2/data"), None);
        assert_eq!(data.matches("test://template//data"), None);
        let docs = UriTemplate::new(DOCS);
        assert_eq!(docs.matches("docs://a%20b"), Some(vec![pair("id", "a b")]));
        assert_eq!(docs.matches("docs://%zz"), Some(vec![pair("id", "%zz")]));
        assert_eq!(docs.matches("other://1"), None);
        assert_eq!(
            UriTemplate::new(TWO).matches("weather://paris/monday"),
            Some(vec![pair("city", "paris"), pair("day", "monday")])
        );
    }

    #[test]
    fn reserved_variables_take_slashes() {
        assert_eq!(
            UriTemplate::new(PATH).matches("repo://me/src/lib.rs/raw"),
            Some(vec![pair("owner", "me"), pair("path", "src/lib.rs")])
        );
        assert_eq!(UriTemplate::new(PATH).matches("repo://me/raw"), None);
    }
}

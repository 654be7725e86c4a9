//! Text that a client sends about itself, made safe to show a person.

/// `raw` without control characters and without the invisible characters that reorder or
/// hide text (bidirectional overrides and isolates such as U+202E, zero-width characters, the
/// byte order mark), trimmed, at most `max` characters; `None` when nothing is left.
pub(crate) fn display_name(raw: &str, max: usize) -> Option<String> {
    let name: String = raw
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .take(max)
        .collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The format characters (Unicode category Cf) that can make a name read as another.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_name_loses_bidi_controls_and_invisible_characters() {
        assert_eq!(
            display_name("Good\u{202E}gpj.exe", 100).as_deref(),
            Some("Goodgpj.exe")
        );
        assert_eq!(
            display_name("\u{2067}a\u{200B}b\u{FEFF}\u{2069}", 100).as_deref(),
            Some("ab")
        );
        assert_eq!(
            display_name("Line\nbreak\t", 100).as_deref(),
            Some("Linebreak")
        );
        assert_eq!(display_name("\u{202E}\u{200F} ", 100), None);
        assert_eq!(
            display_name("Claude 中文", 100).as_deref(),
            Some("Claude 中文")
        );
        assert_eq!(
            display_name(&"x".repeat(500), 100).map(|n| n.len()),
            Some(100)
        );
    }
}

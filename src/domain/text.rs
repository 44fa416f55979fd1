//! Cleaning free text typed by a citizen before any rule or storage sees it.

/// Trims, unifies line endings and drops control characters (NUL among them, which
/// PostgreSQL refuses in text), keeping line breaks and tabs.
pub fn clean_text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::clean_text;

    #[test]
    fn control_characters_go_and_line_breaks_stay() {
        assert_eq!(clean_text("  a\u{0}b\r\nc\u{7}\td  "), "ab\nc\td");
    }

    #[test]
    fn blank_text_becomes_empty() {
        assert_eq!(clean_text(" \n\t "), "");
    }
}

//! Characters that draw nothing: found in ids and names before they cause confusion, and shown
//! as `\u{…}` escapes in diagnostics so a message never carries raw control characters to the
//! terminal or hides why two ids that look the same are different.

use std::borrow::Cow;

/// Joiners that some scripts need inside words (ZWNJ in Persian, ZWJ in Indic scripts): allowed
/// in names between two visible characters, never on their own or at the ends.
pub const JOINERS: [char; 2] = ['\u{200C}', '\u{200D}'];

/// Characters that draw nothing or change the direction of the text around them (joiners apart,
/// which names may need).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    ) && !JOINERS.contains(&c)
}

/// Whether `c` should be written as an escape rather than printed: control characters (a raw
/// escape sequence can rewrite the terminal) and everything invisible, joiners included.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n') || is_invisible(c) || JOINERS.contains(&c)
}

/// `text` on one line (runs of white space, new lines included, become one space), cut to at
/// most `max_chars` characters with "…" where it was cut: for a label or a table cell.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// `text` with each control or invisible character written as `\u{XXXX}`.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first character of `id` that cannot be seen on screen, if any: an invisible or control
/// character, white space other than a plain space, or a space at either end ("a" and "a "
/// would look like one id in every message).
pub fn hidden_char_in_id(id: &str) -> Option<char> {
    let odd = |c: char| {
        c.is_control() || is_invisible(c) || JOINERS.contains(&c) || (c.is_whitespace() && c != ' ')
    };
    id.chars()
        .find(|&c| odd(c))
        .or_else(|| (id.starts_with(' ') || id.ends_with(' ')).then_some(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_escaped() {
        assert_eq!(shown("plain text"), "plain text");
        assert_eq!(shown("a\u{1b}[2Jb"), "a\\u{001B}[2Jb");
        assert_eq!(shown("a\u{200b}"), "a\\u{200B}");
        assert_eq!(shown("ok\nnext"), "ok\nnext");
    }

    #[test]
    fn ids_with_hidden_characters_are_found() {
        assert_eq!(hidden_char_in_id("explain-status"), None);
        assert_eq!(hidden_char_in_id("a\u{200b}"), Some('\u{200b}'));
        assert_eq!(hidden_char_in_id("two words"), None);
        assert_eq!(hidden_char_in_id("trailing "), Some(' '));
        assert_eq!(hidden_char_in_id("tab\there"), Some('\t'));
        assert_eq!(hidden_char_in_id("bell\u{7}"), Some('\u{7}'));
    }
}

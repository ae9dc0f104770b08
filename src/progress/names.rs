//! Trainee names as people type them: stored in one Unicode form (NFC), so "José" typed with a
//! combining accent is the same name as "José" typed precomposed; refused when they hold
//! characters no one can see or that reorder the text around them; and compared by a key that
//! folds case and look-alike forms (fullwidth "Ａｌｉｃｅ" is "alice"), so two trainees never
//! show the same name in a list.

use unicode_normalization::UnicodeNormalization;

use crate::scenario::visible_text::{JOINERS, is_invisible};

/// The longest name a trainee can take, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// The name to store for what was typed, or why it cannot be a name.
pub fn clean_name(typed: &str) -> Result<String, String> {
    let name: String = typed
        .nfc()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    if let Some(c) = name.chars().find(|&c| is_invisible(c)) {
        return Err(format!(
            "a name cannot contain invisible or text-direction characters (U+{:04X} here); \
             type the name again without it",
            c as u32
        ));
    }
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let visible = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|n| !JOINERS.contains(n) && !n.is_whitespace())
        };
        if JOINERS.contains(c) && !(visible(i.checked_sub(1)) && visible(Some(i + 1))) {
            return Err(format!(
                "a name cannot contain a joiner (U+{:04X}) that joins nothing; type the name \
                 again without it",
                *c as u32
            ));
        }
    }
    if name
        .chars()
        .all(|c| c.is_whitespace() || JOINERS.contains(&c))
    {
        return Err("a name cannot be empty".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "a name can have at most {MAX_NAME_CHARS} characters"
        ));
    }
    Ok(name)
}

/// What two names are compared by: compatibility forms folded (fullwidth and styled letters are
/// the plain letters), joiners dropped, case folded. Accents stay: "José" and "Jose" are two
/// people.
pub fn name_key(name: &str) -> String {
    name.nfkc()
        .filter(|c| !JOINERS.contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_typed_two_ways_is_stored_one_way() {
        let precomposed = clean_name("Jos\u{e9}").unwrap();
        let decomposed = clean_name("Jose\u{301}").unwrap();
        assert_eq!(precomposed, decomposed);
        assert_eq!(precomposed, "Jos\u{e9}");
        assert_ne!(
            name_key("José"),
            name_key("Jose"),
            "accents make another name"
        );
    }

    #[test]
    fn look_alike_forms_share_a_key() {
        assert_eq!(
            name_key("\u{ff21}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}"),
            name_key("alice")
        );
        assert_eq!(name_key("ALICE"), name_key("Alice"));
    }

    #[test]
    fn invisible_and_direction_characters_are_refused_with_their_code() {
        let only_invisible = clean_name("\u{200B}").unwrap_err();
        assert!(only_invisible.contains("U+200B"), "{only_invisible}");
        let reversed = clean_name("Sam\u{202E}htims").unwrap_err();
        assert!(reversed.contains("U+202E"), "{reversed}");
        assert!(clean_name("\u{200D}").is_err());
        assert!(clean_name("   ").is_err());
        // A joiner inside a word is part of some names.
        assert!(clean_name("\u{645}\u{200C}\u{62d}").is_ok());
        assert!(clean_name(&"x".repeat(41)).is_err());
        assert_eq!(clean_name("  Zoë Nguyễn \n").unwrap(), "Zoë Nguyễn");
    }
}

//! Splits a reply into the clauses the semantic layer embeds one by one. A reply mixes an
//! apology, a fact and a promise; embedded whole, the facts drown the tone. Clauses end at
//! sentence punctuation, semicolons and dashes, and before a "but", "however", "although" or
//! "though", where the tone of a reply so often turns ("I understand, but that's policy"); and
//! at commas and colons between pieces of three words or more.

/// At most this many clauses a reply are embedded; the rest of a very long reply is not read by
/// the semantic layer (the rules still read all of it).
pub const MAX_CLAUSES: usize = 16;
/// Clauses with fewer words carry no tone worth embedding ("OK.", "Thanks!").
const MIN_WORDS: usize = 2;

/// One clause: its text and byte span in the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause<'a> {
    /// The clause, trimmed.
    pub text: &'a str,
    /// Byte span of `text` in the reply.
    pub span: (usize, usize),
}

const TURNS: [&str; 4] = ["but", "however", "although", "though"];

/// A piece cut off at a comma or colon needs this many words to stand alone; shorter pieces
/// ("so", "Marisol,") stay with their neighbour. Two words stand: "that's infuriating" after a
/// colon is the reply's whole acknowledgement.
const SOFT_MIN_WORDS: usize = 2;

/// The reply's clauses, in order. Sentences end at `. ! ? ;`, a new line or a dash, and before
/// a "but"; within a sentence, commas and colons cut too, so "Marisol, being down to your last
/// pen is frightening, and I've put a fill through" reads as its feeling and its fact apart.
pub fn split(reply: &str) -> Vec<Clause<'_>> {
    // (byte offset, whether the cut is soft: a comma or colon).
    let mut cuts: Vec<(usize, bool)> = vec![(0, false)];
    let mut word_start: Option<usize> = None;
    let bytes = reply.as_bytes();
    for (i, c) in reply.char_indices() {
        let next_is_alphanumeric = reply[i + c.len_utf8()..]
            .chars()
            .next()
            .is_some_and(|n| n.is_alphanumeric());
        let ends_clause = matches!(c, '.' | '!' | '?' | ';' | '\n' | '\u{2014}' | '\u{2013}')
            || (c == '-' && i > 0 && bytes[i - 1] == b' ');
        // A full stop inside a number or an abbreviation-like token ("12.50", "e.g.") is not an
        // end, nor is a comma inside a number ("48,160").
        let inside_word = matches!(c, '.' | ',' | ':') && next_is_alphanumeric;
        if ends_clause && !inside_word {
            cuts.push((i + c.len_utf8(), false));
        } else if matches!(c, ',' | ':') && !inside_word {
            cuts.push((i + c.len_utf8(), true));
        }
        if c.is_alphanumeric() || c == '\'' || c == '\u{2019}' {
            word_start.get_or_insert(i);
        } else if let Some(start) = word_start.take() {
            let word = &reply[start..i];
            if TURNS.iter().any(|t| word.eq_ignore_ascii_case(t)) {
                cuts.push((start, false));
            }
        }
    }
    cuts.push((reply.len(), false));
    cuts.sort_by_key(|&(at, soft)| (at, soft));
    cuts.dedup_by_key(|c| c.0);
    // Pieces between cuts; a soft cut joins pieces too short to stand alone.
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for pair in cuts.windows(2) {
        let ((start, soft_before), (end, _)) = (pair[0], pair[1]);
        let words = reply[start..end].split_whitespace().count();
        match pieces.last_mut() {
            Some(last)
                if soft_before
                    && (words < SOFT_MIN_WORDS
                        || reply[last.0..last.1].split_whitespace().count() < SOFT_MIN_WORDS) =>
            {
                last.1 = end;
            }
            _ => pieces.push((start, end)),
        }
    }
    let mut clauses = Vec::new();
    for (from, to) in pieces {
        let raw = &reply[from..to];
        let edge =
            |c: char| c.is_whitespace() || matches!(c, ',' | ':' | '-' | '\u{2014}' | '\u{2013}');
        let trimmed = raw.trim_matches(edge);
        if trimmed.split_whitespace().count() < MIN_WORDS {
            continue;
        }
        let start = from + (raw.len() - raw.trim_start_matches(edge).len());
        clauses.push(Clause {
            text: trimmed,
            span: (start, start + trimmed.len()),
        });
        if clauses.len() == MAX_CLAUSES {
            break;
        }
    }
    clauses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(reply: &str) -> Vec<&str> {
        split(reply).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn sentences_and_turns_become_clauses() {
        assert_eq!(
            texts("I understand, but that's just how it works. It costs $12.50 now!"),
            vec![
                "I understand",
                "but that's just how it works.",
                "It costs $12.50 now!"
            ]
        );
        assert_eq!(
            texts("Oh no - that's awful timing; I'll fix it"),
            vec!["Oh no", "that's awful timing;", "I'll fix it"]
        );
    }

    #[test]
    fn spans_point_at_the_clause_and_tiny_pieces_are_dropped() {
        let reply = "OK. Sorry about all this, truly.";
        for c in split(reply) {
            assert_eq!(&reply[c.span.0..c.span.1], c.text);
        }
        assert_eq!(texts(reply), vec!["Sorry about all this, truly."]);
        assert!(split("").is_empty());
        assert!(split("...!!!").is_empty());
    }

    #[test]
    fn a_huge_reply_is_cut_to_the_clause_limit() {
        let reply = "That must be hard. ".repeat(10_000);
        assert_eq!(split(&reply).len(), MAX_CLAUSES);
        let one_word = "é".repeat(100_000);
        assert!(split(&one_word).is_empty());
    }
}

//! Phrase matching on normalised tokens: exact or typo-tolerant sequences, with negation and
//! clause awareness, so "I'm not sorry" and "I can't help" do not earn what their words suggest.

use super::fast_hash::{FastMap, FastSet};

use super::text::{NEGATORS, Normalized, Normalizer, Token};

/// A phrase as a sequence of token keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub keys: Vec<String>,
    /// Whether the phrase itself is negative ("nothing i can do"); its own negator is not a
    /// reason to ignore it.
    pub self_negated: bool,
}

impl Phrase {
    pub fn new(normalizer: &Normalizer, text: &str) -> Phrase {
        let keys: Vec<String> = normalizer
            .normalize(text)
            .tokens
            .into_iter()
            .map(|t| t.key)
            .collect();
        let self_negated = keys.iter().any(|k| NEGATORS.contains(&k.as_str()));
        Phrase { keys, self_negated }
    }
}

/// Where a phrase was found, as token indexes, and whether a negation covers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub first: usize,
    pub last: usize,
    pub negated: bool,
}

impl Found {
    pub fn span(&self, tokens: &[Token]) -> (usize, usize) {
        (tokens[self.first].start, tokens[self.last].end)
    }
}

/// Words that end the reach of a negation or start a new clause.
/// Stemmed, like the tokens they are compared with.
const CLAUSE_BREAKS: [&str; 6] = ["but", "howev", "and", "so", "becaus", "although"];

/// How many tokens before a phrase a negator still applies to it.
const NEGATION_REACH: usize = 6;

/// How many tokens before a negated phrase a second negator still cancels it.
const DOUBLE_NEGATION_REACH: usize = 3;

/// Typo tolerance: tokens of at least this many characters may differ by one edit.
const FUZZY_MIN_LEN: usize = 4;

fn same(a: &str, b: &str, fuzzy: bool) -> bool {
    if a == b {
        return true;
    }
    // The edit test runs before the letters-only test: it rejects most pairs in a byte or two.
    fuzzy
        && a.len() >= FUZZY_MIN_LEN
        && b.len() >= FUZZY_MIN_LEN
        // One edit changes the length by at most one character (four bytes).
        && a.len().abs_diff(b.len()) <= 4
        && within_one_edit(a, b)
        && a.chars().all(char::is_alphabetic)
        && b.chars().all(char::is_alphabetic)
}

/// Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of two
/// neighbours. Linear and allocation-free for ASCII, which nearly every reply is.
fn within_one_edit(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return strsim::osa_distance(a, b) <= 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    match (a.len(), b.len()) {
        (x, y) if x == y => {
            a.len() <= 1 || a[1..] == b[1..] || (a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..])
        }
        (x, y) if x == y + 1 => a[1..] == *b,
        (x, y) if y == x + 1 => b[1..] == *a,
        _ => false,
    }
}

/// Whether a negator governs tokens `first..=last`: one shortly before it in the same clause,
/// or "not" right after (as in "I can not help").
pub fn is_negated(tokens: &[Token], first: usize, last: usize) -> bool {
    let after = tokens
        .get(last + 1)
        .is_some_and(|t| t.clause == tokens[last].clause && t.key == "not");
    negator_before(tokens, first, NEGATION_REACH, |key| NEGATORS.contains(&key)) || after
}

/// Whether a negated phrase ("you don't need the surgery", "it won't happen again") is itself
/// negated: a second negator shortly before it in the same clause ("I'm not saying you don't
/// need the surgery", "I can't promise it won't happen again") says the opposite of the phrase.
/// A bare "no" does not count: typed in a hurry it is an interjection ("no you don't need to").
/// The reach is shorter than a plain negation's, so a run-on "I'm not able to change it there's
/// nothing I can do" still counts as the policy wall it is.
fn is_double_negated(tokens: &[Token], first: usize) -> bool {
    negator_before(tokens, first, DOUBLE_NEGATION_REACH, |key| {
        key != "no" && NEGATORS.contains(&key)
    })
}

/// Whether a token that `is_negator` accepts stands at most `reach` tokens before token
/// `first`, in its clause.
fn negator_before(
    tokens: &[Token],
    first: usize,
    reach: usize,
    is_negator: impl Fn(&str) -> bool,
) -> bool {
    let clause = tokens[first].clause;
    (first.saturating_sub(reach)..first)
        .rev()
        .map(|i| &tokens[i])
        .take_while(|t| t.clause == clause && !CLAUSE_BREAKS.contains(&t.key.as_str()))
        .any(|t| is_negator(&t.key))
}

/// The phrase at token `i`, if it starts there.
pub fn match_at(tokens: &[Token], phrase: &Phrase, i: usize, fuzzy: bool) -> Option<Found> {
    let n = phrase.keys.len();
    let window = tokens.get(i..i.checked_add(n)?)?;
    if n == 0
        || !phrase
            .keys
            .iter()
            .zip(window)
            .all(|(k, t)| same(&t.key, k, fuzzy))
    {
        return None;
    }
    Some(Found {
        first: i,
        last: i + n - 1,
        // Quoted words are mentioned, not said: they count as negated.
        negated: tokens[i].quoted
            || if phrase.self_negated {
                is_double_negated(tokens, i)
            } else {
                is_negated(tokens, i, i + n - 1)
            },
    })
}

/// Every place `phrase` occurs in `tokens`, in order.
pub fn find_all(tokens: &[Token], phrase: &Phrase, fuzzy: bool) -> Vec<Found> {
    (0..tokens.len())
        .filter_map(|i| match_at(tokens, phrase, i, fuzzy))
        .collect()
}

/// Many phrase lists (one per rule) indexed by their first key, so a reply is matched in one
/// pass over its tokens instead of one pass per phrase. Exact matching only.
#[derive(Debug, Default)]
pub struct PhraseIndex {
    by_first_key: FastMap<String, Vec<(usize, usize)>>,
}

impl PhraseIndex {
    pub fn new(lists: &[Vec<Phrase>]) -> PhraseIndex {
        let mut by_first_key: FastMap<String, Vec<(usize, usize)>> = FastMap::default();
        for (list, phrases) in lists.iter().enumerate() {
            for (p, phrase) in phrases.iter().enumerate() {
                if let Some(first) = phrase.keys.first() {
                    by_first_key
                        .entry(first.clone())
                        .or_default()
                        .push((list, p));
                }
            }
        }
        PhraseIndex { by_first_key }
    }

    /// Every match in `tokens` of the lists `wanted` accepts, grouped per list, each group in
    /// token order (ties in phrase order).
    pub fn find_all(
        &self,
        lists: &[Vec<Phrase>],
        tokens: &[Token],
        wanted: impl Fn(usize) -> bool,
    ) -> Vec<Vec<Found>> {
        let mut found: Vec<Vec<Found>> = vec![Vec::new(); lists.len()];
        for (i, token) in tokens.iter().enumerate() {
            let Some(candidates) = self.by_first_key.get(token.key.as_str()) else {
                continue;
            };
            for &(list, p) in candidates {
                if wanted(list)
                    && let Some(f) = match_at(tokens, &lists[list][p], i, false)
                {
                    found[list].push(f);
                }
            }
        }
        found
    }
}

/// The first occurrence of any of `phrases`, preferring one that is not negated; between
/// equals, the earlier phrase.
pub fn find_any<'p>(
    tokens: &[Token],
    phrases: impl IntoIterator<Item = &'p Phrase>,
    fuzzy: bool,
) -> Option<Found> {
    let mut best: Option<Found> = None;
    for phrase in phrases {
        for i in 0..tokens.len() {
            if let Some(f) = match_at(tokens, phrase, i, fuzzy)
                && best.is_none_or(|b| (f.negated, f.first) < (b.negated, b.first))
            {
                best = Some(f);
            }
        }
    }
    best
}

/// Share of the reply's distinct words that are among `theirs` (0.0–1.0).
pub fn overlap(reply: &Normalized, theirs: &FastSet<String>) -> f32 {
    let mine: FastSet<&str> = reply.tokens.iter().map(|t| t.key.as_str()).collect();
    if mine.is_empty() {
        return 0.0;
    }
    mine.iter().filter(|k| theirs.contains(**k)).count() as f32 / mine.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(reply: &str, phrase: &str, fuzzy: bool) -> Option<Found> {
        let n = Normalizer::default();
        find_any(
            &n.normalize(reply).tokens,
            [&Phrase::new(&n, phrase)],
            fuzzy,
        )
    }

    #[test]
    fn negation_before_or_after_is_detected() {
        assert!(
            check("I'm not sorry about that", "sorry", false)
                .unwrap()
                .negated
        );
        assert!(check("I can't help you", "i can help", false).is_none());
        assert!(check("I can't help you", "i can", false).unwrap().negated);
        assert!(
            check("This is not your fault", "your fault", false)
                .unwrap()
                .negated
        );
        assert!(
            !check("I'm sorry, this is on us", "i am sorry", false)
                .unwrap()
                .negated
        );
        // A clause break stops the negation: "not sure, but I'm sorry".
        assert!(
            !check("I'm not sure but I'm sorry", "sorry", false)
                .unwrap()
                .negated
        );
        // A phrase that is itself negative is not cancelled by its own "not".
        assert!(
            !check("there's nothing I can do", "nothing i can do", false)
                .unwrap()
                .negated
        );
    }

    #[test]
    fn a_second_negation_close_before_a_negated_phrase_cancels_it() {
        let negated = |reply: &str, phrase: &str| check(reply, phrase, false).unwrap().negated;
        // The case: a correct explanation tripped a forbidden claim.
        assert!(negated(
            "The letter is not saying you don't need the surgery",
            "you don't need the surgery"
        ));
        assert!(negated(
            "I can't promise it won't happen again",
            "it won't happen again"
        ));
        assert!(!negated(
            "You don't need the surgery",
            "you don't need the surgery"
        ));
        // "No" typed as an interjection, and a negation too far back in a run-on, do not.
        assert!(!negated(
            "no you don't need the surgery",
            "you don't need the surgery"
        ));
        assert!(!negated(
            "I'm not able to change it there's nothing I can do",
            "nothing i can do"
        ));
        // A clause break ends the second negation's reach too.
        assert!(!negated(
            "I can't say, but it won't happen again",
            "it won't happen again"
        ));
    }

    #[test]
    fn fuzzy_matching_tolerates_one_typo_in_longer_words() {
        assert!(check("it comes thurday 13 june", "thursday", true).is_some());
        assert!(check("it comes thurday", "thursday", false).is_none());
        assert!(
            check("it is 4 pm", "5 pm", true).is_none(),
            "numbers are never fuzzy"
        );
    }

    #[test]
    fn normalised_forms_match_across_spellings() {
        assert!(
            check(
                "You'll see it in five to seven working days",
                "5-7 working days",
                false
            )
            .is_some()
        );
        assert!(check("refund of $42.90", "42.9", false).is_some());
        assert!(check("arrives June 13th", "13 june", false).is_some());
    }
}

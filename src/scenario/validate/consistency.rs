//! Checks that what the case file says agrees with what the trainee is shown: the handle a
//! social post appears under, and posts or lines the case file quotes.

use super::super::diagnostic::{Reporter, Severity};
use super::super::model::{Channel, Condition, Happened, Scenario, Turn};
use super::super::span_index::Step;

use Step::{Field as F, Index as I};

/// A quotation shorter than this ("yes", "Payroll") is a word, not a line being quoted.
const MIN_QUOTE_CHARS: usize = 25;

/// The `@handles` in `text`: an `@` followed by letters, digits or `_`.
fn handles(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        // "jess@example.com" is an address, not a handle.
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let rest = &text[at + 1..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            found.push(&rest[..end]);
        }
    }
    found
}

/// Warns (`case-file-handle`) when a social scenario's case file names the customer under a
/// handle the post on screen does not show. The post shows the persona's handle; other handles
/// are fine when the customer's own lines or the subject use them too (the brand's account).
pub(super) fn check_social_handles(r: &mut Reporter<'_>, s: &Scenario) {
    if s.channel != Channel::Social {
        return;
    }
    let shown = s.persona.social_handle();
    let said: Vec<&str> = s
        .nodes
        .iter()
        .flat_map(|n| n.customer.all())
        .chain(s.subject.as_ref())
        .flat_map(|line| handles(line))
        .collect();
    for (i, fact) in s.case_file.facts.iter().enumerate() {
        for handle in handles(&fact.value) {
            if handle.eq_ignore_ascii_case(&shown)
                || said.iter().any(|h| h.eq_ignore_ascii_case(handle))
            {
                continue;
            }
            r.report(
                Severity::Warning,
                &[F("case_file"), F("facts"), I(i), F("value")],
                "case-file-handle",
                format!(
                    "the case file names @{handle}, but {}'s post on screen shows @{shown} (made from the persona's name)",
                    s.persona.name
                ),
                Some(format!(
                    "write @{shown} in the case file, or change the persona's name to match the handle"
                )),
            );
        }
    }
}

/// The texts in double quotes (straight or curly) in `text`.
fn quotations(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['"', '\u{201c}']) {
        let after = &rest[open + rest[open..].chars().next().map_or(1, char::len_utf8)..];
        let Some(close) = after.find(['"', '\u{201d}']) else {
            break;
        };
        found.push(&after[..close]);
        let close_len = after[close..].chars().next().map_or(1, char::len_utf8);
        rest = &after[close + close_len..];
    }
    found
}

/// Lower case, letters and digits only, so punctuation and spacing do not hide a quote.
fn normalised(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Warns (`case-file-quote`) when the case file quotes one of a node's customer lines but the
/// customer may say another of that node's lines instead (lines are picked by mood and seed),
/// so the trainee can read a quote that does not match what is on screen.
pub(super) fn check_case_file_quotes(r: &mut Reporter<'_>, s: &Scenario) {
    for (i, fact) in s.case_file.facts.iter().enumerate() {
        for quote in quotations(&fact.value) {
            let quoted = normalised(quote);
            if quoted.chars().count() < MIN_QUOTE_CHARS {
                continue;
            }
            for node in &s.nodes {
                let lines: Vec<String> = node.customer.all().map(|l| normalised(l)).collect();
                let quoting = lines.iter().filter(|l| l.contains(&quoted)).count();
                if quoting == 0 || quoting == lines.len() {
                    continue;
                }
                r.report(
                    Severity::Warning,
                    &[F("case_file"), F("facts"), I(i), F("value")],
                    "case-file-quote",
                    format!(
                        "the case file quotes one of node \"{}\"'s lines, but the customer may say another of its {} lines instead",
                        node.id,
                        lines.len()
                    ),
                    Some("describe the post or line in the case file rather than quoting it, or make every variant contain the quoted words".into()),
                );
            }
        }
    }
}

/// Words with which an ending says the agent did not do something: "with no help arranged",
/// "nobody told him", "unsure what was allowed".
const NOT_DONE: [&str; 10] = [
    "no",
    "not",
    "nobody",
    "never",
    "without",
    "nothing",
    "unsure",
    "unconvinced",
    "didn't",
    "wasn't",
];

/// The first word of `text` that says something was not done, if any.
fn says_not_done(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .find(|word| {
            let word = word.to_lowercase().replace('\u{2019}', "'");
            NOT_DONE.contains(&word.as_str())
        })
}

/// Warns (`ending-text-by-score`) when an ending is where a typed node's weaker replies go (its
/// `Otherwise` or `ScoreBelow` route) but not its good ones, the node asks for facts, and the
/// ending's text, which says something was not done, has no variant keyed on any of them. A
/// reply can state every fact and still score under the mark, and then an ending that says what
/// the agent never told the customer contradicts the conversation the trainee just had.
pub(super) fn check_ending_texts_by_score(r: &mut Reporter<'_>, s: &Scenario) {
    for (n, node) in s.nodes.iter().enumerate() {
        let Turn::FreeText(free) = &node.turn else {
            continue;
        };
        let facts: Vec<&str> = free.rubric.facts.iter().map(|f| f.id.as_str()).collect();
        if facts.is_empty() {
            continue;
        }
        let good: Vec<&str> = free
            .routes
            .iter()
            .filter(|route| matches!(route.when, Condition::ScoreAtLeast(_)))
            .map(|route| route.next.as_str())
            .collect();
        for (i, route) in free.routes.iter().enumerate() {
            if !matches!(route.when, Condition::Otherwise | Condition::ScoreBelow(_))
                || good.contains(&route.next.as_str())
            {
                continue;
            }
            let Some(ending) = s.ending(&route.next) else {
                continue;
            };
            let keyed = ending.variants.iter().flat_map(|v| &v.when).any(|h| {
                matches!(h, Happened::Stated(f) | Happened::NotStated(f) if facts.contains(&f.as_str()))
            });
            let Some(denial) = says_not_done(&ending.text).filter(|_| !keyed) else {
                continue;
            };
            r.report(
                Severity::Warning,
                &[F("nodes"), I(n), F("turn"), F("routes"), I(i), F("next")],
                "ending-text-by-score",
                format!(
                    "ending \"{}\" says something was not done (\"{denial}\"), but it is where node \"{}\"'s weaker replies go, including ones that state its facts ({}) and score under the mark",
                    ending.id,
                    node.id,
                    facts.join(", ")
                ),
                Some(format!(
                    "give ending \"{}\" variants keyed on what was said, e.g. EndingText(when: [Stated(\"{}\")], text: \"...\")",
                    ending.id, facts[0]
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_quotations_are_found() {
        assert_eq!(
            handles("@jess_c, 09:47, to @NorthlinkHelp: hi @, jess@example.com"),
            ["jess_c", "NorthlinkHelp"]
        );
        assert_eq!(
            quotations("said \"one two\" and \u{201c}three\u{201d}, \"open"),
            ["one two", "three"]
        );
    }

    #[test]
    fn endings_that_say_something_was_not_done_are_found() {
        assert_eq!(
            says_not_done("but with no help arranged she rings"),
            Some("no")
        );
        assert_eq!(
            says_not_done("Unsure what was allowed, Ruth"),
            Some("Unsure")
        );
        assert_eq!(says_not_done("Nobody\u{2019}s fault, he says."), None);
        assert_eq!(
            says_not_done("He didn\u{2019}t hear back."),
            Some("didn\u{2019}t")
        );
        assert_eq!(says_not_done("Sam asks for a manager."), None);
    }
}

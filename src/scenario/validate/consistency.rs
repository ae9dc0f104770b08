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

/// The most words a choice's first sentence has when it is a rejoinder to what the customer
/// just said ("You're not bothering me at all, Mrs Hollis.").
const MAX_REJOINDER_WORDS: usize = 10;

/// Common words that say nothing about what one line mentions and another does not.
const PLAIN_WORDS: [&str; 56] = [
    "about", "after", "again", "also", "been", "before", "being", "best", "better", "call",
    "could", "does", "done", "from", "good", "great", "have", "here", "just", "know", "like",
    "look", "make", "more", "much", "need", "only", "okay", "really", "right", "said", "should",
    "some", "sorry", "still", "sure", "take", "than", "thank", "thanks", "that", "their", "them",
    "then", "there", "they", "this", "very", "want", "well", "what", "when", "where", "which",
    "with", "would",
];

/// The stems of the content words of `text`: letters only, four or more, lower case, plain
/// words and contractions ("didn't") left out.
fn content_stems(text: &str) -> Vec<String> {
    static STEMMER: std::sync::LazyLock<rust_stemmers::Stemmer> = std::sync::LazyLock::new(|| {
        rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
    });
    text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '\u{2019}'))
        .filter(|w| w.chars().count() >= 4 && !w.contains(['\'', '\u{2019}']))
        .map(str::to_lowercase)
        .filter(|w| !PLAIN_WORDS.contains(&w.as_str()))
        .map(|w| STEMMER.stem(&w).into_owned())
        .collect()
}

/// Every string in `value`, with the node it belongs to when it is inside `nodes[i]`.
fn strings_by_node<'v>(
    value: &'v serde_json::Value,
    node: Option<usize>,
    out: &mut Vec<(Option<usize>, &'v str)>,
) {
    match value {
        serde_json::Value::String(s) => out.push((node, s)),
        serde_json::Value::Array(items) => {
            items.iter().for_each(|v| strings_by_node(v, node, out));
        }
        serde_json::Value::Object(fields) => {
            for (key, v) in fields {
                match (key.as_str(), v, node) {
                    ("nodes", serde_json::Value::Array(nodes), None) => {
                        for (i, n) in nodes.iter().enumerate() {
                            strings_by_node(n, Some(i), out);
                        }
                    }
                    _ => strings_by_node(v, node, out),
                }
            }
        }
        _ => {}
    }
}

/// Warns (`choice-answers-one-line`) when a choice answers something only one of its node's
/// customer lines says: a word in the choice that one line uses, the others do not, and nothing
/// else in the scenario mentions ("You're not bothering me at all", when only the calm line says
/// "sorry to bother you"). Lines are picked by mood and seed, so the trainee may be offered an
/// answer to something the customer never said. Only a short first sentence is read, where a
/// reply answers a remark, and only words of five letters or more; a word two lines
/// share is taken as what the node is about, said in other words by the rest ("stuck" and
/// "locked in"), so it is let be.
pub(super) fn check_choices_fit_every_line(r: &mut Reporter<'_>, s: &Scenario) {
    let Ok(tree) = serde_json::to_value(s) else {
        return;
    };
    let mut strings = Vec::new();
    strings_by_node(&tree, None, &mut strings);
    // Where each stem is used: the one node using it, or `None` once it is used outside one.
    let mut used_in: std::collections::HashMap<String, Option<usize>> =
        std::collections::HashMap::new();
    for (node, text) in strings {
        for stem in content_stems(text) {
            used_in
                .entry(stem)
                .and_modify(|at| {
                    if *at != node {
                        *at = None;
                    }
                })
                .or_insert(node);
        }
    }
    for (n, node) in s.nodes.iter().enumerate() {
        let Turn::Choices(choices) = &node.turn else {
            continue;
        };
        let lines: Vec<(&str, usize, Vec<String>)> = [
            ("calm", &node.customer.calm),
            ("annoyed", &node.customer.annoyed),
            ("irate", &node.customer.irate),
        ]
        .into_iter()
        .flat_map(|(band, lines)| {
            lines
                .iter()
                .enumerate()
                .map(move |(k, line)| (band, k, content_stems(line)))
        })
        .collect();
        if lines.len() < 2 {
            continue;
        }
        for (c, choice) in choices.iter().enumerate() {
            // A reply answers what it was asked in its first sentence ("You're not bothering me
            // at all."); words further on are the reply's own content.
            let opening = choice
                .text
                .split_inclusive(['.', '!', '?'])
                .next()
                .unwrap_or_default();
            // Only a short rejoinder answers a remark; a long first sentence is the reply's own
            // account of things, which may well echo one line's words.
            if opening.split_whitespace().count() > MAX_REJOINDER_WORDS {
                continue;
            }
            let mut stems: Vec<String> = opening
                .split(|ch: char| !ch.is_alphabetic())
                .filter(|w| w.chars().count() >= 5)
                .flat_map(content_stems)
                .collect();
            stems.dedup();
            let Some((stem, (band, k))) = stems.iter().find_map(|stem| {
                if used_in.get(stem) != Some(&Some(n)) {
                    return None;
                }
                let saying: Vec<(&str, usize)> = lines
                    .iter()
                    .filter(|(_, _, words)| words.contains(stem))
                    .map(|(band, k, _)| (*band, *k))
                    .collect();
                (saying.len() == 1).then(|| (stem, saying[0]))
            }) else {
                continue;
            };
            let word = choice
                .text
                .split(|ch: char| !ch.is_alphabetic())
                .find(|w| content_stems(w).first() == Some(stem))
                .unwrap_or(stem);
            r.report(
                Severity::Warning,
                &[F("nodes"), I(n), F("turn"), I(c), F("text")],
                "choice-answers-one-line",
                format!(
                    "choice {} answers \"{word}\", which only one of node \"{}\"'s lines says ({band} line {}); the customer may say another line instead",
                    c + 1,
                    node.id,
                    k + 1
                ),
                Some("put what the choice answers in every line of the node, or word the choice so it fits each".into()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario_with_lines(
        lines: &str,
        choice: &str,
    ) -> Vec<crate::scenario::diagnostic::Diagnostic> {
        let source = format!(
            r#"Scenario(id: "s", title: "S", version: 1, summary: "s", industry: Retail, channel: Phone,
    tier: 1, minutes: 3, objectives: ["Help"], pass_mark: 60, three_star_mark: 85,
    persona: Persona(name: "Ann Hollis", backstory: "A customer.", mood: Mood(anger: 40, confusion: 40, trust: 40), patience_secs: 60),
    case_file: CaseFile(facts: [Fact(label: "Order", value: "A kettle")], policies: []),
    start: "a",
    nodes: [
        Node(id: "a", customer: CustomerLine({lines}), turn: Choices([
            Choice(text: "{choice}", scores: Scores(empathy: 70, accuracy: 70, deescalation: 70), next: "done"),
            Choice(text: "Let me check the order.", scores: Scores(empathy: 50, accuracy: 50, deescalation: 50), next: "done"),
        ])),
    ],
    endings: [Ending(id: "done", kind: Resolved, text: "Done.")],
)"#
        );
        let s: Scenario = crate::scenario::load::parse_ron(
            crate::scenario::load::RonKind::Scenario,
            "s.ron",
            source.as_bytes(),
        )
        .expect("parses");
        let mut r = Reporter::new("s.ron", &source);
        check_choices_fit_every_line(&mut r, &s);
        r.out
    }

    #[test]
    fn a_rejoinder_to_what_only_one_line_says_is_found() {
        let two_lines = r#"calm: ["Sorry to bother you, I'm sure it's silly."], annoyed: ["My kettle still isn't here."]"#;
        let found = scenario_with_lines(two_lines, "You're not bothering me at all, Mrs Hollis.");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, "choice-answers-one-line");
        assert!(
            found[0].message.contains("\"bothering\""),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("calm line 1"),
            "{}",
            found[0].message
        );
        // Every line says it: fine. One line only: fine.
        let both = r#"calm: ["Sorry to bother you."], annoyed: ["Sorry to bother you again, where is it?"]"#;
        assert!(scenario_with_lines(both, "You're not bothering me at all.").is_empty());
        let one = r#"calm: ["Sorry to bother you."]"#;
        assert!(scenario_with_lines(one, "You're not bothering me at all.").is_empty());
        // A long first sentence is the reply's own account, not a rejoinder.
        assert!(
            scenario_with_lines(
                two_lines,
                "You're not bothering me at all, and I can see the kettle left our depot on Monday morning."
            )
            .is_empty()
        );
    }

    #[test]
    fn content_words_are_stemmed_and_plain_words_left_out() {
        assert_eq!(
            content_stems("Sorry to bother you, but that's really bothering me"),
            ["bother", "bother"]
        );
        assert_eq!(
            content_stems("I didn\u{2019}t get it"),
            Vec::<String>::new()
        );
        assert!(content_stems("I am on it").is_empty());
    }

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

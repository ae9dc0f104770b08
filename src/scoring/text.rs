//! Text normalisation for scoring: typographic folding, case folding, contractions, number
//! words, amounts, dates and stemming, into tokens that remember their byte span in the reply.
//! Patterns and replies go through the same pipeline, so "five to seven working days" meets
//! "5-7 business days" and "I can't" meets "I cannot".

use std::sync::Mutex;

use rust_stemmers::{Algorithm, Stemmer};

use super::fast_hash::FastMap;

/// One normalised token and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The comparison form: stemmed word, canonical number (`42.9`), time (`9:40`) or date
    /// (`date:06-13`).
    pub key: String,
    /// Byte span in the original text (contraction parts share their word's span).
    pub start: usize,
    pub end: usize,
    /// Index of the sentence the token is in.
    pub sentence: usize,
    /// Index of the clause (split at commas, dashes, colons and sentence ends).
    pub clause: usize,
    /// Whether the token sits inside quotation marks: quoted words are mentioned, not said.
    pub quoted: bool,
}

/// A normalised text plus the surface facts some rules need.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    pub tokens: Vec<Token>,
    /// Words in the original text (before contraction expansion).
    pub words: usize,
    /// Words of 3+ letters written entirely in capitals.
    pub shouted_words: usize,
    /// Letters written in capitals, and all letters.
    pub upper_letters: usize,
    pub letters: usize,
    /// Runs of three or more `!` ("!!" is over-keen, not shouting).
    pub exclamation_runs: usize,
    /// The distinct acronyms (FPS, CoP, SLA), lowercased and sorted.
    pub acronyms: Vec<String>,
}

/// Words that negate what follows them (after contraction expansion).
/// Compared with stemmed keys, so "nothing" appears as its stem "noth".
pub const NEGATORS: [&str; 9] = [
    "not", "no", "never", "noth", "none", "without", "nor", "neither", "wish",
];

const MONTHS: [(&str, u8); 21] = [
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("december", 12),
];

const NUMBER_WORDS: [(&str, u32); 28] = [
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// Contractions and their apostrophe-less chat spellings, expanded to full words.
const CONTRACTIONS: [(&str, &[&str]); 44] = [
    ("can't", &["can", "not"]),
    ("cant", &["can", "not"]),
    ("cannot", &["can", "not"]),
    ("won't", &["will", "not"]),
    ("wont", &["will", "not"]),
    ("shan't", &["shall", "not"]),
    ("don't", &["do", "not"]),
    ("dont", &["do", "not"]),
    ("doesn't", &["does", "not"]),
    ("doesnt", &["does", "not"]),
    ("didn't", &["did", "not"]),
    ("didnt", &["did", "not"]),
    ("isn't", &["is", "not"]),
    ("isnt", &["is", "not"]),
    ("aren't", &["are", "not"]),
    ("wasn't", &["was", "not"]),
    ("weren't", &["were", "not"]),
    ("haven't", &["have", "not"]),
    ("hasn't", &["has", "not"]),
    ("couldn't", &["could", "not"]),
    ("couldnt", &["could", "not"]),
    ("wouldn't", &["would", "not"]),
    ("shouldn't", &["should", "not"]),
    ("i'm", &["i", "am"]),
    ("im", &["i", "am"]),
    ("ive", &["i", "have"]),
    ("youre", &["you", "are"]),
    ("thats", &["that", "is"]),
    ("it's", &["it", "is"]),
    ("that's", &["that", "is"]),
    ("there's", &["there", "is"]),
    ("what's", &["what", "is"]),
    ("here's", &["here", "is"]),
    ("he's", &["he", "is"]),
    ("she's", &["she", "is"]),
    ("let's", &["let", "us"]),
    ("ill", &["i", "will"]),
    ("id", &["i", "would"]),
    ("youll", &["you", "will"]),
    ("theyre", &["they", "are"]),
    ("weve", &["we", "have"]),
    ("were'", &["we", "are"]),
    ("y'all", &["you", "all"]),
    ("gonna", &["going", "to"]),
];

const SUFFIXES: [(&str, &str); 5] = [
    ("n't", "not"),
    ("'re", "are"),
    ("'ve", "have"),
    ("'ll", "will"),
    ("'d", "would"),
];

/// Past this many remembered stems the memo starts again, so a 1 MB reply of random words
/// cannot grow it without limit.
const STEM_MEMO_LIMIT: usize = 32_768;

/// Normalises texts with an English stemmer. Cheap to share; create once.
pub struct Normalizer {
    stemmer: Stemmer,
    /// Word → stem. Replies reuse a small vocabulary, and the Snowball stemmer was a quarter
    /// of a score's cost; stemming is pure, so the memo never changes a result.
    stems: Mutex<FastMap<Box<str>, Box<str>>>,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer {
            stemmer: Stemmer::create(Algorithm::English),
            stems: Mutex::default(),
        }
    }
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Normalizer")
    }
}

/// Folds typographic variants onto ASCII so keyboards that insert smart quotes or dashes
/// score the same as plain ones.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{2032}' | '`' | '\u{00b4}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{00a0}' | '\u{2009}' | '\u{202f}' => ' ',
        '\u{ff01}' => '!',
        _ => c,
    }
}

/// A raw word: lowercased characters and its byte span.
struct RawWord {
    text: String,
    start: usize,
    end: usize,
    sentence: usize,
    clause: usize,
    quoted: bool,
    upper: usize,
    letters: usize,
}

fn split_words(text: &str, out: &mut Normalized) -> Vec<RawWord> {
    let chars: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let mut words = Vec::new();
    let mut sentence = 0;
    let mut clause = 0;
    let mut quoted = false;
    let mut i = 0;
    let mut bangs = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '!' {
            bangs += 1;
        } else {
            if bangs >= 3 {
                out.exclamation_runs += 1;
            }
            bangs = 0;
        }
        if c.is_alphanumeric() {
            let start = at;
            let mut word = String::new();
            let (mut upper, mut letters) = (0, 0);
            let mut j = i;
            while j < chars.len() {
                let (_, c) = chars[j];
                let next = chars.get(j + 1).map(|&(_, n)| n);
                let prev_digit = word.chars().last().is_some_and(|p| p.is_ascii_digit());
                let joins = match c {
                    c if c.is_alphanumeric() => true,
                    '\'' => next.is_some_and(char::is_alphabetic) && !word.is_empty(),
                    '.' | ',' | ':' => prev_digit && next.is_some_and(|n| n.is_ascii_digit()),
                    _ => false,
                };
                if !joins {
                    break;
                }
                if c.is_alphabetic() {
                    letters += 1;
                    if c.is_uppercase() {
                        upper += 1;
                    }
                }
                word.extend(c.to_lowercase());
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
            words.push(RawWord {
                text: word,
                start,
                end,
                sentence,
                clause,
                quoted,
                upper,
                letters,
            });
            i = j;
            continue;
        }
        if matches!(c, '.' | '?' | '!' | ';' | '\n') {
            sentence += 1;
        }
        if matches!(
            c,
            '.' | '?' | '!' | ';' | '\n' | ',' | ':' | '-' | '(' | ')'
        ) {
            clause += 1;
        }
        // A quote mark opens a quotation unless it is an apostrophe (inside or after a word).
        let after_word = i > 0 && chars[i - 1].1.is_alphanumeric();
        if c == '"' || (c == '\'' && (!after_word || quoted)) {
            quoted = !quoted;
            clause += 1;
        }
        // A hyphen between two numbers is a range: "5-7" reads "5 to 7".
        if c == '-'
            && words.last().is_some_and(|w: &RawWord| {
                w.end == at && w.text.starts_with(|d: char| d.is_ascii_digit())
            })
            && chars.get(i + 1).is_some_and(|&(_, n)| n.is_ascii_digit())
        {
            words.push(RawWord {
                text: "to".into(),
                start: at,
                end: at + 1,
                sentence,
                clause,
                quoted,
                upper: 0,
                letters: 0,
            });
        }
        i += 1;
    }
    if bangs >= 3 {
        out.exclamation_runs += 1;
    }
    words
}

fn canonical_number(word: &str) -> Option<String> {
    // Most words are not numbers: say so before allocating anything.
    if !word.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let digits = word.replace(',', "");
    if let Some((h, m)) = digits.split_once(':') {
        let h: u32 = h.parse().ok()?;
        let m: u32 = m.parse().ok()?;
        return Some(format!("{h}:{m:02}"));
    }
    let value: f64 = digits.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some(if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let mut s = format!("{value:.2}");
        while s.ends_with('0') {
            s.pop();
        }
        s
    })
}

/// Strips an ordinal suffix from a day number: "13th" → "13".
fn ordinal(word: &str) -> Option<&str> {
    ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
}

fn month(word: &str) -> Option<u8> {
    MONTHS.iter().find(|(m, _)| *m == word).map(|&(_, n)| n)
}

/// Stems `word` through the memo: a remembered stem is copied, a new one is remembered.
fn memo_stem(stemmer: &Stemmer, stems: &mut FastMap<Box<str>, Box<str>>, word: &str) -> String {
    if let Some(stem) = stems.get(word) {
        return String::from(&**stem);
    }
    let stem = stemmer.stem(word).into_owned();
    if stems.len() >= STEM_MEMO_LIMIT {
        stems.clear();
    }
    stems.insert(word.into(), stem.as_str().into());
    stem
}

impl Normalizer {
    pub fn normalize(&self, text: &str) -> Normalized {
        let mut out = Normalized::default();
        let raw = split_words(text, &mut out);
        out.words = raw
            .iter()
            .filter(|w| w.letters > 0 || w.text.chars().any(|c| c.is_ascii_digit()))
            .count();
        // A word in capitals is shouted when it has four letters or more ("NEVER"), or three
        // beside another word in capitals ("I TOLD YOU"): a lone three-letter one is an acronym
        // far more often (ETA, SLA, PIN), and a support reply is full of them.
        let capitals = |w: &RawWord| w.letters >= 2 && w.upper == w.letters;
        for (i, w) in raw.iter().enumerate() {
            out.letters += w.letters;
            out.upper_letters += w.upper;
            let beside_capitals =
                (i > 0 && capitals(&raw[i - 1])) || raw.get(i + 1).is_some_and(&capitals);
            if capitals(w) && (w.letters >= 4 || (w.letters == 3 && beside_capitals)) {
                out.shouted_words += 1;
            }
            // All capitals up to six letters (AML, EDD), or a short word with two or more
            // capitals inside it (CoP, SoF).
            // A possessive counts as its acronym ("SOC's"; curly apostrophes are folded already).
            let (text, letters) = match w.text.strip_suffix("'s") {
                Some(base) if w.upper > 0 => (base, w.letters - 1),
                _ => (w.text.as_str(), w.letters),
            };
            let acronym = (w.upper == letters && (2..=6).contains(&letters))
                || (w.upper >= 2 && w.upper < letters && letters <= 4);
            if acronym && letters == text.chars().count() {
                out.acronyms.push(text.to_string());
            }
        }
        out.acronyms.sort_unstable();
        out.acronyms.dedup();
        // Expand contractions, map number words, then stem.
        // Borrowed pieces of the raw words (or static expansions): no allocation per word.
        let mut words: Vec<(&str, &RawWord)> = Vec::with_capacity(raw.len() + 8);
        for w in &raw {
            let text = w.text.as_str();
            if let Some((_, parts)) = CONTRACTIONS.iter().find(|(c, _)| *c == text) {
                words.extend(parts.iter().map(|p| (*p, w)));
            } else if let Some((stem, full)) = SUFFIXES
                .iter()
                .find_map(|(s, f)| text.strip_suffix(s).map(|stem| (stem, *f)))
            {
                words.push((stem, w));
                words.push((full, w));
            } else if let Some(stem) = text.strip_suffix("'s") {
                words.push((stem, w));
            } else {
                words.push((text, w));
            }
        }
        let mut tokens: Vec<Token> = Vec::with_capacity(words.len());
        // One lock per reply, not per word. A poisoned memo only means another thread
        // panicked mid-insert; its entries are still whole stems.
        let mut stems = self.stems.lock().unwrap_or_else(|e| e.into_inner());
        let mut k = 0;
        while k < words.len() {
            let (word, raw_word) = &words[k];
            let end = &raw_word.end;
            let token = |key: String, end: usize| Token {
                key,
                start: raw_word.start,
                end,
                sentence: raw_word.sentence,
                clause: raw_word.clause,
                quoted: raw_word.quoted,
            };
            // "twenty four" → 24
            if let Some(&(_, tens)) = NUMBER_WORDS.iter().find(|(w, _)| w == word) {
                let units = words
                    .get(k + 1)
                    .filter(|_| tens >= 20 && tens % 10 == 0)
                    .and_then(|(next, _)| NUMBER_WORDS.iter().find(|(w, n)| w == next && *n < 10));
                if let Some(&(_, u)) = units {
                    tokens.push(token((tens + u).to_string(), words[k + 1].1.end));
                    k += 2;
                } else {
                    tokens.push(token(tens.to_string(), *end));
                    k += 1;
                }
                continue;
            }
            let day = ordinal(word)
                .map(str::to_string)
                .or_else(|| canonical_number(word));
            if let Some(m) = month(word) {
                // Months are matched by number: the stems of their names vary ("septemb").
                tokens.push(token(format!("month:{m:02}"), *end));
            } else if let Some(number) = day {
                tokens.push(token(number, *end));
            } else {
                tokens.push(token(memo_stem(&self.stemmer, &mut stems, word), *end));
            }
            k += 1;
        }
        drop(stems);
        out.tokens = merge_dates(tokens);
        out
    }
}

/// Joins a month and an adjacent day number ("13 June", "June 13th", "13th of June") into one
/// `date:MM-DD` token.
fn merge_dates(tokens: Vec<Token>) -> Vec<Token> {
    let is_day = |t: &Token| t.key.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d));
    let month_of = |t: &Token| {
        t.key
            .strip_prefix("month:")
            .and_then(|m| m.parse::<u8>().ok())
    };
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut rest = tokens.into_iter().peekable();
    while let Some(mut t) = rest.next() {
        if let Some(m) = month_of(&t) {
            // "13 June" / "13 of June": the day was just pushed.
            let back = match out.len() {
                n if n >= 1 && is_day(&out[n - 1]) => Some(1),
                n if n >= 2 && out[n - 1].key == "of" && is_day(&out[n - 2]) => Some(2),
                _ => None,
            };
            if let Some(back) = back {
                let day_token = out.swap_remove(out.len() - back);
                out.truncate(out.len() + 1 - back);
                let day = day_token.key.parse::<u8>().unwrap_or(0);
                t.key = format!("date:{m:02}-{day:02}");
                t.start = day_token.start;
                out.push(t);
                continue;
            }
            if let Some(next) = rest.next_if(is_day) {
                let day = next.key.parse::<u8>().unwrap_or(0);
                t.key = format!("date:{m:02}-{day:02}");
                t.end = next.end;
                out.push(t);
                continue;
            }
        }
        out.push(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        Normalizer::default()
            .normalize(text)
            .tokens
            .into_iter()
            .map(|t| t.key)
            .collect()
    }

    #[test]
    fn remembered_stems_match_fresh_ones() {
        let warm = Normalizer::default();
        let text =
            "Refunds refunded, refunding: delivering deliveries. I apologise for apologising.";
        let first: Vec<String> = warm
            .normalize(text)
            .tokens
            .into_iter()
            .map(|t| t.key)
            .collect();
        let again: Vec<String> = warm
            .normalize(text)
            .tokens
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert_eq!(first, keys(text));
        assert_eq!(again, first);
        assert!(first.contains(&"refund".to_string()), "{first:?}");
    }

    #[test]
    fn contractions_and_smart_quotes_expand_alike() {
        assert_eq!(keys("I can\u{2019}t"), keys("i cannot"));
        assert_eq!(keys("I'm sorry"), keys("I am sorry"));
        assert_eq!(keys("dont worry"), keys("do not worry"));
        assert_eq!(keys("we'll call"), keys("we will call"));
    }

    #[test]
    fn number_formats_meet() {
        assert_eq!(
            keys("5-7 business days"),
            keys("five to seven business days")
        );
        assert_eq!(keys("$42.90"), keys("42.9"));
        assert_eq!(keys("1,000"), vec!["1000".to_string()]);
        assert_eq!(keys("twenty four hours"), keys("24 hours"));
        assert_eq!(keys("09:40"), keys("9:40"));
    }

    #[test]
    fn dates_in_any_order_meet() {
        let want = vec!["date:06-13".to_string()];
        assert_eq!(keys("13 June"), want);
        assert_eq!(keys("June 13th"), want);
        assert_eq!(keys("13th of june"), want);
        // Month names whose stems differ from the name still form dates.
        assert_eq!(keys("September 3"), vec!["date:09-03".to_string()]);
        assert_eq!(keys("1st January"), keys("jan 1"));
        assert_eq!(keys("31 December"), vec!["date:12-31".to_string()]);
    }

    #[test]
    fn negators_are_recognised_after_stemming() {
        let n = Normalizer::default().normalize("there is nothing we can do");
        assert!(n.tokens.iter().any(|t| NEGATORS.contains(&t.key.as_str())));
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "Hi Dana \u{2014} it\u{2019}s held at the depot!!!";
        let n = Normalizer::default().normalize(text);
        let depot = n.tokens.iter().find(|t| t.key == "depot").unwrap();
        assert_eq!(&text[depot.start..depot.end], "depot");
        assert_eq!(n.exclamation_runs, 1);
        let its: Vec<_> = n
            .tokens
            .iter()
            .filter(|t| &text[t.start..t.end] == "it\u{2019}s")
            .collect();
        assert_eq!(its.len(), 2, "it's expands to two tokens sharing a span");
    }

    #[test]
    fn shouting_is_counted() {
        let n = Normalizer::default().normalize("I SAID NO refunds OK");
        assert_eq!(
            n.shouted_words, 1,
            "only SAID: NO and OK are too short to count"
        );
        let acronyms =
            Normalizer::default().normalize("Engineer ETA 4 hours, hold until MANUAL shows");
        assert_eq!(
            acronyms.shouted_words, 1,
            "a lone ETA is an acronym; MANUAL counts"
        );
        let run = Normalizer::default().normalize("I TOLD YOU twice");
        assert_eq!(
            run.shouted_words, 2,
            "three letters beside other capitals is shouting"
        );
        let jargon = Normalizer::default()
            .normalize("Your FPS hit TM on a CoP match, FPS again, iPhone OK, SOC's");
        assert_eq!(jargon.acronyms, ["cop", "fps", "ok", "soc", "tm"]);
        let keen = Normalizer::default().normalize("so sorry!! really!!! ok");
        assert_eq!(keen.exclamation_runs, 1, "only the run of three counts");
    }
}

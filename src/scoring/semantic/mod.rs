//! The semantic layer of the scorer: judges what a reply means, not which listed words it
//! holds. Each clause of the reply is embedded with a sentence-embedding model
//! (all-MiniLM-L6-v2, run in plain Rust on one thread) and compared with the exemplar banks in
//! `assets/scoring/exemplars.ron`. A clause that reads like a bank's exemplars, clearly more
//! than like the banks of the other sign, earns or costs that bank's points, explained with the
//! exemplar it resembled and how closely. Embeddings miss negation, so a clause that negates a
//! word of the exemplar it matched ("I'm not sorry" against "I'm really sorry") counts against,
//! not for.

pub mod banks;
pub mod cache;
pub mod calibrated;
pub mod clauses;
pub mod encoder;
mod gemm;
pub mod model_files;
pub mod tokenizer;
mod weights;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Dimension, Reason};
use banks::{Bank, ExemplarBanks};
use cache::EmbeddingCache;
use calibrated::CalibratedDirections;
use encoder::{Embedding, cosine};
use model_files::{ModelError, ModelFiles};

/// The rule id prefix of every semantic point.
pub const RULE_PREFIX: &str = "semantic.";

/// One exemplar, embedded.
#[derive(Clone)]
struct Exemplar {
    text: String,
    embedding: Embedding,
    /// The words it negates: at [`negated_words`]' reach in a good bank, [`negated_far`]'s in a
    /// bad one, as clauses are read against it.
    negated: Vec<String>,
    /// The stems of its words, for the negation checks: worked out once, not per clause.
    stems: Vec<String>,
}

/// A bank with its exemplars embedded.
struct EmbeddedBank {
    bank: Bank,
    exemplars: Vec<Exemplar>,
}

/// The model, the banks and their embeddings.
pub struct SemanticLayer {
    model: ModelFiles,
    banks: ExemplarBanks,
    embedded: Vec<EmbeddedBank>,
    /// The neutral statements, embedded.
    neutral: Vec<Embedding>,
    /// Extra exemplars drawn from a node's model answers, per bank, by the answers' content
    /// hash: worked out the first time a reply at that node is scored.
    node_exemplars: Mutex<HashMap<cache::Key, Arc<Vec<Vec<Exemplar>>>>>,
}

impl std::fmt::Debug for SemanticLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SemanticLayer({} banks)", self.embedded.len())
    }
}

/// What one bank found in a reply: its best clause.
#[derive(Debug, Clone)]
struct BankHit {
    similarity: f32,
    exemplar: usize,
    clause_span: (usize, usize),
    negated: bool,
}

impl SemanticLayer {
    /// The shipped model and banks, with exemplar embeddings from the default cache.
    pub fn load_default() -> Result<SemanticLayer, ModelError> {
        SemanticLayer::load_with(ExemplarBanks::builtin())
    }

    /// The shipped model with `banks` (a trainer's own exemplars file), with exemplar
    /// embeddings from the default cache.
    pub fn load_with(banks: ExemplarBanks) -> Result<SemanticLayer, ModelError> {
        let model = ModelFiles::load_default()?;
        Ok(SemanticLayer::new(
            model,
            banks,
            EmbeddingCache::open_default(),
        ))
    }

    /// A layer for `banks`, embedding what `cache` lacks (and saving it there).
    pub fn new(model: ModelFiles, mut banks: ExemplarBanks, mut cache: EmbeddingCache) -> Self {
        // A bank with no exemplars can never match; a validated file has none, and dropping
        // them here keeps every index below in range for banks built by hand.
        banks.banks.retain(|b| !b.exemplars.is_empty());
        let texts: Vec<&str> = banks
            .banks
            .iter()
            .flat_map(|b| b.exemplars.iter().map(String::as_str))
            .chain(banks.neutral.iter().map(String::as_str))
            .collect();
        let embeddings = embed_cached(&model, &mut cache, &texts);
        let mut next = embeddings.into_iter();
        let embedded = banks
            .banks
            .iter()
            .map(|bank| EmbeddedBank {
                bank: bank.clone(),
                exemplars: bank
                    .exemplars
                    .iter()
                    .map(|text| Exemplar {
                        // At the reach clauses are read with against this bank's side.
                        negated: if bank.weight > 0 {
                            negated_words(text)
                        } else {
                            negated_far(text)
                        },
                        stems: stems(text),
                        text: text.clone(),
                        embedding: next.next().unwrap_or([0.0; encoder::DIM]),
                    })
                    .collect(),
            })
            .collect();
        let neutral = next.collect();
        // The cache is only for exemplars: a reply is embedded once and never seen again.
        let used: Vec<cache::Key> = texts.iter().map(|t| cache::key(t)).collect();
        cache.save(&used);
        SemanticLayer {
            model,
            banks,
            embedded,
            neutral,
            node_exemplars: Mutex::new(HashMap::new()),
        }
    }

    /// The embedding of `text` (one clause or sentence), for tools and tests.
    pub fn embed(&self, text: &str) -> Embedding {
        let ids = self.model.tokenizer.encode(text);
        self.model.encoder.embed(&[ids]).remove(0)
    }

    /// Each clause of `reply` with its similarity to every bank (its closest exemplar, the
    /// node's `model_answers` included) and to the neutral statements: what
    /// `holdline score --clauses` prints, for a trainer working on the banks.
    pub fn trace(&self, reply: &str, model_answers: &[String]) -> Vec<ClauseTrace> {
        let extras = self.extras_for(model_answers);
        let clauses = clauses::split(reply);
        let embeddings = self.embed_clauses(&clauses);
        clauses
            .iter()
            .zip(&embeddings)
            .map(|(clause, embedding)| ClauseTrace {
                text: clause.text.to_string(),
                banks: self
                    .closest_per_bank(embedding, &extras)
                    .into_iter()
                    .enumerate()
                    .map(|(bank, (similarity, exemplar))| BankSimilarity {
                        bank: self.embedded[bank].bank.id.clone(),
                        similarity,
                        exemplar: self.exemplar(&extras, bank, exemplar).text.clone(),
                    })
                    .chain(self.closest_neutral(embedding))
                    .collect(),
            })
            .collect()
    }

    fn embed_clauses(&self, clauses: &[clauses::Clause<'_>]) -> Vec<Embedding> {
        if clauses.is_empty() {
            return Vec::new();
        }
        let ids: Vec<Vec<u32>> = clauses
            .iter()
            .map(|c| self.model.tokenizer.encode(&without_figures(c.text)))
            .collect();
        self.model.encoder.embed(&ids)
    }

    /// The closest neutral statement, as a pseudo-bank `(neutral)` for the trace.
    fn closest_neutral(&self, embedding: &Embedding) -> Option<BankSimilarity> {
        self.neutral
            .iter()
            .zip(&self.banks.neutral)
            .map(|(n, text)| (cosine(embedding, n), text))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(similarity, text)| BankSimilarity {
                bank: "(neutral)".into(),
                similarity,
                exemplar: text.clone(),
            })
    }

    /// Each bank's closest exemplar to `embedding`: (similarity, exemplar index), the index
    /// counting on into `extras` (the node's own exemplars for that bank) past the bank's.
    fn closest_per_bank(
        &self,
        embedding: &Embedding,
        extras: &[Vec<Exemplar>],
    ) -> Vec<(f32, usize)> {
        self.embedded
            .iter()
            .enumerate()
            .map(|(bank, b)| {
                b.exemplars
                    .iter()
                    .chain(extras.get(bank).into_iter().flatten())
                    .enumerate()
                    .map(|(i, e)| (cosine(embedding, &e.embedding), i))
                    .fold((f32::MIN, 0), |acc, x| if x.0 > acc.0 { x } else { acc })
            })
            .collect()
    }

    /// Exemplar `i` of `bank`, counting on into `extras`.
    fn exemplar<'a>(&'a self, extras: &'a [Vec<Exemplar>], bank: usize, i: usize) -> &'a Exemplar {
        let own = &self.embedded[bank].exemplars;
        own.get(i).unwrap_or_else(|| &extras[bank][i - own.len()])
    }

    /// The good banks' extra exemplars at a node: each clause of its model answers that the
    /// shipped banks already read as good (an acknowledgement, an owned next step) joins that
    /// bank, so a trainee who says the same thing in other words is recognised, with the
    /// scenario's own words in the explanation. Cached per set of answers.
    fn extras_for(&self, model_answers: &[String]) -> Arc<Vec<Vec<Exemplar>>> {
        if model_answers.is_empty() {
            return Arc::new(Vec::new());
        }
        let key = cache::key(&model_answers.join("\u{1f}"));
        if let Some(found) = self.lock_node_exemplars().get(&key) {
            return Arc::clone(found);
        }
        let mut extras: Vec<Vec<Exemplar>> = vec![Vec::new(); self.embedded.len()];
        for answer in model_answers {
            for (_, reason) in self.judge_with(answer, &[]) {
                let Some(id) = reason.rule.strip_prefix(RULE_PREFIX) else {
                    continue;
                };
                let Some(bank) = self.embedded.iter().position(|b| b.bank.id == id) else {
                    continue;
                };
                let text = reason.matched.clone();
                // Empathy only: a model answer's next steps are the facts a weak reply states
                // too, so as exemplars they would credit it as much as a strong one.
                let empathy = self.embedded[bank].bank.dimension == Dimension::Empathy;
                if !empathy || reason.delta <= 0 || extras[bank].iter().any(|e| e.text == text) {
                    continue;
                }
                extras[bank].push(Exemplar {
                    embedding: self.embed(&without_figures(&text)),
                    negated: negated_words(&text),
                    stems: stems(&text),
                    text,
                });
            }
        }
        let extras = Arc::new(extras);
        self.lock_node_exemplars().insert(key, Arc::clone(&extras));
        extras
    }

    fn lock_node_exemplars(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<cache::Key, Arc<Vec<Vec<Exemplar>>>>> {
        // A panic elsewhere while the lock was held leaves a map that is still whole.
        self.node_exemplars
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The semantic points of `reply`, per dimension: at most one reason per bank and
    /// dimension, at the bank's closest clause.
    pub fn judge(&self, reply: &str) -> Vec<(Dimension, Reason)> {
        self.judge_with(reply, &[])
    }

    /// As [`SemanticLayer::judge`], with the good clauses of the node's `model_answers` as
    /// extra exemplars of the banks that read them as good, and with the points of the
    /// `calibrated` directions, if any. Also hands back the mean of the clauses' embeddings
    /// (`None` for a reply with no words), which a fit of directions needs: embedding the reply
    /// again for it would double the fit's time.
    pub fn judge_at_node(
        &self,
        reply: &str,
        model_answers: &[String],
        calibrated: Option<&CalibratedDirections>,
    ) -> (Vec<(Dimension, Reason)>, Option<Embedding>) {
        let extras = self.extras_for(model_answers);
        let clauses = clauses::split(reply);
        let embeddings = self.embed_clauses(&clauses);
        let mut out = self.judge_clauses(reply, &clauses, &embeddings, &extras);
        if let Some(directions) = calibrated {
            // A bank's penalty and the direction both stand, even when they disagree: letting
            // any bank's penalty veto the direction's points was tried and cost held-out
            // agreement (heldout-2, out of fold: empathy 88% -> 86%, de-escalation 89% -> 85%),
            // because the bad banks' false alarms are much of what the direction corrects.
            out.extend(calibrated_points(directions, reply, &clauses, &embeddings));
        }
        (out, mean_embedding(&embeddings))
    }

    fn judge_with(&self, reply: &str, extras: &[Vec<Exemplar>]) -> Vec<(Dimension, Reason)> {
        let clauses = clauses::split(reply);
        let embeddings = self.embed_clauses(&clauses);
        self.judge_clauses(reply, &clauses, &embeddings, extras)
    }

    fn judge_clauses(
        &self,
        reply: &str,
        clauses: &[clauses::Clause<'_>],
        embeddings: &[Embedding],
        extras: &[Vec<Exemplar>],
    ) -> Vec<(Dimension, Reason)> {
        let t = self.banks.thresholds;
        // Every (bank, dimension, weight) the banks score.
        let entries: Vec<(usize, Dimension, i32)> = self
            .embedded
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.bank.points().map(move |(d, w)| (i, d, w)))
            .collect();
        let mut best: Vec<Option<BankHit>> = vec![None; entries.len()];
        for (clause, embedding) in clauses.iter().zip(embeddings) {
            let clause_negated = negated_words(clause.text);
            let clause_negated_far = negated_far(clause.text);
            let clause_words = stems(clause.text);
            let sims = self.closest_per_bank(embedding, extras);
            // Whether the clause says the opposite of each bank's closest exemplar: a negated
            // good clause counts on the bad side, and a negated bad one on the good side.
            let flipped: Vec<bool> = sims
                .iter()
                .zip(&self.embedded)
                .enumerate()
                .map(|(bank, (&(_, exemplar), b))| {
                    let good = b.bank.weight > 0;
                    let exemplar = self.exemplar(extras, bank, exemplar);
                    let negated = if good {
                        &clause_negated
                    } else {
                        &clause_negated_far
                    };
                    flips(&clause_words, negated, exemplar, good)
                })
                .collect();
            // The side a bank's match puts the clause on: good, bad, or neither (a negated bad
            // clause, "that's not your fault", is not praise, only not blame).
            let side = |bank: usize, weight: i32| match (weight > 0, flipped[bank]) {
                (true, false) => Some(true),
                (true, true) | (false, false) => Some(false),
                (false, true) => None,
            };
            let neutral = self
                .neutral
                .iter()
                .map(|n| cosine(embedding, n))
                .fold(f32::MIN, f32::max);
            for (e, &(bank, dimension, weight)) in entries.iter().enumerate() {
                let (similarity, exemplar) = sims[bank];
                if similarity < t.min_similarity {
                    continue;
                }
                // The clause must read more like this bank than like any bank on the other
                // side in the same dimension, and more than like a plain statement of fact.
                let Some(good) = side(bank, weight) else {
                    continue;
                };
                let rival = entries
                    .iter()
                    .filter(|&&(other, d, w)| d == dimension && side(other, w) == Some(!good))
                    .map(|&(other, _, _)| sims[other].0)
                    .fold(neutral, f32::max);
                if similarity - rival < t.margin {
                    continue;
                }
                if best[e].as_ref().is_none_or(|h| similarity > h.similarity) {
                    best[e] = Some(BankHit {
                        similarity,
                        exemplar,
                        clause_span: clause.span,
                        negated: flipped[bank],
                    });
                }
            }
        }
        let mut out = Vec::new();
        for (&(bank, dimension, weight), hit) in entries.iter().zip(best) {
            let Some(hit) = hit else {
                continue;
            };
            let b = &self.embedded[bank];
            let share = ((hit.similarity - t.min_similarity)
                / (t.full_similarity - t.min_similarity))
                .clamp(0.0, 1.0);
            let mut delta = (weight as f32 * share).round() as i32;
            if delta == 0 {
                continue;
            }
            let exemplar = &self.exemplar(extras, bank, hit.exemplar).text;
            let mut explanation = format!(
                "Read like: \"{exemplar}\" ({:.2}). {}",
                hit.similarity, b.bank.explanation
            );
            if hit.negated {
                // A negated good clause ("I'm not sorry") counts against; a negated bad one
                // ("that's not your fault") counts for nothing.
                if delta < 0 {
                    continue;
                }
                delta = -delta;
                explanation = format!(
                    "Reads like \"{exemplar}\" ({:.2}), but negated, which says the opposite.",
                    hit.similarity
                );
            }
            out.push((
                dimension,
                Reason {
                    rule: format!("{RULE_PREFIX}{}", b.bank.id),
                    delta,
                    matched: reply
                        .get(hit.clause_span.0..hit.clause_span.1)
                        .unwrap_or_default()
                        .to_string(),
                    span: Some(hit.clause_span),
                    explanation,
                    hint: b.bank.hint.clone(),
                },
            ));
        }
        out
    }
}

/// The mean of `embeddings`, summed in order: `None` when there are none.
fn mean_embedding(embeddings: &[Embedding]) -> Option<Embedding> {
    if embeddings.is_empty() {
        return None;
    }
    let mut mean = [0.0f32; encoder::DIM];
    for e in embeddings {
        for (m, x) in mean.iter_mut().zip(e) {
            *m += x;
        }
    }
    let n = embeddings.len() as f32;
    for m in &mut mean {
        *m /= n;
    }
    Some(mean)
}

/// The calibrated directions' points for a reply, one reason per dimension they move, each
/// naming the clause that counted most that way.
fn calibrated_points(
    directions: &CalibratedDirections,
    reply: &str,
    clauses: &[clauses::Clause<'_>],
    embeddings: &[Embedding],
) -> Vec<(Dimension, Reason)> {
    let Some(mean) = mean_embedding(embeddings) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dimension in Dimension::ALL {
        let delta = directions.points(dimension, &mean);
        if delta == 0 {
            continue;
        }
        let direction = directions.direction(dimension);
        let sign = f64::from(delta.signum());
        let Some((clause, _)) = clauses
            .iter()
            .zip(embeddings)
            .map(|(c, e)| (c, sign * directions.raw_points(dimension, e)))
            .fold(
                None,
                |best: Option<(&clauses::Clause<'_>, f64)>, x| match best {
                    Some(b) if b.1 >= x.1 => Some(b),
                    _ => Some(x),
                },
            )
        else {
            continue;
        };
        let reads = if delta > 0 {
            &direction.better
        } else {
            &direction.worse
        };
        out.push((
            dimension,
            Reason {
                rule: format!("{RULE_PREFIX}calibrated"),
                delta,
                matched: reply
                    .get(clause.span.0..clause.span.1)
                    .unwrap_or_default()
                    .to_string(),
                span: Some(clause.span),
                explanation: format!(
                    "Taken as a whole, the reply {reads} (learned from {} labelled pairs); this part counted most.",
                    direction.pairs
                ),
                hint: direction.hint.clone(),
            },
        ));
    }
    out
}

/// One clause and how like each bank it reads.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClauseTrace {
    /// The clause.
    pub text: String,
    /// Every bank, in file order.
    pub banks: Vec<BankSimilarity>,
}

/// A clause's similarity to one bank: to its closest exemplar.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BankSimilarity {
    /// The bank's id.
    pub bank: String,
    /// Cosine similarity, -1 to 1.
    pub similarity: f32,
    /// The exemplar it is closest to.
    pub exemplar: String,
}

/// Embeds `texts`, taking what the cache has and adding the rest to it.
fn embed_cached(model: &ModelFiles, cache: &mut EmbeddingCache, texts: &[&str]) -> Vec<Embedding> {
    let keys: Vec<cache::Key> = texts.iter().map(|t| cache::key(t)).collect();
    let missing: Vec<usize> = (0..texts.len())
        .filter(|&i| cache.get(&keys[i]).is_none())
        .collect();
    // Batches of a few exemplars share their matrix products.
    for batch in missing.chunks(16) {
        let ids: Vec<Vec<u32>> = batch
            .iter()
            .map(|&i| model.tokenizer.encode(texts[i]))
            .collect();
        for (&i, e) in batch.iter().zip(model.encoder.embed(&ids)) {
            cache.insert(keys[i], e);
        }
    }
    keys.iter()
        .map(|k| cache.get(k).copied().unwrap_or([0.0; encoder::DIM]))
        .collect()
}

/// `text` without its figures (words holding a digit or a currency sign): amounts, dates and
/// references say what a clause is about, not how it treats the customer, and the banks judge
/// the second. The rules check the figures.
fn without_figures(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| {
            !w.chars()
                .any(|c| c.is_ascii_digit() || matches!(c, '$' | '£' | '€' | '¥'))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const NEGATORS: [&str; 29] = [
    "not", "no", "never", "nothing", "none", "nobody", "cannot", "can't", "don't", "won't",
    "isn't", "didn't", "doesn't", "wasn't", // Typed in a hurry, without the apostrophe.
    "cant", "dont", "wont", "isnt", "didnt", "doesnt", "wasnt", "arent", "couldnt", "shouldnt",
    "wouldnt", "havent",
    // "It's hardly the end of the world" negates as "it's not" does: an exemplar in these words
    // and a clause in those must agree on what is negated.
    "hardly", "barely", "scarcely",
];
/// How many words after a negator it reaches (content words, for [`negated_far`]).
const NEGATION_REACH: usize = 3;

/// Lower-case words, with curly apostrophes straightened and "n't" kept on its word.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .filter(|w| !w.is_empty())
        .map(|w| w.replace('\u{2019}', "'").to_lowercase())
        .collect()
}

/// A word's stem, so "I'll stay on the line" and "I'm not staying on the line" are seen to
/// share the word a negation turns round, and "not yours" negates the "your" of "your fault".
fn stem(word: &str) -> String {
    static STEMMER: std::sync::LazyLock<rust_stemmers::Stemmer> = std::sync::LazyLock::new(|| {
        rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
    });
    STEMMER.stem(word).into_owned()
}

/// The stems of `text`'s words.
fn stems(text: &str) -> Vec<String> {
    words(text).iter().map(|w| stem(w)).collect()
}

/// The stems of the content words of `text` that a negator reaches ("I'm not sorry" → "sorri"). A negator
/// reaches no further than the next comma or sentence end, so the interjection in "Oh no,
/// that's the last thing you need" negates nothing.
fn negated_words(text: &str) -> Vec<String> {
    negated_within(text, false)
}

/// [`negated_words`] reaching three content words rather than three words, so that "none of
/// this is your fault" reaches "fault". Used only against the bad banks: a clause that negates
/// a bad thing is not that bad thing, however far the negator stands from it; against the
/// good banks the near reach keeps "you don't need to ring anyone else" from turning round
/// an exemplar that promises a call.
fn negated_far(text: &str) -> Vec<String> {
    negated_within(text, true)
}

fn negated_within(text: &str, far: bool) -> Vec<String> {
    let mut out = Vec::new();
    for segment in text.split([',', ';', ':', '.', '!', '?', '\u{2014}', '\u{2013}']) {
        let words = words(segment);
        for (i, w) in words.iter().enumerate() {
            if NEGATORS.contains(&w.as_str()) || w.ends_with("n't") {
                let after = words[i + 1..].iter();
                let reached: Vec<&String> = if far {
                    after
                        .filter(|w| is_content(w))
                        .take(NEGATION_REACH)
                        .collect()
                } else {
                    after
                        .take(NEGATION_REACH)
                        .filter(|w| is_content(w))
                        .collect()
                };
                out.extend(reached.into_iter().map(|w| stem(w)));
            }
        }
    }
    out
}

fn is_content(word: &str) -> bool {
    word.len() >= 3
        && !matches!(
            word,
            "the"
                | "you"
                | "your"
                | "this"
                | "that"
                | "that's"
                | "it's"
                | "for"
                | "and"
                | "are"
                | "was"
                | "all"
                | "any"
                | "our"
                | "been"
                | "have"
                | "has"
                | "very"
                | "really"
                | "too"
                | "even"
        )
}

/// Words for something bad: negating one ("not your fault", "no trouble at all") reassures; it
/// does not say the opposite of a good exemplar that mentions it ("sorry, that was our fault").
const NEGATIVE_WORDS: [&str; 13] = [
    "fault", "blame", "worry", "worried", "problem", "mistake", "wrong", "trouble", "hassle",
    "bother", "rush", "charge", "error",
];

/// The stems of [`NEGATIVE_WORDS`], worked out once.
fn negative_stems() -> &'static [String] {
    static STEMS: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| NEGATIVE_WORDS.iter().map(|w| stem(w)).collect());
    &STEMS
}

/// Whether the clause says the opposite of `exemplar`: it negates a content word the exemplar
/// states plainly ("I'm not sorry" against "I'm really sorry"), or states plainly a word the
/// exemplar negates ("I can help with that" against "I can't help you with that").
fn flips(
    clause_words: &[String],
    clause_negated: &[String],
    exemplar: &Exemplar,
    good_bank: bool,
) -> bool {
    let exemplar_words = &exemplar.stems;
    let negates_what_it_states = clause_negated.iter().any(|w| {
        !(good_bank && negative_stems().contains(w))
            && exemplar_words.contains(w)
            && !exemplar.negated.contains(w)
    });
    // Only against a bad exemplar: a plain "I can help you with that" is not a policy wall.
    // A good exemplar that negates ("you won't be out of pocket") is not turned round by a
    // clause that names the same thing ("you've been left out of pocket, I'm so sorry").
    let states_what_it_negates = !good_bank
        && exemplar
            .negated
            .iter()
            .any(|w| clause_words.contains(w) && !clause_negated.contains(w));
    negates_what_it_states
        || states_what_it_negates
        || turns_the_blame_round(clause_words, exemplar_words, good_bank)
}

/// Whether a clause says of us what a bad exemplar says of the customer: "that's our fault"
/// against "that's your own fault" reads almost the same to the model, and means the opposite.
/// Only where both name the same bad thing (a fault, a mistake: `NEGATIVE_WORDS`), the exemplar
/// about the customer alone (no "we", "our", "I") and the clause about us alone.
fn turns_the_blame_round(
    clause_stems: &[String],
    exemplar_stems: &[String],
    good_bank: bool,
) -> bool {
    const SECOND: [&str; 4] = ["you", "your", "yourself", "you'r"];
    const FIRST: [&str; 7] = ["we", "our", "us", "i", "me", "my", "we'r"];
    let has = |stems: &[String], set: &[&str]| stems.iter().any(|w| set.contains(&w.as_str()));
    let same_bad_thing = negative_stems()
        .iter()
        .any(|w| clause_stems.contains(w) && exemplar_stems.contains(w));
    !good_bank
        && same_bad_thing
        && has(exemplar_stems, &SECOND)
        && !has(exemplar_stems, &FIRST)
        && has(clause_stems, &FIRST)
        && !has(clause_stems, &SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_reaches_the_next_few_content_words() {
        assert_eq!(negated_words("I'm not sorry at all"), vec!["sorri"]);
        assert_eq!(negated_words("I don't care"), vec!["care"]);
        assert!(negated_words("I'm so sorry this happened").is_empty());
        assert_eq!(
            negated_words("I'm sorry it didn't arrive in time"),
            vec!["arriv", "time"]
        );
        assert!(negated_words("Oh no, that's the last thing you need").is_empty());
    }

    #[test]
    fn against_the_bad_banks_negation_reaches_three_content_words() {
        // "of", "this" and "is" would use up the near reach before "fault".
        assert!(negated_words("None of this is your fault").is_empty());
        assert_eq!(negated_far("None of this is your fault"), vec!["fault"]);
        assert_eq!(negated_far("nobody blames you"), vec!["blame"]);
        // Still within its comma.
        assert!(negated_far("Oh no, that's your fault").is_empty());
    }

    #[test]
    fn a_clause_flips_an_exemplar_it_negates_or_that_negates_it() {
        let exemplar = |text: &str| Exemplar {
            text: text.into(),
            embedding: [0.0; encoder::DIM],
            negated: negated_words(text),
            stems: stems(text),
        };
        let flipped = |clause: &str, ex: &str| {
            flips(&stems(clause), &negated_words(clause), &exemplar(ex), true)
        };
        assert!(flipped("I'm not sorry about this", "I'm really sorry"));
        assert!(!flipped(
            "I can't help you with that",
            "I can't help you with that"
        ));
        assert!(!flipped("I'm so sorry", "I'm really sorry"));
        assert!(!flipped(
            "Oh no, that's the last thing you need",
            "that's the last thing you need right now"
        ));
        assert!(!flipped(
            "That's not your fault",
            "sorry, that was our fault"
        ));
    }
}

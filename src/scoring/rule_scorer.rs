//! The free-text scorer: lexicon rules matched on normalised text with negation and clause
//! awareness, the node's rubric (facts, forbidden claims), figures checked against the case
//! file, framework order (empathise before solving), and anti-gaming checks. Every point it
//! gives or takes is a [`Reason`] naming its rule, the words that fired it, and a hint.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use super::lexicon::builtin;
use super::matcher::{Found, Phrase, find_all, find_any, overlap};
use super::text::{Normalized, Normalizer, Token};
use super::{
    Dimension, DimensionScore, Lexicon, Reason, ReplyScore, ReplyScorer, Rule, ScoringContext,
};

/// Scores typed replies against the lexicon and the node's rubric.
#[derive(Debug)]
pub struct RuleScorer {
    lexicon: Lexicon,
    normalizer: Normalizer,
    synonyms: HashMap<String, String>,
    /// Phrases of each lexicon rule, compiled once.
    compiled: Vec<Vec<Phrase>>,
    /// Figures known to each scenario node's context, by a hash of the texts they came from.
    figure_cache: Mutex<HashMap<u64, Arc<BTreeSet<String>>>>,
}

impl Default for RuleScorer {
    fn default() -> Self {
        RuleScorer::new(Lexicon::builtin())
    }
}

/// Reasons collected per dimension while scoring one reply.
#[derive(Default)]
struct Tally {
    empathy: Vec<Reason>,
    accuracy: Vec<Reason>,
    deescalation: Vec<Reason>,
}

impl Tally {
    fn list(&mut self, dimension: Dimension) -> &mut Vec<Reason> {
        match dimension {
            Dimension::Empathy => &mut self.empathy,
            Dimension::Accuracy => &mut self.accuracy,
            Dimension::Deescalation => &mut self.deescalation,
        }
    }

    fn push(&mut self, dimension: Dimension, reason: Reason) {
        self.list(dimension).push(reason);
    }
}

fn total(base: u8, reasons: Vec<Reason>) -> DimensionScore {
    let sum: i32 = reasons.iter().map(|r| r.delta).sum();
    DimensionScore {
        score: (i32::from(base) + sum).clamp(0, 100) as u8,
        reasons,
    }
}

fn reason(rule: &Rule, delta: i32, reply: &str, span: Option<(usize, usize)>) -> Reason {
    Reason {
        rule: rule.id.clone(),
        delta,
        matched: span
            .and_then(|(s, e)| reply.get(s..e))
            .unwrap_or_default()
            .to_string(),
        span,
        explanation: rule.explanation.clone(),
        hint: rule.hint.clone(),
    }
}

/// A positive rule that fired, remembered for the checks that look at order and repetition.
struct Credit {
    dimension: Dimension,
    found: Found,
    reason_index: usize,
}

impl RuleScorer {
    pub fn new(lexicon: Lexicon) -> Self {
        let normalizer = Normalizer::default();
        let mut synonyms = HashMap::new();
        for group in &lexicon.synonyms {
            let keys: Vec<String> = group
                .iter()
                .filter_map(|w| {
                    normalizer
                        .normalize(w)
                        .tokens
                        .into_iter()
                        .next()
                        .map(|t| t.key)
                })
                .collect();
            if let Some(canonical) = keys.first() {
                for key in &keys[1..] {
                    synonyms.insert(key.clone(), canonical.clone());
                }
            }
        }
        let mut scorer = RuleScorer {
            lexicon,
            normalizer,
            synonyms,
            compiled: Vec::new(),
            figure_cache: Mutex::new(HashMap::new()),
        };
        scorer.compiled = scorer
            .lexicon
            .rules
            .iter()
            .map(|r| r.patterns.iter().map(|p| scorer.phrase(p)).collect())
            .collect();
        scorer
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    fn normalize(&self, text: &str) -> Normalized {
        let mut n = self.normalizer.normalize(text);
        for t in &mut n.tokens {
            if let Some(canonical) = self.synonyms.get(&t.key) {
                t.key.clone_from(canonical);
            }
        }
        n
    }

    fn phrase(&self, text: &str) -> Phrase {
        let mut phrase = Phrase::new(&self.normalizer, text);
        for key in &mut phrase.keys {
            if let Some(canonical) = self.synonyms.get(key) {
                key.clone_from(canonical);
            }
        }
        phrase
    }

    fn builtin_rule(&self, id: &str) -> Rule {
        // The lexicon validator requires every built-in rule, but a hand-built Lexicon may lack one.
        self.lexicon.rule(id).cloned().unwrap_or_else(|| Rule {
            id: id.to_string(),
            dimension: Dimension::Accuracy,
            weight: 0,
            patterns: Vec::new(),
            explanation: String::new(),
            hint: String::new(),
            default_on: true,
        })
    }

    /// Fires a built-in rule into its lexicon dimension with its lexicon weight.
    fn fire(
        &self,
        tally: &mut Tally,
        id: &str,
        reply: &str,
        span: Option<(usize, usize)>,
        detail: Option<&str>,
    ) {
        let rule = self.builtin_rule(id);
        let mut r = reason(&rule, rule.weight, reply, span);
        if let Some(detail) = detail {
            r.explanation = format!("{} {detail}", r.explanation);
        }
        tally.push(rule.dimension, r);
    }

    /// A reply too short to help costs empathy and de-escalation alike.
    fn fire_too_short(&self, tally: &mut Tally, reply: &str) {
        self.fire(tally, builtin::TOO_SHORT_EMPATHY, reply, None, None);
        self.fire(tally, builtin::TOO_SHORT_DEESCALATION, reply, None, None);
    }

    /// Pattern rules active at this node: lexicon rules on by default or listed by the rubric,
    /// minus those the scenario disables, plus the scenario's own rules.
    fn pattern_rules<'a>(
        &'a self,
        context: &ScoringContext<'a>,
    ) -> Vec<(&'a Rule, Cow<'a, [Phrase]>)> {
        let overrides = &context.scenario.scoring;
        let mut rules: Vec<(&Rule, Cow<'a, [Phrase]>)> = self
            .lexicon
            .rules
            .iter()
            .zip(&self.compiled)
            .filter(|(r, _)| !r.patterns.is_empty())
            .filter(|(r, _)| r.default_on || context.rubric.rules.contains(&r.id))
            .filter(|(r, _)| !overrides.disable.contains(&r.id))
            .map(|(r, p)| (r, Cow::Borrowed(p.as_slice())))
            .collect();
        for rule in &overrides.rules {
            let phrases: Vec<Phrase> = rule.patterns.iter().map(|p| self.phrase(p)).collect();
            rules.push((rule, Cow::Owned(phrases)));
        }
        rules
    }

    fn score_reply(&self, context: &ScoringContext<'_>, reply: &str) -> ReplyScore {
        let limits = self.lexicon.limits;
        let base = self.lexicon.base;
        let n = self.normalize(reply);
        let tokens = &n.tokens;
        let mut tally = Tally::default();
        if tokens.is_empty() {
            self.fire_too_short(&mut tally, reply);
            return ReplyScore::new(
                total(0, tally.empathy),
                total(0, Vec::new()),
                total(0, tally.deescalation),
            );
        }

        // Phrase rules, each at most once; repeats and negations noted for later checks.
        let mut credits: Vec<Credit> = Vec::new();
        // Where empathy phrases start: one phrase matched by two patterns counts once.
        let mut empathy_hits: BTreeSet<usize> = BTreeSet::new();
        let mut penalties_by_sentence: BTreeSet<usize> = BTreeSet::new();
        for (rule, phrases) in self.pattern_rules(context) {
            let all: Vec<Found> = phrases
                .iter()
                .flat_map(|p| find_all(tokens, p, false))
                .collect();
            let live: Vec<&Found> = all.iter().filter(|f| !f.negated).collect();
            if rule.dimension == Dimension::Empathy && rule.weight > 0 {
                empathy_hits.extend(live.iter().map(|f| f.first));
            }
            let Some(found) = live.iter().min_by_key(|f| f.first).copied() else {
                continue;
            };
            let list = tally.list(rule.dimension);
            list.push(reason(rule, rule.weight, reply, Some(found.span(tokens))));
            if rule.weight > 0 {
                credits.push(Credit {
                    dimension: rule.dimension,
                    found: *found,
                    reason_index: list.len() - 1,
                });
            } else {
                penalties_by_sentence.insert(tokens[found.first].sentence);
            }
        }

        // "I understand, but it's not my problem": a penalty later in the same sentence, after a
        // "but", takes back the empathy credit before it.
        for credit in credits.iter().filter(|c| c.dimension == Dimension::Empathy) {
            let sentence = tokens[credit.found.first].sentence;
            let but_after = tokens[credit.found.last..]
                .iter()
                .take_while(|t| t.sentence == sentence)
                .any(|t| t.key == "but" || t.key == "howev");
            if but_after && penalties_by_sentence.contains(&sentence) {
                let r = &mut tally.empathy[credit.reason_index];
                r.delta = 0;
                r.explanation = format!(
                    "{} (taken back: a \"but\" follows with a dismissal)",
                    r.explanation
                );
                self.fire(
                    &mut tally,
                    builtin::UNDONE_BY_BUT,
                    reply,
                    Some(credit.found.span(tokens)),
                    None,
                );
            }
        }

        if empathy_hits.len() >= usize::from(limits.stuffing_hits) {
            self.fire(
                &mut tally,
                builtin::STUFFING,
                reply,
                None,
                Some(&format!("({} empathy phrases)", empathy_hits.len())),
            );
        }

        self.check_name(context, reply, tokens, &mut tally);
        self.check_triggers(context, reply, tokens, &mut tally);
        let first_fact = self.check_facts(context, reply, tokens, &mut tally);
        self.check_figures(context, reply, tokens, &mut tally);
        self.check_order(context, reply, &credits, first_fact, &mut tally);

        // Surface checks: shouting, length, parroting.
        let shouting = n.shouted_words >= usize::from(limits.shouted_words)
            || n.exclamation_runs > 0
            || (n.letters >= 12 && n.upper_letters * 10 >= n.letters * 6);
        if shouting {
            self.fire(&mut tally, builtin::SHOUTING, reply, None, None);
        }
        if n.words < usize::from(limits.too_short_words) {
            self.fire_too_short(&mut tally, reply);
        }
        if n.words > usize::from(limits.wall_of_text_words) {
            self.fire(
                &mut tally,
                builtin::WALL_OF_TEXT,
                reply,
                None,
                Some(&format!("({} words)", n.words)),
            );
        }
        let customer = self.normalize(context.customer_line);
        if n.words >= 4 && overlap(&n, &customer) * 100.0 >= f32::from(limits.parroting_percent) {
            self.fire(&mut tally, builtin::PARROTING_EMPATHY, reply, None, None);
            self.fire(
                &mut tally,
                builtin::PARROTING_DEESCALATION,
                reply,
                None,
                None,
            );
        }

        let accuracy_base = if context.rubric.facts.is_empty() {
            base.accuracy
        } else {
            base.accuracy_with_facts
        };
        ReplyScore::new(
            total(base.empathy, tally.empathy),
            total(accuracy_base, tally.accuracy),
            total(base.deescalation, tally.deescalation),
        )
    }

    fn check_name(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
        tokens: &[Token],
        tally: &mut Tally,
    ) {
        let names: Vec<Phrase> = context
            .scenario
            .persona
            .name
            .split_whitespace()
            .filter(|w| w.len() >= 2)
            .map(|w| self.phrase(w))
            .collect();
        let uses: Vec<Found> = names
            .iter()
            .flat_map(|p| find_all(tokens, p, false))
            .collect();
        // Once or twice is personal; more is a mechanical tic, and earns nothing.
        if let Some(found) = uses
            .iter()
            .min_by_key(|f| f.first)
            .filter(|_| uses.len() <= 2)
        {
            self.fire(
                tally,
                builtin::USES_NAME,
                reply,
                Some(found.span(tokens)),
                None,
            );
        }
    }

    fn check_triggers(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
        tokens: &[Token],
        tally: &mut Tally,
    ) {
        for trigger in &context.scenario.persona.triggers {
            let phrase = self.phrase(trigger);
            if let Some(found) = find_all(tokens, &phrase, false)
                .into_iter()
                .find(|f| !f.negated)
            {
                self.fire(
                    tally,
                    builtin::CUSTOMER_TRIGGER,
                    reply,
                    Some(found.span(tokens)),
                    Some(&format!("(\"{trigger}\")")),
                );
            }
        }
    }

    /// Rubric facts (typo-tolerant) and forbidden claims (negation-aware). Returns the token
    /// index of the first fact stated, for the empathise-before-solving check.
    fn check_facts(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
        tokens: &[Token],
        tally: &mut Tally,
    ) -> Option<usize> {
        let rubric = context.rubric;
        let stated = self.builtin_rule(builtin::FACT_STATED);
        let missing = self.builtin_rule(builtin::FACT_MISSING);
        let pool = 100 - i32::from(self.lexicon.base.accuracy_with_facts.min(100));
        let count = rubric.facts.len() as i32;
        let mut first_fact: Option<usize> = None;
        for (i, fact) in rubric.facts.iter().enumerate() {
            // Shares add up to exactly the pool, the remainder going to the first facts.
            let share = pool / count + i32::from((i as i32) < pool % count);
            let phrases: Vec<Phrase> = fact.accept.iter().map(|a| self.phrase(a)).collect();
            match find_any(tokens, &phrases, true).filter(|f| !f.negated) {
                Some(found) => {
                    first_fact = Some(first_fact.map_or(found.first, |f| f.min(found.first)));
                    let mut r = reason(&stated, share, reply, Some(found.span(tokens)));
                    r.explanation = format!("{} ({})", stated.explanation, fact.id);
                    tally.push(stated.dimension, r);
                }
                None => {
                    let mut r = reason(&missing, missing.weight, reply, None);
                    r.explanation = format!("{} ({})", missing.explanation, fact.id);
                    if let Some(hint) = &fact.hint {
                        r.hint.clone_from(hint);
                    }
                    tally.push(missing.dimension, r);
                }
            }
        }
        let forbidden = self.builtin_rule(builtin::FORBIDDEN_CLAIM);
        for claim in &rubric.forbidden {
            let phrases: Vec<Phrase> = claim.phrases.iter().map(|p| self.phrase(p)).collect();
            if let Some(found) = phrases
                .iter()
                .flat_map(|p| find_all(tokens, p, false))
                .find(|f| !f.negated)
            {
                let mut r = reason(
                    &forbidden,
                    forbidden.weight,
                    reply,
                    Some(found.span(tokens)),
                );
                r.explanation = format!("{} {}", forbidden.explanation, claim.why);
                tally.push(forbidden.dimension, r);
            }
        }
        first_fact
    }

    /// Amounts, dates, times and durations in the reply that appear nowhere in the scenario's
    /// case file, rubric or the customer's words are wrong figures.
    fn check_figures(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
        tokens: &[Token],
        tally: &mut Tally,
    ) {
        let known = self.known_figures(context);
        let customer = self.figures_in(context.customer_line);
        for (i, t) in tokens.iter().enumerate() {
            if !is_figure_key(&t.key) || known.contains(&t.key) || customer.contains(&t.key) {
                continue;
            }
            let currency = reply[..t.start]
                .trim_end()
                .ends_with(['$', '\u{20ac}', '\u{a3}']);
            let unit = tokens
                .get(i + 1)
                .is_some_and(|n| FIGURE_UNITS.contains(&n.key.as_str()));
            let shaped = t.key.starts_with("date:") || t.key.contains(':') || t.key.contains('.');
            if currency || unit || shaped {
                self.fire(
                    tally,
                    builtin::WRONG_FIGURE,
                    reply,
                    Some((t.start, t.end)),
                    None,
                );
                return;
            }
        }
    }

    fn figures_in(&self, text: &str) -> BTreeSet<String> {
        self.normalize(text)
            .tokens
            .into_iter()
            .map(|t| t.key)
            .filter(|k| is_figure_key(k))
            .collect()
    }

    /// Every figure the case file, the persona and the node's rubric mention. Normalising all
    /// of that text is most of the cost of a score, so it is cached, keyed by the text itself
    /// (an edited, reloaded scenario gets a fresh entry).
    fn known_figures(&self, context: &ScoringContext<'_>) -> Arc<BTreeSet<String>> {
        let s = context.scenario;
        let mut sources: Vec<&str> = vec![s.persona.backstory.as_str()];
        for fact in &s.case_file.facts {
            sources.extend([fact.value.as_str(), fact.label.as_str()]);
        }
        for policy in &s.case_file.policies {
            sources.push(&policy.text);
            sources.extend(
                policy
                    .may
                    .iter()
                    .chain(&policy.must_not)
                    .map(String::as_str),
            );
        }
        for fact in &context.rubric.facts {
            sources.extend(fact.accept.iter().map(String::as_str));
        }
        sources.extend(context.rubric.model_answers.iter().map(String::as_str));
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sources.hash(&mut hasher);
        let key = hasher.finish();
        let cache = self.figure_cache.lock();
        if let Some(known) = cache.as_ref().ok().and_then(|c| c.get(&key)) {
            return Arc::clone(known);
        }
        drop(cache);
        let known: Arc<BTreeSet<String>> =
            Arc::new(sources.iter().flat_map(|t| self.figures_in(t)).collect());
        if let Ok(mut cache) = self.figure_cache.lock() {
            cache.insert(key, Arc::clone(&known));
        }
        known
    }

    /// HEARD, LAST, LEAPS: empathise before solving, within this reply or across the session.
    fn check_order(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
        credits: &[Credit],
        first_fact: Option<usize>,
        tally: &mut Tally,
    ) {
        let first_empathy = credits
            .iter()
            .filter(|c| c.dimension == Dimension::Empathy)
            .map(|c| c.found.first)
            .min();
        let ordered_here = matches!((first_empathy, first_fact), (Some(e), Some(f)) if e < f);
        let earlier_empathy = first_fact.is_some()
            && first_empathy.is_none()
            && context
                .earlier_replies
                .iter()
                .any(|earlier| self.has_empathy(context, earlier));
        if ordered_here || earlier_empathy {
            let detail = if earlier_empathy {
                Some("(you acknowledged the customer earlier in the conversation)")
            } else {
                None
            };
            self.fire(tally, builtin::VALIDATE_FIRST, reply, None, detail);
        }
    }

    fn has_empathy(&self, context: &ScoringContext<'_>, text: &str) -> bool {
        let tokens = self.normalize(text).tokens;
        self.pattern_rules(context)
            .iter()
            .filter(|(r, _)| r.dimension == Dimension::Empathy && r.weight > 0)
            .any(|(_, phrases)| {
                find_any(&tokens, phrases.iter(), false).is_some_and(|f| !f.negated)
            })
    }
}

/// Words after a number that make it a duration or quantity worth checking.
const FIGURE_UNITS: [&str; 9] = [
    "day", "busi", "work", "hour", "week", "month", "minut", "pm", "am",
];

fn is_figure_key(key: &str) -> bool {
    key.starts_with("date:") || key.starts_with(|c: char| c.is_ascii_digit())
}

impl ReplyScorer for RuleScorer {
    fn score(&self, context: &ScoringContext<'_>, reply: &str) -> ReplyScore {
        self.score_reply(context, reply)
    }
}

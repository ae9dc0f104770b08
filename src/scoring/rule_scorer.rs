//! The free-text scorer: lexicon rules matched on normalised text with negation and clause
//! awareness, the node's rubric (facts, forbidden claims), figures checked against the case
//! file, framework order (empathise before solving), and anti-gaming checks. Every point it
//! gives or takes is a [`Reason`] naming its rule, the words that fired it, and a hint.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::fast_hash::FastSet;
use super::lexicon::builtin;
use super::matcher::{Found, Phrase, PhraseIndex, find_all, find_any, overlap};
use super::node_cache::{CompiledNode, NodeCache, is_figure_key};
use super::text::{Normalized, Token};
use super::vocabulary::Vocabulary;
use super::{
    CriticalBreach, Dimension, DimensionScore, Lexicon, Reason, ReplyScore, ReplyScorer, Rule,
    ScoringContext,
};

/// Scores typed replies against the lexicon and the node's rubric.
#[derive(Debug)]
pub struct RuleScorer {
    lexicon: Lexicon,
    vocabulary: Vocabulary,
    /// Phrases of each lexicon rule, compiled once, and indexed by their first word.
    compiled: Vec<Vec<Phrase>>,
    index: PhraseIndex,
    /// Each node's context compiled once.
    nodes: NodeCache,
}

impl Default for RuleScorer {
    fn default() -> Self {
        RuleScorer::new(Lexicon::builtin())
    }
}

/// Reasons collected per dimension while scoring one reply.
#[derive(Default)]
struct ReasonsByDimension {
    empathy: Vec<Reason>,
    accuracy: Vec<Reason>,
    deescalation: Vec<Reason>,
    /// Critical forbidden claims made: they fail the attempt, not only cost points.
    critical: Vec<CriticalBreach>,
}

impl ReasonsByDimension {
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

/// What the phrase rules found, for the checks that follow.
#[derive(Default)]
struct PhraseHits {
    credits: Vec<Credit>,
    /// Where empathy phrases start: one phrase matched by two patterns counts once.
    empathy_starts: BTreeSet<usize>,
    /// Sentences in which a penalty fired.
    penalty_sentences: BTreeSet<usize>,
}

/// A positive rule that fired, remembered for the checks that look at order and repetition.
struct Credit {
    dimension: Dimension,
    found: Found,
    reason_index: usize,
}

/// Words too common to say whose words a sentence is in ("that", "your", "have"): stems of four
/// letters or more that a read-back check leaves out, beside every shorter one.
const COMMON_WORDS: [&str; 24] = [
    "that",
    "this",
    "have",
    "with",
    "there",
    "their",
    "they",
    "your",
    "yours",
    "about",
    "from",
    "were",
    "what",
    "when",
    "been",
    "would",
    "could",
    "should",
    "will",
    "just",
    "also",
    "then",
    "than",
    "understand",
];

/// The first and last token of sentence `sentence` when it is mostly the customer's words: at
/// least six of its content words, and three in four of them from the customer's line.
fn read_back(
    tokens: &[Token],
    sentence: usize,
    customer: &FastSet<String>,
) -> Option<(usize, usize)> {
    let at: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].sentence == sentence && !tokens[i].quoted)
        .collect();
    let content: FastSet<&str> = at
        .iter()
        .map(|&i| tokens[i].key.as_str())
        .filter(|k| k.chars().count() >= 4 && !COMMON_WORDS.contains(k))
        .collect();
    let theirs = content.iter().filter(|k| customer.contains(**k)).count();
    (content.len() >= 6 && theirs * 4 >= content.len() * 3)
        .then(|| (*at.first().unwrap_or(&0), *at.last().unwrap_or(&0)))
}

impl RuleScorer {
    /// A scorer for `lexicon`, with its phrases compiled once up front.
    pub fn new(lexicon: Lexicon) -> Self {
        let vocabulary = Vocabulary::new(&lexicon.synonyms);
        let compiled: Vec<Vec<Phrase>> = lexicon
            .rules
            .iter()
            .map(|r| r.patterns.iter().map(|p| vocabulary.phrase(p)).collect())
            .collect();
        RuleScorer {
            index: PhraseIndex::new(&compiled),
            lexicon,
            vocabulary,
            compiled,
            nodes: NodeCache::default(),
        }
    }

    /// The lexicon this scorer uses.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    fn builtin_rule(&self, id: &str) -> Cow<'_, Rule> {
        // The lexicon validator requires every built-in rule, but a hand-built Lexicon may lack one.
        match self.lexicon.rule(id) {
            Some(rule) => Cow::Borrowed(rule),
            None => Cow::Owned(Rule {
                id: id.to_string(),
                dimension: Dimension::Accuracy,
                weight: 0,
                patterns: Vec::new(),
                explanation: String::new(),
                hint: String::new(),
                default_on: true,
            }),
        }
    }

    /// Fires a built-in rule into its lexicon dimension with its lexicon weight.
    fn fire(
        &self,
        tally: &mut ReasonsByDimension,
        id: &str,
        reply: &str,
        span: Option<(usize, usize)>,
        detail: Option<&str>,
    ) {
        self.fire_times(tally, id, reply, span, detail, 1);
    }

    /// As [`RuleScorer::fire`], the rule's weight counted `times` over.
    fn fire_times(
        &self,
        tally: &mut ReasonsByDimension,
        id: &str,
        reply: &str,
        span: Option<(usize, usize)>,
        detail: Option<&str>,
        times: i32,
    ) {
        if builtin::ADDED_LATER.contains(&id) && self.lexicon.rule(id).is_none() {
            // An older lexicon without this rule: it does not fire (validate warns of it).
            return;
        }
        let rule = self.builtin_rule(id);
        let mut r = reason(&rule, rule.weight.saturating_mul(times), reply, span);
        if let Some(detail) = detail {
            r.explanation = format!("{} {detail}", r.explanation);
        }
        tally.push(rule.dimension, r);
    }

    /// A reply too short to help costs empathy and de-escalation alike.
    fn fire_too_short(&self, tally: &mut ReasonsByDimension, reply: &str) {
        self.fire(tally, builtin::TOO_SHORT_EMPATHY, reply, None, None);
        self.fire(tally, builtin::TOO_SHORT_DEESCALATION, reply, None, None);
    }

    /// Every live or negated match of the pattern rules active at this node: lexicon rules on
    /// by default or listed by the rubric, minus those the scenario disables, then the
    /// scenario's own rules.
    fn rule_matches<'a>(
        &'a self,
        context: &ScoringContext<'a>,
        node: &CompiledNode,
        tokens: &[Token],
    ) -> Vec<(&'a Rule, Vec<Found>)> {
        let overrides = &context.scenario.scoring;
        let rules = &self.lexicon.rules;
        let active = |i: usize| {
            let r = &rules[i];
            (r.default_on || context.rubric.rules.contains(&r.id))
                && !overrides.disable.contains(&r.id)
        };
        let mut matches: Vec<(&Rule, Vec<Found>)> = self
            .index
            .find_all(&self.compiled, tokens, active)
            .into_iter()
            .enumerate()
            .filter(|&(i, _)| !rules[i].patterns.is_empty() && active(i))
            .map(|(i, found)| (&rules[i], found))
            .collect();
        for (rule, phrases) in overrides.rules.iter().zip(&node.scenario_rules) {
            let found = phrases
                .iter()
                .flat_map(|p| find_all(tokens, p, false))
                .collect();
            matches.push((rule, found));
        }
        matches
    }

    /// The rules' score before [`RuleScorer::hold_false_comfort`]: a scorer that adds points
    /// after the rules (the semantic layer) holds its own final score instead.
    pub(crate) fn score_before_hold(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
    ) -> ReplyScore {
        let base = self.lexicon.base;
        let n = self.vocabulary.normalize(reply);
        let tokens = &n.tokens;
        let mut tally = ReasonsByDimension::default();
        if tokens.is_empty() {
            self.fire_too_short(&mut tally, reply);
            return ReplyScore::new(
                total(0, tally.empathy),
                total(0, Vec::new()),
                total(0, tally.deescalation),
            );
        }
        let node = self.nodes.get(&self.vocabulary, context);
        let hits = self.fire_phrase_rules(context, &node, reply, tokens, &mut tally);
        self.take_back_empathy_before_a_dismissal(&hits, reply, tokens, &mut tally);
        self.take_back_empathy_read_back(&node, &hits, reply, tokens, &mut tally);
        let limit = usize::from(self.lexicon.limits.stuffing_hits);
        let phrases = hits.empathy_starts.len();
        if phrases >= limit {
            // At twice the limit the penalty counts twice: a string of stock lines ("I'm so
            // sorry, I understand, I hear you, ...") would otherwise earn back in credits, and in
            // the semantic layer's reading of each, far more than one penalty takes away.
            let heavy = phrases >= 2 * limit;
            let detail = if heavy {
                format!(
                    "({phrases} empathy phrases: twice the limit of {limit}, so it counts twice)"
                )
            } else {
                format!("({phrases} empathy phrases)")
            };
            let times = if heavy { 2 } else { 1 };
            self.fire_times(
                &mut tally,
                builtin::STUFFING,
                reply,
                None,
                Some(&detail),
                times,
            );
        }
        self.check_name(&node, reply, tokens, &mut tally);
        self.check_triggers(context, &node, reply, tokens, &mut tally);
        let first_fact = self.check_facts(context, &node, reply, tokens, &mut tally);
        self.check_figures(&node, reply, tokens, &mut tally);
        self.check_order(context, &node, reply, &hits.credits, first_fact, &mut tally);
        self.check_surface(context, &node, reply, &n, &mut tally);

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
        .with_critical(tally.critical)
    }

    /// A reply that makes a forbidden claim keeps at most `limits.false_comfort_deescalation`
    /// de-escalation: "I'll refund all £640 today, guaranteed" soothes now and escalates later,
    /// and QA reviewers mark it down for that. Applied once, to the final score.
    pub(crate) fn hold_false_comfort(&self, mut score: ReplyScore, reply: &str) -> ReplyScore {
        let false_claim = score
            .accuracy
            .reasons
            .iter()
            .any(|r| r.rule == builtin::FORBIDDEN_CLAIM && r.delta < 0);
        let cap = self.lexicon.limits.false_comfort_deescalation;
        if !false_claim
            || score.deescalation.score <= cap
            || self.lexicon.rule(builtin::FALSE_COMFORT).is_none()
        {
            return score;
        }
        let over = i32::from(score.deescalation.score) - i32::from(cap);
        let d = &mut score.deescalation;
        match d
            .reasons
            .iter_mut()
            .find(|r| r.rule == builtin::FALSE_COMFORT)
        {
            Some(held) => held.delta -= over,
            None => {
                let rule = self.builtin_rule(builtin::FALSE_COMFORT);
                let mut held = reason(&rule, -over, reply, None);
                held.explanation = format!("{} (held at {cap})", held.explanation);
                d.reasons.push(held);
            }
        }
        d.score = cap;
        ReplyScore::new(score.empathy, score.accuracy, score.deescalation)
            .with_critical(score.critical)
    }

    /// The lexicon's and the scenario's phrase rules, each firing at most once (at its first
    /// match that is not negated).
    fn fire_phrase_rules(
        &self,
        context: &ScoringContext<'_>,
        node: &CompiledNode,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) -> PhraseHits {
        let mut hits = PhraseHits::default();
        let matches = self.rule_matches(context, node, tokens);
        // A penalty's phrase can hold a credit's: "I'll" in "or I'll have to end the call" is a
        // threat, not ownership. A credit inside a penalty's match in the same dimension does not
        // count.
        let penalties: Vec<(Dimension, &Found)> = matches
            .iter()
            .filter(|(rule, _)| rule.weight < 0)
            .flat_map(|(rule, all)| {
                all.iter()
                    .filter(|f| !f.negated)
                    .map(move |f| (rule.dimension, f))
            })
            .collect();
        let inside_a_penalty = |dimension: Dimension, f: &Found| {
            penalties
                .iter()
                .any(|&(d, p)| d == dimension && p.first <= f.first && f.last <= p.last)
        };
        for (rule, all) in &matches {
            let rule: &Rule = rule;
            let counts_for_stuffing = rule.dimension == Dimension::Empathy && rule.weight > 0;
            let mut earliest: Option<&Found> = None;
            for f in all
                .iter()
                .filter(|f| !f.negated)
                .filter(|f| rule.weight < 0 || !inside_a_penalty(rule.dimension, f))
            {
                if counts_for_stuffing {
                    hits.empathy_starts.insert(f.first);
                }
                if earliest.is_none_or(|e| f.first < e.first) {
                    earliest = Some(f);
                }
            }
            let Some(found) = earliest else {
                continue;
            };
            let list = tally.list(rule.dimension);
            list.push(reason(rule, rule.weight, reply, Some(found.span(tokens))));
            if rule.weight > 0 {
                hits.credits.push(Credit {
                    dimension: rule.dimension,
                    found: *found,
                    reason_index: list.len() - 1,
                });
            } else {
                hits.penalty_sentences.insert(tokens[found.first].sentence);
            }
        }
        hits
    }

    /// "I understand that you were told in store the price was fixed for 18 months": an empathy
    /// phrase in a sentence that is mostly the customer's own words read back sounds like a
    /// checklist, not listening. Its credit is taken back and the read-back costs empathy.
    fn take_back_empathy_read_back(
        &self,
        node: &CompiledNode,
        hits: &PhraseHits,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) {
        let mut fired = false;
        for credit in hits
            .credits
            .iter()
            .filter(|c| c.dimension == Dimension::Empathy)
        {
            let sentence = tokens[credit.found.first].sentence;
            let Some((first, last)) = read_back(tokens, sentence, &node.customer_keys) else {
                continue;
            };
            let r = &mut tally.empathy[credit.reason_index];
            if r.delta <= 0 {
                continue;
            }
            r.delta = 0;
            r.explanation = format!(
                "{} (taken back: the sentence reads the customer's own words back)",
                r.explanation
            );
            if !fired {
                fired = true;
                let span = Some((tokens[first].start, tokens[last].end));
                self.fire(tally, builtin::RESTATES_COMPLAINT, reply, span, None);
            }
        }
    }

    /// "I understand, but it's not my problem": a penalty later in the same sentence, after a
    /// "but", takes back the empathy credit before it.
    fn take_back_empathy_before_a_dismissal(
        &self,
        hits: &PhraseHits,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) {
        for credit in hits
            .credits
            .iter()
            .filter(|c| c.dimension == Dimension::Empathy)
        {
            let sentence = tokens[credit.found.first].sentence;
            let but_after = tokens[credit.found.last..]
                .iter()
                .take_while(|t| t.sentence == sentence)
                .any(|t| t.key == "but" || t.key == "howev");
            if but_after && hits.penalty_sentences.contains(&sentence) {
                let r = &mut tally.empathy[credit.reason_index];
                r.delta = 0;
                r.explanation = format!(
                    "{} (taken back: a \"but\" follows with a dismissal)",
                    r.explanation
                );
                self.fire(
                    tally,
                    builtin::UNDONE_BY_BUT,
                    reply,
                    Some(credit.found.span(tokens)),
                    None,
                );
            }
        }
    }

    /// How the reply looks rather than what it says: shouting, too short, a wall of text,
    /// parroting the customer.
    fn check_surface(
        &self,
        context: &ScoringContext<'_>,
        node: &CompiledNode,
        reply: &str,
        n: &Normalized,
        tally: &mut ReasonsByDimension,
    ) {
        let limits = self.lexicon.limits;
        let shouting = n.shouted_words >= usize::from(limits.shouted_words)
            || n.exclamation_runs > 0
            || (n.letters >= 12 && n.upper_letters * 10 >= n.letters * 6);
        if shouting {
            self.fire(tally, builtin::SHOUTING, reply, None, None);
        }
        if n.words < usize::from(limits.too_short_words) {
            self.fire_too_short(tally, reply);
        }
        // Acronyms the customer used themselves are shared words, not jargon. Most replies
        // have too few acronyms to matter, so the customer's line is read only when they do.
        let jargon = if n.acronyms.len() >= usize::from(limits.jargon_terms) {
            let customer_words: Vec<String> = context
                .customer_line
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect();
            n.acronyms
                .iter()
                .filter(|a| !customer_words.contains(a))
                .count()
        } else {
            0
        };
        if jargon >= usize::from(limits.jargon_terms) {
            self.fire(
                tally,
                builtin::JARGON,
                reply,
                None,
                Some(&format!("({jargon} acronyms)")),
            );
        }
        if n.words > usize::from(limits.wall_of_text_words) {
            self.fire(
                tally,
                builtin::WALL_OF_TEXT,
                reply,
                None,
                Some(&format!("({} words)", n.words)),
            );
        }
        if n.words >= 4
            && overlap(n, &node.customer_keys) * 100.0 >= f32::from(limits.parroting_percent)
        {
            self.fire(tally, builtin::PARROTING_EMPATHY, reply, None, None);
            self.fire(tally, builtin::PARROTING_DEESCALATION, reply, None, None);
        }
    }

    fn check_name(
        &self,
        node: &CompiledNode,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) {
        let uses: Vec<Found> = node
            .names
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
        node: &CompiledNode,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) {
        for (trigger, phrase) in context.scenario.persona.triggers.iter().zip(&node.triggers) {
            if let Some(found) = find_all(tokens, phrase, false)
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
        node: &CompiledNode,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) -> Option<usize> {
        let rubric = context.rubric;
        let stated = self.builtin_rule(builtin::FACT_STATED);
        let missing = self.builtin_rule(builtin::FACT_MISSING);
        let pool = 100 - i32::from(self.lexicon.base.accuracy_with_facts.min(100));
        let count = rubric.facts.len() as i32;
        let mut first_fact: Option<usize> = None;
        for (i, (fact, phrases)) in rubric.facts.iter().zip(&node.facts).enumerate() {
            // Shares add up to exactly the pool, the remainder going to the first facts.
            let share = pool / count + i32::from((i as i32) < pool % count);
            match find_any(tokens, phrases, true).filter(|f| !f.negated) {
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
        for (claim, phrases) in rubric.forbidden.iter().zip(&node.forbidden) {
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
                if claim.critical {
                    r.explanation = format!("Critical: this fails the attempt. {}", r.explanation);
                    tally.critical.push(CriticalBreach {
                        claim: claim.id.clone(),
                        matched: r.matched.clone(),
                        why: claim.why.clone(),
                    });
                }
                tally.push(forbidden.dimension, r);
            }
        }
        first_fact
    }

    /// Amounts, dates, times and durations in the reply that appear nowhere in the scenario's
    /// case file, rubric or the customer's words are wrong figures.
    fn check_figures(
        &self,
        node: &CompiledNode,
        reply: &str,
        tokens: &[Token],
        tally: &mut ReasonsByDimension,
    ) {
        for (i, t) in tokens.iter().enumerate() {
            if !is_figure_key(&t.key) || node.known_figures.contains(&t.key) {
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

    /// HEARD, LAST, LEAPS: empathise before solving, within this reply or across the session.
    fn check_order(
        &self,
        context: &ScoringContext<'_>,
        node: &CompiledNode,
        reply: &str,
        credits: &[Credit],
        first_fact: Option<usize>,
        tally: &mut ReasonsByDimension,
    ) {
        // Thanks and the customer's name are courtesies, not an acknowledgement: "Thanks for
        // the details. The driver left it next door" has not empathised before solving.
        let empathy_list = tally.list(Dimension::Empathy);
        let first_empathy = credits
            .iter()
            .filter(|c| c.dimension == Dimension::Empathy)
            .filter(|c| {
                empathy_list
                    .get(c.reason_index)
                    .is_none_or(|r| !COURTESIES.contains(&r.rule.as_str()))
            })
            .map(|c| c.found.first)
            .min();
        let ordered_here = matches!((first_empathy, first_fact), (Some(e), Some(f)) if e < f);
        let earlier_empathy = first_fact.is_some()
            && first_empathy.is_none()
            && context
                .earlier_replies
                .iter()
                .any(|earlier| self.has_empathy(context, node, earlier));
        if ordered_here || earlier_empathy {
            let detail = if earlier_empathy {
                Some("(you acknowledged the customer earlier in the conversation)")
            } else {
                None
            };
            self.fire(tally, builtin::VALIDATE_FIRST, reply, None, detail);
        }
    }

    fn has_empathy(&self, context: &ScoringContext<'_>, node: &CompiledNode, text: &str) -> bool {
        let tokens = self.vocabulary.normalize(text).tokens;
        self.rule_matches(context, node, &tokens)
            .iter()
            .filter(|(r, _)| r.dimension == Dimension::Empathy && r.weight > 0)
            .any(|(_, found)| found.iter().any(|f| !f.negated))
    }
}

/// Empathy credits that are politeness rather than acknowledgement, so they do not count as
/// empathising first.
const COURTESIES: [&str; 2] = ["empathy.thanks", builtin::USES_NAME];

/// Words after a number that make it a duration or quantity worth checking.
const FIGURE_UNITS: [&str; 9] = [
    "day", "busi", "work", "hour", "week", "month", "minut", "pm", "am",
];

impl ReplyScorer for RuleScorer {
    fn score(&self, context: &ScoringContext<'_>, reply: &str) -> ReplyScore {
        self.hold_false_comfort(self.score_before_hold(context, reply), reply)
    }
}

//! Calibrating a scorer against people's judgement, the way a contact centre calibrates its QA
//! reviewers: labelled pairs ("on empathy, this reply is better than that one") and single
//! replies with expected bands (low, mid, high per dimension), scored by the scorer and compared.
//! The result is agreement per dimension with a 95% interval, weighted kappa for the bands, and
//! every disagreement with the reasons that decided it, so a trainer can see where the scorer
//! and their own team part ways.

use serde::{Deserialize, Serialize};

use super::HybridScorer;
use super::semantic::calibrated::FitPair;
use super::{Dimension, ReplyScore, ReplyScorer, ScoringContext};
use crate::scenario::model::{Scenario, Turn};

/// A file of labels: pairs and single replies. A bare list of pairs (the shape of
/// `tests/scoring_pairs.ron`) is read as a set with no singles.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSet {
    /// Pairs of replies, one labelled better than the other on a dimension.
    #[serde(default)]
    pub pairs: Vec<LabelledPair>,
    /// Single replies, each with the band expected on every dimension.
    #[serde(default)]
    pub singles: Vec<LabelledSingle>,
}

/// On `dimension`, at `node` of `scenario`, `better` is the better reply.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename = "Pair")]
pub struct LabelledPair {
    /// Id of the scenario the replies answer.
    pub scenario: String,
    /// Id of the scenario's free-text node the replies answer.
    pub node: String,
    /// The dimension the label is about.
    pub dimension: Dimension,
    /// The reply the labeller judged better.
    pub better: String,
    /// The reply the labeller judged worse.
    pub worse: String,
    /// Why the better reply is better; shown with any disagreement.
    #[serde(default)]
    pub note: String,
}

/// One reply with the band a person expects on each dimension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename = "Single")]
pub struct LabelledSingle {
    /// Id of the scenario the reply answers.
    pub scenario: String,
    /// Id of the scenario's free-text node the reply answers.
    pub node: String,
    /// The reply as typed.
    pub reply: String,
    /// The band the labeller expects on each dimension.
    pub bands: Bands,
    /// The labeller's reasoning; shown with any disagreement.
    #[serde(default)]
    pub note: String,
}

/// An expected band for each of the three dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// Expected empathy band.
    pub empathy: Band,
    /// Expected accuracy band.
    pub accuracy: Band,
    /// Expected de-escalation band.
    pub deescalation: Band,
}

impl Bands {
    /// The expected band for one dimension.
    pub fn get(&self, dimension: Dimension) -> Band {
        match dimension {
            Dimension::Empathy => self.empathy,
            Dimension::Accuracy => self.accuracy,
            Dimension::Deescalation => self.deescalation,
        }
    }
}

/// Where a score falls: low under 40, high from 70, mid between: the marks a trainee reads as
/// "missed", "partly" and "did it".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Band {
    /// Score under 40: the trainee missed it.
    Low,
    /// Score 40–69: the trainee partly did it.
    Mid,
    /// Score 70 or more: the trainee did it.
    High,
}

impl Band {
    /// All three bands, lowest first.
    pub const ALL: [Band; 3] = [Band::Low, Band::Mid, Band::High];

    /// The band a 0–100 score falls in.
    pub fn of(score: u8) -> Band {
        match score {
            0..=39 => Band::Low,
            40..=69 => Band::Mid,
            _ => Band::High,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl CalibrationSet {
    /// The orderings the singles imply: at one node, on each dimension, a reply labelled in a
    /// higher band is better than one labelled lower ("High" empathy beats "Mid" beats "Low").
    /// A fit learns from these what makes a reply good outright, not only the one difference a
    /// pair isolates.
    pub fn pairs_from_singles(&self) -> Vec<LabelledPair> {
        let mut pairs = Vec::new();
        for (i, a) in self.singles.iter().enumerate() {
            for b in &self.singles[i + 1..] {
                if (a.scenario.as_str(), a.node.as_str()) != (b.scenario.as_str(), b.node.as_str())
                {
                    continue;
                }
                for dimension in Dimension::ALL {
                    let (band_a, band_b) = (a.bands.get(dimension), b.bands.get(dimension));
                    if band_a == band_b {
                        continue;
                    }
                    let (better, worse) = if band_a > band_b { (a, b) } else { (b, a) };
                    pairs.push(LabelledPair {
                        scenario: a.scenario.clone(),
                        node: a.node.clone(),
                        dimension,
                        better: better.reply.clone(),
                        worse: worse.reply.clone(),
                        note: format!(
                            "from two singles: {:?} against {:?}",
                            better.bands.get(dimension),
                            worse.bands.get(dimension)
                        ),
                    });
                }
            }
        }
        pairs
    }

    /// Parses a labels file: `Calibration(pairs: [...], singles: [...])`, or a bare list of
    /// pairs.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<CalibrationSet, crate::scenario::Diagnostic> {
        use crate::scenario::load::{RonKind, parse_ron};
        #[derive(Deserialize)]
        #[serde(rename = "Calibration")]
        struct Wrapped {
            #[serde(default)]
            pairs: Vec<LabelledPair>,
            #[serde(default)]
            singles: Vec<LabelledSingle>,
        }
        let text = crate::scenario::load::decode(file, bytes)?;
        if text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("//"))
            .is_some_and(|l| l.starts_with('['))
        {
            let pairs: Vec<LabelledPair> = parse_ron(RonKind::Labels, file, bytes)?;
            return Ok(CalibrationSet {
                pairs,
                singles: Vec::new(),
            });
        }
        let wrapped: Wrapped = parse_ron(RonKind::Labels, file, bytes)?;
        Ok(CalibrationSet {
            pairs: wrapped.pairs,
            singles: wrapped.singles,
        })
    }
}

/// Agreement on one dimension: how many labels the scorer agreed with, of how many, and the
/// 95% interval of the share (Wilson's, which behaves at small counts and at 0% or 100%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    /// How many labels the scorer agreed with.
    pub agreed: usize,
    /// How many labels were scored.
    pub of: usize,
    /// `agreed` as a share of `of`, 0–1; 0 when nothing was scored.
    pub share: f64,
    /// Lower end of the 95% Wilson interval of the share, 0–1.
    pub low: f64,
    /// Upper end of the 95% Wilson interval of the share, 0–1.
    pub high: f64,
}

impl Agreement {
    /// Agreement on `agreed` labels out of `of`, with its interval worked out.
    pub fn new(agreed: usize, of: usize) -> Agreement {
        let (low, high) = wilson_interval(agreed, of);
        Agreement {
            agreed,
            of,
            share: if of == 0 {
                0.0
            } else {
                agreed as f64 / of as f64
            },
            low,
            high,
        }
    }
}

/// The 95% Wilson score interval for `k` successes in `n` trials; (0, 1) when `n` is 0.
pub fn wilson_interval(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let denominator = 1.0 + Z * Z / n_f;
    let centre = (p + Z * Z / (2.0 * n_f)) / denominator;
    let half = Z * (p * (1.0 - p) / n_f + Z * Z / (4.0 * n_f * n_f)).sqrt() / denominator;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Cohen's kappa with quadratic weights over the three bands, from a confusion matrix
/// (`confusion[expected][scored]`): 1 is perfect agreement, 0 what chance gives, below 0 worse
/// than chance. `None` when every label and every score fall in one band (kappa is undefined).
pub fn weighted_kappa(confusion: &[[usize; 3]; 3]) -> Option<f64> {
    let total: usize = confusion.iter().flatten().sum();
    if total == 0 {
        return None;
    }
    let n = total as f64;
    let rows: Vec<f64> = confusion
        .iter()
        .map(|r| r.iter().sum::<usize>() as f64)
        .collect();
    let cols: Vec<f64> = (0..3)
        .map(|j| confusion.iter().map(|r| r[j]).sum::<usize>() as f64)
        .collect();
    let weight = |i: usize, j: usize| {
        let d = i.abs_diff(j) as f64;
        d * d / 4.0
    };
    let (mut observed, mut expected) = (0.0, 0.0);
    for i in 0..3 {
        for j in 0..3 {
            observed += weight(i, j) * confusion[i][j] as f64 / n;
            expected += weight(i, j) * rows[i] * cols[j] / (n * n);
        }
    }
    (expected > 0.0).then(|| 1.0 - observed / expected)
}

/// One label the scorer did not agree with, and why it scored as it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// Id of the scenario the label is about.
    pub scenario: String,
    /// Id of the node the label is about.
    pub node: String,
    /// The dimension the scorer and the labeller disagree on.
    pub dimension: Dimension,
    /// For a pair: "better 35 vs worse 35"; for a single: "expected High, scored 35 (Low)".
    pub verdict: String,
    /// The labeller's note from the label.
    pub note: String,
    /// The replies, with the rules that moved each one's score on this dimension.
    pub replies: Vec<ScoredReply>,
}

/// One reply in a disagreement, with how the scorer scored it on that dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredReply {
    /// Which reply it is: "better", "worse" or, for a single, "reply".
    pub label: &'static str,
    /// The reply as the labeller wrote it.
    pub text: String,
    /// The scorer's score on the dimension, 0–100.
    pub score: u8,
    /// `rule +delta` for each reason on the dimension, in the scorer's order.
    pub reasons: Vec<String>,
}

/// How the scorer agreed with the labels on one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionReport {
    /// The dimension these figures are for.
    pub dimension: Dimension,
    /// Pair agreement: the better reply scored strictly higher.
    pub pairs: Agreement,
    /// Band agreement over the single replies.
    pub bands: Agreement,
    /// Quadratic-weighted kappa over the single replies; `None` when undefined (one band only).
    pub kappa: Option<f64>,
}

/// Everything a calibration run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Per dimension, in the order empathy, accuracy, de-escalation.
    pub dimensions: Vec<DimensionReport>,
    /// Singles with every band as expected, of all singles.
    pub singles_all_right: Agreement,
    /// Every label the scorer did not agree with: pairs first, then singles, each in file order.
    pub disagreements: Vec<Disagreement>,
    /// Labels that could not be scored (an unknown scenario or node), and why.
    pub skipped: Vec<String>,
}

/// Scores every label in `set` with `scorer` at its node, found with `find`, each reply as the
/// first of a session (as `holdline score` scores it).
pub fn calibrate<'s>(
    set: &CalibrationSet,
    find: impl Fn(&str) -> Option<&'s Scenario>,
    scorer: &dyn ReplyScorer,
) -> CalibrationReport {
    let mut skipped = Vec::new();
    let mut disagreements = Vec::new();
    let mut pair_counts = [(0usize, 0usize); 3];
    let score_at = |scenario: &str, node: &str, reply: &str| {
        score_at(&find, scenario, node, |context| {
            scorer.score(context, reply)
        })
    };
    for pair in &set.pairs {
        let scored = score_at(&pair.scenario, &pair.node, &pair.better).and_then(|better| {
            score_at(&pair.scenario, &pair.node, &pair.worse).map(|worse| (better, worse))
        });
        let (better, worse) = match scored {
            Ok(both) => both,
            Err(why) => {
                skipped.push(why);
                continue;
            }
        };
        let d = pair.dimension;
        let (b, w) = (better.dimension(d).score, worse.dimension(d).score);
        let count = &mut pair_counts[d as usize];
        count.1 += 1;
        if b > w {
            count.0 += 1;
        } else {
            disagreements.push(Disagreement {
                scenario: pair.scenario.clone(),
                node: pair.node.clone(),
                dimension: d,
                verdict: format!("better {b} vs worse {w}"),
                note: pair.note.clone(),
                replies: vec![
                    scored_reply("better", &pair.better, &better, d),
                    scored_reply("worse", &pair.worse, &worse, d),
                ],
            });
        }
    }
    let mut confusion = [[[0usize; 3]; 3]; 3];
    let mut all_right = 0;
    let mut singles_scored = 0;
    for single in &set.singles {
        let score = match score_at(&single.scenario, &single.node, &single.reply) {
            Ok(score) => score,
            Err(why) => {
                skipped.push(why);
                continue;
            }
        };
        singles_scored += 1;
        let mut right = true;
        for d in Dimension::ALL {
            let expected = single.bands.get(d);
            let got = score.dimension(d).score;
            confusion[d as usize][expected.index()][Band::of(got).index()] += 1;
            if Band::of(got) != expected {
                right = false;
                disagreements.push(Disagreement {
                    scenario: single.scenario.clone(),
                    node: single.node.clone(),
                    dimension: d,
                    verdict: format!("expected {expected:?}, scored {got} ({:?})", Band::of(got)),
                    note: single.note.clone(),
                    replies: vec![scored_reply("reply", &single.reply, &score, d)],
                });
            }
        }
        all_right += usize::from(right);
    }
    let band_agreement = |d: Dimension| {
        let m = &confusion[d as usize];
        let agreed = (0..3).map(|i| m[i][i]).sum();
        Agreement::new(agreed, m.iter().flatten().sum())
    };
    CalibrationReport {
        dimensions: Dimension::ALL
            .iter()
            .map(|&d| {
                let (agreed, of) = pair_counts[d as usize];
                DimensionReport {
                    dimension: d,
                    pairs: Agreement::new(agreed, of),
                    bands: band_agreement(d),
                    kappa: weighted_kappa(&confusion[d as usize]),
                }
            })
            .collect(),
        singles_all_right: Agreement::new(all_right, singles_scored),
        disagreements,
        skipped,
    }
}

/// `score` applied to the context of the first reply at `node` of `scenario`, or why there is
/// no such context.
fn score_at<'s, T>(
    find: &impl Fn(&str) -> Option<&'s Scenario>,
    scenario: &str,
    node: &str,
    score: impl FnOnce(&ScoringContext<'_>) -> T,
) -> Result<T, String> {
    let s = find(scenario).ok_or_else(|| format!("no scenario \"{scenario}\""))?;
    let n = s
        .node(node)
        .ok_or_else(|| format!("no node \"{node}\" in {scenario}"))?;
    if !matches!(n.turn, Turn::FreeText(_)) {
        return Err(format!(
            "node \"{node}\" in {scenario} takes no typed reply"
        ));
    }
    Ok(score(&ScoringContext::first_reply(s, n)))
}

/// The pairs of `set` as a fit of calibrated directions needs them: each reply's score by
/// `scorer` (which must not use calibrated directions itself, and must have its semantic layer)
/// and the mean of its clauses' embeddings. The second list holds why labels were skipped.
pub fn fit_pairs<'s>(
    set: &CalibrationSet,
    find: impl Fn(&str) -> Option<&'s Scenario>,
    scorer: &HybridScorer,
) -> (Vec<FitPair>, Vec<String>) {
    let mut pairs = Vec::new();
    let mut skipped = Vec::new();
    for pair in &set.pairs {
        let d = pair.dimension;
        let scored = |reply: &str| {
            score_at(&find, &pair.scenario, &pair.node, |context| {
                scorer.score_and_embed(context, reply)
            })
        };
        let both = scored(&pair.better).and_then(|better| scored(&pair.worse).map(|w| (better, w)));
        let ((better, b), (worse, w)) = match both {
            Ok(both) => both,
            Err(why) => {
                skipped.push(why);
                continue;
            }
        };
        let (Some(b), Some(w)) = (b, w) else {
            skipped.push(format!(
                "a pair at {} / {} has an empty reply",
                pair.scenario, pair.node
            ));
            continue;
        };
        pairs.push(FitPair {
            dimension: d,
            score_gap: f64::from(better.dimension(d).score) - f64::from(worse.dimension(d).score),
            better: b,
            worse: w,
        });
    }
    (pairs, skipped)
}

fn scored_reply(
    label: &'static str,
    text: &str,
    score: &ReplyScore,
    dimension: Dimension,
) -> ScoredReply {
    let d = score.dimension(dimension);
    ScoredReply {
        label,
        text: text.to_string(),
        score: d.score,
        reasons: d
            .reasons
            .iter()
            .map(|r| format!("{} {:+}", r.rule, r.delta))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_match_published_values() {
        // 20 of 24: 0.833, interval 0.641-0.933 (Wilson, z = 1.96).
        let (low, high) = wilson_interval(20, 24);
        assert!((low - 0.641).abs() < 0.002, "{low}");
        assert!((high - 0.933).abs() < 0.002, "{high}");
        let (low, high) = wilson_interval(10, 10);
        assert!(high > 0.999 && (low - 0.722).abs() < 0.002, "{low} {high}");
        assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
    }

    #[test]
    fn weighted_kappa_is_one_when_all_agree_and_near_zero_by_chance() {
        let perfect = [[3, 0, 0], [0, 2, 0], [0, 0, 4]];
        assert!((weighted_kappa(&perfect).unwrap() - 1.0).abs() < 1e-9);
        // Scores independent of the labels: every cell the product of its margins.
        let chance = [[4, 4, 4], [4, 4, 4], [4, 4, 4]];
        assert!(weighted_kappa(&chance).unwrap().abs() < 1e-9);
        // Always the opposite extreme: worse than chance.
        let reversed = [[0, 0, 5], [0, 0, 0], [5, 0, 0]];
        assert!(weighted_kappa(&reversed).unwrap() < 0.0);
        assert_eq!(weighted_kappa(&[[0; 3]; 3]), None);
        assert_eq!(weighted_kappa(&[[5, 0, 0], [0, 0, 0], [0, 0, 0]]), None);
    }

    #[test]
    fn bands_split_at_40_and_70() {
        assert_eq!(Band::of(39), Band::Low);
        assert_eq!(Band::of(40), Band::Mid);
        assert_eq!(Band::of(69), Band::Mid);
        assert_eq!(Band::of(70), Band::High);
    }

    #[test]
    fn both_label_shapes_parse() {
        let bare = br#"[Pair(scenario: "s", node: "n", dimension: Empathy, better: "a", worse: "b", note: "")]"#;
        let set = CalibrationSet::parse("bare.ron", bare).unwrap();
        assert_eq!((set.pairs.len(), set.singles.len()), (1, 0));
        let full = br#"// labels
Calibration(
    pairs: [],
    singles: [Single(scenario: "s", node: "n", reply: "r", bands: (empathy: High, accuracy: Low, deescalation: Mid))],
)"#;
        let set = CalibrationSet::parse("full.ron", full).unwrap();
        assert_eq!(set.singles[0].bands.get(Dimension::Accuracy), Band::Low);
        let broken =
            CalibrationSet::parse("broken.ron", b"Calibration(pairs: [Pair(])").unwrap_err();
        assert!(broken.line >= 1, "{broken}");
    }
}

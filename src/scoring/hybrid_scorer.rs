//! The scorer holdline uses: the lexicon rules, then the semantic layer on top. Rules keep what
//! they are good at (facts and figures, forbidden claims, negation, stuffing, order, shouting);
//! the semantic layer adds what a reply means in the trainee's own words, which no list of
//! phrases can cover. Its points are reasons like the rules', so every point is explained.

use std::sync::{Arc, OnceLock};

use super::semantic::SemanticLayer;
use super::semantic::calibrated::CalibratedDirections;
use super::semantic::encoder::Embedding;
use super::semantic::model_files::ModelError;
use super::{
    Dimension, DimensionScore, Lexicon, Reason, ReplyScore, ReplyScorer, RuleScorer, ScoringContext,
};

/// Where a scorer's semantic layer comes from.
#[derive(Debug, Clone)]
enum SemanticSource {
    /// Rules alone (`--rules-only`, or the model could not be loaded).
    Off,
    /// A layer already loaded.
    Loaded(Arc<SemanticLayer>),
    /// The shipped layer, loaded the first time a reply is scored (or by [`warm_up`]), on
    /// whichever thread does it: the app starts without waiting for the model.
    Shipped,
}

/// Rules plus, when the model is there, the semantic layer.
#[derive(Debug)]
pub struct HybridScorer {
    rules: RuleScorer,
    semantic: SemanticSource,
    /// The directions fitted on labelled pairs, added on top of the banks' points.
    calibrated: Option<Arc<CalibratedDirections>>,
}

/// The shipped calibrated directions, read once a process.
pub fn shipped_calibration() -> Arc<CalibratedDirections> {
    static SHIPPED: OnceLock<Arc<CalibratedDirections>> = OnceLock::new();
    Arc::clone(SHIPPED.get_or_init(|| Arc::new(CalibratedDirections::builtin())))
}

/// The shipped model and banks, loaded once a process (the app, a command, a test binary) and
/// shared by every scorer. The error says what is wrong and what to do.
pub fn shared_semantic_layer() -> Result<Arc<SemanticLayer>, String> {
    static LAYER: OnceLock<Result<Arc<SemanticLayer>, String>> = OnceLock::new();
    LAYER
        .get_or_init(|| {
            SemanticLayer::load_default()
                .map(Arc::new)
                .map_err(|e: ModelError| e.to_string())
        })
        .clone()
}

/// Loads the shipped layer now, if it is not loaded yet: for a thread that has time to spare
/// before the first reply is scored. The error is the one [`shared_semantic_layer`] gives.
pub fn warm_up() -> Result<(), String> {
    shared_semantic_layer().map(|_| ())
}

impl HybridScorer {
    /// Rules from `lexicon` alone.
    pub fn rules_only(lexicon: Lexicon) -> Self {
        HybridScorer {
            rules: RuleScorer::new(lexicon),
            semantic: SemanticSource::Off,
            calibrated: None,
        }
    }

    /// Rules from `lexicon` with `layer`.
    pub fn with_layer(lexicon: Lexicon, layer: Arc<SemanticLayer>) -> Self {
        HybridScorer {
            rules: RuleScorer::new(lexicon),
            semantic: SemanticSource::Loaded(layer),
            calibrated: Some(shipped_calibration()),
        }
    }

    /// Rules from `lexicon` with the shipped layer, loaded when first needed. Should the model
    /// fail to load then, replies are scored by the rules alone (call [`warm_up`] beforehand to
    /// learn why).
    pub fn with_shipped_model_later(lexicon: Lexicon) -> HybridScorer {
        HybridScorer {
            rules: RuleScorer::new(lexicon),
            semantic: SemanticSource::Shipped,
            calibrated: Some(shipped_calibration()),
        }
    }

    /// This scorer with `calibrated` directions instead of the shipped ones (`None`: the rules
    /// and banks alone, as a fit needs them).
    pub fn with_calibration(mut self, calibrated: Option<Arc<CalibratedDirections>>) -> Self {
        self.calibrated = calibrated;
        self
    }

    /// Whether the shipped layer is still to be loaded (by the first reply or [`warm_up`]).
    pub fn loads_shipped_model_later(&self) -> bool {
        matches!(self.semantic, SemanticSource::Shipped)
    }

    /// The semantic layer, if it is in use and loads.
    pub fn layer(&self) -> Option<Arc<SemanticLayer>> {
        match &self.semantic {
            SemanticSource::Off => None,
            SemanticSource::Loaded(layer) => Some(Arc::clone(layer)),
            SemanticSource::Shipped => shared_semantic_layer().ok(),
        }
    }
}

/// The rules' score with the semantic reasons added, clamped once at the end so the result
/// does not depend on the order of the reasons.
fn with_semantic(mut score: DimensionScore, reasons: Vec<Reason>) -> DimensionScore {
    let sum: i32 = reasons.iter().map(|r| r.delta).sum();
    score.score = (i32::from(score.score) + sum).clamp(0, 100) as u8;
    score.reasons.extend(reasons);
    score
}

impl HybridScorer {
    /// The reply's score, with the mean of its clauses' embeddings when the semantic layer read
    /// it (for a fit of calibrated directions, which needs both).
    pub fn score_and_embed(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
    ) -> (ReplyScore, Option<Embedding>) {
        let rules = self.rules.score_before_hold(context, reply);
        let Some(semantic) = self.layer() else {
            return (self.rules.hold_false_comfort(rules, reply), None);
        };
        let ReplyScore {
            empathy,
            accuracy,
            deescalation,
            critical,
            ..
        } = rules;
        let (mut e, mut a, mut d) = (Vec::new(), Vec::new(), Vec::new());
        let (reasons, embedding) = semantic.judge_at_node(
            reply,
            &context.rubric.model_answers,
            self.calibrated.as_deref(),
        );
        for (dimension, reason) in reasons {
            match dimension {
                Dimension::Empathy => e.push(reason),
                Dimension::Accuracy => a.push(reason),
                Dimension::Deescalation => d.push(reason),
            }
        }
        let score = ReplyScore::new(
            with_semantic(empathy, e),
            with_semantic(accuracy, a),
            with_semantic(deescalation, d),
        )
        .with_critical(critical);
        (self.rules.hold_false_comfort(score, reply), embedding)
    }
}

impl ReplyScorer for HybridScorer {
    fn score(&self, context: &ScoringContext<'_>, reply: &str) -> ReplyScore {
        self.score_and_embed(context, reply).0
    }
}

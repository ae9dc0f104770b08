//! Calibrated directions: what a trainer's labelled pairs teach the semantic layer beyond its
//! exemplar banks. For each dimension a direction in the model's embedding space is fitted so
//! that, added to the rules' and banks' score, the reply people judged better scores higher
//! (pairwise logistic regression, fitted by `holdline calibrate LABELS --fit FILE`). A reply's
//! points are the direction's dot product with the mean of its clauses' embeddings, capped, so
//! the banks and rules still decide most of a score and this only tips what they cannot see.
//! The shipped file is `assets/scoring/calibrated.ron`.

use serde::{Deserialize, Serialize};

use super::encoder::{DIM, Embedding};
use crate::scenario::Diagnostic;
use crate::scenario::load::{RonKind, parse_ron};
use crate::scoring::Dimension;

/// The shipped directions, fitted on the tuning and earlier held-out label sets.
pub const BUILTIN_CALIBRATED: &str = include_str!("../../../assets/scoring/calibrated.ron");
/// Where the shipped directions live in the repository.
pub const BUILTIN_CALIBRATED_PATH: &str = "assets/scoring/calibrated.ron";
/// The version of the file format this holdline writes and reads.
pub const VERSION: u32 = 1;

/// One direction per dimension, fitted on labelled pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibratedDirections {
    /// The file format's version.
    pub version: u32,
    /// sha256 of the model weights the directions were fitted with: a direction means nothing
    /// in another model's embedding space.
    pub model_sha256: String,
    /// What the directions were fitted on, for people reading the file.
    pub fitted_on: String,
    /// How the fit was run.
    pub fit: FitSettings,
    /// Empathy.
    pub empathy: Direction,
    /// Accuracy.
    pub accuracy: Direction,
    /// De-escalation.
    pub deescalation: Direction,
}

/// The settings of a fit: fixed, so a fit on the same labels gives the same file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitSettings {
    /// Score points per unit of the fitted logit: the rules' and banks' score gap between two
    /// replies is divided by this before the direction is added to it.
    pub points_per_unit: f32,
    /// The most points a direction gives or takes on one reply.
    pub max_points: i32,
    /// L2 regularisation of the fit: larger keeps directions short and closer to no change.
    pub regularisation: f64,
    /// Whether the singles' bands were fitted on too, as the orderings they imply at each node
    /// ([`crate::scoring::calibration::CalibrationSet::pairs_from_singles`]). Files fitted
    /// before this existed fitted on pairs alone.
    #[serde(default)]
    pub singles_as_pairs: bool,
}

impl Default for FitSettings {
    fn default() -> Self {
        // Chosen by leave-one-set-out (docs/scoring-lexicon.md). With six label sets a cap of 10
        // kept the gain of 15 and did less harm to the library's plain-English replies; fitted on
        // ten sets (1,700 pairs) and measured on heldout-7, 15 lifted de-escalation bands 61% ->
        // 69% with every pair verdict the same, and 20 did no better.
        FitSettings {
            points_per_unit: 10.0,
            max_points: 15,
            regularisation: 5e-4,
            // Fitting on the singles' orderings too: on heldout-3 (fitted on the six sets before
            // it) pairs 81/99/86% -> 82/99/86%, de-escalation bands 67% -> 69% (kappa 0.59 ->
            // 0.70); a small gain, and none lost.
            singles_as_pairs: true,
        }
    }
}

/// One dimension's direction and how its points are explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    /// Pairs labelled on this dimension that the direction was fitted on.
    pub pairs: u32,
    /// How a reply on the good side reads, in the explanation: "reads as caring".
    pub better: String,
    /// How a reply on the bad side reads: "reads as cold".
    pub worse: String,
    /// The hint shown with the points.
    pub hint: String,
    /// The direction itself, one weight per embedding component (384 for all-MiniLM-L6-v2).
    pub weights: Vec<f32>,
}

/// One labelled pair, ready to fit on.
#[derive(Debug, Clone)]
pub struct FitPair {
    /// The dimension it is labelled on.
    pub dimension: Dimension,
    /// The better reply's score minus the worse one's, without any direction.
    pub score_gap: f64,
    /// Mean clause embedding of the better reply.
    pub better: Embedding,
    /// Mean clause embedding of the worse reply.
    pub worse: Embedding,
}

impl CalibratedDirections {
    /// The shipped directions.
    pub fn builtin() -> CalibratedDirections {
        // A test checks the shipped file parses, validates and matches the shipped model.
        CalibratedDirections::from_source(BUILTIN_CALIBRATED_PATH, BUILTIN_CALIBRATED.as_bytes())
            .expect("the built-in calibrated directions are checked by tests")
    }

    /// Parses and checks a directions file.
    pub fn from_source(file: &str, bytes: &[u8]) -> Result<CalibratedDirections, Diagnostic> {
        let directions: CalibratedDirections = parse_ron(RonKind::Calibrated, file, bytes)?;
        directions.problem().map_or(Ok(directions), |why| {
            Err(Diagnostic::whole_file(
                file.to_string(),
                "bad-calibrated-directions",
                why,
                Some("write the file again with `holdline calibrate LABELS --fit FILE`".into()),
            ))
        })
    }

    /// Whether the directions were fitted with the shipped model; if not, an error for `file`
    /// that says how to refit them. Checked apart from [`CalibratedDirections::from_source`]
    /// so that tests and tools can read directions made for any model.
    pub fn check_model(&self, file: &str) -> Result<(), Diagnostic> {
        if self.model_sha256 == super::model_files::WEIGHTS_SHA256 {
            return Ok(());
        }
        Err(Diagnostic::whole_file(
            file.to_string(),
            "calibrated-for-another-model",
            format!(
                "these directions were fitted with another model (weights {}), so they mean nothing to this one",
                self.model_sha256
            ),
            Some(format!(
                "fit them again: `holdline calibrate LABELS --fit {file}`"
            )),
        ))
    }

    /// What is wrong with the file, if anything: the version, a direction of the wrong length,
    /// or numbers that are not finite.
    fn problem(&self) -> Option<String> {
        if self.version != VERSION {
            return Some(format!(
                "version {} is not one this holdline reads (it reads version {VERSION})",
                self.version
            ));
        }
        let s = self.fit;
        if !(s.points_per_unit.is_finite() && s.points_per_unit > 0.0) {
            return Some("fit.points_per_unit must be a number above 0".into());
        }
        if !(0..=100).contains(&s.max_points) {
            return Some("fit.max_points must be 0 to 100".into());
        }
        for d in Dimension::ALL {
            let w = &self.direction(d).weights;
            if w.len() != DIM {
                return Some(format!(
                    "the {} direction has {} weights; the model's embeddings have {DIM}",
                    d.label(),
                    w.len()
                ));
            }
            if w.iter().any(|x| !x.is_finite()) {
                return Some(format!(
                    "the {} direction holds a number that is not finite",
                    d.label()
                ));
            }
        }
        None
    }

    /// The direction for `dimension`.
    pub fn direction(&self, dimension: Dimension) -> &Direction {
        match dimension {
            Dimension::Empathy => &self.empathy,
            Dimension::Accuracy => &self.accuracy,
            Dimension::Deescalation => &self.deescalation,
        }
    }

    /// The unrounded, uncapped points the direction for `dimension` gives `embedding`.
    pub fn raw_points(&self, dimension: Dimension, embedding: &Embedding) -> f64 {
        let w = &self.direction(dimension).weights;
        // Summed in component order in f64: the same on every run and every thread count.
        let dot: f64 = w
            .iter()
            .zip(embedding)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum();
        // No offset: a direction's zero is the embedding space's origin, so a plain statement
        // of fact has points too (on empathy, fewer than a warm reply's). Anchoring plain facts
        // at zero was tried and put more single replies in the wrong band on the tuning sets
        // (empathy 85% -> 71%): labellers rate a reply of bare facts low on empathy.
        f64::from(self.fit.points_per_unit) * dot
    }

    /// The points for `dimension` given to a reply whose mean clause embedding is `embedding`.
    pub fn points(&self, dimension: Dimension, embedding: &Embedding) -> i32 {
        let cap = f64::from(self.fit.max_points);
        self.raw_points(dimension, embedding)
            .clamp(-cap, cap)
            .round() as i32
    }

    /// Directions fitted on `pairs` with `settings`, for the model whose weights hash to
    /// `model_sha256`. Explanations and hints are the defaults; a trainer may reword them in
    /// the file written.
    pub fn fitted(
        pairs: &[FitPair],
        settings: FitSettings,
        model_sha256: &str,
        fitted_on: &str,
    ) -> CalibratedDirections {
        let direction = |d: Dimension, better: &str, worse: &str, hint: &str| {
            let own: Vec<&FitPair> = pairs.iter().filter(|p| p.dimension == d).collect();
            let weights = fit_direction(&own, settings);
            Direction {
                pairs: own.len() as u32,
                better: better.into(),
                worse: worse.into(),
                hint: hint.into(),
                weights,
            }
        };
        CalibratedDirections {
            version: VERSION,
            model_sha256: model_sha256.into(),
            fitted_on: fitted_on.into(),
            fit: settings,
            empathy: direction(
                Dimension::Empathy,
                "reads as more caring than replies people ranked lower",
                "reads as colder than replies people ranked higher",
                "Say, in your own words, what this means for the customer, and own it before the facts.",
            ),
            accuracy: direction(
                Dimension::Accuracy,
                "reads as clearer and more exact than replies people ranked lower",
                "reads as vaguer or less reliable than replies people ranked higher",
                "Give the exact facts and the real next step; promise only what policy allows.",
            ),
            deescalation: direction(
                Dimension::Deescalation,
                "reads as calmer and more in control than replies people ranked lower",
                "reads as more likely to inflame than replies people ranked higher",
                "Give the customer something to hold on to: a named next step, who does it, and by when.",
            ),
        }
    }
}

/// Pairwise logistic regression for one dimension: the probability that the better reply is
/// better is σ(gap / points_per_unit + w·(better − worse)), with an L2 penalty on w, fitted by
/// Newton's method. Everything is in f64 in a fixed order, so a fit is the same on every run.
fn fit_direction(pairs: &[&FitPair], settings: FitSettings) -> Vec<f32> {
    let n = pairs.len();
    if n == 0 {
        return vec![0.0; DIM];
    }
    let rows: Vec<[f64; DIM]> = pairs
        .iter()
        .map(|p| std::array::from_fn(|i| f64::from(p.better[i]) - f64::from(p.worse[i])))
        .collect();
    let offsets: Vec<f64> = pairs
        .iter()
        .map(|p| p.score_gap / f64::from(settings.points_per_unit))
        .collect();
    let lambda = settings.regularisation.max(1e-9);
    let mut w = vec![0.0f64; DIM];
    for _ in 0..30 {
        let mut gradient: Vec<f64> = w.iter().map(|x| lambda * x).collect();
        let mut hessian = vec![0.0f64; DIM * DIM];
        for i in 0..DIM {
            hessian[i * DIM + i] = lambda;
        }
        for (row, offset) in rows.iter().zip(&offsets) {
            let z = offset + row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let g = -(1.0 - p) / n as f64;
            let h = p * (1.0 - p) / n as f64;
            for i in 0..DIM {
                gradient[i] += g * row[i];
                let hi = h * row[i];
                for j in 0..=i {
                    hessian[i * DIM + j] += hi * row[j];
                }
            }
        }
        // The Hessian is at least lambda times the identity, so it is positive definite and the
        // solve only fails on numbers that are not finite; the weights so far are kept then.
        let Some(step) = solve_cholesky(&mut hessian, &gradient) else {
            break;
        };
        // Damped Newton: halve the step until the penalised loss goes down, so that nearly
        // separable pairs (fewer pairs than dimensions) cannot make a full step overshoot.
        let before = penalised_loss(&rows, &offsets, &w, lambda);
        let mut scale = 1.0;
        let mut next: Vec<f64> = w.iter().zip(&step).map(|(wi, si)| wi - si).collect();
        while penalised_loss(&rows, &offsets, &next, lambda) > before && scale > 1e-6 {
            scale *= 0.5;
            next = w
                .iter()
                .zip(&step)
                .map(|(wi, si)| wi - scale * si)
                .collect();
        }
        let size = scale * step.iter().map(|s| s * s).sum::<f64>().sqrt();
        w = next;
        if size < 1e-9 {
            break;
        }
    }
    w.into_iter().map(|x| x as f32).collect()
}

/// The mean logistic loss of the pairs plus the L2 penalty, at `w`.
fn penalised_loss(rows: &[[f64; DIM]], offsets: &[f64], w: &[f64], lambda: f64) -> f64 {
    let data: f64 = rows
        .iter()
        .zip(offsets)
        .map(|(row, offset)| {
            let z = offset + row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
            // log(1 + e^-z), written so a large |z| neither overflows nor loses the small term.
            if z > 0.0 {
                (-z).exp().ln_1p()
            } else {
                -z + z.exp().ln_1p()
            }
        })
        .sum::<f64>()
        / rows.len() as f64;
    data + 0.5 * lambda * w.iter().map(|x| x * x).sum::<f64>()
}

/// Solves `a x = b` for a symmetric positive definite `a` (its lower triangle filled, row-major
/// DIM × DIM), overwriting `a` with its Cholesky factor. `None` if `a` is not positive definite.
fn solve_cholesky(a: &mut [f64], b: &[f64]) -> Option<Vec<f64>> {
    for j in 0..DIM {
        let mut d = a[j * DIM + j];
        for k in 0..j {
            d -= a[j * DIM + k] * a[j * DIM + k];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * DIM + j] = d;
        for i in j + 1..DIM {
            let mut s = a[i * DIM + j];
            for k in 0..j {
                s -= a[i * DIM + k] * a[j * DIM + k];
            }
            a[i * DIM + j] = s / d;
        }
    }
    let mut y = vec![0.0; DIM];
    for i in 0..DIM {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * DIM + k] * y[k];
        }
        y[i] = s / a[i * DIM + i];
    }
    let mut x = vec![0.0; DIM];
    for i in (0..DIM).rev() {
        let mut s = y[i];
        for k in i + 1..DIM {
            s -= a[k * DIM + i] * x[k];
        }
        x[i] = s / a[i * DIM + i];
    }
    Some(x)
}

/// The file a fit writes: a comment saying what it is, then the directions.
pub fn to_file_text(directions: &CalibratedDirections) -> String {
    let config = ron::ser::PrettyConfig::new()
        .compact_arrays(true)
        .struct_names(true);
    let body = ron::ser::to_string_pretty(directions, config)
        .unwrap_or_else(|e| format!("// could not be written: {e}"));
    format!(
        "// Calibrated directions for holdline's semantic scorer (docs/scoring-lexicon.md, \"Calibrated\n\
         // directions\"), written by `holdline calibrate LABELS --fit FILE`. Each dimension's\n\
         // weights are a direction in the model's embedding space, fitted on labelled pairs; a\n\
         // reply earns points_per_unit times its mean clause embedding's dot product with them,\n\
         // capped at max_points either way. `better`, `worse` and `hint` are the explanation and\n\
         // hint shown with the points: reword them freely. Fit again rather than edit the weights.\n\
         {body}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize, x: f32) -> Embedding {
        let mut e = [0.0; DIM];
        e[i] = x;
        e
    }

    #[test]
    fn a_fit_learns_the_direction_that_separates_better_from_worse() {
        // Component 3 is what people rank on; component 7 varies but means nothing.
        let pairs: Vec<FitPair> = (0..40)
            .map(|k| {
                let mut better = unit(3, 0.5);
                let mut worse = unit(3, -0.5);
                better[7] = if k % 2 == 0 { 0.4 } else { -0.4 };
                worse[7] = -better[7];
                FitPair {
                    dimension: Dimension::Empathy,
                    score_gap: 0.0,
                    better,
                    worse,
                }
            })
            .collect();
        let d = CalibratedDirections::fitted(&pairs, FitSettings::default(), "x", "test");
        assert!(d.problem().is_none());
        assert_eq!(d.empathy.pairs, 40);
        assert!(d.empathy.weights[3] > 1.0, "{}", d.empathy.weights[3]);
        assert!(
            d.empathy.weights[7].abs() < 0.01,
            "{}",
            d.empathy.weights[7]
        );
        // No pairs on accuracy: no direction.
        assert!(d.accuracy.weights.iter().all(|&w| w == 0.0));
        assert!(d.points(Dimension::Empathy, &unit(3, 0.5)) > 0);
        assert!(d.points(Dimension::Empathy, &unit(3, -0.5)) < 0);
        assert_eq!(d.points(Dimension::Accuracy, &unit(3, 0.5)), 0);
        // Capped either way.
        let cap = FitSettings::default().max_points;
        assert_eq!(d.points(Dimension::Empathy, &unit(3, 1000.0)), cap);
        assert_eq!(d.points(Dimension::Empathy, &unit(3, -1000.0)), -cap);
    }

    #[test]
    fn pairs_the_score_already_gets_right_leave_the_direction_short() {
        let pair = |gap: f64| FitPair {
            dimension: Dimension::Accuracy,
            score_gap: gap,
            better: unit(1, 0.5),
            worse: unit(1, -0.5),
        };
        let settled =
            CalibratedDirections::fitted(&vec![pair(60.0); 20], FitSettings::default(), "x", "");
        let tied =
            CalibratedDirections::fitted(&vec![pair(0.0); 20], FitSettings::default(), "x", "");
        assert!(settled.accuracy.weights[1] < tied.accuracy.weights[1]);
    }

    #[test]
    fn a_written_fit_reads_back_the_same_and_a_bad_one_says_what_to_do() {
        let pairs = vec![FitPair {
            dimension: Dimension::Deescalation,
            score_gap: -5.0,
            better: unit(2, 0.3),
            worse: unit(5, 0.3),
        }];
        let d = CalibratedDirections::fitted(&pairs, FitSettings::default(), "abc", "one pair");
        let text = to_file_text(&d);
        let back = CalibratedDirections::from_source("fit.ron", text.as_bytes()).unwrap();
        assert_eq!(back, d);
        let long = text.replacen("weights: [", "weights: [1.0, ", 1);
        let err = CalibratedDirections::from_source("fit.ron", long.as_bytes()).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("385 weights") && shown.contains("--fit"),
            "{shown}"
        );
    }

    #[test]
    fn the_shipped_directions_belong_to_the_shipped_model() {
        let d = CalibratedDirections::builtin();
        assert_eq!(d.model_sha256, super::super::model_files::WEIGHTS_SHA256);
        for dimension in Dimension::ALL {
            assert!(d.direction(dimension).pairs >= 200, "{dimension:?}");
        }
    }
}

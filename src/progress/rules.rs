//! The gamification rules, as data a training programme can tune: XP, levels, tier unlocks,
//! what counts as practice for a streak, the review queue's spacing, shifts and the badges.
//! The built-in set is `assets/progress/rules.ron`; `holdline validate` checks any rules file.

use serde::{Deserialize, Serialize};

use crate::scenario::Diagnostic;
use crate::scenario::diagnostic::{Reporter, Severity};
use crate::scenario::load::{RonKind, parse_ron};
use crate::scenario::model::{Industry, MAX_TIER};
use crate::scenario::span_index::Step;
use crate::scoring::Dimension;

/// The progress rules shipped with holdline, built into the binary so it runs from any directory.
pub const BUILTIN_RULES: &str = include_str!("../../assets/progress/rules.ron");
/// Where the shipped rules live in the repository; names them in diagnostics.
pub const BUILTIN_RULES_PATH: &str = "assets/progress/rules.ron";

/// The gamification rules a training programme can tune, as read from a rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressRules {
    /// How much XP an attempt earns.
    pub xp: XpRules,
    /// In order of the XP they need; the first needs 0.
    pub levels: Vec<Level>,
    /// Which tiers open, and when; tier 1 is always open.
    pub unlocks: Vec<TierUnlock>,
    /// What an attempt needs to count as practice.
    pub effort: Effort,
    /// How streaks forgive missed days.
    pub streak: StreakRules,
    /// How the review queue spaces and clears missed nodes.
    pub review: ReviewRules,
    /// How shifts are drawn and their callers judged.
    pub shift: ShiftRules,
    /// Every badge a trainee can earn, in the order they are listed.
    pub badges: Vec<Badge>,
}

/// The largest XP one rule may award for one attempt (`validate` refuses more).
pub const MAX_XP_AWARD: u32 = 10_000;

/// How much XP a finished attempt earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XpRules {
    /// For any finished attempt that meets the minimum effort.
    pub base: u32,
    /// Per point of the attempt's overall score.
    pub per_overall_point: u32,
    /// Per point the attempt's weakest dimension beats the trainee's best in that dimension so far.
    pub per_weakest_gain_point: u32,
    /// The most points of weakest-dimension gain paid for, 0–100.
    pub weakest_gain_cap: u32,
    /// Percent of the XP kept when the scenario already had three stars before this attempt.
    pub mastered_percent: u32,
    /// For a passed review drill.
    pub drill_passed: u32,
}

/// One level a trainee can reach with XP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Name of the level, e.g. "Specialist".
    pub title: String,
    /// Total XP needed to reach it; 0 for the first level.
    pub xp: u32,
}

/// Tier `tier` opens once the trainee holds `stars` stars across the scenarios of `from_tier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierUnlock {
    /// The tier that opens, from 2 to the highest tier.
    pub tier: u8,
    /// The lower tier whose stars count towards it.
    pub from_tier: u8,
    /// Stars needed across that tier's scenarios.
    pub stars: u32,
}

/// What an attempt needs to count as practice (for a streak and for XP): not a login, not a
/// two-second click-through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effort {
    /// Replies an attempt needs at least.
    pub min_replies: u32,
    /// Seconds an attempt's replies must take at least, by their own timings.
    pub min_seconds: u32,
}

/// How practice streaks forgive missed days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreakRules {
    /// Missed days forgiven per calendar week (Monday to Sunday).
    pub freezes_per_week: u32,
}

/// How the review queue picks, spaces and clears missed nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRules {
    /// A reply scoring under this on any dimension puts its node in the review queue.
    pub below: u8,
    /// Days until the next review: the first after the miss, then after each review.
    pub intervals_days: Vec<u32>,
    /// Reviews passed in a row that clear the node.
    pub passes_to_clear: u32,
}

/// How shifts are drawn and how their callers are judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftRules {
    /// Calls in one shift, 1–50.
    pub calls: u32,
    /// How much more likely a scenario is drawn per point of weakness (100 minus the trainee's
    /// score in its weakest dimension there), as a multiple of the base chance per 100 points.
    pub weak_skill_weight: u32,
    /// A call's satisfaction (1-5) counts as satisfied at or above this.
    pub satisfied_from: u8,
}

/// A badge a trainee can earn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Badge {
    /// Id, unique among the badges; an attempt that earns the badge lists it.
    pub id: String,
    /// Name shown to the trainee, e.g. "Cool head".
    pub name: String,
    /// How to earn it, shown on a locked badge.
    pub how: String,
    /// When the badge is earned.
    pub when: BadgeCondition,
}

/// When a badge is earned. Counts are over attempts that meet the minimum effort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BadgeCondition {
    /// Finished this many scenario attempts.
    Finished(u32),
    /// Passed this many different scenarios.
    PassedScenarios(u32),
    /// Holds three stars on this many scenarios.
    ThreeStarScenarios(u32),
    /// Finished one attempt where anger reached `from` and ended below `below`.
    Calmed {
        /// Anger (0–100) the customer must reach at some point in the call.
        from: u8,
        /// Anger (0–100) the call must end below.
        below: u8,
    },
    /// Scored at least `score` on `dimension` over a whole attempt of tier `min_tier` or above.
    DimensionScore {
        /// The dimension scored.
        dimension: Dimension,
        /// The least score on it over the whole attempt, 0–100.
        score: u8,
        /// The lowest scenario tier that counts.
        min_tier: u8,
    },
    /// This many finished attempts in a row, on different scenarios, with no penalty rule firing.
    CleanRun(u32),
    /// Finished at least one scenario on every channel.
    EveryChannel,
    /// Finished scenarios in this many industries.
    Industries(u32),
    /// A practice streak of this many days.
    StreakDays(u32),
    /// Practised on this many different days.
    PracticeDays(u32),
    /// Typed this many replies of your own (not picked).
    TypedReplies(u32),
    /// Passed a scenario you had failed before.
    Comeback,
    /// Cleared this many nodes from the review queue.
    ReviewsCleared(u32),
    /// Finished this many shifts.
    Shifts(u32),
    /// Finished a shift with at least this percent of callers satisfied.
    ShiftSatisfaction(u8),
    /// Reached this level (1 is the first).
    Level(u32),
}

impl ProgressRules {
    /// The rules shipped in `assets/progress/rules.ron`.
    pub fn builtin() -> ProgressRules {
        match ProgressRules::from_source(BUILTIN_RULES_PATH, BUILTIN_RULES.as_bytes()) {
            Ok(rules) => rules,
            // A test checks the built-in file; this is only reached by a broken build.
            Err(errors) => panic!("the built-in progress rules are invalid: {errors:?}"),
        }
    }

    /// Parses and validates a rules file; `Err` holds every problem found.
    pub fn from_source(file: &str, bytes: &[u8]) -> Result<ProgressRules, Vec<Diagnostic>> {
        let rules: ProgressRules =
            parse_ron(RonKind::ProgressRules, file, bytes).map_err(|d| vec![d])?;
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        let diagnostics = rules.validate(file, text);
        if diagnostics.iter().any(Diagnostic::is_error) {
            Err(diagnostics)
        } else {
            Ok(rules)
        }
    }

    /// Every problem in one pass, each at the line and column of the field at fault.
    pub fn validate(&self, file: &str, text: &str) -> Vec<Diagnostic> {
        let mut r = Reporter::new(file, text);
        if self.levels.first().is_none_or(|l| l.xp != 0) {
            r.error(
                &[Step::Field("levels")],
                "first-level-xp",
                "the first level must need 0 XP, so every trainee has a level".into(),
            );
        }
        for (i, pair) in self.levels.windows(2).enumerate() {
            if pair[1].xp <= pair[0].xp {
                r.error(
                    &[Step::Field("levels"), Step::Index(i + 1), Step::Field("xp")],
                    "levels-out-of-order",
                    format!(
                        "level \"{}\" needs {} XP, not more than \"{}\" before it ({})",
                        pair[1].title, pair[1].xp, pair[0].title, pair[0].xp
                    ),
                );
            }
        }
        for (i, level) in self.levels.iter().enumerate() {
            let path = [Step::Field("levels"), Step::Index(i), Step::Field("title")];
            r.require_text(&path, "a level title", &level.title);
        }
        for (i, unlock) in self.unlocks.iter().enumerate() {
            let at = |f| [Step::Field("unlocks"), Step::Index(i), Step::Field(f)];
            let max_tier = MAX_TIER.into();
            r.require_range(
                &at("tier"),
                "an unlocked tier",
                unlock.tier.into(),
                2,
                max_tier,
            );
            r.require_range(
                &at("from_tier"),
                "from_tier",
                unlock.from_tier.into(),
                1,
                max_tier,
            );
            if unlock.from_tier >= unlock.tier {
                r.error(
                    &[Step::Field("unlocks"), Step::Index(i)],
                    "unlock-order",
                    format!(
                        "tier {} cannot be unlocked by stars in tier {}",
                        unlock.tier, unlock.from_tier
                    ),
                );
            }
        }
        // XP is counted in 32 bits and saturates there; these limits keep a lifetime of practice
        // (thousands of attempts at the largest award) far below that.
        let xp = &self.xp;
        for (field, value, max) in [
            ("base", xp.base, MAX_XP_AWARD),
            (
                "per_overall_point",
                xp.per_overall_point,
                MAX_XP_AWARD / 100,
            ),
            (
                "per_weakest_gain_point",
                xp.per_weakest_gain_point,
                MAX_XP_AWARD / 100,
            ),
            ("weakest_gain_cap", xp.weakest_gain_cap, 100),
            ("mastered_percent", xp.mastered_percent, 100),
            ("drill_passed", xp.drill_passed, MAX_XP_AWARD),
        ] {
            let path = [Step::Field("xp"), Step::Field(field)];
            r.require_range(&path, field, value.into(), 0, max.into());
        }
        let review = [Step::Field("review")];
        r.require_range(&review, "review below", self.review.below.into(), 1, 100);
        if self.review.intervals_days.is_empty() || self.review.intervals_days.contains(&0) {
            r.error(
                &[Step::Field("review"), Step::Field("intervals_days")],
                "review-intervals",
                "review intervals must be one or more whole days, none of them 0".into(),
            );
        }
        let clear = [Step::Field("review"), Step::Field("passes_to_clear")];
        let passes = self.review.passes_to_clear.into();
        r.require_range(&clear, "passes_to_clear", passes, 1, 100);
        let shift = [Step::Field("shift"), Step::Field("calls")];
        r.require_range(&shift, "shift calls", self.shift.calls.into(), 1, 50);
        let satisfied = [Step::Field("shift"), Step::Field("satisfied_from")];
        r.require_range(
            &satisfied,
            "satisfied_from",
            self.shift.satisfied_from.into(),
            1,
            5,
        );
        let mut seen = std::collections::HashSet::new();
        for (i, badge) in self.badges.iter().enumerate() {
            let at = |f| [Step::Field("badges"), Step::Index(i), Step::Field(f)];
            if !seen.insert(badge.id.as_str()) {
                r.error(
                    &at("id"),
                    "duplicate-badge",
                    format!("badge id \"{}\" is used twice", badge.id),
                );
            }
            r.require_text(&at("name"), "a badge name", &badge.name);
            r.require_text(&at("how"), "a badge's how-to-earn text", &badge.how);
            self.check_badge_can_be_earned(&mut r, i, &badge.when);
        }
        r.out
    }

    /// Refuses a condition no trainee can ever meet, such as a level past the last one or more
    /// than 100 percent: the badge would sit locked forever, with a how-to that cannot be done.
    fn check_badge_can_be_earned(&self, r: &mut Reporter<'_>, i: usize, when: &BadgeCondition) {
        let at = [Step::Field("badges"), Step::Index(i), Step::Field("when")];
        let mut range = |what: &str, value: i64, min: i64, max: i64| {
            if value < min || value > max {
                r.report(
                    Severity::Error,
                    &at,
                    "badge-never-earned",
                    format!("{what} is {value}, so the badge can never be earned"),
                    Some(format!("use a value between {min} and {max}")),
                );
            }
        };
        let levels = i64::try_from(self.levels.len()).unwrap_or(i64::MAX);
        let tiers = i64::from(MAX_TIER);
        let industries = Industry::ALL.len() as i64;
        match when {
            BadgeCondition::Level(n) => range("the level", (*n).into(), 1, levels),
            BadgeCondition::ShiftSatisfaction(p) => {
                range("the percent of satisfied callers", (*p).into(), 0, 100)
            }
            BadgeCondition::Industries(n) => {
                range("the number of industries", (*n).into(), 1, industries)
            }
            BadgeCondition::Calmed { from, below } => {
                range("the anger to reach (from)", (*from).into(), 1, 100);
                range("the anger to end below (below)", (*below).into(), 1, 100);
            }
            BadgeCondition::DimensionScore {
                score, min_tier, ..
            } => {
                range("the score", (*score).into(), 0, 100);
                range("min_tier", (*min_tier).into(), 1, tiers);
            }
            BadgeCondition::Finished(_)
            | BadgeCondition::PassedScenarios(_)
            | BadgeCondition::ThreeStarScenarios(_)
            | BadgeCondition::CleanRun(_)
            | BadgeCondition::EveryChannel
            | BadgeCondition::StreakDays(_)
            | BadgeCondition::PracticeDays(_)
            | BadgeCondition::TypedReplies(_)
            | BadgeCondition::Comeback
            | BadgeCondition::ReviewsCleared(_)
            | BadgeCondition::Shifts(_) => {}
        }
    }

    /// The level reached with `xp`: its 0-based index.
    pub fn level_index(&self, xp: u32) -> usize {
        self.levels
            .iter()
            .rposition(|l| xp >= l.xp)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_rules_are_valid_and_have_fifteen_badges() {
        let rules = ProgressRules::from_source(BUILTIN_RULES_PATH, BUILTIN_RULES.as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(rules.badges.len() >= 15, "{} badges", rules.badges.len());
        assert_eq!(rules.level_index(0), 0);
        assert_eq!(rules.level_index(rules.levels[1].xp), 1);
    }

    /// The codes `validate` reports for the built-in rules with `from` replaced by `to`.
    fn codes_after(from: &str, to: &str) -> Vec<&'static str> {
        assert!(
            BUILTIN_RULES.contains(from),
            "the built-in rules contain {from}"
        );
        let text = BUILTIN_RULES.replacen(from, to, 1);
        match ProgressRules::from_source("r.ron", text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(|d| d.code).collect(),
        }
    }

    #[test]
    fn badges_that_can_never_be_earned_are_refused() {
        let level = codes_after("Level(3)", "Level(4294967295)");
        assert!(level.contains(&"badge-never-earned"), "{level:?}");
        let satisfied = codes_after("ShiftSatisfaction(80)", "ShiftSatisfaction(250)");
        assert!(satisfied.contains(&"badge-never-earned"), "{satisfied:?}");
        assert_eq!(codes_after("Level(3)", "Level(2)"), Vec::<&str>::new());
    }

    #[test]
    fn unlocks_past_the_last_tier_and_reviews_that_never_clear_are_refused() {
        let tier = codes_after("tier: 3, from_tier: 2", "tier: 9, from_tier: 2");
        assert!(tier.contains(&"out-of-range"), "{tier:?}");
        let clear = codes_after("passes_to_clear: 2", "passes_to_clear: 0");
        assert!(clear.contains(&"out-of-range"), "{clear:?}");
    }

    #[test]
    fn a_level_out_of_order_is_reported_at_its_line() {
        let text = BUILTIN_RULES.replacen("xp: 250", "xp: 0", 1);
        assert_ne!(text, BUILTIN_RULES, "the test edits the second level");
        let errors = ProgressRules::from_source("r.ron", text.as_bytes()).unwrap_err();
        let error = errors
            .iter()
            .find(|d| d.code == "levels-out-of-order")
            .expect("reported");
        let zero_xp_lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("xp: 0)"))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(error.line, zero_xp_lines[1], "the second level's line");
    }
}

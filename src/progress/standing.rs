//! A trainee's standing, worked out from their attempts and the rules every time: XP and level,
//! stars and unlocked tiers, the streak, badges, the review queue, shifts and each dimension
//! over time. Nothing here is stored, so a change to the rules re-scores all past practice and
//! standing can never drift from the history it comes from.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::attempt::{AttemptKind, AttemptRecord};
use super::review::{ReviewItem, ReviewQueue, reply_passes};
use super::rules::{BadgeCondition, ProgressRules};
use super::shift::{ShiftSummary, summarise};
use super::streak::{Streak, streak};
use crate::scenario::model::Channel;
use crate::scoring::Dimension;
use crate::session::Outcome;

/// Where a trainee stands, worked out afresh from their attempts and the progress rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// Total XP earned over all attempts.
    pub xp: u32,
    /// 0-based index of the level reached in the rules' `levels`.
    pub level: usize,
    /// Title of the level reached, e.g. "Associate".
    pub level_title: String,
    /// The next level's title and the XP it needs; `None` at the top.
    pub next_level: Option<(String, u32)>,
    /// XP where the current level starts, for a progress bar.
    pub level_floor: u32,
    /// Best stars per scenario id.
    pub stars: BTreeMap<String, u8>,
    /// Best stars summed over each tier's scenarios; tier unlocks count these.
    pub stars_by_tier: BTreeMap<u8, u32>,
    /// Tiers the trainee may play; tier 1 is always open.
    pub unlocked_tiers: BTreeSet<u8>,
    /// The practice streak as of today.
    pub streak: Streak,
    /// Every badge in the rules, in their order, earned or not.
    pub badges: Vec<BadgeState>,
    /// Review-queue nodes due today or overdue, soonest due first.
    pub review_due: Vec<ReviewItem>,
    /// Review-queue nodes not yet due, soonest due first.
    pub review_later: Vec<ReviewItem>,
    /// Shifts completed with every call meeting the minimum effort, in the order completed.
    pub shifts: Vec<ShiftSummary>,
    /// Each finished whole-scenario attempt's scores, oldest first, for the charts over time.
    pub history: Vec<DimensionPoint>,
    /// XP and badges each attempt earned, by attempt id: the debrief shows its own.
    pub earned: BTreeMap<String, Earned>,
    /// Whole scenarios and shift calls played to an ending, however quickly. Stars come from
    /// these.
    pub finished: u32,
    /// Of those, the ones that met the minimum effort (`rules.effort`): only these earn XP,
    /// streak days and count towards badges.
    pub practised: u32,
    /// Review drills taken (one reply each).
    pub drills: u32,
    /// Attempts left before an ending.
    pub abandoned: u32,
}

/// One badge from the rules and where the trainee stands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadgeState {
    /// The badge's id from the rules.
    pub id: String,
    /// The badge's name, as shown to the trainee.
    pub name: String,
    /// How to earn it, shown while it is locked.
    pub how: String,
    /// The attempt that earned it.
    pub earned_by: Option<String>,
    /// Progress towards a counted badge: (have, need).
    pub progress: Option<(u32, u32)>,
}

/// What one attempt earned, shown in its debrief.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Earned {
    /// XP the attempt earned; 0 if it fell short of the minimum effort.
    pub xp: u32,
    /// Ids of the badges the attempt earned, in the rules' order.
    pub badges: Vec<String>,
}

/// One finished attempt's three scores, for the chart of each dimension over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionPoint {
    /// When the attempt finished, in seconds since the Unix epoch.
    pub finished_at: u64,
    /// Id of the scenario played.
    pub scenario_id: String,
    /// The attempt's empathy score, 0–100.
    pub empathy: u8,
    /// The attempt's accuracy score, 0–100.
    pub accuracy: u8,
    /// The attempt's de-escalation score, 0–100.
    pub deescalation: u8,
}

/// Running counts while attempts are replayed in order.
#[derive(Default)]
struct RunningTotals {
    xp: u32,
    /// Finished attempts that met the minimum effort.
    practised: u32,
    passed: BTreeSet<String>,
    failed: BTreeSet<String>,
    stars: BTreeMap<String, u8>,
    tiers: BTreeMap<String, u8>,
    channels: BTreeSet<Channel>,
    industries: BTreeSet<String>,
    days: BTreeSet<i64>,
    typed: u32,
    clean_run: Vec<String>,
    best: BTreeMap<Dimension, u8>,
    sums: BTreeMap<Dimension, (u32, u32)>,
    /// Indexes of badges whose condition is about a single attempt and has been met once.
    latched: BTreeSet<usize>,
    /// A scenario was passed after being failed.
    comeback: bool,
    shifts: Vec<ShiftSummary>,
    reviews: ReviewQueue,
}

fn dimension_of(outcome: &Outcome, d: Dimension) -> u8 {
    match d {
        Dimension::Empathy => outcome.empathy,
        Dimension::Accuracy => outcome.accuracy,
        Dimension::Deescalation => outcome.deescalation,
    }
}

/// Whether an attempt counts as practice: enough replies and enough time with the customer, by
/// the same clock the play screen shows. Attempts migrated from format 1 kept no turns; they
/// were real finished attempts, so they count.
pub fn meets_effort(rules: &ProgressRules, record: &AttemptRecord) -> bool {
    effort_shortfall(rules, record).is_none()
}

/// Why an attempt does not count as practice, in the trainee's words ("2 of the 3 replies it
/// needs"); `None` when it does. The debrief says it, so a rushed attempt's missing XP is not a
/// mystery.
pub fn effort_shortfall(rules: &ProgressRules, record: &AttemptRecord) -> Option<String> {
    if record.finished().is_none() {
        return Some("the conversation was left before it ended".into());
    }
    if record.legacy {
        return None;
    }
    let (replies, secs) = (record.turns.len() as u32, record.practice_secs());
    let (need_replies, need_secs) = (rules.effort.min_replies, rules.effort.min_seconds);
    let mut short = Vec::new();
    if replies < need_replies {
        let plural = if need_replies == 1 {
            "reply"
        } else {
            "replies"
        };
        short.push(format!("{replies} of the {need_replies} {plural} it needs"));
    }
    if secs < u64::from(need_secs) {
        short.push(format!(
            "{secs} of the {need_secs} seconds with the customer it needs"
        ));
    }
    (!short.is_empty()).then(|| short.join(", and "))
}

/// The standing after `attempts` (any order; they are sorted by time) on day `today`.
pub fn standing(rules: &ProgressRules, attempts: &[AttemptRecord], today: i64) -> Standing {
    let mut ordered: Vec<&AttemptRecord> = attempts.iter().collect();
    ordered.sort_by(|a, b| (a.finished_at, &a.id).cmp(&(b.finished_at, &b.id)));
    let mut t = RunningTotals::default();
    let mut earned: BTreeMap<String, Earned> = BTreeMap::new();
    let mut badges: Vec<BadgeState> = rules
        .badges
        .iter()
        .map(|b| BadgeState {
            id: b.id.clone(),
            name: b.name.clone(),
            how: b.how.clone(),
            earned_by: None,
            progress: None,
        })
        .collect();
    let mut history = Vec::new();
    let (mut abandoned, mut finished, mut drills) = (0, 0, 0);
    for (index, record) in ordered.iter().enumerate() {
        let record: &AttemptRecord = record;
        for turn in &record.turns {
            t.reviews
                .observe(&rules.review, &record.scenario_id, turn, record.day());
            t.typed += u32::from(turn.choice.is_none());
        }
        let gained = match record.finished() {
            None => {
                abandoned += 1;
                0
            }
            Some(outcome) => {
                if matches!(record.kind, AttemptKind::Drill { .. }) {
                    drills += 1;
                } else {
                    finished += 1;
                }
                take_finished(rules, &mut t, record, outcome, &ordered[..index])
            }
        };
        if let Some(outcome) = record.finished()
            && !matches!(record.kind, AttemptKind::Drill { .. })
        {
            history.push(DimensionPoint {
                finished_at: record.finished_at,
                scenario_id: record.scenario_id.clone(),
                empathy: outcome.empathy,
                accuracy: outcome.accuracy,
                deescalation: outcome.deescalation,
            });
        }
        t.xp = t.xp.saturating_add(gained);
        let entry = earned.entry(record.id.clone()).or_default();
        entry.xp = gained;
        for (i, (badge, state)) in rules.badges.iter().zip(badges.iter_mut()).enumerate() {
            let (holds, _) = check(rules, i, &badge.when, &t, record.day());
            if holds && state.earned_by.is_none() {
                state.earned_by = Some(record.id.clone());
                entry.badges.push(badge.id.clone());
            }
        }
    }
    // Progress on badges not yet earned, as of today (a streak can lapse without an attempt).
    for (i, (badge, state)) in rules.badges.iter().zip(badges.iter_mut()).enumerate() {
        state.progress = check(rules, i, &badge.when, &t, today).1;
    }
    let level = rules.level_index(t.xp);
    let mut stars_by_tier: BTreeMap<u8, u32> = BTreeMap::new();
    for (id, stars) in &t.stars {
        if let Some(&tier) = t.tiers.get(id) {
            *stars_by_tier.entry(tier).or_default() += u32::from(*stars);
        }
    }
    let mut unlocked_tiers: BTreeSet<u8> = [1].into();
    let mut unlocks = rules.unlocks.clone();
    unlocks.sort_by_key(|u| u.tier);
    for unlock in unlocks {
        let have = stars_by_tier.get(&unlock.from_tier).copied().unwrap_or(0);
        if unlocked_tiers.contains(&unlock.from_tier) && have >= unlock.stars {
            unlocked_tiers.insert(unlock.tier);
        }
    }
    let (review_due, review_later) = t
        .reviews
        .open()
        .into_iter()
        .partition(|item| item.due_day <= today);
    Standing {
        xp: t.xp,
        level,
        level_title: rules
            .levels
            .get(level)
            .map(|l| l.title.clone())
            .unwrap_or_default(),
        next_level: rules.levels.get(level + 1).map(|l| (l.title.clone(), l.xp)),
        level_floor: rules.levels.get(level).map_or(0, |l| l.xp),
        streak: streak(&t.days, today, rules.streak.freezes_per_week),
        stars: t.stars,
        stars_by_tier,
        unlocked_tiers,
        badges,
        review_due,
        review_later,
        shifts: t.shifts,
        history,
        earned,
        finished,
        practised: t.practised,
        drills,
        abandoned,
    }
}

/// Counts a finished attempt and returns the XP it earns.
fn take_finished(
    rules: &ProgressRules,
    t: &mut RunningTotals,
    record: &AttemptRecord,
    outcome: &Outcome,
    before: &[&AttemptRecord],
) -> u32 {
    if let AttemptKind::Drill { .. } = record.kind {
        let passed = record
            .turns
            .iter()
            .all(|turn| reply_passes(&rules.review, turn));
        return if passed && !record.turns.is_empty() {
            rules.xp.drill_passed
        } else {
            0
        };
    }
    // Stars are the best score earned, however quickly: they need no minimum effort. Only a
    // passed attempt earns any (attempts saved before that rule kept one star for a failure).
    let id = &record.scenario_id;
    let had_stars = t.stars.get(id).copied().unwrap_or(0);
    let stars = if outcome.passed { outcome.stars } else { 0 };
    t.stars.insert(id.clone(), had_stars.max(stars));
    if let Some(tier) = record.tier {
        t.tiers.insert(id.clone(), tier);
    }
    // XP, streak days and badge counts are for practice, not click-throughs.
    if !meets_effort(rules, record) {
        return 0;
    }
    t.practised += 1;
    t.days.insert(record.day());
    if let Some(channel) = record.channel {
        t.channels.insert(channel);
    }
    if let Some(industry) = record.industry {
        t.industries.insert(format!("{industry:?}"));
    }
    // The weakest dimension so far is the lowest mean; XP rewards beating the best in it.
    let weakest = Dimension::ALL
        .into_iter()
        .filter(|d| t.sums.contains_key(d))
        .min_by_key(|d| {
            let (sum, n) = t.sums[d];
            sum / n.max(1)
        });
    let gain = weakest.map_or(0, |d| {
        let now = dimension_of(outcome, d);
        u32::from(now.saturating_sub(t.best.get(&d).copied().unwrap_or(0)))
            .min(rules.xp.weakest_gain_cap)
    });
    // Saturating, so that no rules file can make XP wrap round to a small number.
    let mut xp = rules
        .xp
        .base
        .saturating_add(
            rules
                .xp
                .per_overall_point
                .saturating_mul(u32::from(outcome.overall)),
        )
        .saturating_add(rules.xp.per_weakest_gain_point.saturating_mul(gain));
    if had_stars >= 3 {
        let kept = u64::from(xp) * u64::from(rules.xp.mastered_percent.min(100)) / 100;
        xp = u32::try_from(kept).unwrap_or(u32::MAX);
    }
    for d in Dimension::ALL {
        let score = dimension_of(outcome, d);
        let best = t.best.entry(d).or_default();
        *best = (*best).max(score);
        let (sum, n) = t.sums.entry(d).or_default();
        *sum += u32::from(score);
        *n += 1;
    }
    if outcome.passed {
        if t.failed.contains(id) && !t.passed.contains(id) {
            t.comeback = true;
        }
        t.passed.insert(id.clone());
    } else {
        t.failed.insert(id.clone());
    }
    let penalised = record.turns.iter().any(|turn| {
        Dimension::ALL
            .iter()
            .flat_map(|d| turn.score.dimension(*d).reasons.iter())
            .any(|r| r.delta < 0 && !r.is_authored())
    });
    if penalised {
        t.clean_run.clear();
    } else if !t.clean_run.contains(id) {
        t.clean_run.push(id.clone());
    }
    latch_attempt_badges(rules, t, record, outcome);
    if let AttemptKind::Shift {
        shift_id, calls, ..
    } = &record.kind
    {
        let mut taken: Vec<&AttemptRecord> = before
            .iter()
            .copied()
            .filter(|r| matches!(&r.kind, AttemptKind::Shift { shift_id: s, .. } if s == shift_id))
            // A shift counts when every call was real practice.
            .filter(|r| meets_effort(rules, r))
            .collect();
        taken.push(record);
        if taken.len() as u32 == *calls {
            t.shifts.push(summarise(shift_id, &taken, &rules.shift));
        }
    }
    xp
}

/// Sets the latch for each badge whose condition is about one attempt, keyed by badge index.
fn latch_attempt_badges(
    rules: &ProgressRules,
    t: &mut RunningTotals,
    record: &AttemptRecord,
    outcome: &Outcome,
) {
    for (i, badge) in rules.badges.iter().enumerate() {
        let holds = match &badge.when {
            BadgeCondition::Calmed { from, below } => {
                let curve = record.mood_curve();
                let peak = curve.iter().position(|m| m.anger >= *from);
                peak.is_some() && curve.last().is_some_and(|m| m.anger < *below)
            }
            BadgeCondition::DimensionScore {
                dimension,
                score,
                min_tier,
            } => {
                record.tier.is_some_and(|tier| tier >= *min_tier)
                    && !record.legacy
                    && dimension_of(outcome, *dimension) >= *score
            }
            _ => false,
        };
        if holds {
            t.latched.insert(i);
        }
    }
}

/// Whether badge `index`'s condition holds on `day`, and the progress towards it when it is a
/// count.
fn check(
    rules: &ProgressRules,
    index: usize,
    condition: &BadgeCondition,
    t: &RunningTotals,
    day: i64,
) -> (bool, Option<(u32, u32)>) {
    let count = |have: usize, need: u32| {
        let have = u32::try_from(have).unwrap_or(u32::MAX);
        (have >= need, Some((have.min(need), need)))
    };
    match condition {
        BadgeCondition::Finished(n) => count(t.practised as usize, *n),
        BadgeCondition::PassedScenarios(n) => count(t.passed.len(), *n),
        BadgeCondition::ThreeStarScenarios(n) => {
            count(t.stars.values().filter(|&&s| s >= 3).count(), *n)
        }
        BadgeCondition::CleanRun(n) => count(t.clean_run.len(), *n),
        BadgeCondition::EveryChannel => count(t.channels.len(), Channel::ALL.len() as u32),
        BadgeCondition::Industries(n) => count(t.industries.len(), *n),
        BadgeCondition::StreakDays(n) => {
            let s = streak(&t.days, day, rules.streak.freezes_per_week);
            count(s.longest as usize, *n)
        }
        BadgeCondition::PracticeDays(n) => count(t.days.len(), *n),
        BadgeCondition::TypedReplies(n) => count(t.typed as usize, *n),
        BadgeCondition::ReviewsCleared(n) => count(t.reviews.cleared_count as usize, *n),
        BadgeCondition::Shifts(n) => count(t.shifts.len(), *n),
        BadgeCondition::ShiftSatisfaction(percent) => (
            t.shifts.iter().any(|s| s.satisfied_percent >= *percent),
            None,
        ),
        BadgeCondition::Level(n) => count(rules.level_index(t.xp) + 1, *n),
        BadgeCondition::Comeback => (t.comeback, None),
        BadgeCondition::Calmed { .. } | BadgeCondition::DimensionScore { .. } => {
            (t.latched.contains(&index), None)
        }
    }
}

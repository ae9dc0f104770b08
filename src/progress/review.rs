//! The review queue: a reply that scored under the mark on any dimension brings its node back
//! as a short drill after the configured days (1, 3, 7 by default) until it is passed the
//! configured number of times in a row when due.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::ReviewRules;
use crate::scenario::mood::Mood;
use crate::session::{TurnResult, meets_review_mark};

/// One node in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    /// Id of the scenario the node is in.
    pub scenario_id: String,
    /// Id of the node missed.
    pub node_id: String,
    /// The customer's mood when the trainee last missed here: the drill starts in it.
    pub mood: Mood,
    /// The day it is next due (days since 1970-01-01 on the trainee's calendar).
    pub due_day: i64,
    /// Due reviews passed in a row.
    pub passes: u32,
    /// Due reviews taken so far, passed or missed.
    pub reviews: u32,
    /// Whether it has been passed enough times in a row to leave the queue.
    pub cleared: bool,
}

/// Whether a reply is good enough to stay out of (or count towards leaving) the queue: the
/// session's one definition ([`meets_review_mark`]) at these rules' mark.
pub fn reply_passes(rules: &ReviewRules, turn: &TurnResult) -> bool {
    meets_review_mark(turn, rules.below)
}

/// Builds the queue as attempts arrive, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ReviewQueue {
    items: BTreeMap<(String, String), ReviewItem>,
    /// How many nodes have left the queue by being cleared.
    pub cleared_count: u32,
}

impl ReviewQueue {
    /// Takes one reply at `scenario_id`'s node on `day`. A miss opens the node (or re-opens
    /// it, from the first interval); a pass on or after the due day counts towards clearing.
    pub fn observe(&mut self, rules: &ReviewRules, scenario_id: &str, turn: &TurnResult, day: i64) {
        let missed = !reply_passes(rules, turn);
        let interval = |i: u32| {
            let days = &rules.intervals_days;
            i64::from(days[(i as usize).min(days.len().saturating_sub(1))])
        };
        let key = (scenario_id.to_string(), turn.node_id.clone());
        match self.items.get_mut(&key) {
            Some(item) if !item.cleared => {
                if missed {
                    item.mood = turn.mood_before;
                    item.passes = 0;
                    item.reviews += u32::from(day >= item.due_day);
                    item.due_day = day + interval(0);
                } else if day >= item.due_day {
                    item.passes += 1;
                    item.reviews += 1;
                    if item.passes >= rules.passes_to_clear {
                        item.cleared = true;
                        self.cleared_count += 1;
                    } else {
                        item.due_day = day + interval(item.reviews);
                    }
                }
            }
            _ if missed => {
                self.items.insert(
                    key.clone(),
                    ReviewItem {
                        scenario_id: key.0,
                        node_id: key.1,
                        mood: turn.mood_before,
                        due_day: day + interval(0),
                        passes: 0,
                        reviews: 0,
                        cleared: false,
                    },
                );
            }
            _ => {}
        }
    }

    /// Nodes still in the queue, soonest due first.
    pub fn open(&self) -> Vec<ReviewItem> {
        let mut open: Vec<ReviewItem> = self
            .items
            .values()
            .filter(|i| !i.cleared)
            .cloned()
            .collect();
        open.sort_by(|a, b| {
            (a.due_day, &a.scenario_id, &a.node_id).cmp(&(b.due_day, &b.scenario_id, &b.node_id))
        });
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::mood::{Mood, MoodBand, MoodDelta};
    use crate::scoring::{DimensionScore, ReplyScore};
    use crate::session::Next;

    fn reply(empathy: u8) -> TurnResult {
        let dim = |score| DimensionScore {
            score,
            reasons: vec![],
        };
        TurnResult {
            node_id: "greet".into(),
            customer_line: String::new(),
            band: MoodBand::Calm,
            reply: "r".into(),
            choice: None,
            elapsed_ms: 1000,
            score: ReplyScore {
                empathy: dim(empathy),
                accuracy: dim(80),
                deescalation: dim(80),
                overall: 80,
                critical: Vec::new(),
            },
            feedback: None,
            mood_before: Mood::default(),
            hesitation: MoodDelta::default(),
            mood_after: Mood::default(),
            walked_out: false,
            next: Next::Ending("e".into()),
        }
    }

    fn rules() -> ReviewRules {
        ReviewRules {
            below: 50,
            intervals_days: vec![1, 3, 7],
            passes_to_clear: 2,
        }
    }

    #[test]
    fn a_miss_comes_back_after_one_then_three_days_and_clears_after_two_due_passes() {
        let mut q = ReviewQueue::default();
        q.observe(&rules(), "s", &reply(30), 100);
        assert_eq!(q.open()[0].due_day, 101);
        // A pass before it is due does not count.
        q.observe(&rules(), "s", &reply(90), 100);
        assert_eq!(q.open()[0].passes, 0);
        q.observe(&rules(), "s", &reply(90), 101);
        assert_eq!((q.open()[0].passes, q.open()[0].due_day), (1, 104));
        q.observe(&rules(), "s", &reply(90), 104);
        assert!(q.open().is_empty());
        assert_eq!(q.cleared_count, 1);
    }

    #[test]
    fn a_miss_during_review_starts_the_spacing_again() {
        let mut q = ReviewQueue::default();
        q.observe(&rules(), "s", &reply(30), 100);
        q.observe(&rules(), "s", &reply(90), 101);
        q.observe(&rules(), "s", &reply(20), 104);
        let item = &q.open()[0];
        assert_eq!((item.passes, item.due_day), (0, 105));
        q.observe(&rules(), "s", &reply(90), 200);
        assert_eq!(q.open().len(), 1, "one pass is not two");
    }
}

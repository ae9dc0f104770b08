//! The customer's mood: three 0–100 meters, named bands, and how replies and hesitation move them.

use serde::{Deserialize, Serialize};

use crate::scoring::ReplyScore;

/// Anger, confusion and trust, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mood {
    pub anger: u8,
    pub confusion: u8,
    pub trust: u8,
}

/// A change to the mood, as authored on a choice or derived from a free-text score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoodDelta {
    #[serde(default)]
    pub anger: i16,
    #[serde(default)]
    pub confusion: i16,
    #[serde(default)]
    pub trust: i16,
}

impl MoodDelta {
    pub fn plus(self, other: MoodDelta) -> MoodDelta {
        MoodDelta {
            anger: self.anger.saturating_add(other.anger),
            confusion: self.confusion.saturating_add(other.confusion),
            trust: self.trust.saturating_add(other.trust),
        }
    }
}

/// The band the customer's anger puts them in; picks line variants and the UI's face and label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MoodBand {
    Calm,
    Annoyed,
    Irate,
}

impl MoodBand {
    pub const ALL: [MoodBand; 3] = [MoodBand::Calm, MoodBand::Annoyed, MoodBand::Irate];

    pub fn label(self) -> &'static str {
        match self {
            MoodBand::Calm => "calm",
            MoodBand::Annoyed => "annoyed",
            MoodBand::Irate => "irate",
        }
    }
}

/// Anger at or above this is "annoyed".
pub const ANNOYED_FROM: u8 = 35;
/// Anger at or above this is "irate".
pub const IRATE_FROM: u8 = 70;

/// A three-step label for any meter, so the UI never relies on colour alone.
pub fn level_label(value: u8) -> &'static str {
    match value {
        0..=33 => "low",
        34..=66 => "medium",
        _ => "high",
    }
}

impl Mood {
    pub fn band(self) -> MoodBand {
        match self.anger {
            a if a >= IRATE_FROM => MoodBand::Irate,
            a if a >= ANNOYED_FROM => MoodBand::Annoyed,
            _ => MoodBand::Calm,
        }
    }

    pub fn apply(self, delta: MoodDelta) -> Mood {
        fn step(value: u8, delta: i16) -> u8 {
            (i16::from(value) + delta).clamp(0, 100) as u8
        }
        Mood {
            anger: step(self.anger, delta.anger),
            confusion: step(self.confusion, delta.confusion),
            trust: step(self.trust, delta.trust),
        }
    }
}

/// Anger added for each full patience period the trainee hesitates past the persona's patience.
pub const HESITATION_ANGER_PER_PERIOD: i16 = 5;
/// Trust lost for each such period.
pub const HESITATION_TRUST_PER_PERIOD: i16 = 2;
/// Hesitation never costs more than this much anger in one turn.
pub const HESITATION_ANGER_CAP: i16 = 20;
/// Hesitation never costs more than this much trust in one turn.
pub const HESITATION_TRUST_CAP: i16 = 8;

/// The mood cost of making the customer wait `elapsed_ms` when their patience is `patience_secs`.
/// Within patience nothing happens; each started period past it adds anger and costs trust.
pub fn hesitation_delta(patience_secs: u32, elapsed_ms: u64) -> MoodDelta {
    let patience_ms = u64::from(patience_secs.max(1)) * 1000;
    if elapsed_ms <= patience_ms {
        return MoodDelta::default();
    }
    let periods = (elapsed_ms - patience_ms).div_ceil(patience_ms);
    let periods = i16::try_from(periods).unwrap_or(i16::MAX);
    let anger = periods
        .saturating_mul(HESITATION_ANGER_PER_PERIOD)
        .min(HESITATION_ANGER_CAP);
    let trust = periods
        .saturating_mul(HESITATION_TRUST_PER_PERIOD)
        .min(HESITATION_TRUST_CAP);
    MoodDelta {
        anger,
        confusion: 0,
        trust: -trust,
    }
}

/// The mood change a scored free-text reply causes. A reply scoring 50 on a dimension is neutral;
/// each 10 points above or below moves the related meter by 2.
///
/// - anger follows de-escalation (and empathy, half as much): good replies calm the customer;
/// - confusion follows accuracy: clear, correct information lowers it;
/// - trust follows the mean of accuracy and empathy.
pub fn delta_from_scores(score: &ReplyScore) -> MoodDelta {
    let centred = |v: u8| i16::from(v) - 50;
    let empathy = centred(score.empathy.score);
    let accuracy = centred(score.accuracy.score);
    let deesc = centred(score.deescalation.score);
    MoodDelta {
        anger: -(deesc / 5) - (empathy / 10),
        confusion: -(accuracy / 5),
        trust: (accuracy + empathy) / 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_anger_thresholds() {
        let mood = |anger| Mood {
            anger,
            confusion: 0,
            trust: 50,
        };
        assert_eq!(mood(0).band(), MoodBand::Calm);
        assert_eq!(mood(34).band(), MoodBand::Calm);
        assert_eq!(mood(35).band(), MoodBand::Annoyed);
        assert_eq!(mood(69).band(), MoodBand::Annoyed);
        assert_eq!(mood(70).band(), MoodBand::Irate);
        assert_eq!(mood(100).band(), MoodBand::Irate);
    }

    #[test]
    fn apply_clamps_to_meter_range() {
        let mood = Mood {
            anger: 95,
            confusion: 3,
            trust: 50,
        };
        let moved = mood.apply(MoodDelta {
            anger: 20,
            confusion: -10,
            trust: 7,
        });
        assert_eq!(
            moved,
            Mood {
                anger: 100,
                confusion: 0,
                trust: 57
            }
        );
    }

    #[test]
    fn hesitation_is_free_within_patience_and_capped_beyond() {
        assert_eq!(hesitation_delta(20, 20_000), MoodDelta::default());
        let one = hesitation_delta(20, 20_001);
        assert_eq!((one.anger, one.trust), (5, -2));
        let two = hesitation_delta(20, 60_000);
        assert_eq!((two.anger, two.trust), (10, -4));
        let forever = hesitation_delta(1, u64::MAX);
        assert_eq!(forever.anger, HESITATION_ANGER_CAP);
        assert_eq!(forever.trust, -HESITATION_TRUST_CAP);
    }
}

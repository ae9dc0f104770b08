//! The customer's mood as a scenario states it: three 0–100 meters, the bands that pick a line
//! and the face, and a change to apply. How replies and hesitation move it is the session's.

use serde::{Deserialize, Serialize};

/// Anger, confusion and trust, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mood {
    /// How angry the customer is, 0–100; decides the mood band.
    pub anger: u8,
    /// How unclear things are to the customer, 0–100.
    pub confusion: u8,
    /// How much the customer trusts the agent, 0–100.
    pub trust: u8,
}

/// A change to the mood, as authored on a choice or derived from a free-text score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoodDelta {
    /// Added to anger, −100 to 100; 0 by default.
    #[serde(default)]
    pub anger: i16,
    /// Added to confusion, −100 to 100; 0 by default.
    #[serde(default)]
    pub confusion: i16,
    /// Added to trust, −100 to 100; 0 by default.
    #[serde(default)]
    pub trust: i16,
}

impl MoodDelta {
    /// Both changes added together, each meter saturating rather than overflowing.
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
    /// Anger below 35.
    Calm,
    /// Anger 35–69.
    Annoyed,
    /// Anger 70 or more.
    Irate,
}

impl MoodBand {
    /// Every band, from calmest to angriest.
    pub const ALL: [MoodBand; 3] = [MoodBand::Calm, MoodBand::Annoyed, MoodBand::Irate];

    /// Lower-case name shown to trainees, e.g. "annoyed".
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

/// The word for an anger level: its band ("calm", "annoyed", "irate"), the same word the
/// customer's mood is shown with, so one screen never uses two vocabularies for anger.
pub fn anger_label(anger: u8) -> &'static str {
    Mood {
        anger,
        confusion: 0,
        trust: 0,
    }
    .band()
    .label()
}

/// A three-step label for confusion and trust, so the UI never relies on colour alone.
pub fn level_label(value: u8) -> &'static str {
    match value {
        0..=33 => "low",
        34..=66 => "medium",
        _ => "high",
    }
}

impl Mood {
    /// The band this mood's anger falls in; confusion and trust play no part.
    pub fn band(self) -> MoodBand {
        match self.anger {
            a if a >= IRATE_FROM => MoodBand::Irate,
            a if a >= ANNOYED_FROM => MoodBand::Annoyed,
            _ => MoodBand::Calm,
        }
    }

    /// This mood moved by `delta`, each meter kept within 0–100.
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
}

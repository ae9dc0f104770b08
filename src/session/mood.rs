//! How the customer's mood moves during a session: from scored replies and from hesitation.
//! The mood types themselves are part of the scenario format (`scenario::mood`).

use crate::scenario::model::{Node, Persona, Turn};
use crate::scenario::mood::MoodDelta;
use crate::scoring::ReplyScore;

/// Seconds a typed turn adds to the customer's patience for each word of the node's first
/// model answer: typing at about 40 words a minute, so reading the case file and typing a good
/// reply is not counted as keeping the customer waiting.
pub const TYPING_SECS_PER_WORD: f32 = 1.5;
/// The typing allowance is at least this, whatever the model answer's length (and this when a
/// node has no model answer).
pub const TYPING_ALLOWANCE_MIN_SECS: u32 = 20;
/// And at most this: a customer does not wait for an essay.
pub const TYPING_ALLOWANCE_MAX_SECS: u32 = 90;

/// Extra seconds of patience a typed turn gets for the typing itself.
pub fn typing_allowance_secs(node: &Node) -> u32 {
    let Turn::FreeText(free) = &node.turn else {
        return 0;
    };
    let words = free
        .rubric
        .model_answers
        .first()
        .map_or(0, |a| a.split_whitespace().count());
    let secs = (words as f32 * TYPING_SECS_PER_WORD).round() as u32;
    secs.clamp(TYPING_ALLOWANCE_MIN_SECS, TYPING_ALLOWANCE_MAX_SECS)
}

/// How long the customer waits at `node` before hesitation costs mood: the persona's patience,
/// plus the typing allowance at a typed turn.
pub fn patience_secs_at(persona: &Persona, node: &Node) -> u32 {
    persona.patience_secs.max(1) + typing_allowance_secs(node)
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

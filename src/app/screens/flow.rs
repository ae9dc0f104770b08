//! What the screens hand each other, so that no screen imports another: the practice to
//! start next (`PlayRequest`), the session just finished (`FinishedSession`) and the shift
//! being worked (`ShiftRun`, over the core's `ShiftPlan`).

use std::sync::Arc;

use bevy::prelude::*;

use super::Screen;
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::progress::shift::{ShiftPlan, ShiftSummary, shift_candidates, summarise};
use crate::progress::{AttemptRecord, unix_now};
use crate::scenario::model::Scenario;
use crate::session::{Session, Start};

/// The scenario and seed the play screen starts with next, and what kind of practice it is.
#[derive(Resource, Debug, Clone)]
pub struct PlayRequest {
    pub scenario: Arc<Scenario>,
    pub seed: u64,
    pub start: Start,
}

impl PlayRequest {
    /// The whole scenario with a fresh seed.
    pub fn fresh(scenario: Arc<Scenario>) -> PlayRequest {
        PlayRequest {
            scenario,
            seed: fresh_seed(),
            start: Start::Scenario,
        }
    }
}

/// A seed for a fresh attempt: different each time, but recorded, so the attempt replays.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) % 1_000_000 + 1
}

/// The finished session, handed to the debrief.
#[derive(Resource, Clone)]
pub struct FinishedSession {
    pub session: Session,
    /// The attempt saved for it (`None` when there is no trainee to save it for).
    pub attempt: Option<String>,
}

/// The shift being worked: its plan (from the core), its customers' scenarios in order and
/// the calls taken so far.
#[derive(Resource, Debug, Clone)]
pub struct ShiftRun {
    pub plan: ShiftPlan,
    pub queue: Vec<Arc<Scenario>>,
    /// Each finished call, as recorded, in the order taken.
    pub taken: Vec<AttemptRecord>,
}

impl ShiftRun {
    /// Draws a shift from the playable scenarios in the trainee's unlocked tiers. `None` when
    /// there is nothing to draw from.
    pub fn draw(library: &ScenarioLibrary, profile: &TraineeProfile, seed: u64) -> Option<Self> {
        let playable = library.playable();
        let candidates = shift_candidates(
            playable.iter().map(|s| (s.id.as_str(), s.tier)),
            &profile.standing.unlocked_tiers,
            &profile.attempts,
        );
        let mut plan = ShiftPlan::draw(seed, &candidates, &profile.rules.shift, unix_now())?;
        let queue: Vec<Arc<Scenario>> = plan
            .calls
            .iter()
            .filter_map(|id| library.find(id))
            .collect();
        // Drawn from the library's playable scenarios, so each is found; kept in step anyway,
        // since a call's index is its place in both.
        plan.calls = queue.iter().map(|s| s.id.clone()).collect();
        (!queue.is_empty()).then(|| ShiftRun {
            plan,
            queue,
            taken: Vec::new(),
        })
    }

    pub fn shift_id(&self) -> &str {
        &self.plan.shift_id
    }

    /// Calls not taken yet.
    pub fn calls_left(&self) -> usize {
        self.queue.len().saturating_sub(self.taken.len())
    }

    /// The next call to take, or `None` when the shift is done.
    pub fn next_call(&self) -> Option<PlayRequest> {
        let call = self.taken.len();
        let scenario = self.queue.get(call)?;
        Some(PlayRequest {
            scenario: scenario.clone(),
            seed: self.plan.call_seed(call),
            start: self.plan.call_start(call),
        })
    }

    pub fn summary(&self, profile: &TraineeProfile) -> ShiftSummary {
        let calls: Vec<&AttemptRecord> = self.taken.iter().collect();
        summarise(self.shift_id(), &calls, &profile.rules.shift)
    }
}

/// Draws a shift and opens its first call; says why on the trainee's notice when it cannot.
pub fn start_shift(
    commands: &mut Commands,
    library: &ScenarioLibrary,
    profile: &mut TraineeProfile,
    next: &mut NextState<Screen>,
) {
    let Some(run) = ShiftRun::draw(library, profile, fresh_seed()) else {
        profile.notice = Some("No scenarios can be played, so no shift can be drawn.".into());
        return;
    };
    if let Some(request) = run.next_call() {
        commands.insert_resource(request);
        commands.insert_resource(run);
        next.set(Screen::Play);
    }
}

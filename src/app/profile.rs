//! The trainee's profile inside the app: loaded at start, saved (atomically, by the core's
//! store) whenever the name changes or an attempt finishes. A save that fails is shown, and
//! the progress stays in memory so nothing is lost before the trainee can act.

use bevy::prelude::*;

use super::AppConfig;
use crate::progress::{Profile, ProfileStore, unix_now};
use crate::session::Session;

#[derive(Resource, Debug)]
pub struct TraineeProfile {
    pub store: ProfileStore,
    /// `None` until the trainee has entered their name.
    pub profile: Option<Profile>,
    /// A problem to show on the title screen (a damaged profile moved aside, a failed save).
    pub notice: Option<String>,
}

impl TraineeProfile {
    pub fn name(&self) -> Option<&str> {
        self.profile.as_ref().map(|p| p.name.as_str())
    }

    pub fn best_stars(&self, scenario_id: &str) -> u8 {
        self.profile
            .as_ref()
            .map_or(0, |p| p.best_stars(scenario_id))
    }

    pub fn set_name(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        match &mut self.profile {
            Some(profile) => profile.name = name.to_string(),
            None => self.profile = Some(Profile::new(name)),
        }
        self.save();
    }

    /// Records a finished session and saves.
    pub fn record(&mut self, session: &Session) {
        let (Some(profile), Some(outcome)) = (&mut self.profile, session.outcome()) else {
            return;
        };
        profile.record(&session.scenario().id, session.seed(), outcome, unix_now());
        self.save();
    }

    fn save(&mut self) {
        if let Some(profile) = &self.profile
            && let Err(err) = self.store.save(profile)
        {
            warn!("{err}");
            self.notice = Some(format!("Your progress could not be saved: {err}"));
        }
    }
}

pub fn plugin(app: &mut App) {
    let store = ProfileStore::new(app.world().resource::<AppConfig>().data_dir.clone());
    let (profile, notice) = match store.load() {
        Ok(profile) => (profile, None),
        Err(err) => {
            warn!("{err}");
            (None, Some(err.to_string()))
        }
    };
    app.insert_resource(TraineeProfile {
        store,
        profile,
        notice,
    });
}

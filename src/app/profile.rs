//! The trainee inside the app: a thin resource over the core's [`OpenTrainee`]. The last
//! trainee is opened at start (and locked, so a second window cannot write the same history);
//! every finished or abandoned attempt is saved by the core, which also keeps a failed save in
//! memory and shows it, so nothing is lost silently.

use bevy::prelude::*;

use super::AppConfig;
use crate::progress::{OpenTrainee, ProgressStore, Trainee};

/// The open trainee as a Bevy resource; everything else is [`OpenTrainee`]'s.
#[derive(Resource, Debug, Deref, DerefMut)]
pub struct TraineeProfile(pub OpenTrainee);

impl TraineeProfile {
    /// Every trainee on this machine, by name (none, with a warning, if the store cannot be
    /// read).
    pub fn trainees(&self) -> Vec<Trainee> {
        match self.store.trainees() {
            Ok((trainees, _)) => trainees,
            Err(err) => {
                warn!("{err}");
                Vec::new()
            }
        }
    }
}

pub fn plugin(app: &mut App) {
    let config = app.world().resource::<AppConfig>();
    let store = ProgressStore::new(config.data_dir.clone());
    let mut profile = OpenTrainee::new(store.clone(), config.rules.as_ref().clone());
    let mut notices = Vec::new();
    match store.trainees() {
        Ok((_, found)) => notices.extend(found),
        Err(err) => notices.push(err.to_string()),
    }
    if let Some(id) = store.current() {
        match store.trainee(&id) {
            Ok((trainee, notice)) => {
                notices.extend(notice);
                profile.open(trainee);
                notices.extend(profile.notice.take());
            }
            Err(err) => notices.push(err.to_string()),
        }
    }
    for notice in &notices {
        warn!("{notice}");
    }
    profile.notice = (!notices.is_empty()).then(|| notices.join("\n"));
    app.insert_resource(TraineeProfile(profile));
}

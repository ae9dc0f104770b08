//! The app's background push to a learning record store: when the data folder's `xapi.ron`
//! names one, the open trainee's statements are sent on a thread of their own after every
//! saved attempt (and once when a trainee is opened, for anything queued before), so the
//! window never waits on the network. A push that fails is tried again a minute later; the
//! per-LRS ledger keeps what was acknowledged, so nothing is sent twice or lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::AppConfig;
use super::profile::TraineeProfile;
use super::scenario_assets::ScenarioLibrary;
use crate::progress::lrs::Endpoint;
use crate::progress::xapi::XapiIdentity;
use crate::progress::xapi_sync::{XapiConfig, push_trainee};

/// How long after a failed push the next is tried.
const RETRY_AFTER: Duration = Duration::from_secs(60);

pub fn plugin(app: &mut App) {
    let data_dir = app.world().resource::<AppConfig>().data_dir.clone();
    match XapiConfig::load(&data_dir) {
        Ok(Some((config, endpoint))) => {
            info!("xAPI: statements go to {}{}", endpoint.host, endpoint.path);
            app.insert_resource(BackgroundPush {
                identity: config.identity(),
                endpoint,
                pushed: None,
                status: Arc::default(),
            })
            .add_systems(Update, push_after_saves);
        }
        Ok(None) => {}
        // The app still opens: practice is saved as always and `holdline xapi push` can send
        // it once the file is fixed.
        Err(why) => warn!("{why}; no statements are sent until it is fixed"),
    }
}

#[derive(Resource)]
struct BackgroundPush {
    identity: XapiIdentity,
    endpoint: Endpoint,
    /// The trainee and attempt count last pushed for.
    pushed: Option<(String, usize)>,
    status: Arc<Mutex<PushStatus>>,
}

#[derive(Debug, Default)]
struct PushStatus {
    in_flight: bool,
    /// When the last push failed; the next waits [`RETRY_AFTER`].
    failed_at: Option<Instant>,
}

fn push_after_saves(
    mut push: ResMut<BackgroundPush>,
    profile: Res<TraineeProfile>,
    library: Option<Res<ScenarioLibrary>>,
) {
    // Every frame: compare by reference, and copy the trainee only when a push starts.
    let Some(open) = profile.trainee.as_ref() else {
        return;
    };
    let Ok(mut status) = push.status.lock() else {
        return;
    };
    if status.in_flight {
        return;
    }
    let retry = status
        .failed_at
        .is_some_and(|at| at.elapsed() >= RETRY_AFTER);
    let unchanged = push
        .pushed
        .as_ref()
        .is_some_and(|(id, count)| *id == open.id && *count == profile.attempts.len());
    if unchanged && !retry {
        return;
    }
    status.in_flight = true;
    status.failed_at = None;
    drop(status);
    let trainee = open.clone();
    push.pushed = Some((trainee.id.clone(), profile.attempts.len()));
    let scenarios: HashMap<String, Arc<crate::scenario::model::Scenario>> = library
        .map(|l| {
            l.playable()
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect()
        })
        .unwrap_or_default();
    let (store, identity, endpoint) = (
        profile.store.clone(),
        push.identity.clone(),
        push.endpoint.clone(),
    );
    let status = push.status.clone();
    let spawned = std::thread::Builder::new()
        .name("xapi push".into())
        .spawn(move || {
            let find = |id: &str| scenarios.get(id).cloned();
            let failed = match push_trainee(&store, &trainee, &identity, &endpoint, &find) {
                Ok((report, _)) => match report.error {
                    None => {
                        if report.sent > 0 {
                            info!("xAPI: {} statements sent", report.sent);
                        }
                        false
                    }
                    Some(why) => {
                        warn!("xAPI: {why}; {} statements stay queued", report.queued);
                        true
                    }
                },
                Err(err) => {
                    warn!("xAPI: {err}");
                    true
                }
            };
            if let Ok(mut status) = status.lock() {
                status.in_flight = false;
                status.failed_at = failed.then(Instant::now);
            }
        });
    if let Err(err) = spawned {
        warn!("xAPI: could not start the push ({err}); trying again later");
        if let Ok(mut s) = push.status.lock() {
            s.in_flight = false;
            s.failed_at = Some(Instant::now());
        }
    }
}

//! A trainee opened for practice: their lock, attempts and standing, and how attempts are
//! saved (and saved again after a failure). The app's profile resource and the terminal
//! player both use it, so an attempt is kept the same way wherever it was played.

use super::standing::Earned;
use super::{
    AttemptRecord, ProgressRules, ProgressStore, Standing, Trainee, TraineeLock, standing, today,
    unix_now,
};
use crate::session::Session;

/// The id prefix of an attempt whose save failed; it is saved again later.
pub const UNSAVED_PREFIX: &str = "unsaved-";

/// One trainee opened for practice, as the app and the terminal player hold them: their lock
/// (so a second window cannot write the same history), their attempts and the standing worked
/// out from them, and the policy for saving: each finished or abandoned attempt is saved by the
/// store, and one whose save fails stays in memory, with a notice, and is saved with the next.
#[derive(Debug)]
pub struct OpenTrainee {
    /// Where the trainee's profile and attempts are kept.
    pub store: ProgressStore,
    /// The programme's progress rules the standing is worked out by.
    pub rules: ProgressRules,
    /// `None` until a trainee has entered their name.
    pub trainee: Option<Trainee>,
    /// The trainee's attempts, oldest first, including any whose save failed.
    pub attempts: Vec<AttemptRecord>,
    /// What the attempts have earned: XP, level, stars, streaks, badges, reviews.
    pub standing: Standing,
    /// A problem to show on the title screen (a damaged file restored, a failed save, the
    /// trainee open in another window).
    pub notice: Option<String>,
    /// `None` while another window holds the trainee: attempts are then not saved, and the
    /// notice says so.
    lock: Option<TraineeLock>,
}

impl OpenTrainee {
    /// No trainee open yet: the app asks for a name.
    pub fn new(store: ProgressStore, rules: ProgressRules) -> OpenTrainee {
        let standing = standing(&rules, &[], today());
        OpenTrainee {
            store,
            rules,
            trainee: None,
            attempts: Vec::new(),
            standing,
            notice: None,
            lock: None,
        }
    }

    /// The trainee's name; `None` until they have entered one.
    pub fn name(&self) -> Option<&str> {
        self.trainee.as_ref().map(|t| t.name.as_str())
    }

    /// The trainee's best stars on a scenario, 0 if never finished.
    pub fn best_stars(&self, scenario_id: &str) -> u8 {
        self.standing.stars.get(scenario_id).copied().unwrap_or(0)
    }

    /// How often the trainee has taken on a scenario from its start (alone or in a shift),
    /// finished or left: "not played yet" is only true at 0.
    pub fn times_played(&self, scenario_id: &str) -> usize {
        self.attempts
            .iter()
            .filter(|a| a.scenario_id == scenario_id)
            .filter(|a| !matches!(a.kind, super::attempt::AttemptKind::Drill { .. }))
            .count()
    }

    /// What one attempt earned, for its debrief.
    pub fn earned(&self, attempt_id: &str) -> Option<&Earned> {
        self.standing.earned.get(attempt_id)
    }

    /// Names the current trainee, or creates one with this name.
    pub fn set_name(&mut self, name: &str) {
        let result = match &self.trainee {
            Some(trainee) => self.store.rename(&trainee.id, name),
            None => self.store.create(name),
        };
        match result {
            Ok(trainee) => {
                if self.trainee.is_none() {
                    self.open(trainee);
                } else {
                    self.trainee = Some(trainee);
                }
            }
            Err(err) => self.notice = Some(err.to_string()),
        }
    }

    /// Opens `trainee`: takes their lock, reads their history and remembers them as current.
    pub fn open(&mut self, trainee: Trainee) {
        self.lock = None;
        let mut notices = Vec::new();
        match self.store.lock(&trainee.id) {
            Ok(lock) => self.lock = Some(lock),
            Err(err) => notices.push(format!("{err}. This window will not save attempts.")),
        }
        match self.store.history(&trainee.id) {
            Ok(history) => {
                self.attempts = history.attempts;
                notices.extend(history.notices);
            }
            Err(err) => notices.push(err.to_string()),
        }
        if let Err(err) = self.store.set_current(&trainee.id) {
            notices.push(err.to_string());
        }
        self.trainee = Some(trainee);
        self.notice = (!notices.is_empty()).then(|| notices.join("\n"));
        self.refresh();
    }

    /// Whether this holds the trainee's lock, so their attempts are saved.
    pub fn holds_lock(&self) -> bool {
        self.lock.is_some()
    }

    /// Switches to another trainee by id.
    pub fn switch_to(&mut self, id: &str) {
        match self.store.trainee(id) {
            Ok((trainee, notice)) => {
                self.open(trainee);
                if let Some(notice) = notice {
                    self.notice = Some(notice);
                }
            }
            Err(err) => self.notice = Some(err.to_string()),
        }
    }

    /// Renames the trainee `id`; their folder and history stay where they are.
    pub fn rename(&mut self, id: &str, name: &str) {
        match self.store.rename(id, name) {
            Ok(renamed) => {
                if self.trainee.as_ref().is_some_and(|t| t.id == renamed.id) {
                    self.trainee = Some(renamed);
                }
                self.notice = None;
            }
            Err(err) => self.notice = Some(err.to_string()),
        }
    }

    /// Deletes the trainee `id` and their history. The current trainee is closed first, since
    /// their own lock would refuse the delete; one open in another window stays, with a notice.
    pub fn delete(&mut self, id: &str) {
        if self.trainee.as_ref().is_some_and(|t| t.id == id) {
            self.start_new();
        }
        self.notice = match self.store.delete(id) {
            Ok(()) => None,
            Err(err) => Some(err.to_string()),
        };
    }

    /// Closes the current trainee (releasing their lock), so the title screen asks for a new
    /// name.
    pub fn start_new(&mut self) {
        self.lock = None;
        self.trainee = None;
        self.attempts.clear();
        self.notice = None;
        self.refresh();
    }

    /// Saves `session` as an attempt (finished, or abandoned if it has no ending yet) and
    /// returns its id. `started_at` is when the conversation began.
    /// An id starting `unsaved-` means the save failed and will be tried again.
    pub fn record(&mut self, session: &Session, started_at: u64) -> Option<String> {
        if self.trainee.is_none() || session.transcript().is_empty() {
            // No one to save for, or opened and left without a word: nothing to keep.
            return None;
        }
        self.retry_unsaved();
        let trainee = self.trainee.as_ref()?;
        let mut record = AttemptRecord::from_session(session, started_at, unix_now());
        if self.lock.is_none() {
            self.notice = Some(
                "This attempt was not saved: this trainee is open in another holdline window."
                    .into(),
            );
        } else if let Err(err) = self.store.save_attempt(&trainee.id, &mut record) {
            self.notice = Some(format!("Your last attempt could not be saved: {err}"));
        }
        if record.id.is_empty() {
            // Unsaved: an id in memory so the debrief can still show what it earned, and the
            // mark `retry_unsaved` looks for.
            record.id = format!("{UNSAVED_PREFIX}{}", self.attempts.len());
        }
        let id = record.id.clone();
        self.attempts.push(record);
        self.refresh();
        Some(id)
    }

    /// Attempts kept in memory because their save failed (a full disk, a folder briefly not
    /// writable): saves them now if this window holds the trainee. Runs before every new save,
    /// so one bad moment does not lose an attempt for good.
    pub fn retry_unsaved(&mut self) {
        let Some(trainee) = &self.trainee else { return };
        if self.lock.is_none() {
            return;
        }
        let mut saved = 0;
        let mut failed = None;
        for record in self.attempts.iter_mut() {
            if !record.id.starts_with(UNSAVED_PREFIX) {
                continue;
            }
            match self.store.save_attempt(&trainee.id, record) {
                Ok(()) => saved += 1,
                Err(err) => failed = Some(err),
            }
        }
        if saved > 0 && failed.is_none() {
            self.notice = None;
            self.refresh();
        }
        if let Some(err) = failed {
            self.notice = Some(format!(
                "An earlier attempt still could not be saved: {err}"
            ));
        }
    }

    fn refresh(&mut self) {
        self.standing = standing(&self.rules, &self.attempts, today());
    }
}

//! A cohort's view, built from trainees' export files ([`super::export`]): curriculum progress
//! per trainee, mean scores per scenario and dimension, weekly trends, choice picks and missed
//! facts, due reviews. Built one trainee at a time: what it keeps grows with the trainees and
//! scenarios, never with the attempts, so a cohort of thousands reports in bounded memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::curriculum::{Curriculum, CurriculumStanding, curriculum_standing};
use super::export::{EXPORT_FORMAT, TraineeExport, find_exports, read_export};
use super::stats::{ScenarioStats, StatsAccumulator};
use super::{AttemptKind, AttemptRecord, AttemptStatus, ProgressRules, day_of, standing};

/// One trainee's row in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraineeRow {
    /// The trainee's id on the machine they practised on.
    pub id: String,
    /// Their name, as they gave it.
    pub name: String,
    /// The export file the row comes from.
    pub source: PathBuf,
    /// When that file was written.
    pub exported_at: u64,
    /// Attempts of any kind.
    pub attempts: usize,
    /// Whole scenarios and shift calls played to an ending.
    pub finished: usize,
    /// Of those, passed.
    pub passed: usize,
    /// Attempts failed by a critical breach.
    pub critical_breaches: usize,
    /// When they last practised (an attempt's end), in seconds since the Unix epoch.
    pub last_active: Option<u64>,
    /// XP, by the progress rules the report was built with.
    pub xp: u32,
    /// The level that XP reaches.
    pub level_title: String,
    /// Review-queue nodes due on the report's day: (scenario id, node id).
    pub review_due: Vec<(String, String)>,
    /// Mean empathy, accuracy and de-escalation over finished whole-scenario attempts.
    pub mean: Option<[u8; 3]>,
    /// Standing on each curriculum, in the order given.
    pub curricula: Vec<CurriculumStanding>,
}

/// Sums of finished whole-scenario attempts' scores, for means.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoreSums {
    /// Finished whole-scenario attempts counted.
    pub attempts: u64,
    /// Of them, passed.
    pub passed: u64,
    /// Empathy, accuracy and de-escalation summed.
    pub sums: [u64; 3],
}

impl ScoreSums {
    fn add(&mut self, outcome: &crate::session::Outcome) {
        self.attempts += 1;
        self.passed += u64::from(outcome.passed);
        for (sum, v) in
            self.sums
                .iter_mut()
                .zip([outcome.empathy, outcome.accuracy, outcome.deescalation])
        {
            *sum += u64::from(v);
        }
    }

    /// Mean per dimension, rounded; `None` with nothing counted.
    pub fn mean(&self) -> Option<[u8; 3]> {
        (self.attempts > 0).then(|| {
            self.sums
                .map(|s| ((s + self.attempts / 2) / self.attempts).min(100) as u8)
        })
    }
}

/// One week of the cohort's practice.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WeekPoint {
    /// Attempts of any kind begun that week.
    pub attempts: u64,
    /// Trainees who practised that week.
    pub active_trainees: u64,
    /// Finished whole-scenario attempts' scores.
    pub scores: ScoreSums,
}

/// The cohort report's content, before it is drawn as HTML or CSV.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CohortReport {
    /// The day the report counts "due" and "overdue" from (days since 1970-01-01).
    pub today: i64,
    /// One row per trainee, by name then id.
    pub trainees: Vec<TraineeRow>,
    /// The curricula reported on: (id, title).
    pub curricula: Vec<(String, String)>,
    /// Finished whole-scenario attempts' scores per scenario id: the heat map.
    pub scenarios: BTreeMap<String, ScoreSums>,
    /// Per week, by the day its Monday falls on (days since 1970-01-01).
    pub weeks: BTreeMap<i64, WeekPoint>,
    /// Choice picks per node and most-missed facts, per scenario id.
    pub stats: BTreeMap<String, ScenarioStats>,
    /// Export files read and used.
    pub files_used: usize,
    /// Files left out and why, duplicates included.
    pub notices: Vec<String>,
}

/// Builds a [`CohortReport`] one export at a time.
pub struct CohortBuilder<'a> {
    rules: &'a ProgressRules,
    curricula: &'a [Curriculum],
    report: CohortReport,
    stats: StatsAccumulator,
}

/// The Monday on or before `day` (days since 1970-01-01, a Thursday).
pub fn week_start(day: i64) -> i64 {
    day - (day - 4).rem_euclid(7)
}

impl<'a> CohortBuilder<'a> {
    /// A report counting due dates from `today`, standings by `rules` and `curricula`.
    pub fn new(rules: &'a ProgressRules, curricula: &'a [Curriculum], today: i64) -> Self {
        CohortBuilder {
            rules,
            curricula,
            report: CohortReport {
                today,
                curricula: curricula
                    .iter()
                    .map(|c| (c.id.clone(), c.title.clone()))
                    .collect(),
                ..CohortReport::default()
            },
            stats: StatsAccumulator::default(),
        }
    }

    /// Counts one trainee's export in.
    pub fn add(&mut self, export: &TraineeExport, source: &Path) {
        let today = self.report.today;
        let attempts = &export.attempts;
        let standing = standing(self.rules, attempts, today);
        let first_day = day_of(export.trainee.created_at, export.utc_offset_secs);
        let mut own = ScoreSums::default();
        let mut weeks: BTreeSet<i64> = BTreeSet::new();
        let (mut finished, mut passed, mut critical) = (0, 0, 0);
        for attempt in attempts {
            self.stats.add(attempt);
            let week = week_start(attempt.day());
            weeks.insert(week);
            let point = self.report.weeks.entry(week).or_default();
            point.attempts += 1;
            let Some(outcome) = whole_scenario_outcome(attempt) else {
                continue;
            };
            finished += 1;
            passed += usize::from(outcome.passed);
            critical += usize::from(!outcome.critical.is_empty());
            own.add(outcome);
            point.scores.add(outcome);
            self.report
                .scenarios
                .entry(attempt.scenario_id.clone())
                .or_default()
                .add(outcome);
        }
        for week in weeks {
            self.report.weeks.entry(week).or_default().active_trainees += 1;
        }
        self.report.trainees.push(TraineeRow {
            id: export.trainee.id.clone(),
            name: export.trainee.name.clone(),
            source: source.to_path_buf(),
            exported_at: export.exported_at,
            attempts: attempts.len(),
            finished,
            passed,
            critical_breaches: critical,
            last_active: attempts.iter().map(|a| a.finished_at).max(),
            xp: standing.xp,
            level_title: standing.level_title.clone(),
            review_due: standing
                .review_due
                .iter()
                .map(|r| (r.scenario_id.clone(), r.node_id.clone()))
                .collect(),
            mean: own.mean(),
            curricula: self
                .curricula
                .iter()
                .map(|c| curriculum_standing(c, attempts, first_day, today))
                .collect(),
        });
        self.report.files_used += 1;
        for notice in &export.notices {
            self.report
                .notices
                .push(format!("{} (when exported): {notice}", source.display()));
        }
    }

    /// Notes a file left out.
    pub fn notice(&mut self, notice: String) {
        self.report.notices.push(notice);
    }

    /// The report.
    pub fn finish(mut self) -> CohortReport {
        self.report.stats = self.stats.finish();
        self.report
            .trainees
            .sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        self.report
    }
}

/// The outcome of a whole scenario or shift call played to an ending; drills and abandoned
/// attempts have none that counts for the cohort's scores.
fn whole_scenario_outcome(attempt: &AttemptRecord) -> Option<&crate::session::Outcome> {
    if matches!(attempt.kind, AttemptKind::Drill { .. })
        || attempt.status != AttemptStatus::Finished
    {
        return None;
    }
    attempt.outcome.as_ref()
}

/// What pass 1 reads of each file: enough to pick one export per trainee.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    #[serde(default)]
    exported_at: u64,
    trainee: Option<HeaderTrainee>,
}

#[derive(Deserialize)]
struct HeaderTrainee {
    id: String,
    created_at: u64,
}

/// How many files are parsed at once: a few per core, so memory stays bounded.
const BATCH: usize = 8;

/// The report over every export under `dir`. A trainee exported more than once (same id and
/// creation time) counts once, from the latest export; a file that cannot be read is named in
/// the notices and left out.
pub fn build_from_dir(
    dir: &Path,
    rules: &ProgressRules,
    curricula: &[Curriculum],
    today: i64,
) -> CohortReport {
    let mut builder = CohortBuilder::new(rules, curricula, today);
    let mut notices = Vec::new();
    let files = find_exports(dir, &mut notices);
    notices.into_iter().for_each(|n| builder.notice(n));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));

    // Pass 1: the header of each file, to keep the latest export of each trainee.
    let headers = parallel_map(&files, workers, |path| {
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice::<Header>(&bytes).ok()
    });
    let mut latest: BTreeMap<(String, u64), (u64, usize)> = BTreeMap::new();
    for (i, header) in headers.iter().enumerate() {
        let Some(Header {
            format: Some(format),
            exported_at,
            trainee: Some(t),
        }) = header
        else {
            continue;
        };
        if format != EXPORT_FORMAT {
            continue;
        }
        let key = (t.id.clone(), t.created_at);
        match latest.get(&key) {
            Some(&(at, _)) if at >= *exported_at => {}
            _ => {
                latest.insert(key, (*exported_at, i));
            }
        }
    }
    let keep: BTreeSet<usize> = latest.values().map(|&(_, i)| i).collect();
    for (i, header) in headers.iter().enumerate() {
        if let Some(Header {
            trainee: Some(t), ..
        }) = header
            && !keep.contains(&i)
            && let Some(&(_, kept)) = latest.get(&(t.id.clone(), t.created_at))
        {
            builder.notice(format!(
                "{}: another export of trainee \"{}\", left out: {} is the latest and is used",
                files[i].display(),
                t.id,
                files[kept].display()
            ));
        }
    }

    // Pass 2: the files kept (and those whose header did not read, to say why), a batch at a
    // time, counted in path order so the report does not depend on thread timing.
    let wanted: Vec<&PathBuf> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i) || headers[*i].is_none() || !is_export(&headers[*i]))
        .map(|(_, p)| p)
        .collect();
    for batch in wanted.chunks(BATCH * workers) {
        let parsed = parallel_map(batch, workers, |path| read_export(path));
        for (path, result) in batch.iter().zip(parsed) {
            match result {
                Ok(export) => builder.add(&export, path),
                Err(err) => builder.notice(format!("{}: {err}", path.display())),
            }
        }
    }
    builder.finish()
}

fn is_export(header: &Option<Header>) -> bool {
    header
        .as_ref()
        .is_some_and(|h| h.format.as_deref() == Some(EXPORT_FORMAT) && h.trainee.is_some())
}

/// `f` over `items` on `workers` threads, results in the items' order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if workers <= 1 || items.len() <= 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // 1970-01-05 was a Monday (day 4); 1970-01-11 the Sunday after.
        assert_eq!(week_start(4), 4);
        assert_eq!(week_start(10), 4);
        assert_eq!(week_start(11), 11);
        assert_eq!(week_start(3), -3);
    }

    #[test]
    fn means_round_and_need_something_counted() {
        let mut sums = ScoreSums::default();
        assert_eq!(sums.mean(), None);
        sums.attempts = 2;
        sums.sums = [101, 0, 200];
        assert_eq!(sums.mean(), Some([51, 0, 100]));
    }
}

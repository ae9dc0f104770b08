//! A cohort's view, built from trainees' export files ([`super::export`]): curriculum progress
//! per trainee, mean scores per scenario and dimension, weekly trends, choice picks and missed
//! facts, due reviews. Built one trainee at a time: what it keeps grows with the trainees and
//! scenarios, never with the attempts, so a cohort of thousands reports in bounded memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::curriculum::{Curriculum, CurriculumStanding, curriculum_standing};
use super::export::{EXPORT_FORMAT, MAX_EXPORT_BYTES, TraineeExport, find_exports, read_export};
use super::parallel::{cores, map_in_order};
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
    /// Where they stand on each curriculum's certification, from the certificates in their
    /// export (a sitting stopped before its certificate was written is not in it).
    pub certifications: Vec<super::certification::CertificationLine>,
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
        let curricula: Vec<CurriculumStanding> = self
            .curricula
            .iter()
            .map(|c| curriculum_standing(c, attempts, first_day, today))
            .collect();
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
            certifications: self
                .curricula
                .iter()
                .zip(&curricula)
                .filter_map(|(c, standing)| {
                    let cert = c.certification.as_ref()?;
                    let theirs: Vec<_> = export
                        .certificates
                        .iter()
                        .filter(|k| k.certification == cert.id && k.curriculum == c.id)
                        .cloned()
                        .collect();
                    let state = super::certification::certification_state(
                        cert,
                        standing,
                        theirs.len() as u32,
                        &theirs,
                    );
                    Some(super::certification::CertificationLine::new(c, cert, state))
                })
                .collect(),
            curricula,
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
    format: Option<serde_json::Value>,
    #[serde(default)]
    exported_at: u64,
    trainee: Option<HeaderTrainee>,
}

#[derive(Deserialize)]
struct HeaderTrainee {
    id: String,
    created_at: u64,
}

/// How many files are parsed at once per core, so memory stays bounded.
const BATCH: usize = 2;

/// The report over `exports` (read back from a learning record store, say), each counted as
/// coming from `source`.
pub fn build_from_exports(
    exports: &[TraineeExport],
    source: &Path,
    rules: &ProgressRules,
    curricula: &[Curriculum],
    today: i64,
) -> CohortReport {
    let mut builder = CohortBuilder::new(rules, curricula, today);
    for export in exports {
        builder.add(export, source);
    }
    builder.finish()
}

/// The report over every export under `dir`. A trainee exported more than once (same id and
/// creation time) counts once, from the latest export that reads; a file that cannot be read
/// is named in the notices and left out.
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
    let workers = cores();

    // Pass 1: the header of each file, to keep the latest export of each trainee. A file over
    // the size limit is not read here either; pass 2 names it.
    let headers = map_in_order(&files, workers, |path| {
        let size = std::fs::metadata(path).ok()?.len();
        if size > MAX_EXPORT_BYTES {
            return None;
        }
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice::<Header>(&bytes).ok()
    });
    // Each trainee's exports, the latest first (ties by path, for a report that does not
    // depend on the order files were listed in).
    let mut candidates: BTreeMap<(String, u64), Vec<(u64, usize)>> = BTreeMap::new();
    for (i, header) in headers.iter().enumerate() {
        if let Some(Header {
            exported_at,
            trainee: Some(t),
            ..
        }) = header
            && is_export(header)
        {
            candidates
                .entry((t.id.clone(), t.created_at))
                .or_default()
                .push((*exported_at, i));
        }
    }
    for list in candidates.values_mut() {
        list.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    let first: BTreeSet<usize> = candidates.values().map(|list| list[0].1).collect();

    // Pass 2: each trainee's latest export (and every file whose header did not read, to say
    // why), a few at a time, counted in path order so the report does not depend on thread
    // timing.
    let wanted: Vec<usize> = (0..files.len())
        .filter(|i| first.contains(i) || !is_export(&headers[*i]))
        .collect();
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let count = |builder: &mut CohortBuilder<'_>, used: &mut BTreeSet<usize>, batch: &[usize]| {
        let parsed = map_in_order(batch, workers, |&i| read_export(&files[i]));
        for (&i, result) in batch.iter().zip(parsed) {
            match result {
                Ok(export) => {
                    builder.add(&export, &files[i]);
                    used.insert(i);
                }
                Err(err) => builder.notice(format!("{}: {err}", files[i].display())),
            }
        }
    };
    for batch in wanted.chunks(BATCH * workers) {
        count(&mut builder, &mut used, batch);
    }
    // A latest export that did not read: the next latest stands in, so the trainee is still
    // in the report.
    for list in candidates.values() {
        for &(_, i) in &list[1..] {
            if list.iter().any(|(_, j)| used.contains(j)) {
                break;
            }
            count(&mut builder, &mut used, &[i]);
        }
    }
    for ((id, _), list) in &candidates {
        let Some(&(_, kept)) = list.iter().find(|(_, j)| used.contains(j)) else {
            continue;
        };
        for &(_, i) in list.iter().filter(|(_, j)| *j != kept && !used.contains(j)) {
            builder.notice(format!(
                "{}: another export of trainee \"{id}\", left out: {} is the latest that reads and is used",
                files[i].display(),
                files[kept].display()
            ));
        }
    }
    builder.finish()
}

fn is_export(header: &Option<Header>) -> bool {
    header.as_ref().is_some_and(|h| {
        h.format.as_ref().and_then(|f| f.as_str()) == Some(EXPORT_FORMAT) && h.trainee.is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::progress::export::EXPORT_SUFFIX;
    use crate::progress::files::to_versioned_json;
    use crate::progress::{AttemptRecord, Trainee};

    fn export(id: &str, exported_at: u64, attempts: Vec<AttemptRecord>) -> TraineeExport {
        TraineeExport {
            format: EXPORT_FORMAT.into(),
            exported_at,
            holdline_version: "0.1.0".into(),
            utc_offset_secs: 0,
            trainee: Trainee {
                id: id.into(),
                name: id.to_uppercase(),
                created_at: 1_700_000_000,
            },
            attempts,
            notices: Vec::new(),
            certificates: Vec::new(),
        }
    }

    fn attempt(n: u64) -> AttemptRecord {
        let mut record =
            AttemptRecord::from_session(&crate::progress::store_tests::played_session(n), 0, 60);
        record.id = format!("attempt-{n}");
        record
    }

    #[test]
    fn a_trainee_exported_twice_counts_once_from_the_latest_that_reads() {
        let dir = crate::progress::store_tests::temp_dir("cohort-latest");
        let write = |folder: &str, e: &TraineeExport| {
            let path = dir
                .join(folder)
                .join(format!("{}{EXPORT_SUFFIX}", e.trainee.id));
            e.write(&path).unwrap();
            path
        };
        // Older (one attempt), newer (two), and Lee's newest damaged after its header.
        write("a", &export("sam", 100, vec![attempt(1)]));
        write("b", &export("sam", 200, vec![attempt(1), attempt(2)]));
        write("a", &export("lee", 100, vec![attempt(3)]));
        let newest = write("b", &export("lee", 300, vec![attempt(3), attempt(4)]));
        let bytes = to_versioned_json(&export("lee", 300, vec![attempt(3)]));
        let text = String::from_utf8(bytes).unwrap();
        std::fs::write(
            &newest,
            text.replacen("\"attempts\": [", "\"attempts\": 7, \"x\": [", 1),
        )
        .unwrap();

        let report = build_from_dir(&dir, &ProgressRules::builtin(), &[], 20_000);
        let by_id: BTreeMap<&str, &TraineeRow> =
            report.trainees.iter().map(|t| (t.id.as_str(), t)).collect();
        assert_eq!(by_id.len(), 2, "{:?}", report.notices);
        assert_eq!(by_id["sam"].attempts, 2, "the later export of Sam");
        assert_eq!(
            by_id["lee"].attempts, 1,
            "Lee's older export stands in for the damaged one"
        );
        assert_eq!(report.files_used, 2);
        let notices = report.notices.join("\n");
        assert!(
            notices.contains("b/lee.holdline-export.json: is damaged"),
            "{notices}"
        );
        assert!(
            notices.contains("a/sam.holdline-export.json: another export"),
            "{notices}"
        );
        assert!(
            !notices.contains("a/lee.holdline-export.json: another"),
            "{notices}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

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

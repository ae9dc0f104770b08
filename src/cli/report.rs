//! `holdline report --cohort DIR` (or `--lrs URL`): a cohort's progress from the trainees'
//! export files, or from the statements in a learning record store, as a printable HTML page
//! with charts, a spreadsheet-ready CSV (one row per trainee and module), JSON, or a short
//! summary in the terminal.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use super::exit::{CliError, CliResult};
use super::plural;
use super::report_html;
use crate::progress::ProgressRules;
use crate::progress::cohort::{CohortReport, TraineeRow, build_from_dir, build_from_exports};
use crate::progress::curriculum::{Curriculum, ModuleState};
use crate::progress::files::write_atomic;
use crate::progress::lrs::{Endpoint, fetch_statements};
use crate::progress::xapi_read::exports_from_statements;

/// Where the trainees' attempts come from.
pub enum Source<'a> {
    /// A folder of export files (searched at any depth).
    Cohort(&'a Path),
    /// A learning record store's statements endpoint, with USER:PASS.
    Lrs { url: &'a str, auth: &'a str },
}

/// What the report is built from, and where it goes.
pub struct ReportArgs<'a> {
    /// Export files or an LRS.
    pub source: Source<'a>,
    /// Write the HTML page here.
    pub html: Option<&'a Path>,
    /// Write the CSV here.
    pub csv: Option<&'a Path>,
    /// Print the report's content as JSON.
    pub json: bool,
}

pub fn run(rules: &ProgressRules, curricula: &[Curriculum], args: ReportArgs<'_>) -> CliResult {
    let today = crate::progress::today();
    let (report, title, origin) = match args.source {
        Source::Cohort(dir) => {
            if !dir.is_dir() {
                return Err(CliError::usage(format!(
                    "{} is not a folder; give the folder the trainees' *{} files were gathered in",
                    dir.display(),
                    crate::progress::export::EXPORT_SUFFIX
                )));
            }
            let report = build_from_dir(dir, rules, curricula, today);
            if report.trainees.is_empty() {
                report.notices.iter().for_each(|n| eprintln!("note: {n}"));
                return Err(CliError::usage(format!(
                    "no trainee exports found in {}; each trainee runs `holdline export` and the \
                     *{} files are gathered there",
                    dir.display(),
                    crate::progress::export::EXPORT_SUFFIX
                )));
            }
            let origin = format!(
                "from {} export file{}",
                report.files_used,
                plural(report.files_used)
            );
            (report, format!("Cohort report: {}", dir.display()), origin)
        }
        Source::Lrs { url, auth } => {
            let endpoint = Endpoint::parse(url, auth).map_err(CliError::usage)?;
            let statements = fetch_statements(&endpoint).map_err(|why| {
                CliError::usage(format!(
                    "{why}; check that the LRS is running and --auth is right, or build the report from export files with --cohort"
                ))
            })?;
            let (exports, notices) = exports_from_statements(&statements);
            let source = Path::new(url);
            let mut report = build_from_exports(&exports, source, rules, curricula, today);
            report.notices.extend(notices);
            if report.trainees.is_empty() {
                report.notices.iter().for_each(|n| eprintln!("note: {n}"));
                return Err(CliError::usage(format!(
                    "the LRS at {url} holds {} statements but no holdline attempts; desktops send theirs with `holdline xapi push` (or the app, with xapi.ron)",
                    statements.len()
                )));
            }
            let origin = format!("from {} statements in the LRS at {url}", statements.len());
            (report, format!("Cohort report: {url}"), origin)
        }
    };
    report.notices.iter().for_each(|n| eprintln!("note: {n}"));
    if let Some(path) = args.html {
        write_output(path, report_html::render(&report, &title).as_bytes())?;
        wrote(path, args.json);
    }
    if let Some(path) = args.csv {
        write_output(path, csv(&report).as_bytes())?;
        wrote(path, args.json);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.html.is_none() && args.csv.is_none() {
        print!("{}", summary(&report, &origin));
    }
    Ok(ExitCode::SUCCESS)
}

/// Says a file was written: on stderr when stdout carries the JSON.
fn wrote(path: &Path, json: bool) {
    if json {
        eprintln!("wrote {}", path.display());
    } else {
        println!("wrote {}", path.display());
    }
}

fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    write_atomic(path, bytes, false)
        .map_err(|err| CliError::usage(format!("cannot write the report: {err}")))
}

/// A few lines for the terminal: who is ahead, who is behind. `origin` says where the attempts
/// came from ("from 12 export files").
fn summary(report: &CohortReport, origin: &str) -> String {
    let mut out = String::new();
    let attempts: usize = report.trainees.iter().map(|t| t.attempts).sum();
    let _ = writeln!(
        out,
        "{} trainee{}, {attempts} attempts ({origin})",
        report.trainees.len(),
        plural(report.trainees.len()),
    );
    for t in &report.trainees {
        let modules: Vec<String> = t
            .curricula
            .iter()
            .map(|c| {
                let (passed, all) = c.passed();
                let overdue = c.modules.iter().filter(|m| m.overdue).count();
                let overdue = if overdue > 0 {
                    format!(", {overdue} overdue")
                } else {
                    String::new()
                };
                let certified = t
                    .certifications
                    .iter()
                    .find(|line| line.curriculum == c.curriculum)
                    .map(|line| {
                        let (_, words) =
                            super::report_html::certification_words(&line.state, line.max_attempts);
                        format!(", certification {words}")
                    })
                    .unwrap_or_default();
                format!(
                    "{}: {passed}/{all} passed{overdue}{certified}",
                    c.curriculum
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  {:<24} {:>4} attempts  {}  {} XP  {}",
            crate::scenario::visible_text::one_line(&t.name, 24),
            t.attempts,
            mean_text(t),
            t.xp,
            modules.join("; ")
        );
    }
    out
}

fn mean_text(t: &TraineeRow) -> String {
    match t.mean {
        Some([e, a, d]) => format!("E{e:>3} A{a:>3} D{d:>3}"),
        None => "no finished scenario".into(),
    }
}

/// The CSV columns, in order.
const CSV_HEADER: [&str; 19] = [
    "trainee_id",
    "trainee_name",
    "curriculum",
    "track",
    "module",
    "task",
    "state",
    "module_attempts",
    "passed_on_day",
    "due_day",
    "overdue",
    "attempts",
    "last_active_utc",
    "xp",
    "level",
    "mean_empathy",
    "mean_accuracy",
    "mean_deescalation",
    "critical_breaches",
];

/// One row per trainee and module (a trainee with no curriculum gets one row with the module
/// columns empty), RFC 4180 quoting, UTF-8 with a byte-order mark so spreadsheets read names
/// like "Zoë" correctly.
pub fn csv(report: &CohortReport) -> String {
    let mut out = String::from("\u{feff}");
    push_row(&mut out, CSV_HEADER.iter().map(|s| s.to_string()));
    for t in &report.trainees {
        let tail = |out: &mut String, module_cells: [String; 9]| {
            let [e, a, d] = t
                .mean
                .map_or([String::new(), String::new(), String::new()], |m| {
                    m.map(|v| v.to_string())
                });
            let cells = [t.id.clone(), t.name.clone()]
                .into_iter()
                .chain(module_cells)
                .chain([
                    t.attempts.to_string(),
                    t.last_active.map(utc_date).unwrap_or_default(),
                    t.xp.to_string(),
                    t.level_title.clone(),
                    e,
                    a,
                    d,
                    t.critical_breaches.to_string(),
                ]);
            push_row(out, cells);
        };
        let modules: Vec<_> = t
            .curricula
            .iter()
            .flat_map(|c| c.modules.iter().map(move |m| (c, m)))
            .collect();
        if modules.is_empty() && t.certifications.is_empty() {
            tail(&mut out, Default::default());
        }
        for (c, m) in modules {
            let (state, attempts, on_day) = match &m.state {
                ModuleState::Passed { on_day, attempts } => {
                    ("passed", *attempts, on_day.to_string())
                }
                ModuleState::Open { attempts } => ("open", *attempts, String::new()),
                ModuleState::Failed { attempts } => ("failed", *attempts, String::new()),
                ModuleState::Locked { .. } => ("locked", 0, String::new()),
            };
            tail(
                &mut out,
                [
                    c.curriculum.clone(),
                    m.track.clone(),
                    m.module.clone(),
                    m.task.clone(),
                    state.into(),
                    attempts.to_string(),
                    on_day,
                    m.due_day.map(|d| d.to_string()).unwrap_or_default(),
                    if m.overdue { "yes" } else { "no" }.into(),
                ],
            );
        }
        // A certification is one more row, in the module columns: its id, "Certification:
        // <title>", its state and the sittings used (its date is on the certificate; the
        // day column stays a programme day).
        for line in &t.certifications {
            use crate::progress::certification::CertificationState as S;
            let (state, sittings) = match &line.state {
                S::Passed { sitting, .. } => ("passed", *sitting),
                S::Open { sittings_used } => ("open", *sittings_used),
                S::Failed { sittings_used } => ("failed", *sittings_used),
                S::Locked { .. } => ("locked", 0),
                S::NotLocked => ("not_locked", 0),
            };
            tail(
                &mut out,
                [
                    line.curriculum.clone(),
                    "Certification".into(),
                    line.certification.clone(),
                    format!("Certification: {}", line.title),
                    state.into(),
                    sittings.to_string(),
                    String::new(),
                    String::new(),
                    "no".into(),
                ],
            );
        }
    }
    out
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| csv_cell(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// One CSV field. A value a spreadsheet would run as a formula (a trainee named
/// "=HYPERLINK(...)") is prefixed with an apostrophe, as OWASP advises, so it shows as text.
fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) || guarded.trim() != guarded {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// Seconds since the Unix epoch as a UTC calendar date, "2026-12-04".
pub fn utc_date(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("Sam"), "Sam");
        assert_eq!(csv_cell("Lee, Sam"), "\"Lee, Sam\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_796_342_400 + 3_599), "2026-12-04");
    }
}

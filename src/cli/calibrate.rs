//! `holdline calibrate`: the scorer against a trainer's labels, with agreement per dimension,
//! its 95% interval, weighted kappa for bands and each disagreement explained.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::ScorerChoice;
use super::exit::{self, CliError, CliResult};
use crate::progress::files::write_atomic;
use crate::scenario::library::load_paths;
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scenario::model::Scenario;
use crate::scoring::HybridScorer;
use crate::scoring::Lexicon;
use crate::scoring::calibration::{
    Agreement, CalibrationReport, CalibrationSet, calibrate, fit_pairs,
};
use crate::scoring::semantic::calibrated::{CalibratedDirections, FitSettings, to_file_text};
use crate::scoring::semantic::model_files::WEIGHTS_SHA256;

/// How the report is printed.
pub struct Output {
    pub min_agreement: Option<u8>,
    pub show: usize,
    pub json: bool,
}

pub fn run(
    scenarios: &Path,
    labels: &[PathBuf],
    lexicon: Lexicon,
    scoring: &ScorerChoice,
    fit: Option<&Path>,
    output: Output,
) -> CliResult {
    let files = label_files(labels)?;
    let mut set = CalibrationSet::default();
    let mut folders = vec![scenarios.to_path_buf()];
    for file in &files {
        let label = file.display().to_string();
        let bytes = read_input_file(file, MAX_FILE_BYTES)
            .map_err(|err| CliError::usage(format!("cannot read {label}: {err}")))?;
        let found = CalibrationSet::parse(&label, &bytes).map_err(|d| {
            eprintln!("{d}");
            CliError::reported(exit::USAGE)
        })?;
        set.pairs.extend(found.pairs);
        set.singles.extend(found.singles);
        if let Some(beside) = scenarios_beside(file)
            && !folders.contains(&beside)
        {
            folders.push(beside);
        }
    }
    let library = load_paths(&folders, &lexicon);
    let errors = library.tally().errors;
    if errors > 0 {
        eprintln!(
            "note: {errors} errors in the scenario files; labels on those scenarios are skipped (run `holdline validate`)"
        );
    }
    let find = |id: &str| library.find(id).map(|s| s.scenario.as_ref());
    let mut scorer = scoring.build(&lexicon);
    if let Some(out) = fit {
        let (directions, uncalibrated) = fit_directions(&set, find, scorer, labels, out)?;
        scorer = uncalibrated.with_calibration(Some(std::sync::Arc::new(directions)));
    }
    let report = calibrate(&set, find, &scorer);
    if output.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, files.len(), output.show);
    }
    let below = output.min_agreement.is_some_and(|min| {
        report
            .dimensions
            .iter()
            .any(|d| d.pairs.of > 0 && d.pairs.share * 100.0 < f64::from(min))
    });
    Ok(if below {
        ExitCode::from(exit::INVALID)
    } else {
        ExitCode::SUCCESS
    })
}

/// Fits calibrated directions on `set`'s pairs with `scorer`'s layer and writes them to `out`;
/// hands back the directions and `scorer` without any.
fn fit_directions<'s>(
    set: &CalibrationSet,
    find: impl Fn(&str) -> Option<&'s Scenario>,
    scorer: HybridScorer,
    labels: &[PathBuf],
    out: &Path,
) -> Result<(CalibratedDirections, HybridScorer), CliError> {
    if scorer.layer().is_none() {
        return Err(CliError::usage(
            "--fit needs the semantic layer (the directions live in its embedding space): drop --rules-only, or restore the model files",
        ));
    }
    // The directions tip what the rules and banks miss, so they are fitted on top of those alone.
    let uncalibrated = scorer.with_calibration(None);
    let settings = FitSettings::default();
    let mut fit_set = set.clone();
    if settings.singles_as_pairs {
        fit_set.pairs.extend(set.pairs_from_singles());
    }
    eprintln!(
        "fitting on {} pairs, {} of them from the singles' bands (each reply is scored and embedded: about 2 minutes per 800 pairs on 2 cores)",
        fit_set.pairs.len(),
        fit_set.pairs.len() - set.pairs.len()
    );
    let (pairs, skipped) = fit_pairs(&fit_set, find, &uncalibrated);
    for why in &skipped {
        eprintln!("skipped: {why}");
    }
    if pairs.is_empty() {
        return Err(CliError::usage(
            "--fit found no pairs to fit on; the labels need Pair(...) entries on typed-reply nodes",
        ));
    }
    let fitted_on = labels
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let directions = CalibratedDirections::fitted(&pairs, settings, WEIGHTS_SHA256, &fitted_on);
    // Through a temporary file beside it: a crash leaves the old file whole.
    write_atomic(out, to_file_text(&directions).as_bytes(), false)
        .map_err(|err| CliError::usage(format!("cannot write {}: {err}", out.display())))?;
    eprintln!(
        "wrote {}: directions fitted on {} empathy, {} accuracy and {} de-escalation pairs; score with them using --calibrated {}",
        out.display(),
        directions.empathy.pairs,
        directions.accuracy.pairs,
        directions.deescalation.pairs,
        out.display()
    );
    eprintln!(
        "note: the agreement below is on the labels the directions were fitted on; measure on labels they never saw for a fair figure"
    );
    Ok((directions, uncalibrated))
}

/// The `scenarios/` folder beside a labels file, where a team keeps the situations its labels
/// answer, if there is one (`holdline validate` looks there too).
pub(super) fn scenarios_beside(labels_file: &Path) -> Option<PathBuf> {
    let dir = labels_file
        .parent()
        .unwrap_or(Path::new("."))
        .join("scenarios");
    dir.is_dir().then_some(dir)
}

/// The labels files named, folders searched for `.ron` files (not into a `scenarios/` folder).
fn label_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|err| CliError::usage(format!("cannot read {}: {err}", path.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron"))
                // A directions file written by --fit into the labels folder is not labels.
                .filter(|p| {
                    crate::scenario::library::sniff_file(p)
                        != Some(crate::scenario::library::FileKind::CalibratedDirections)
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        return Err(CliError::usage(
            "no labels files found; give .ron files of labelled pairs and singles",
        ));
    }
    Ok(files)
}

fn percent(a: &Agreement) -> String {
    if a.of == 0 {
        return "no labels".into();
    }
    format!(
        "{}/{} = {:.0}% (95% CI {:.0}-{:.0}%)",
        a.agreed,
        a.of,
        a.share * 100.0,
        a.low * 100.0,
        a.high * 100.0
    )
}

fn print_report(report: &CalibrationReport, files: usize, show: usize) {
    println!("Calibration over {files} labels file(s)");
    println!("Pairs (the better reply scores higher):");
    for d in &report.dimensions {
        println!("  {:<14} {}", d.dimension.label(), percent(&d.pairs));
    }
    if report.singles_all_right.of > 0 {
        println!("Single replies (band Low < 40 <= Mid < 70 <= High):");
        for d in &report.dimensions {
            let kappa = d
                .kappa
                .map_or("undefined".to_string(), |k| format!("{k:.2}"));
            let label = d.dimension.label();
            println!(
                "  {label:<14} {}, weighted kappa {kappa}",
                percent(&d.bands)
            );
        }
        println!("  every band right: {}", percent(&report.singles_all_right));
    }
    for why in &report.skipped {
        println!("skipped: {why}");
    }
    if report.disagreements.is_empty() {
        return;
    }
    println!(
        "\n{} disagreements{}:",
        report.disagreements.len(),
        if report.disagreements.len() > show {
            format!(" (the first {show}; --show N for more)")
        } else {
            String::new()
        }
    );
    for d in report.disagreements.iter().take(show) {
        println!(
            "\n{} / {} ({}): {}",
            d.scenario,
            d.node,
            d.dimension.label(),
            d.verdict
        );
        if !d.note.is_empty() {
            println!("  label: {}", d.note);
        }
        for reply in &d.replies {
            println!("  {} {}: \"{}\"", reply.label, reply.score, reply.text);
            if !reply.reasons.is_empty() {
                println!("    decided by: {}", reply.reasons.join(", "));
            }
        }
    }
}

//! `holdline export`: a trainee's progress (or every trainee's) as one file each, for the
//! trainer's cohort report (`holdline report --cohort DIR`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::exit::{CliError, CliResult};
use super::progress::pick_trainee;
use crate::progress::export::{EXPORT_SUFFIX, TraineeExport};
use crate::progress::{ProgressStore, unix_now};

/// What to export and where.
pub struct ExportArgs<'a> {
    /// Name or id; default: the trainee who played last.
    pub trainee: Option<&'a str>,
    /// Every trainee on this machine.
    pub all: bool,
    /// A folder, or (one trainee) a file ending in [`EXPORT_SUFFIX`].
    pub out: Option<&'a Path>,
}

pub fn run(data_dir: &Path, args: ExportArgs<'_>) -> CliResult {
    let store = ProgressStore::new(data_dir);
    let trainees = if args.all {
        let (trainees, notices) = store.trainees()?;
        notices.iter().for_each(|n| eprintln!("note: {n}"));
        if trainees.is_empty() {
            return Err(CliError::usage(format!(
                "no trainees yet in {}; nothing to export",
                data_dir.display()
            )));
        }
        trainees
    } else {
        vec![pick_trainee(&store, data_dir, args.trainee)?]
    };
    let out = args.out.unwrap_or(Path::new("."));
    let into_folder = args.all || out.is_dir() || !out.to_string_lossy().ends_with(EXPORT_SUFFIX);
    if into_folder && !out.is_dir() {
        if out.exists() || !args.all && out.extension().is_some() {
            return Err(CliError::usage(format!(
                "{}: give a folder, or a file name ending in {EXPORT_SUFFIX} so that \
                 `holdline report --cohort` finds it",
                out.display()
            )));
        }
        std::fs::create_dir_all(out).map_err(|err| {
            CliError::usage(format!("cannot create the folder {}: {err}", out.display()))
        })?;
    }
    let now = unix_now();
    for trainee in &trainees {
        let export = TraineeExport::from_store(&store, &trainee.id, now)?;
        let path: PathBuf = if into_folder {
            out.join(export.file_name())
        } else {
            out.to_path_buf()
        };
        export.write(&path)?;
        export.notices.iter().for_each(|n| eprintln!("note: {n}"));
        println!(
            "{}: {} ({} attempt{})",
            path.display(),
            export.trainee.name,
            export.attempts.len(),
            super::plural(export.attempts.len())
        );
    }
    Ok(ExitCode::SUCCESS)
}

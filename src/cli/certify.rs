//! `holdline certify` and `holdline certificate`: sit a curriculum's certification in the
//! terminal (the same calls and seeds for every candidate, on a locked pack), print the pack a
//! certification is judged by, and verify a certificate offline.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use serde::Serialize;

use super::ScorerChoice;
use super::certificate_html;
use super::exit::{self, CliError, CliResult};
use crate::progress::certification::{
    Certificate, CertificateTrainee, Certification, CertificationState, Pack, PackPart, Sitting,
    SittingBegun, VerifyError, begin_sitting, save_certificate, sittings_dir, text_sha256,
    trainee_state, write_certificate,
};
use crate::progress::curriculum::{Curriculum, curriculum_standing};
use crate::progress::{
    OpenTrainee, ProgressRules, ProgressStore, day_of, local_offset_secs, today, unix_now,
};
use crate::scenario::library::{LoadedScenario, load_paths};
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scoring::semantic::model_files::{TOKENIZER_SHA256, WEIGHTS_SHA256};
use crate::scoring::{Lexicon, ReplyScorer};

/// `holdline certificate ...`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CertificateCommand {
    /// Print what a curriculum's certification is judged by (each call's scenario file, the
    /// lexicon, the exemplar banks, the calibrated directions and the model), each with its
    /// sha256, and the `pack:` line that locks the certification to them.
    Pack {
        /// The curriculum's id, or its certification's.
        curriculum: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a certificate offline (its .json, or the printed .html page): that nothing in it
    /// was changed since it was written, and whether the pack here is the one it was taken on.
    /// Exit code 1 when it does not verify.
    Verify {
        /// The certificate file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Where the pack's scorer files come from: the global `--lexicon`, `--exemplars`,
/// `--calibrated` and `--rules-only`.
#[derive(Debug, Clone, Copy)]
pub struct PackSources<'a> {
    /// `--lexicon`.
    pub lexicon: Option<&'a Path>,
    /// `--exemplars`.
    pub exemplars: Option<&'a Path>,
    /// `--calibrated`.
    pub calibrated: Option<&'a Path>,
    /// `--rules-only`: no model, banks or directions.
    pub rules_only: bool,
}

/// What `holdline certify` was asked.
pub struct CertifyArgs<'a> {
    /// The curriculum's id, or its certification's.
    pub curriculum: &'a str,
    /// The candidate (name or id); by default the trainee who played last.
    pub trainee: Option<&'a str>,
    /// Also write the certificate here (a folder).
    pub out: Option<&'a Path>,
}

/// The library, the programme's curricula and how replies are scored: what every certify
/// command works from.
pub struct Programme<'a> {
    /// The scenarios folder.
    pub scenarios: &'a Path,
    /// The curricula, checked.
    pub curricula: &'a [Curriculum],
    /// The lexicon in use.
    pub lexicon: &'a Lexicon,
    /// How typed replies are scored.
    pub scoring: &'a ScorerChoice,
    /// Where the scorer's files came from.
    pub sources: PackSources<'a>,
}

impl<'a> Programme<'a> {
    /// The library in `scenarios`, these curricula, this lexicon and scorer, whose files came
    /// from `sources`.
    pub fn new(
        scenarios: &'a Path,
        curricula: &'a [Curriculum],
        lexicon: &'a Lexicon,
        scoring: &'a ScorerChoice,
        sources: PackSources<'a>,
    ) -> Programme<'a> {
        Programme {
            scenarios,
            curricula,
            lexicon,
            scoring,
            sources,
        }
    }
}

/// The curriculum `wanted` names (by its id or its certification's) and its certification.
fn find_certification<'c>(
    curricula: &'c [Curriculum],
    wanted: &str,
) -> Result<(&'c Curriculum, &'c Certification), CliError> {
    let with: Vec<(&Curriculum, &Certification)> = curricula
        .iter()
        .filter_map(|c| c.certification.as_ref().map(|cert| (c, cert)))
        .collect();
    if let Some(found) = with
        .iter()
        .find(|(c, cert)| c.id == wanted || cert.id == wanted)
    {
        return Ok(*found);
    }
    if curricula.iter().any(|c| c.id == wanted) {
        return Err(CliError::usage(format!(
            "curriculum \"{wanted}\" has no certification; docs/curricula.md says how to add one"
        )));
    }
    let known: Vec<String> = with
        .iter()
        .map(|(c, cert)| format!("{} ({})", c.id, cert.id))
        .collect();
    Err(CliError::usage(if known.is_empty() {
        format!(
            "no curriculum \"{wanted}\", and no curriculum here has a certification (curricula are read from curricula/ beside the scenarios, or --curricula DIR)"
        )
    } else {
        format!(
            "no curriculum or certification \"{wanted}\"; these have one: {}",
            known.join(", ")
        )
    }))
}

/// The pack `certification` would be judged by here and now, its scenarios found in `library`.
pub(super) fn current_pack(
    library: &[LoadedScenario],
    certification: &Certification,
    sources: PackSources<'_>,
) -> Result<Pack, CliError> {
    let mut parts = Vec::new();
    for call in &certification.calls {
        let found = library.iter().find(|l| l.scenario.id == call.scenario);
        let loaded = found.ok_or_else(|| {
            CliError::invalid(format!(
                "certification \"{}\" names scenario \"{}\", which is not in the library (or has errors: `holdline validate`)",
                certification.id, call.scenario
            ))
        })?;
        parts.push(PackPart {
            name: format!("scenario {}", call.scenario),
            sha256: file_sha256(&loaded.path, "scenario")?,
        });
    }
    use crate::scoring::lexicon::BUILTIN_LEXICON;
    use crate::scoring::semantic::banks::BUILTIN_EXEMPLARS;
    use crate::scoring::semantic::calibrated::BUILTIN_CALIBRATED;
    let none = || "none".to_string();
    let source = |path: Option<&Path>, builtin: &str, what| match path {
        Some(path) => file_sha256(path, what),
        None => Ok(text_sha256(builtin.as_bytes())),
    };
    parts.push(PackPart {
        name: "lexicon".into(),
        sha256: source(sources.lexicon, BUILTIN_LEXICON, "lexicon")?,
    });
    let semantic = |sha256: Result<String, CliError>| {
        if sources.rules_only {
            Ok(none())
        } else {
            sha256
        }
    };
    parts.push(PackPart {
        name: "exemplar banks".into(),
        sha256: semantic(source(
            sources.exemplars,
            BUILTIN_EXEMPLARS,
            "exemplar banks",
        ))?,
    });
    let calibrated = match sources.calibrated {
        Some(path) if path == Path::new("none") => Ok(none()),
        path => source(path, BUILTIN_CALIBRATED, "calibrated directions"),
    };
    parts.push(PackPart {
        name: "calibrated directions".into(),
        sha256: semantic(calibrated)?,
    });
    // The model files are checked against these pinned hashes whenever they load, so the hash
    // stands for the file itself.
    parts.push(PackPart {
        name: "model weights".into(),
        sha256: semantic(Ok(WEIGHTS_SHA256.into()))?,
    });
    parts.push(PackPart {
        name: "model tokenizer".into(),
        sha256: semantic(Ok(TOKENIZER_SHA256.into()))?,
    });
    Ok(Pack::of(parts))
}

fn file_sha256(path: &Path, what: &str) -> Result<String, CliError> {
    read_input_file(path, MAX_FILE_BYTES)
        .map(|bytes| text_sha256(&bytes))
        .map_err(|err| CliError::invalid(format!("cannot read {what} {}: {err}", path.display())))
}

/// `holdline certificate pack`.
pub fn run_pack(programme: &Programme<'_>, wanted: &str, json: bool) -> CliResult {
    let (curriculum, certification) = find_certification(programme.curricula, wanted)?;
    let library = load_paths(&[programme.scenarios.to_path_buf()], programme.lexicon);
    let pack = current_pack(&library.scenarios, certification, programme.sources)?;
    let locked = certification.pack.as_deref();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            curriculum: &'a str,
            certification: &'a str,
            pack: &'a Pack,
            locked: Option<&'a str>,
            matches_lock: bool,
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&Out {
                curriculum: &curriculum.id,
                certification: &certification.id,
                pack: &pack,
                locked,
                matches_lock: locked == Some(pack.sha256.as_str()),
            })?
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Pack of certification \"{}\" ({}), as this machine would judge it:",
        certification.id, certification.title
    );
    for part in &pack.parts {
        println!("  {:<28} {}", part.name, part.sha256);
    }
    match locked {
        Some(hash) if hash == pack.sha256 => {
            println!("Locked to this pack: pack: \"{}\"", pack.sha256);
        }
        Some(hash) => {
            println!("Locked to another pack ({hash}); to lock it to this one, after review:");
            println!("  pack: \"{}\",", pack.sha256);
        }
        None => {
            println!(
                "Not locked yet. To lock it, add this line to the certification in {}'s file:",
                curriculum.id
            );
            println!("  pack: \"{}\",", pack.sha256);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `holdline certify`: one sitting, in the terminal.
pub fn run_certify(
    programme: &Programme<'_>,
    data_dir: &Path,
    rules: &ProgressRules,
    args: CertifyArgs<'_>,
) -> CliResult {
    let (curriculum, certification) = find_certification(programme.curricula, args.curriculum)?;
    let library = load_paths(&[programme.scenarios.to_path_buf()], programme.lexicon);
    let pack = current_pack(&library.scenarios, certification, programme.sources)?;
    match certification.pack.as_deref() {
        None => {
            return Err(CliError::invalid(format!(
                "certification \"{}\" is not locked to a pack yet, so it cannot be sat: a trainer runs `holdline certificate pack {}` and adds the `pack:` line it prints",
                certification.id, curriculum.id
            )));
        }
        Some(locked) if locked != pack.sha256 => {
            return Err(CliError::invalid(format!(
                "certification \"{}\" is locked to pack {locked}, but what is here hashes to {}: a scenario it uses, the lexicon, the exemplar banks, the calibrated directions or the model differ from the locked ones (`holdline certificate pack {}` lists each). Sit it with the locked files, or a trainer re-locks it after review.",
                certification.id, pack.sha256, curriculum.id
            )));
        }
        Some(_) => {}
    }
    let store = ProgressStore::new(data_dir);
    let trainee = super::progress::pick_trainee(&store, data_dir, args.trainee)?;
    let mut open = OpenTrainee::new(store.clone(), rules.clone());
    open.open(trainee.clone());
    if !open.holds_lock() {
        return Err(CliError::invalid(format!(
            "{} cannot sit it now: {}",
            trainee.name,
            open.notice.as_deref().unwrap_or("their progress is in use")
        )));
    }
    let first_day = day_of(trainee.created_at, local_offset_secs());
    let standing = curriculum_standing(curriculum, &open.attempts, first_day, today());
    let dir = sittings_dir(&store, &trainee.id, &certification.id);
    let (state, unreadable) = trainee_state(&store, &trainee.id, certification, &standing)?;
    unreadable.iter().for_each(|n| eprintln!("note: {n}"));
    let begun = match state {
        CertificationState::Open { sittings_used } => sittings_used,
        CertificationState::Passed { sitting, .. } => {
            return Err(CliError::invalid(format!(
                "{} has already passed \"{}\" (sitting {sitting}; the certificate is in {})",
                trainee.name,
                certification.title,
                dir.display()
            )));
        }
        CertificationState::Locked { waiting_for } => {
            return Err(CliError::invalid(format!(
                "{} cannot sit \"{}\" yet: it opens once {} passed (`holdline progress` shows where they stand)",
                trainee.name,
                certification.title,
                waiting_for.join(", ")
            )));
        }
        CertificationState::Failed { sittings_used } => {
            return Err(CliError::invalid(format!(
                "{} has used all {sittings_used} sitting{} of \"{}\" (their certificates are in {}); a trainer decides what happens next",
                trainee.name,
                super::plural(sittings_used as usize),
                certification.title,
                dir.display()
            )));
        }
        CertificationState::NotLocked => {
            return Err(CliError::invalid(format!(
                "certification \"{}\" is not locked to a pack yet",
                certification.id
            )));
        }
    };
    let scorer = programme.scoring.build(programme.lexicon);
    // The pack names the model unless replies are scored by the rules alone.
    if !programme.sources.rules_only && scorer.layer().is_none() {
        return Err(CliError::invalid(
            "the sentence-embedding model did not load, so typed replies would not be scored as the pack says; the warning above says what to do",
        ));
    }
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scorer);
    let number = begun + 1;
    let started_at = unix_now();
    begin_sitting(
        &dir,
        &SittingBegun {
            certification: certification.id.clone(),
            sitting: number,
            started_at,
            pack: pack.sha256.clone(),
        },
    )?;

    let stdin = std::io::stdin();
    let timed = stdin.is_terminal();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    let intro = writeln!(
        out,
        "=== Certification: {} ===\nSitting {number} of {} for {}. {} call{}, taken in order with no retries; a call left part-way scores 0.\nTo pass: a mean of empathy {}, accuracy {} and de-escalation {} over the calls, every call to its end with the customer staying, and no critical breach.\nScores are shown at the end.",
        certification.title,
        certification.max_attempts,
        trainee.name,
        certification.calls.len(),
        super::plural(certification.calls.len()),
        certification.pass.empathy,
        certification.pass.accuracy,
        certification.pass.deescalation,
    );
    let mut saved: Vec<(String, Option<String>)> = Vec::new();
    let mut stopped = intro.is_err();
    for (k, call) in certification.calls.iter().enumerate() {
        let Some(loaded) = library.find(&call.scenario) else {
            saved.push((call.scenario.clone(), None));
            continue;
        };
        let title = loaded.scenario.title.clone();
        if stopped {
            saved.push((title, None));
            continue;
        }
        let _ = writeln!(
            out,
            "\n##### Call {} of {} #####",
            k + 1,
            certification.calls.len()
        );
        let call_started = unix_now();
        let played = super::play::play(
            Arc::clone(&loaded.scenario),
            call.seed,
            Arc::clone(&scorer),
            &mut input,
            &mut out,
            super::play::Pace {
                timed,
                scores: false,
            },
        );
        let session = match played {
            Ok((outcome, session)) => {
                stopped = outcome == super::PlayOutcome::InputEnded;
                Some(session)
            }
            Err(err) => {
                eprintln!("(the sitting stopped: {err})");
                stopped = true;
                None
            }
        };
        let id = session.and_then(|s| open.record(&s, call_started));
        if let Some(notice) = open.notice.as_deref().filter(|_| {
            id.as_deref()
                .is_some_and(|id| id.starts_with(crate::progress::UNSAVED_PREFIX))
        }) {
            eprintln!("warning: {notice}");
        }
        saved.push((title, id));
    }
    drop(out);
    let calls = saved
        .iter()
        .map(|(title, id)| {
            let attempt = id
                .as_deref()
                .and_then(|id| open.attempts.iter().find(|a| a.id == id));
            (title.clone(), attempt)
        })
        .collect();
    let certificate = Certificate::award(Sitting {
        curriculum: &curriculum.id,
        certification,
        trainee: CertificateTrainee {
            id: trainee.id.clone(),
            name: trainee.name.clone(),
        },
        number,
        started_at,
        finished_at: unix_now(),
        pack,
        calls,
    });
    let page = certificate_html::render(&certificate);
    let (json_path, html_path) = save_certificate(&dir, &certificate, &page)?;
    let mut written = vec![json_path, html_path];
    if let Some(out_dir) = args.out {
        // Named after the trainee and certification, for a folder of many candidates'.
        let stem = format!(
            "{}-{}-{}",
            certificate.trainee.id, certificate.certification, certificate.sitting
        );
        let (json, html) = write_certificate(out_dir, &stem, &certificate, &page)?;
        written.extend([json, html]);
    }
    print_result(&certificate, &written);
    Ok(if certificate.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::INVALID)
    })
}

fn print_result(c: &Certificate, written: &[PathBuf]) {
    println!();
    println!(
        "=== {}: {} ===",
        c.title,
        if c.passed { "PASSED" } else { "NOT PASSED" }
    );
    for (k, call) in c.calls.iter().enumerate() {
        let how = call.how_it_ended();
        println!(
            "  Call {}: {:<40} empathy {:>3}  accuracy {:>3}  de-escalation {:>3}  ({how})",
            k + 1,
            call.title,
            call.empathy,
            call.accuracy,
            call.deescalation
        );
    }
    println!(
        "  Mean:    {:<40} empathy {:>3}  accuracy {:>3}  de-escalation {:>3}",
        format!(
            "(needed {}, {}, {})",
            c.pass.empathy, c.pass.accuracy, c.pass.deescalation
        ),
        c.scores.empathy,
        c.scores.accuracy,
        c.scores.deescalation
    );
    for why in &c.why_not {
        println!("  Not passed: {why}");
    }
    println!("Certificate {} (pack {}):", c.id, &c.pack.sha256[..12]);
    for path in written {
        println!("  {}", path.display());
    }
    println!("Anyone can check it offline: holdline certificate verify FILE");
}

/// What `holdline certificate verify` found.
#[derive(Debug, Serialize)]
struct Verified<'a> {
    file: String,
    verified: bool,
    problem: Option<String>,
    certificate: Option<&'a Certificate>,
    /// Whether the pack here (the certification's, from this machine's files) is the one the
    /// certificate was taken on; `None` when the certification is not here.
    same_pack_here: Option<bool>,
    /// The parts that differ here, when the pack does.
    changed_here: Vec<String>,
}

/// `holdline certificate verify`.
pub fn run_verify(programme: &Programme<'_>, file: &Path, json: bool) -> CliResult {
    let bytes = read_input_file(file, MAX_FILE_BYTES)
        .map_err(|err| CliError::usage(format!("cannot read {}: {err}", file.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let result = verify_text(&text);
    let (same_pack_here, changed_here) = match &result {
        Ok(c) => compare_with_here(programme, c),
        Err(_) => (None, Vec::new()),
    };
    let report = Verified {
        file: file.display().to_string(),
        verified: result.is_ok(),
        problem: result.as_ref().err().map(ToString::to_string),
        certificate: result.as_ref().ok(),
        same_pack_here,
        changed_here,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_verified(&report);
    }
    Ok(if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::INVALID)
    })
}

/// The certificate in a file's text, checked: its JSON, or the page holding it, whose text must
/// also be exactly the page its data makes.
fn verify_text(text: &str) -> Result<Certificate, VerifyError> {
    let Some(data) = certificate_html::embedded_json(text) else {
        return Certificate::verify_json(text);
    };
    let certificate = Certificate::verify_json(&data)?;
    let normalised = text.replace("\r\n", "\n");
    if normalised != certificate_html::render(&certificate) {
        return Err(VerifyError::PageAltered);
    }
    Ok(certificate)
}

/// Whether this machine's pack for the certification is the one `c` was taken on, and if not,
/// which parts differ.
fn compare_with_here(programme: &Programme<'_>, c: &Certificate) -> (Option<bool>, Vec<String>) {
    let Some(certification) = programme
        .curricula
        .iter()
        .filter(|cur| cur.id == c.curriculum)
        .find_map(|cur| cur.certification.as_ref())
        .filter(|cert| cert.id == c.certification)
    else {
        return (None, Vec::new());
    };
    let library = load_paths(&[programme.scenarios.to_path_buf()], programme.lexicon);
    match current_pack(&library.scenarios, certification, programme.sources) {
        Ok(here) => (
            Some(here.sha256 == c.pack.sha256),
            here.changed_from(&c.pack)
                .iter()
                .map(|p| p.name.clone())
                .collect(),
        ),
        Err(_) => (None, Vec::new()),
    }
}

fn print_verified(v: &Verified<'_>) {
    let Some(c) = v.certificate else {
        println!(
            "{}: NOT VERIFIED: {}",
            v.file,
            v.problem.as_deref().unwrap_or("")
        );
        return;
    };
    println!("{}: verified (content sha256 {})", v.file, c.content_sha256);
    println!(
        "  {} {} \"{}\" ({}), sitting {} of {}, {} to {}",
        c.trainee.name,
        if c.passed { "PASSED" } else { "did not pass" },
        c.title,
        c.certification,
        c.sitting,
        c.max_attempts,
        c.started_at,
        c.finished_at
    );
    println!(
        "  Scores: empathy {}, accuracy {}, de-escalation {} (needed {}, {}, {})",
        c.scores.empathy,
        c.scores.accuracy,
        c.scores.deescalation,
        c.pass.empathy,
        c.pass.accuracy,
        c.pass.deescalation
    );
    println!("  Taken on pack {}", c.pack.sha256);
    match v.same_pack_here {
        Some(true) => println!("  The pack here is the same."),
        Some(false) => println!(
            "  The pack here differs ({} changed since), so a sitting here now is not the same test.",
            v.changed_here.join(", ")
        ),
        None => println!(
            "  (certification \"{}\" is not in the curricula here, so the pack was not compared)",
            c.certification
        ),
    }
}

/// Where `trainee_id` stands on `certification`, for `holdline progress`; certificates that do
/// not verify, or a sittings folder that cannot be read (then read as no sittings), are named
/// on stderr.
pub fn state_of(
    store: &ProgressStore,
    trainee_id: &str,
    certification: &Certification,
    curriculum: &crate::progress::curriculum::CurriculumStanding,
) -> CertificationState {
    match trainee_state(store, trainee_id, certification, curriculum) {
        Ok((state, notices)) => {
            notices.iter().for_each(|n| eprintln!("note: {n}"));
            state
        }
        Err(err) => {
            eprintln!("note: {err}");
            crate::progress::certification::certification_state(certification, curriculum, 0, &[])
        }
    }
}

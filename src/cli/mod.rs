//! The `holdline` command line: argument parsing and dispatch to one module per command.

mod calibrate;
mod certificate_html;
mod certify;
pub mod exit;
mod export;
mod graph;
mod list;
mod new;
pub mod output_errors;
mod paths;
mod play;
mod progress;
mod report;
mod report_html;
mod rescore;
mod score;
mod stats;
mod test;
mod validate;
mod xapi;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::progress::ProgressRules;
use crate::scenario::library::{LoadReport, LoadedScenario, load_paths};
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scoring::Lexicon;
use crate::scoring::hybrid_scorer::{HybridScorer, shared_semantic_layer};
use crate::scoring::semantic::SemanticLayer;
use crate::scoring::semantic::banks::ExemplarBanks;
use crate::scoring::semantic::calibrated::CalibratedDirections;
use exit::{CliError, CliResult};

pub use play::{Pace, PlayOutcome, play};

/// holdline: practise customer-service conversations with scripted customers.
#[derive(Debug, Parser)]
#[command(name = "holdline", version, about, long_about = None)]
pub struct Cli {
    /// Folder of scenario files.
    #[arg(long, global = true, default_value = "scenarios", value_name = "DIR")]
    pub scenarios: PathBuf,
    /// Scoring lexicon to use instead of the built-in one.
    #[arg(long, global = true, value_name = "FILE")]
    pub lexicon: Option<PathBuf>,
    /// Score typed replies with the lexicon's rules alone, without the semantic layer (the
    /// sentence-embedding model that reads what a reply means).
    #[arg(long, global = true)]
    pub rules_only: bool,
    /// Exemplar banks for the semantic layer instead of the built-in ones
    /// (assets/scoring/exemplars.ron shows the format).
    #[arg(long, global = true, value_name = "FILE")]
    pub exemplars: Option<PathBuf>,
    /// Calibrated directions for the semantic layer instead of the built-in ones (a file from
    /// `holdline calibrate LABELS --fit FILE`), or `none` for the rules and banks alone (a
    /// file named `none`: `./none`).
    #[arg(long, global = true, value_name = "FILE|none")]
    pub calibrated: Option<PathBuf>,
    /// Folder of curriculum files (`holdline progress` shows the trainee's standing on each)
    /// [default: `curricula/` beside the scenarios folder].
    #[arg(long, global = true, value_name = "DIR")]
    pub curricula: Option<PathBuf>,
    /// Progress rules (XP, levels, badges, ...) to use instead of the built-in ones.
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Where trainee profiles are kept (default: $HOLDLINE_DATA_DIR, else the platform's data
    /// folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Open the app in trainer mode: the scenario folder is watched, a saved file reloads within
    /// a second with its errors on screen, and a conversation in that scenario restarts at the
    /// node it was at (not saved).
    #[arg(long)]
    pub trainer: bool,
    /// Walk every app screen with scripted input and save one PNG per screen into DIR.
    #[arg(long, value_name = "DIR", hide = true)]
    pub screenshots: Option<PathBuf>,
    /// The scenario the screenshot tour plays.
    #[arg(long, value_name = "ID", default_value = "late-parcel", hide = true)]
    pub tour_scenario: String,
    /// The text size the screenshot tour shows (a multiplier, as Ctrl + and - set it; the
    /// largest is 1.3).
    #[arg(long, value_name = "SCALE", default_value_t = 1.0, hide = true)]
    pub tour_text_scale: f32,
    /// Open the app, print the time to its first interactive frame, and exit.
    #[arg(long, hide = true)]
    pub startup_probe: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario and rule files; prints compiler-style diagnostics. Exit code 1 on errors.
    Validate {
        /// Files or folders to check (default: the scenarios folder, and curricula/ when it exists).
        paths: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Print one JSON object (every diagnostic with file, line, col, code, message, help)
        /// instead of text: for editors and CI.
        #[arg(long)]
        json: bool,
    },
    /// Draw a scenario: its nodes, endings by kind, and every choice and route with its
    /// condition, as a Mermaid flowchart (renders in Markdown on a code host) or Graphviz DOT.
    Graph {
        /// A scenario id from the library, or a path to a .ron file.
        scenario: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = graph::GraphFormat::Mermaid)]
        format: graph::GraphFormat,
    },
    /// Every ending a scenario can reach: the lowest and highest overall score over the paths
    /// that reach it, whether it can pass, how many stars it can give, and the shortest, lowest
    /// and highest paths to it. Typed turns are tried with the model answers and two weak replies.
    Paths {
        /// A scenario id from the library, or a path to a .ron file.
        scenario: String,
        /// Seed for the customer's line variants when the paths are replayed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run scenario tests: the NAME.test.ron files beside the scenarios (docs/scenario-tests.md).
    /// Each failure is printed at its file:line:col, then a coverage line. Exit code 1 when a
    /// test fails.
    Test {
        /// Test files or folders of them (default: the scenarios folder).
        paths: Vec<PathBuf>,
        /// Also fail when a scenario in the library has no test file.
        #[arg(long)]
        deny_untested: bool,
        /// Print a starting test file for this scenario (id or path), drafted from what it does
        /// now, instead of running tests: review every expectation before keeping it.
        #[arg(long, value_name = "SCENARIO", conflicts_with = "deny_untested")]
        draft: Option<String>,
    },
    /// Write a scenario skeleton to start from: it passes `validate` and plays, with TODOs
    /// and short comments saying what to fill in. Written into the scenarios folder as ID.ron;
    /// an existing file is never overwritten.
    New {
        /// The new scenario's id (lower-case letters, digits, hyphens): also its file name.
        id: String,
        /// Where the customer reaches the trainee.
        #[arg(long, value_parser = parse_channel, default_value = "Chat")]
        channel: crate::scenario::model::Channel,
        /// The business the scenario is set in.
        #[arg(long, value_parser = parse_industry, default_value = "Retail")]
        industry: crate::scenario::model::Industry,
    },
    /// List the scenario library.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Play a scenario in the terminal. Answers may be piped on stdin, one per line: a choice
    /// number or typed text.
    Play {
        /// A scenario id from the library, or a path to a .ron file.
        scenario: String,
        /// Seed for the customer's line variants; the same seed and answers replay exactly.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The trainee the attempt is saved for, as the app saves it (name or id; default: the
        /// trainee who played last).
        #[arg(long, conflicts_with = "from")]
        trainee: Option<String>,
        /// Preview from this node instead of the start, for trainers: the conversation goes on
        /// to an ending as usual, and nothing is saved.
        #[arg(long, value_name = "NODE")]
        from: Option<String>,
        /// With --from: the customer's mood there, as ANGER,CONFUSION,TRUST (each 0-100;
        /// default: the persona's starting mood).
        #[arg(long, value_name = "A,C,T", requires = "from", value_parser = parse_mood)]
        mood: Option<crate::scenario::mood::Mood>,
    },
    /// Score one typed reply at one node and explain every point. Exit code 2 on a bad
    /// scenario, an unknown node or empty text.
    Score {
        /// A scenario id from the library, or a path to a .ron file.
        scenario: String,
        /// The node whose rubric and customer line set the context.
        #[arg(long)]
        node: String,
        /// The trainee's reply (or give --file, or pipe it on stdin).
        #[arg(long, conflicts_with = "file")]
        text: Option<String>,
        /// Read the reply from this file (`-` for stdin): for replies too long for a command line.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Print one JSON object instead of a readable breakdown.
        #[arg(long)]
        json: bool,
        /// Also show each clause the semantic layer read and how closely it resembles each
        /// exemplar bank: for trainers working on `assets/scoring/exemplars.ron`.
        #[arg(long)]
        clauses: bool,
    },
    /// A trainee's level, XP, streak, stars per tier, badges, review queue and scores over time.
    Progress {
        /// Name or id (default: the trainee who played last).
        #[arg(long)]
        trainee: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replay a trainee's saved attempts with the current scenarios and lexicon, and show what
    /// each would score now beside what it scored then. Saved attempts are not changed.
    Rescore {
        /// Name or id (default: the trainee who played last).
        #[arg(long)]
        trainee: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check the scorer against people's judgement: labelled pairs and single replies with
    /// expected bands, scored and compared. Prints agreement per dimension with a 95% interval,
    /// weighted kappa for the bands, and every disagreement with the rules that decided it.
    Calibrate {
        /// Labels files, or folders of them. Scenarios are looked up in --scenarios and in a
        /// `scenarios/` folder beside each labels file.
        #[arg(required = true)]
        labels: Vec<PathBuf>,
        /// Exit with code 1 when pair agreement on any dimension is below this percent.
        #[arg(long, value_name = "PERCENT")]
        min_agreement: Option<u8>,
        /// List at most this many disagreements (all with --json).
        #[arg(long, default_value_t = 20)]
        show: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Fit calibrated directions on these labels' pairs and write them to FILE (use them
        /// with --calibrated FILE); the agreement printed after is on the same labels, so it is
        /// not a held-out figure.
        #[arg(long, value_name = "FILE")]
        fit: Option<PathBuf>,
    },
    /// What trainees on this machine actually do in each scenario, from every trainee's saved
    /// attempts: how often each choice is picked at each node, the mean scores of typed
    /// replies, the rubric facts missed most and the penalties that fire most.
    Stats {
        /// Only this scenario (its id).
        scenario: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a trainee's progress (or every trainee's, with --all) as one file each,
    /// `<id>.holdline-export.json`, for the trainer's cohort report.
    Export {
        /// Name or id (default: the trainee who played last).
        #[arg(long, conflicts_with = "all")]
        trainee: Option<String>,
        /// Every trainee on this machine, one file each.
        #[arg(long)]
        all: bool,
        /// A folder to write into (created if missing), or for one trainee a file name ending
        /// in .holdline-export.json [default: the current folder].
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// A cohort's progress from the trainees' export files gathered in one folder (searched at
    /// any depth): curriculum progress per trainee, a scenario x dimension heat map, weekly
    /// trends, choice picks per node, most-missed facts and due reviews. Prints a summary
    /// unless --html, --csv or --json say where the report goes.
    #[command(group(clap::ArgGroup::new("source").required(true).args(["cohort", "lrs"])))]
    Report {
        /// The folder the *.holdline-export.json files were gathered in.
        #[arg(long, value_name = "DIR")]
        cohort: Option<PathBuf>,
        /// Build the report from the statements in this learning record store instead, e.g.
        /// http://127.0.0.1:8100/xAPI (every site's desktops push to it).
        #[arg(long, value_name = "URL", requires = "auth")]
        lrs: Option<String>,
        /// USER:PASS for the LRS (HTTP basic authentication).
        #[arg(long, value_name = "USER:PASS")]
        auth: Option<String>,
        /// Write a printable HTML page with charts here.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Write a CSV here: one row per trainee and curriculum module.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Print the report's content as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sit a curriculum's certification in the terminal: its calls in order, each with the seed
    /// every candidate gets, on the pack it is locked to, answers as `play` takes them. Writes a
    /// certificate (JSON, and HTML to print) into the trainee's folder. Exit code 0 when passed,
    /// 1 when not.
    Certify {
        /// The curriculum's id, or its certification's.
        curriculum: String,
        /// The candidate, by name or id (default: the trainee who played last).
        #[arg(long)]
        trainee: Option<String>,
        /// Also write the certificate into this folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// A certification's pack (what it is judged by, and the line that locks it), or verify a
    /// certificate offline.
    #[command(subcommand)]
    Certificate(certify::CertificateCommand),
    /// List, add, rename or delete the trainees on this machine.
    #[command(subcommand)]
    Trainee(progress::TraineeCommand),
    /// A trainee's attempts as xAPI statements (cmi5 vocabulary): send them to a learning
    /// record store, or write them to a file.
    #[command(subcommand)]
    Xapi(xapi::XapiCommand),
}

/// "s" for any count but one: "1 attempt", "2 attempts".
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A mood as `ANGER,CONFUSION,TRUST`, each 0-100: "70,20,10".
fn parse_mood(text: &str) -> Result<crate::scenario::mood::Mood, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let value = |part: &str, name: &str| -> Result<u8, String> {
        part.parse::<u8>()
            .ok()
            .filter(|v| *v <= 100)
            .ok_or_else(|| format!("{name} \"{part}\" is not a whole number from 0 to 100"))
    };
    match parts.as_slice() {
        [a, c, t] => Ok(crate::scenario::mood::Mood {
            anger: value(a, "anger")?,
            confusion: value(c, "confusion")?,
            trust: value(t, "trust")?,
        }),
        _ => Err(format!(
            "\"{text}\" is not a mood; give ANGER,CONFUSION,TRUST, like 70,20,10"
        )),
    }
}

/// A channel named as in scenario files (`Chat`), any case.
fn parse_channel(text: &str) -> Result<crate::scenario::model::Channel, String> {
    parse_enum(text, "Phone, Chat, Email, Social")
}

/// An industry named as in scenario files (`Retail`), any case.
fn parse_industry(text: &str) -> Result<crate::scenario::model::Industry, String> {
    parse_enum(
        text,
        "Retail, Insurance, Banking, Healthcare, Telecom, Software, Travel, Utilities, Government",
    )
}

fn parse_enum<T: serde::de::DeserializeOwned>(text: &str, names: &str) -> Result<T, String> {
    names
        .split(", ")
        .find(|name| name.eq_ignore_ascii_case(text.trim()))
        .and_then(|name| ron::from_str(name).ok())
        .ok_or_else(|| format!("\"{text}\" is not one of {names}"))
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    exit::finish(dispatch(cli))
}

/// How typed replies are scored, from `--rules-only`, `--exemplars` and `--calibrated`.
#[derive(Debug, Clone, Default)]
pub struct ScorerChoice {
    /// The lexicon rules alone.
    pub rules_only: bool,
    /// A trainer's exemplar banks instead of the shipped ones.
    pub exemplars: Option<ExemplarBanks>,
    /// Calibrated directions instead of the shipped ones: `Some(None)` for none at all.
    pub calibrated: Option<Option<Arc<CalibratedDirections>>>,
}

impl ScorerChoice {
    /// `scorer` with the calibrated directions chosen (the shipped ones unless told otherwise).
    pub fn calibrate(&self, scorer: HybridScorer) -> HybridScorer {
        match &self.calibrated {
            None => scorer,
            Some(chosen) => scorer.with_calibration(chosen.clone()),
        }
    }

    /// The scorer chosen, its model loaded now. A model that cannot be loaded is said on stderr,
    /// with what to do, and the rules score alone: a missing model file must not stop practice.
    pub fn build(&self, lexicon: &Lexicon) -> HybridScorer {
        if self.rules_only {
            return HybridScorer::rules_only(lexicon.clone());
        }
        let layer = match &self.exemplars {
            None => shared_semantic_layer(),
            Some(banks) => SemanticLayer::load_with(banks.clone())
                .map(std::sync::Arc::new)
                .map_err(|e| e.to_string()),
        };
        match layer {
            Ok(layer) => self.calibrate(HybridScorer::with_layer(lexicon.clone(), layer)),
            Err(why) => {
                eprintln!("warning: {why}");
                eprintln!(
                    "note: typed replies are scored by the lexicon rules alone until the model is back (pass --rules-only to say so and silence this)"
                );
                HybridScorer::rules_only(lexicon.clone())
            }
        }
    }
}

fn dispatch(cli: Cli) -> CliResult {
    let lexicon = load_lexicon(cli.lexicon.as_deref())?;
    let scoring = ScorerChoice {
        rules_only: cli.rules_only,
        exemplars: load_exemplars(cli.exemplars.as_deref())?,
        calibrated: load_calibrated(cli.calibrated.as_deref())?,
    };
    if scoring.rules_only && scoring.exemplars.is_some() {
        eprintln!(
            "note: --exemplars is not used with --rules-only (the exemplar banks belong to the semantic layer)"
        );
    }
    if scoring.rules_only && scoring.calibrated.is_some() {
        eprintln!(
            "note: --calibrated is not used with --rules-only (the directions belong to the semantic layer)"
        );
    }
    let rules = load_rules(cli.rules.as_deref())?;
    let pack_sources = certify::PackSources {
        lexicon: cli.lexicon.as_deref(),
        exemplars: cli.exemplars.as_deref(),
        calibrated: cli.calibrated.as_deref(),
        rules_only: cli.rules_only,
    };
    // A curriculum names scenarios of one library: by default, the folder beside it, so
    // `--scenarios elsewhere/scenarios` does not check the shipped curricula against another
    // library.
    let curricula_dir = cli.curricula.clone().unwrap_or_else(|| {
        cli.scenarios
            .parent()
            .unwrap_or(Path::new(""))
            .join("curricula")
    });
    let uses_store = !matches!(
        cli.command,
        Some(
            Command::Validate { .. }
                | Command::Graph { .. }
                | Command::Paths { .. }
                | Command::Test { .. }
                | Command::New { .. }
                | Command::List { .. }
                | Command::Score { .. }
                | Command::Calibrate { .. }
                | Command::Report { .. }
                | Command::Certificate(..)
        )
    );
    let data_dir = resolve_data_dir(cli.data_dir);
    if uses_store {
        check_data_dir(&data_dir)?;
    }
    match cli.command {
        Some(Command::Validate {
            paths,
            deny_warnings,
            json,
        }) => {
            // By default the library and, when there is one, the curricula folder beside it.
            let paths = if paths.is_empty() {
                let mut default = vec![cli.scenarios];
                default.extend(Some(curricula_dir).filter(|c| c.is_dir()));
                default
            } else {
                paths
            };
            validate::run(
                &paths,
                &lexicon,
                &scoring,
                pack_sources,
                deny_warnings,
                json,
            )
        }
        Some(Command::List { json }) => list::run(&cli.scenarios, &lexicon, json),
        Some(Command::New {
            id,
            channel,
            industry,
        }) => new::run(&cli.scenarios, &id, channel, industry),
        Some(Command::Graph { scenario, format }) => {
            graph::run(&cli.scenarios, &scenario, format, &lexicon)
        }
        Some(Command::Test {
            draft: Some(scenario),
            ..
        }) => test::draft(&cli.scenarios, &scenario, lexicon, &scoring),
        Some(Command::Test {
            paths,
            deny_untested,
            ..
        }) => test::run(&cli.scenarios, &paths, deny_untested, lexicon, &scoring),
        Some(Command::Paths {
            scenario,
            seed,
            json,
        }) => paths::run(&cli.scenarios, &scenario, seed, json, lexicon, &scoring),
        Some(Command::Play {
            scenario,
            seed,
            from: Some(from),
            mood,
            ..
        }) => play::run_preview(
            &cli.scenarios,
            &scenario,
            &from,
            mood,
            seed,
            lexicon,
            &scoring,
        ),
        Some(Command::Play {
            scenario,
            seed,
            trainee,
            ..
        }) => {
            let save = play::SaveTo {
                data_dir: &data_dir,
                trainee: trainee.as_deref(),
                rules: &rules,
            };
            play::run(&cli.scenarios, &scenario, seed, lexicon, &scoring, save)
        }
        Some(Command::Score {
            scenario,
            node,
            text,
            file,
            json,
            clauses,
        }) => {
            let reply = score::reply_text(text, file.as_deref())?;
            let show = score::Show { json, clauses };
            score::run(
                &cli.scenarios,
                &scenario,
                &node,
                &reply,
                show,
                lexicon,
                &scoring,
            )
        }
        Some(Command::Progress { trainee, json }) => {
            let curricula = load_curricula(&curricula_dir, Some(&cli.scenarios), &lexicon)?;
            progress::run_progress(&data_dir, &rules, &curricula, trainee.as_deref(), json)
        }
        Some(Command::Rescore { trainee, json }) => rescore::run(
            &data_dir,
            &cli.scenarios,
            &lexicon,
            &scoring,
            &rules,
            trainee.as_deref(),
            json,
        ),
        Some(Command::Calibrate {
            labels,
            min_agreement,
            show,
            json,
            fit,
        }) => calibrate::run(
            &cli.scenarios,
            &labels,
            lexicon,
            &scoring,
            fit.as_deref(),
            calibrate::Output {
                min_agreement,
                show,
                json,
            },
        ),
        Some(Command::Stats { scenario, json }) => stats::run(&data_dir, scenario.as_deref(), json),
        Some(Command::Export { trainee, all, out }) => export::run(
            &data_dir,
            export::ExportArgs {
                trainee: trainee.as_deref(),
                all,
                out: out.as_deref(),
            },
        ),
        Some(Command::Report {
            cohort,
            lrs,
            auth,
            html,
            csv,
            json,
        }) => {
            let curricula = load_curricula(&curricula_dir, Some(&cli.scenarios), &lexicon)?;
            let source = match (&cohort, &lrs) {
                (Some(dir), _) => report::Source::Cohort(dir),
                (None, Some(url)) => report::Source::Lrs {
                    url,
                    auth: auth.as_deref().unwrap_or_default(),
                },
                (None, None) => unreachable!("clap requires --cohort or --lrs"),
            };
            report::run(
                &rules,
                &curricula,
                report::ReportArgs {
                    source,
                    html: html.as_deref(),
                    csv: csv.as_deref(),
                    json,
                },
            )
        }
        Some(Command::Certify {
            curriculum,
            trainee,
            out,
        }) => {
            let curricula = load_curricula(&curricula_dir, Some(&cli.scenarios), &lexicon)?;
            let programme = certify::Programme::new(
                &cli.scenarios,
                &curricula,
                &lexicon,
                &scoring,
                pack_sources,
            );
            let args = certify::CertifyArgs {
                curriculum: &curriculum,
                trainee: trainee.as_deref(),
                out: out.as_deref(),
            };
            certify::run_certify(&programme, &data_dir, &rules, args)
        }
        Some(Command::Certificate(command)) => {
            let curricula = load_curricula(&curricula_dir, Some(&cli.scenarios), &lexicon)?;
            let programme = certify::Programme::new(
                &cli.scenarios,
                &curricula,
                &lexicon,
                &scoring,
                pack_sources,
            );
            match command {
                certify::CertificateCommand::Pack { curriculum, json } => {
                    certify::run_pack(&programme, &curriculum, json)
                }
                certify::CertificateCommand::Verify { file, json } => {
                    certify::run_verify(&programme, &file, json)
                }
            }
        }
        Some(Command::Trainee(command)) => progress::run_trainee(&data_dir, &command),
        Some(Command::Xapi(command)) => xapi::run(&data_dir, &cli.scenarios, &lexicon, &command),
        None => {
            // The app has the library itself; `holdline validate` checks the ids curricula name.
            let curricula = load_curricula(&curricula_dir, None, &lexicon)?;
            open_app(
                cli.scenarios,
                lexicon,
                scoring,
                rules,
                data_dir,
                AppOptions {
                    screenshots: cli
                        .screenshots
                        .map(|dir| (dir, cli.tour_scenario, cli.tour_text_scale)),
                    startup_probe: cli.startup_probe,
                    trainer: cli.trainer,
                    curricula,
                },
            )
        }
    }
}

#[cfg(feature = "app")]
fn open_app(
    scenarios: PathBuf,
    lexicon: Lexicon,
    scoring: ScorerChoice,
    rules: ProgressRules,
    data_dir: PathBuf,
    options: AppOptions,
) -> CliResult {
    let AppOptions {
        screenshots,
        startup_probe,
        trainer,
        curricula,
    } = options;
    use crate::app::{AppConfig, RunOptions, startup_timeline, tour::TourConfig};
    // From `main`: the lexicon and rules were read before this, and count too.
    let started = startup_timeline::started();
    startup_timeline::mark("lexicon and progress rules read");
    // Bevy resolves relative asset paths against the executable's folder, not the working
    // directory, so the scenario folder is made absolute here.
    let scenarios = std::path::absolute(&scenarios).unwrap_or(scenarios);
    // The shipped model loads on a background thread while the app starts; a trainer's own
    // exemplar banks are embedded before the window opens.
    let scorer = match (&scoring.exemplars, scoring.rules_only) {
        (None, false) => scoring.calibrate(HybridScorer::with_shipped_model_later(lexicon.clone())),
        _ => scoring.build(&lexicon),
    };
    let config = AppConfig {
        scenarios_dir: scenarios,
        scorer: std::sync::Arc::new(scorer),
        lexicon: std::sync::Arc::new(lexicon),
        rules: std::sync::Arc::new(rules),
        data_dir,
        trainer,
        curricula: std::sync::Arc::new(curricula),
    };
    let tour = match (screenshots, startup_probe) {
        (Some((dir, scenario, text_scale)), _) => {
            std::fs::create_dir_all(&dir).map_err(|err| {
                CliError::usage(format!("cannot create {}: {err}", dir.display()))
            })?;
            Some(TourConfig::Screenshots {
                dir: std::path::absolute(&dir).unwrap_or(dir),
                scenario,
                text_scale,
            })
        }
        (None, true) => Some(TourConfig::StartupProbe { started }),
        (None, false) => None,
    };
    Ok(crate::app::run(config, RunOptions { tour }))
}

#[cfg(not(feature = "app"))]
fn open_app(
    _scenarios: PathBuf,
    _lexicon: Lexicon,
    _scoring: ScorerChoice,
    _rules: ProgressRules,
    _data_dir: PathBuf,
    _options: AppOptions,
) -> CliResult {
    use clap::CommandFactory;
    eprintln!("This build has no app (it was built without the `app` feature). Commands:");
    let _ = Cli::command().print_help();
    Err(CliError::reported(exit::USAGE))
}

/// How the app is opened: the hidden screenshot tour and start-up probe, and trainer mode.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Walk every screen, saving PNGs into this folder, playing this scenario, at this text
    /// size.
    pub screenshots: Option<(PathBuf, String, f32)>,
    /// Print the time to the first interactive frame and exit.
    pub startup_probe: bool,
    /// Watch the scenario folder and reload on save.
    pub trainer: bool,
    /// The curricula the progress screen shows.
    pub curricula: Vec<crate::progress::curriculum::Curriculum>,
}

/// `--data-dir`, else `$HOLDLINE_DATA_DIR`, else the platform's data folder.
fn resolve_data_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(crate::progress::ProgressStore::default_dir)
}

/// Refuses a data folder that is a file, before a command reports some file inside it that the
/// user never heard of.
fn check_data_dir(dir: &Path) -> Result<(), CliError> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(CliError::usage(format!(
            "the data folder {} is a file, not a folder; give --data-dir a folder (it is created if missing)",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// The curricula in `dir` (none if it does not exist), checked against the scenario library in
/// `scenarios` when given; a curriculum with errors is reported and left out.
fn load_curricula(
    dir: &Path,
    scenarios: Option<&Path>,
    lexicon: &Lexicon,
) -> Result<Vec<crate::progress::curriculum::Curriculum>, CliError> {
    use crate::progress::curriculum::Curriculum;
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let library = scenarios.map(|s| load_paths(&[s.to_path_buf()], lexicon));
    let known = |id: &str| library.as_ref().is_none_or(|l| l.find(id).is_some());
    let mut curricula = Vec::new();
    for file in crate::scenario::library::ron_files(&[dir.to_path_buf()]) {
        let label = file.display().to_string();
        let bytes = read_input_file(&file, MAX_FILE_BYTES)
            .map_err(|err| CliError::usage(format!("{label}: cannot read curriculum: {err}")))?;
        match Curriculum::from_source(&label, &bytes, Some(&known)) {
            Ok((curriculum, warnings)) => {
                warnings.iter().for_each(|w| eprintln!("{w}"));
                curricula.push(curriculum);
            }
            Err(errors) => {
                errors.iter().for_each(|e| eprintln!("{e}"));
                eprintln!(
                    "note: {label} was left out until its errors are fixed (holdline validate {label})"
                );
            }
        }
    }
    Ok(curricula)
}

fn load_rules(path: Option<&Path>) -> Result<ProgressRules, CliError> {
    let Some(path) = path else {
        return Ok(ProgressRules::builtin());
    };
    let label = path.display().to_string();
    let bytes = read_input_file(path, MAX_FILE_BYTES).map_err(|err| {
        eprintln!("{label}: error: cannot read progress rules: {err}");
        CliError::reported(exit::USAGE)
    })?;
    ProgressRules::from_source(&label, &bytes).map_err(|errors| {
        errors.iter().for_each(|e| eprintln!("{e}"));
        CliError::reported(exit::USAGE)
    })
}

fn load_exemplars(path: Option<&Path>) -> Result<Option<ExemplarBanks>, CliError> {
    let Some(path) = path else {
        return Ok(None);
    };
    let label = path.display().to_string();
    let bytes = read_input_file(path, MAX_FILE_BYTES).map_err(|err| {
        eprintln!("{label}: error: cannot read exemplar banks: {err}");
        CliError::reported(exit::USAGE)
    })?;
    ExemplarBanks::from_source(&label, &bytes)
        .map(Some)
        .map_err(|errors| {
            errors.iter().for_each(|e| eprintln!("{e}"));
            CliError::reported(exit::USAGE)
        })
}

/// `--calibrated`: `None` for the shipped directions, `Some(None)` for `none`.
fn load_calibrated(
    path: Option<&Path>,
) -> Result<Option<Option<Arc<CalibratedDirections>>>, CliError> {
    let Some(path) = path else {
        return Ok(None);
    };
    if path == Path::new("none") {
        return Ok(Some(None));
    }
    let label = path.display().to_string();
    let bytes = read_input_file(path, MAX_FILE_BYTES).map_err(|err| {
        eprintln!("{label}: error: cannot read calibrated directions: {err}");
        CliError::reported(exit::USAGE)
    })?;
    let directions = CalibratedDirections::from_source(&label, &bytes)
        .and_then(|d| d.check_model(&label).map(|()| d))
        .map_err(|e| {
            eprintln!("{e}");
            CliError::reported(exit::USAGE)
        })?;
    Ok(Some(Some(Arc::new(directions))))
}

fn load_lexicon(path: Option<&Path>) -> Result<Lexicon, CliError> {
    let Some(path) = path else {
        return Ok(Lexicon::builtin());
    };
    let label = path.display().to_string();
    let bytes = read_input_file(path, MAX_FILE_BYTES).map_err(|err| {
        eprintln!("{label}: error: cannot read lexicon: {err}");
        CliError::reported(exit::USAGE)
    })?;
    match Lexicon::from_source(&label, &bytes) {
        Ok((lexicon, warnings)) => {
            warnings.iter().for_each(|w| eprintln!("{w}"));
            Ok(lexicon)
        }
        Err(errors) => {
            errors.iter().for_each(|e| eprintln!("{e}"));
            Err(CliError::reported(exit::USAGE))
        }
    }
}

/// The node `id` of `scenario`; else a usage error with "did you mean" and the node list.
fn find_node<'s>(
    scenario: &'s crate::scenario::model::Scenario,
    id: &str,
) -> Result<&'s crate::scenario::model::Node, CliError> {
    scenario.node(id).ok_or_else(|| {
        let ids: Vec<&str> = scenario.nodes.iter().map(|n| n.id.as_str()).collect();
        let close = crate::scenario::diagnostic::did_you_mean(id, ids.iter().copied())
            .map(|c| format!(" (did you mean \"{c}\"?)"))
            .unwrap_or_default();
        CliError::usage(format!(
            "no node \"{id}\" in {}{close}; nodes: {}",
            scenario.id,
            ids.join(", ")
        ))
    })
}

/// Finds a scenario by id in the library folder, or loads it from a path. On failure, says
/// why (printing every diagnostic first), as an `INVALID` error.
fn resolve_scenario(
    scenarios: &Path,
    wanted: &str,
    lexicon: &Lexicon,
) -> Result<LoadedScenario, CliError> {
    let as_path = Path::new(wanted);
    if as_path.is_dir() {
        return Err(CliError::invalid(format!(
            "{wanted} is a folder; give one scenario's id (see `holdline list`) or its .ron file"
        )));
    }
    let report: LoadReport = if as_path.is_file() {
        load_paths(&[as_path.to_path_buf()], lexicon)
    } else {
        load_paths(&[scenarios.to_path_buf()], lexicon)
    };
    let found = if as_path.is_file() {
        report.scenarios.first()
    } else {
        report.find(wanted)
    };
    if let Some(loaded) = found {
        return Ok(loaded.clone());
    }
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && (as_path.is_file() || d.file.contains(wanted)))
        .collect();
    if errors.is_empty() {
        return Err(CliError::invalid(format!(
            "no scenario \"{wanted}\" in {} (see `holdline list`)",
            scenarios.display()
        )));
    }
    errors.iter().for_each(|e| eprintln!("{e}"));
    Err(CliError::invalid(format!(
        "\"{wanted}\" has errors; fix them and try again"
    )))
}

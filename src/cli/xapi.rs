//! `holdline xapi push` and `holdline xapi export`: a trainee's attempts as xAPI statements (cmi5
//! vocabulary), sent to a learning record store or written to a file for sites with no network.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::exit::{CliError, CliResult};
use super::progress::pick_trainee;
use crate::progress::ProgressStore;
use crate::progress::lrs::Endpoint;
use crate::progress::xapi::{Actor, XapiIdentity};
use crate::progress::xapi_sync::{self, CONFIG_FILE, XapiConfig, push_trainee};
use crate::scenario::library::load_paths;
use crate::scoring::Lexicon;

/// Who the statements are about and where their activity ids live.
#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// Name the trainee by this email address (`mbox`) instead of an account.
    #[arg(long, value_name = "ADDRESS")]
    mbox: Option<String>,
    /// The account's home page; the account name is the trainee's id.
    #[arg(long, value_name = "URL", default_value = "https://holdline.local")]
    home_page: String,
    /// The IRI activity ids start with (`<IRI>/scenarios/<id>`).
    #[arg(
        long,
        value_name = "IRI",
        default_value = "https://holdline.local/xapi"
    )]
    activity_base: String,
    /// Name or id (default: the trainee who played last).
    #[arg(long)]
    trainee: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum XapiCommand {
    /// Send the trainee's statements that the LRS has not yet acknowledged. A push stopped by
    /// an error (the LRS down) leaves the rest queued; run it again and nothing is sent twice.
    Push {
        /// The LRS's xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI [default: the one in the
        /// data folder's xapi.ron].
        #[arg(long, requires = "auth")]
        endpoint: Option<String>,
        /// USER:PASS for basic authentication.
        #[arg(long, requires = "endpoint")]
        auth: Option<String>,
        #[command(flatten)]
        identity: IdentityArgs,
    },
    /// Write all of the trainee's statements to FILE, one JSON statement a line (JSON Lines),
    /// for an LRS loaded by hand.
    Export {
        /// Where to write them (`-` for standard output).
        file: PathBuf,
        #[command(flatten)]
        identity: IdentityArgs,
    },
}

pub fn run(
    data_dir: &Path,
    scenarios: &Path,
    lexicon: &Lexicon,
    command: &XapiCommand,
) -> CliResult {
    match command {
        XapiCommand::Push {
            endpoint,
            auth,
            identity,
        } => {
            let endpoint = match (endpoint, auth) {
                (Some(endpoint), Some(auth)) => {
                    Endpoint::parse(endpoint, auth).map_err(CliError::usage)?
                }
                _ => match XapiConfig::load(data_dir).map_err(CliError::usage)? {
                    Some((_, endpoint)) => endpoint,
                    None => {
                        return Err(CliError::usage(format!(
                            "no LRS given: pass --endpoint URL --auth USER:PASS, or write {} (README, xAPI)",
                            data_dir.join(CONFIG_FILE).display()
                        )));
                    }
                },
            };
            let store = ProgressStore::new(data_dir);
            let trainee = pick_trainee(&store, data_dir, identity.trainee.as_deref())?;
            let library = load_paths(&[scenarios.to_path_buf()], lexicon);
            let find = |id: &str| library.find(id).map(|s| s.scenario.clone());
            let (report, notices) =
                push_trainee(&store, &trainee, &identity_of(identity), &endpoint, &find)?;
            notices.iter().for_each(|n| eprintln!("note: {n}"));
            println!(
                "{} sent, {} already held by the LRS, {} queued",
                report.sent, report.already, report.queued
            );
            match report.error {
                None => Ok(ExitCode::SUCCESS),
                Some(why) => Err(CliError::invalid(format!(
                    "{why}\n  help: nothing is lost: the {} queued statements go with the next `holdline xapi push`",
                    report.queued
                ))),
            }
        }
        XapiCommand::Export { file, identity } => {
            let all = trainee_statements(data_dir, scenarios, lexicon, identity)?;
            let mut text = String::new();
            for statement in &all {
                text.push_str(&statement.to_string());
                text.push('\n');
            }
            if file.as_os_str() == "-" {
                std::io::stdout()
                    .write_all(text.as_bytes())
                    .map_err(|e| CliError::usage(format!("cannot write: {e}")))?;
            } else {
                std::fs::write(file, &text).map_err(|e| {
                    CliError::usage(format!("cannot write {}: {e}", file.display()))
                })?;
                eprintln!("{} statements written to {}", all.len(), file.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Who the statements are about, from the command line.
fn identity_of(identity: &IdentityArgs) -> XapiIdentity {
    XapiIdentity {
        actor: match &identity.mbox {
            Some(address) => Actor::Mbox(address.clone()),
            None => Actor::Account {
                home_page: identity.home_page.clone(),
            },
        },
        activity_base: identity.activity_base.trim_end_matches('/').to_string(),
    }
}

/// Every statement of every saved attempt of the trainee picked, oldest first.
fn trainee_statements(
    data_dir: &Path,
    scenarios: &Path,
    lexicon: &Lexicon,
    identity: &IdentityArgs,
) -> Result<Vec<Value>, CliError> {
    let store = ProgressStore::new(data_dir);
    let trainee = pick_trainee(&store, data_dir, identity.trainee.as_deref())?;
    let library = load_paths(&[scenarios.to_path_buf()], lexicon);
    let find = |id: &str| library.find(id).map(|s| s.scenario.clone());
    let (all, notices) =
        xapi_sync::trainee_statements(&store, &trainee, &identity_of(identity), &find)?;
    notices.iter().for_each(|n| eprintln!("note: {n}"));
    Ok(all)
}

//! Certification: one sitting that is the same for every candidate (fixed calls and seeds, a
//! locked pack of the scenarios and scorer it is judged by), its pass marks and attempt limit,
//! and the certificate it writes, whose content hash `holdline certificate verify` checks offline.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::attempt::{AttemptRecord, AttemptStatus};
use super::curriculum::Marks;
use super::files::{io_error, write_atomic};
use super::{ProgressError, ProgressStore};
use crate::scenario::diagnostic::{Reporter, Severity, did_you_mean};
use crate::scenario::model::EndingKind;
use crate::scenario::span_index::Step;
use crate::scenario::validate::is_kebab_case;
use crate::scoring::semantic::model_files::hex;

use Step::{Field as F, Index as I};

/// What a certificate file says it is, so a file of another kind is refused by name.
pub const CERTIFICATE_FORMAT: &str = "holdline-certificate-1";

/// The most calls one sitting may have: a certification is a morning, not a week.
pub const MAX_CALLS: usize = 20;

/// A curriculum's certification: the calls every candidate takes, in order, each with its seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    /// Unique name, lower-case letters, digits and hyphens: it names the certificate files.
    pub id: String,
    /// Printed on the certificate: "Certified: first-line customer service".
    pub title: String,
    /// The calls, in the order they are taken; 1 to [`MAX_CALLS`].
    pub calls: Vec<CertificationCall>,
    /// Modules of the curriculum that must be passed before a candidate may sit it.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The mean score over the calls needed on each dimension.
    pub pass: Marks,
    /// Sittings allowed; a sitting begun counts, finished or not.
    pub max_attempts: u32,
    /// The pack it is locked to: the sha256 `holdline certificate pack` prints. A candidate can
    /// sit it only on that pack.
    #[serde(default)]
    pub pack: Option<String>,
}

/// One call of a certification: a scenario from its start, with the seed that picks the
/// customer's lines, so every candidate meets the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificationCall {
    /// The scenario's id.
    pub scenario: String,
    /// The seed for its line variants.
    pub seed: u64,
}

/// Checks `c` (the curriculum's `certification` field) and reports each problem where it is.
pub(super) fn validate(
    r: &mut Reporter<'_>,
    c: &Certification,
    module_ids: &[&str],
    scenario_known: Option<&dyn Fn(&str) -> bool>,
) {
    let at = |field: &'static str| [F("certification"), F(field)];
    r.require_text(&at("id"), "the certification id", &c.id);
    if !c.id.trim().is_empty() && !is_kebab_case(&c.id) {
        r.report(
            Severity::Error,
            &at("id"),
            "bad-id",
            format!(
                "\"{}\" cannot be a certification id: it names the certificate files",
                c.id
            ),
            Some("use lower-case letters, digits and hyphens, like \"new-hire-cert\"".into()),
        );
    }
    r.require_text(&at("title"), "the certification title", &c.title);
    if c.calls.is_empty() {
        r.error(
            &at("calls"),
            "empty-list",
            "the certification has no calls".into(),
        );
    } else if c.calls.len() > MAX_CALLS {
        r.error(
            &at("calls"),
            "out-of-range",
            format!(
                "the certification has {} calls; at most {MAX_CALLS} fit one sitting",
                c.calls.len()
            ),
        );
    }
    for (k, call) in c.calls.iter().enumerate() {
        if let Some(known) = scenario_known
            && !known(&call.scenario)
        {
            r.report(
                Severity::Error,
                &[F("certification"), F("calls"), I(k), F("scenario")],
                "unknown-scenario",
                format!(
                    "certification call {} names scenario \"{}\", which is not in the library",
                    k + 1,
                    call.scenario
                ),
                Some("check the id with `holdline list`".into()),
            );
        }
    }
    for (k, required) in c.requires.iter().enumerate() {
        if !module_ids.contains(&required.as_str()) {
            let help = did_you_mean(required, module_ids.iter().copied())
                .map(|m| format!("did you mean \"{m}\"?"));
            r.report(
                Severity::Error,
                &[F("certification"), F("requires"), I(k)],
                "unknown-module",
                format!(
                    "the certification requires \"{required}\", which is not a module of this curriculum"
                ),
                help,
            );
        }
    }
    for (field, v) in [
        ("empathy", c.pass.empathy),
        ("accuracy", c.pass.accuracy),
        ("deescalation", c.pass.deescalation),
    ] {
        r.require_range(
            &[F("certification"), F("pass"), F(field)],
            &format!("the {field} mark"),
            v.into(),
            0,
            100,
        );
    }
    r.require_range(
        &at("max_attempts"),
        "the attempt limit",
        c.max_attempts.into(),
        1,
        100,
    );
    match &c.pack {
        None => r.report(
            Severity::Warning,
            &at("id"),
            "pack-not-locked",
            format!(
                "certification \"{}\" is not locked to a pack, so no one can sit it yet",
                c.id
            ),
            Some(
                "run `holdline certificate pack` and add the `pack:` line it prints, once the calls are reviewed"
                    .into(),
            ),
        ),
        Some(pack) if !is_sha256_hex(pack) => r.report(
            Severity::Error,
            &at("pack"),
            "bad-pack",
            format!("pack \"{pack}\" is not a sha256 (64 hex digits)"),
            Some("copy the `pack:` line `holdline certificate pack` prints".into()),
        ),
        Some(_) => {}
    }
}

/// The error for a certification whose locked pack is not `here`, the pack this machine's files
/// make: located at its `pack` field, saying what to do.
pub fn pack_changed(
    file: &str,
    text: &str,
    c: &Certification,
    here: &Pack,
) -> Option<crate::scenario::diagnostic::Diagnostic> {
    let locked = c.pack.as_deref()?;
    if locked == here.sha256 || !is_sha256_hex(locked) {
        return None;
    }
    let mut r = Reporter::new(file, text);
    r.report(
        Severity::Error,
        &[F("certification"), F("pack")],
        "pack-changed",
        format!(
            "certification \"{}\" is locked to pack {}, but its scenarios and the scorer here hash to {}: one of them changed since it was locked, so no one can sit it",
            c.id,
            &locked[..12],
            &here.sha256[..12]
        ),
        Some(
            "`holdline certificate pack` lists each part's hash; once the change is reviewed, lock the new pack with the line it prints (with --rules-only, --lexicon, --exemplars or --calibrated the scorer itself differs)"
                .into(),
        ),
    );
    r.out.pop()
}

/// Whether `text` is 64 lower-case hex digits.
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One thing a certification is judged by, with its sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackPart {
    /// What it is: "scenario late-parcel", "lexicon", "model weights".
    pub name: String,
    /// Its sha256, or "none" for a part not used (the model, when scoring by the rules alone).
    pub sha256: String,
}

/// Everything a certification is judged by: each call's scenario file, the lexicon, the
/// exemplar banks, the calibrated directions and the model, each hashed, and one hash over them
/// all. Change any of them and the pack's hash changes, so a certificate says exactly what it
/// was taken on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// sha256 over the parts' names and hashes, in order.
    pub sha256: String,
    /// The parts, in a fixed order: scenarios in call order, then the scorer's files.
    pub parts: Vec<PackPart>,
}

impl Pack {
    /// The pack of `parts`, in the order given.
    pub fn of(parts: Vec<PackPart>) -> Pack {
        let mut hasher = Sha256::new();
        for part in &parts {
            hasher.update(part.name.as_bytes());
            hasher.update([0]);
            hasher.update(part.sha256.as_bytes());
            hasher.update(b"\n");
        }
        Pack {
            sha256: hex(&hasher.finalize()),
            parts,
        }
    }

    /// The parts of `self` that are not in `other` with the same hash: what changed.
    pub fn changed_from<'a>(&'a self, other: &Pack) -> Vec<&'a PackPart> {
        self.parts
            .iter()
            .filter(|p| !other.parts.contains(p))
            .collect()
    }
}

/// A text file's sha256 with Windows line endings read as Unix ones, so a checkout that turned
/// `\n` into `\r\n` is still the same pack.
pub fn text_sha256(bytes: &[u8]) -> String {
    let mut hasher = Sha256::new();
    let mut rest = bytes;
    while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
        hasher.update(&rest[..at]);
        rest = &rest[at + 1..];
    }
    hasher.update(rest);
    hex(&hasher.finalize())
}

/// The trainee a certificate was awarded to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateTrainee {
    /// Their id on the machine they sat it on.
    pub id: String,
    /// Their name, exactly as they gave it.
    pub name: String,
}

/// One call of a sitting, as it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallResult {
    /// The scenario's id.
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// The seed it was played with.
    pub seed: u64,
    /// The attempt it was saved as in the trainee's history ("" if none was saved).
    pub attempt: String,
    /// The ending reached; `None` when the candidate stopped before one.
    pub ending: Option<String>,
    /// Whether the customer left (hung up, walked out): the call is failed.
    pub customer_left: bool,
    /// Mean empathy over the call's replies.
    pub empathy: u8,
    /// Mean accuracy.
    pub accuracy: u8,
    /// Mean de-escalation.
    pub deescalation: u8,
    /// The critical breaches made, in words.
    pub critical: Vec<String>,
}

impl CallResult {
    /// How the call ended, in words: "not finished", "the customer left", or the ending's id.
    pub fn how_it_ended(&self) -> String {
        match &self.ending {
            None => "not finished".into(),
            Some(_) if self.customer_left => "the customer left".into(),
            Some(ending) => ending.clone(),
        }
    }
}

/// The mean scores of a sitting over its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SittingScores {
    /// Mean empathy over the calls.
    pub empathy: u8,
    /// Mean accuracy.
    pub accuracy: u8,
    /// Mean de-escalation.
    pub deescalation: u8,
}

/// What a sitting earned: passed or not, and everything that decided it. Written as JSON beside
/// a printable HTML page; `content_sha256` is the sha256 of the rest, so an edited certificate
/// no longer verifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Always [`CERTIFICATE_FORMAT`].
    pub format: String,
    /// The certificate's own id, unique to this trainee, certification and sitting.
    pub id: String,
    /// Who sat it.
    pub trainee: CertificateTrainee,
    /// The curriculum's id.
    pub curriculum: String,
    /// The certification's id.
    pub certification: String,
    /// Its title.
    pub title: String,
    /// Which sitting this was (1 for the first).
    pub sitting: u32,
    /// Sittings allowed.
    pub max_attempts: u32,
    /// When the sitting began, ISO 8601 UTC.
    pub started_at: String,
    /// When it ended, ISO 8601 UTC.
    pub finished_at: String,
    /// What it was judged by.
    pub pack: Pack,
    /// The marks needed.
    pub pass: Marks,
    /// Every call, in order.
    pub calls: Vec<CallResult>,
    /// The means over the calls.
    pub scores: SittingScores,
    /// Whether the certification was passed.
    pub passed: bool,
    /// Why it was not, in plain words; empty when passed.
    pub why_not: Vec<String>,
    /// The holdline version that wrote it.
    pub holdline_version: String,
    /// sha256 of this certificate with this field empty, as compact JSON.
    pub content_sha256: String,
}

/// What a sitting is judged on, handed to [`Certificate::award`].
pub struct Sitting<'a> {
    /// The curriculum's id.
    pub curriculum: &'a str,
    /// The certification sat.
    pub certification: &'a Certification,
    /// Who sat it.
    pub trainee: CertificateTrainee,
    /// Which sitting (1 for the first).
    pub number: u32,
    /// Seconds since the Unix epoch.
    pub started_at: u64,
    /// Seconds since the Unix epoch.
    pub finished_at: u64,
    /// The pack it was taken on.
    pub pack: Pack,
    /// Each call's scenario title and, when it was played, its attempt; in call order.
    pub calls: Vec<(String, Option<&'a AttemptRecord>)>,
}

impl Certificate {
    /// The certificate `sitting` earns, its content hash set.
    pub fn award(sitting: Sitting<'_>) -> Certificate {
        let c = sitting.certification;
        let mut why_not = Vec::new();
        let mut calls = Vec::new();
        for (k, call) in c.calls.iter().enumerate() {
            let (title, attempt) = sitting
                .calls
                .get(k)
                .map_or((call.scenario.clone(), None), |(t, a)| (t.clone(), *a));
            let outcome = attempt
                .filter(|a| a.status == AttemptStatus::Finished)
                .and_then(|a| a.outcome.as_ref());
            let result = CallResult {
                scenario: call.scenario.clone(),
                title: title.clone(),
                seed: call.seed,
                attempt: attempt.map(|a| a.id.clone()).unwrap_or_default(),
                ending: outcome.map(|o| o.ending_id.clone()),
                customer_left: outcome.is_some_and(|o| o.kind == EndingKind::CustomerLeft),
                empathy: outcome.map_or(0, |o| o.empathy),
                accuracy: outcome.map_or(0, |o| o.accuracy),
                deescalation: outcome.map_or(0, |o| o.deescalation),
                critical: outcome
                    .map(|o| {
                        o.critical
                            .iter()
                            .map(|b| format!("said \"{}\": {}", b.matched, b.why))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let n = k + 1;
            if outcome.is_none() {
                why_not.push(format!(
                    "call {n} ({title}) was not finished; a call left part-way scores 0"
                ));
            } else if result.customer_left {
                why_not.push(format!("call {n} ({title}): the customer left"));
            }
            for breach in &result.critical {
                why_not.push(format!("call {n} ({title}): critical breach: {breach}"));
            }
            calls.push(result);
        }
        let mean = |score: fn(&CallResult) -> u8| -> u8 {
            let total: u32 = calls.iter().map(|c| u32::from(score(c))).sum();
            let n = calls.len().max(1) as u32;
            ((total + n / 2) / n) as u8
        };
        let scores = SittingScores {
            empathy: mean(|c| c.empathy),
            accuracy: mean(|c| c.accuracy),
            deescalation: mean(|c| c.deescalation),
        };
        for (name, got, needed) in [
            ("empathy", scores.empathy, c.pass.empathy),
            ("accuracy", scores.accuracy, c.pass.accuracy),
            ("de-escalation", scores.deescalation, c.pass.deescalation),
        ] {
            if got < needed {
                why_not.push(format!(
                    "{name} averaged {got} over the calls; {needed} is needed"
                ));
            }
        }
        let id = super::xapi::derived_uuid(&[
            "certificate",
            &sitting.trainee.id,
            &c.id,
            &sitting.number.to_string(),
            &sitting.started_at.to_string(),
        ]);
        let mut certificate = Certificate {
            format: CERTIFICATE_FORMAT.into(),
            id,
            trainee: sitting.trainee,
            curriculum: sitting.curriculum.into(),
            certification: c.id.clone(),
            title: c.title.clone(),
            sitting: sitting.number,
            max_attempts: c.max_attempts,
            started_at: super::xapi::utc_timestamp(sitting.started_at.saturating_mul(1000)),
            finished_at: super::xapi::utc_timestamp(
                sitting
                    .finished_at
                    .max(sitting.started_at)
                    .saturating_mul(1000),
            ),
            pack: sitting.pack,
            pass: c.pass,
            calls,
            scores,
            passed: why_not.is_empty(),
            why_not,
            holdline_version: env!("CARGO_PKG_VERSION").into(),
            content_sha256: String::new(),
        };
        certificate.content_sha256 = certificate.computed_hash();
        certificate
    }

    /// The sha256 of this certificate as compact JSON with `content_sha256` empty. Field order
    /// is the struct's, so the same content always hashes the same, whatever the file's spacing.
    pub fn computed_hash(&self) -> String {
        let mut bare = self.clone();
        bare.content_sha256 = String::new();
        let json = serde_json::to_vec(&bare).expect("a certificate always serialises");
        hex(&Sha256::digest(&json))
    }

    /// The certificate as the JSON file holds it.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a certificate always serialises")
    }

    /// Reads a certificate file's JSON and checks it: `Ok` only when it parses as a certificate
    /// and its content hash matches. The error says what is wrong, in words for whoever is
    /// checking it.
    pub fn verify_json(text: &str) -> Result<Certificate, VerifyError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| VerifyError::NotJson(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format != CERTIFICATE_FORMAT {
            return Err(VerifyError::NotACertificate(format.to_string()));
        }
        let certificate: Certificate =
            serde_json::from_value(value).map_err(|e| VerifyError::Damaged(e.to_string()))?;
        let computed = certificate.computed_hash();
        if computed != certificate.content_sha256 {
            return Err(VerifyError::Altered {
                recorded: certificate.content_sha256.clone(),
                computed,
            });
        }
        Ok(certificate)
    }
}

/// Why a certificate does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The file is not JSON (nor a certificate page holding it).
    #[error("this is not a holdline certificate: it is not JSON ({0})")]
    NotJson(String),
    /// JSON, but not of a certificate.
    #[error(
        "this is not a holdline certificate (its format is \"{0}\", not \"{CERTIFICATE_FORMAT}\")"
    )]
    NotACertificate(String),
    /// A certificate with fields missing, extra or of the wrong kind.
    #[error("this certificate is damaged or was edited: {0}")]
    Damaged(String),
    /// Its content does not hash to the hash it records.
    #[error(
        "this certificate was altered after it was written: its content hashes to {computed}, but it records {recorded}"
    )]
    Altered {
        /// The hash the file records.
        recorded: String,
        /// The hash of what it says.
        computed: String,
    },
    /// A certificate page whose visible text is not what its data says.
    #[error(
        "the printed page was edited: its text no longer matches the certificate data inside it (the data itself verifies)"
    )]
    PageAltered,
}

/// The folder a trainee's sittings of one certification are kept in.
pub fn sittings_dir(store: &ProgressStore, trainee_id: &str, certification_id: &str) -> PathBuf {
    certificates_root(store, trainee_id).join(certification_id)
}

/// The folder of a trainee's certifications, one folder in it per certification.
fn certificates_root(store: &ProgressStore, trainee_id: &str) -> PathBuf {
    store.trainee_folder(trainee_id).join("certificates")
}

/// The paths in `dir` that `keep` accepts, sorted; none when `dir` cannot be read.
fn sorted_paths(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| keep(p))
        .collect();
    paths.sort();
    paths
}

/// How many sittings have been begun, finished or not: each left a `NNN.sitting.json`.
pub fn sittings_begun(dir: &Path) -> Result<u32, ProgressError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => return Err(io_error("read", dir)(source)),
    };
    Ok(entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sitting.json"))
        .count() as u32)
}

/// The record that a sitting was begun, written before the first call so that a sitting stopped
/// part-way (the window closed, the machine switched off) still counts against the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SittingBegun {
    /// The certification.
    pub certification: String,
    /// Which sitting.
    pub sitting: u32,
    /// Seconds since the Unix epoch.
    pub started_at: u64,
    /// The pack it is taken on.
    pub pack: String,
}

/// Records sitting `begun.sitting` in `dir`, refusing if that number is already taken (two
/// sittings at once cannot both be the first).
pub fn begin_sitting(dir: &Path, begun: &SittingBegun) -> Result<PathBuf, ProgressError> {
    fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    let path = dir.join(format!("{:03}.sitting.json", begun.sitting));
    let bytes = serde_json::to_vec_pretty(begun).expect("a sitting record always serialises");
    // create_new claims the number; the content is then written and flushed in place.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io_error("create", &path))?;
    use std::io::Write as _;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error("write", &path))?;
    Ok(path)
}

/// Saves a sitting's certificate as `NNN.certificate.json` and the printable page as
/// `NNN.certificate.html` beside its sitting record; returns both paths.
pub fn save_certificate(
    dir: &Path,
    certificate: &Certificate,
    page: &str,
) -> Result<(PathBuf, PathBuf), ProgressError> {
    let stem = format!("{:03}", certificate.sitting);
    write_certificate(dir, &stem, certificate, page)
}

/// Writes `certificate` as `<stem>.certificate.json` and its page as `<stem>.certificate.html`
/// in `dir` (created if missing), each atomically; returns both paths.
pub fn write_certificate(
    dir: &Path,
    stem: &str,
    certificate: &Certificate,
    page: &str,
) -> Result<(PathBuf, PathBuf), ProgressError> {
    let json = dir.join(format!("{stem}.certificate.json"));
    let html = dir.join(format!("{stem}.certificate.html"));
    write_atomic(&json, certificate.to_json().as_bytes(), false)?;
    write_atomic(&html, page.as_bytes(), false)?;
    Ok((json, html))
}

/// Every certificate kept in `dir`, by sitting; files that do not verify are skipped with a
/// notice naming them.
pub fn certificates_in(dir: &Path) -> (Vec<Certificate>, Vec<String>) {
    let mut found = Vec::new();
    let mut notices = Vec::new();
    for path in sorted_paths(dir, |p| p.to_string_lossy().ends_with(".certificate.json")) {
        match fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| Certificate::verify_json(&text).map_err(|e| e.to_string()))
        {
            Ok(c) => found.push(c),
            Err(why) => notices.push(format!("{}: {why}", path.display())),
        }
    }
    (found, notices)
}

/// Every certificate in the trainee's folder, of every certification, by certification and
/// sitting; files that do not verify are skipped with a notice naming them.
pub fn all_certificates(
    store: &ProgressStore,
    trainee_id: &str,
) -> (Vec<Certificate>, Vec<String>) {
    let mut all = Vec::new();
    let mut notices = Vec::new();
    for folder in sorted_paths(&certificates_root(store, trainee_id), Path::is_dir) {
        let (found, said) = certificates_in(&folder);
        all.extend(found);
        notices.extend(said);
    }
    (all, notices)
}

/// A trainee's standing on one curriculum's certification, as progress and the cohort report
/// show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificationLine {
    /// The curriculum's id.
    pub curriculum: String,
    /// The certification's id.
    pub certification: String,
    /// Its title.
    pub title: String,
    /// Sittings allowed.
    pub max_attempts: u32,
    /// Where the trainee stands.
    #[serde(flatten)]
    pub state: CertificationState,
}

impl CertificationLine {
    /// The line for `certification`, the one `curriculum` ends in.
    pub fn new(
        curriculum: &super::curriculum::Curriculum,
        certification: &Certification,
        state: CertificationState,
    ) -> CertificationLine {
        CertificationLine {
            curriculum: curriculum.id.clone(),
            certification: certification.id.clone(),
            title: certification.title.clone(),
            max_attempts: certification.max_attempts,
            state,
        }
    }
}

/// Where a trainee stands on a certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CertificationState {
    /// No pack is locked yet, so no one can sit it.
    NotLocked,
    /// Waiting for these modules of the curriculum to be passed.
    Locked {
        /// The required modules not yet passed.
        waiting_for: Vec<String>,
    },
    /// Open to sit, with sittings used so far.
    Open {
        /// Sittings begun (finished or not).
        sittings_used: u32,
    },
    /// Passed.
    Passed {
        /// The sitting that passed.
        sitting: u32,
        /// When it ended, ISO 8601 UTC.
        finished_at: String,
        /// The certificate's id.
        certificate: String,
    },
    /// Every sitting used without passing.
    Failed {
        /// Sittings begun.
        sittings_used: u32,
    },
}

impl CertificationState {
    /// In words, for a trainee's or a trainer's screen: "passed in sitting 1 on 2026-12-07".
    pub fn words(&self, max_attempts: u32) -> String {
        let plural = if max_attempts == 1 { "" } else { "s" };
        match self {
            CertificationState::NotLocked => "not open yet (no pack is locked)".into(),
            CertificationState::Locked { waiting_for } => {
                format!("locked until {} passed", waiting_for.join(", "))
            }
            CertificationState::Open { sittings_used } => {
                format!("open, {sittings_used} of {max_attempts} sitting{plural} used")
            }
            CertificationState::Passed {
                sitting,
                finished_at,
                ..
            } => format!(
                "passed in sitting {sitting} on {}",
                finished_at.get(..10).unwrap_or(finished_at)
            ),
            CertificationState::Failed { sittings_used } => {
                format!("not passed: all {sittings_used} sitting{plural} used")
            }
        }
    }
}

/// Where `trainee_id` stands on `certification` in `store`, with the certificates that did not
/// verify named; `Err` when the folder of their sittings cannot be read.
pub fn trainee_state(
    store: &ProgressStore,
    trainee_id: &str,
    certification: &Certification,
    curriculum: &super::curriculum::CurriculumStanding,
) -> Result<(CertificationState, Vec<String>), ProgressError> {
    let dir = sittings_dir(store, trainee_id, &certification.id);
    let begun = sittings_begun(&dir)?;
    let (certificates, notices) = certificates_in(&dir);
    Ok((
        certification_state(certification, curriculum, begun, &certificates),
        notices,
    ))
}

/// Where a trainee stands on `c`, from their standing on its curriculum, the sittings they
/// have begun and the certificates those wrote.
pub fn certification_state(
    c: &Certification,
    curriculum: &super::curriculum::CurriculumStanding,
    begun: u32,
    certificates: &[Certificate],
) -> CertificationState {
    if let Some(passed) = certificates
        .iter()
        .find(|cert| cert.passed && cert.certification == c.id)
    {
        return CertificationState::Passed {
            sitting: passed.sitting,
            finished_at: passed.finished_at.clone(),
            certificate: passed.id.clone(),
        };
    }
    if c.pack.is_none() {
        return CertificationState::NotLocked;
    }
    let waiting_for: Vec<String> = c
        .requires
        .iter()
        .filter(|id| {
            !curriculum.modules.iter().any(|m| {
                &m.module == *id && matches!(m.state, super::curriculum::ModuleState::Passed { .. })
            })
        })
        .cloned()
        .collect();
    if begun >= c.max_attempts {
        CertificationState::Failed {
            sittings_used: begun,
        }
    } else if !waiting_for.is_empty() {
        CertificationState::Locked { waiting_for }
    } else {
        CertificationState::Open {
            sittings_used: begun,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::standing_tests::attempt;
    use crate::scenario::model::Channel;

    fn certification() -> Certification {
        Certification {
            id: "core-cert".into(),
            title: "Certified: the core".into(),
            calls: vec![
                CertificationCall {
                    scenario: "late-parcel".into(),
                    seed: 11,
                },
                CertificationCall {
                    scenario: "double-charge".into(),
                    seed: 4,
                },
            ],
            requires: vec![],
            pass: Marks {
                empathy: 70,
                accuracy: 70,
                deescalation: 70,
            },
            max_attempts: 2,
            pack: None,
        }
    }

    fn pack() -> Pack {
        Pack::of(vec![
            PackPart {
                name: "scenario late-parcel".into(),
                sha256: text_sha256(b"Scenario(id: \"late-parcel\")\n"),
            },
            PackPart {
                name: "lexicon".into(),
                sha256: text_sha256(b"Lexicon()"),
            },
        ])
    }

    fn award(calls: Vec<(String, Option<&AttemptRecord>)>) -> Certificate {
        let c = certification();
        Certificate::award(Sitting {
            curriculum: "core",
            certification: &c,
            trainee: CertificateTrainee {
                id: "zoe".into(),
                name: "Zoë Nguyễn".into(),
            },
            number: 1,
            started_at: 1_796_342_400,
            finished_at: 1_796_343_000,
            pack: pack(),
            calls,
        })
    }

    #[test]
    fn a_sitting_passes_on_the_mean_of_its_calls_and_fails_with_every_reason_said() {
        let strong = attempt("late-parcel", Channel::Chat, 1, [80, 75, 80], 3);
        let weaker = attempt("double-charge", Channel::Phone, 1, [62, 70, 66], 3);
        let passed = award(vec![
            ("Late parcel".into(), Some(&strong)),
            ("Double charge".into(), Some(&weaker)),
        ]);
        // Means 71, 73 (72.5 rounds up), 73: every mark of 70 is met though one call is below.
        assert_eq!(
            passed.scores,
            SittingScores {
                empathy: 71,
                accuracy: 73,
                deescalation: 73
            }
        );
        assert!(passed.passed, "{:?}", passed.why_not);

        let mut left = weaker.clone();
        left.outcome.as_mut().unwrap().kind = EndingKind::CustomerLeft;
        let failed = award(vec![
            ("Late parcel".into(), Some(&strong)),
            ("Double charge".into(), Some(&left)),
        ]);
        assert!(!failed.passed);
        assert_eq!(
            failed.why_not,
            vec!["call 2 (Double charge): the customer left"]
        );

        // A call never played scores 0, so the means fall under the marks too.
        let unfinished = award(vec![("Late parcel".into(), Some(&strong))]);
        assert!(!unfinished.passed);
        assert!(unfinished.why_not[0].starts_with("call 2 (double-charge) was not finished"));
        assert!(
            unfinished
                .why_not
                .iter()
                .any(|w| w.starts_with("empathy averaged 40"))
        );
    }

    #[test]
    fn a_certificate_verifies_until_anything_in_it_is_changed() {
        let strong = attempt("late-parcel", Channel::Chat, 1, [80, 75, 80], 3);
        let c = award(vec![
            ("Late parcel".into(), Some(&strong)),
            ("Double charge".into(), Some(&strong)),
        ]);
        let json = c.to_json();
        assert_eq!(Certificate::verify_json(&json).unwrap(), c);
        // Spacing does not matter; content does.
        let compact = serde_json::to_string(&c).unwrap();
        assert!(Certificate::verify_json(&compact).is_ok());
        let raised = json.replacen("\"empathy\": 80", "\"empathy\": 90", 1);
        assert_ne!(raised, json);
        assert!(matches!(
            Certificate::verify_json(&raised),
            Err(VerifyError::Altered { .. })
        ));
        let renamed = json.replace("Zoë Nguyễn", "Someone Else");
        assert!(matches!(
            Certificate::verify_json(&renamed),
            Err(VerifyError::Altered { .. })
        ));
        let extra = json.replacen('{', "{\"signed_by\": \"me\",", 1);
        assert!(matches!(
            Certificate::verify_json(&extra),
            Err(VerifyError::Damaged(_))
        ));
        assert!(matches!(
            Certificate::verify_json("{\"format\": \"something-else\"}"),
            Err(VerifyError::NotACertificate(_))
        ));
        assert!(matches!(
            Certificate::verify_json("not json"),
            Err(VerifyError::NotJson(_))
        ));
    }

    #[test]
    fn a_certificate_sent_to_an_lrs_comes_back_with_its_trainee_and_a_forged_one_does_not() {
        use crate::progress::xapi::{XapiIdentity, certificate_statement, statements};
        use crate::progress::xapi_read::exports_from_statements;
        let strong = attempt("late-parcel", Channel::Chat, 1, [80, 75, 80], 3);
        let c = award(vec![
            ("Late parcel".into(), Some(&strong)),
            ("Double charge".into(), Some(&strong)),
        ]);
        let identity = XapiIdentity::default();
        let mut sent = statements(&identity, "zoe", "Zoë Nguyễn", &strong, None);
        let statement = certificate_statement(&identity, "zoe", "Zoë Nguyễn", &c);
        assert_eq!(statement["result"]["success"], true);
        // Sent twice (a retried push): kept once.
        sent.push(statement.clone());
        sent.push(statement.clone());
        let (exports, notices) = exports_from_statements(&sent);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(exports[0].certificates, vec![c.clone()]);

        let mut forged = statement;
        forged["id"] = "another".into();
        let key = "https://holdline.local/xapi/extensions/certificate";
        forged["result"]["extensions"][key]["passed"] = false.into();
        let (exports, notices) = exports_from_statements(&[sent[0].clone(), forged]);
        assert!(exports[0].certificates.is_empty());
        assert!(notices[0].contains("was altered"), "{notices:?}");
    }

    #[test]
    fn a_pack_hash_changes_with_any_part_and_names_what_changed() {
        let a = pack();
        let mut parts = a.parts.clone();
        parts[1].sha256 = text_sha256(b"Lexicon(rules: [])");
        let b = Pack::of(parts);
        assert_ne!(a.sha256, b.sha256);
        let changed: Vec<&str> = b.changed_from(&a).iter().map(|p| p.name.as_str()).collect();
        assert_eq!(changed, vec!["lexicon"]);
        // The same text with Windows line endings is the same pack.
        assert_eq!(text_sha256(b"a\r\nb\r\n"), text_sha256(b"a\nb\n"));
        assert_ne!(text_sha256(b"a\rb"), text_sha256(b"a\nb"));
    }

    #[test]
    fn sittings_are_counted_from_their_records_and_one_number_is_never_taken_twice() {
        let sittings = crate::progress::store_tests::temp_dir("sittings").join("core-cert");
        assert_eq!(sittings_begun(&sittings).unwrap(), 0);
        let begun = SittingBegun {
            certification: "core-cert".into(),
            sitting: 1,
            started_at: 1,
            pack: "p".into(),
        };
        begin_sitting(&sittings, &begun).unwrap();
        assert!(begin_sitting(&sittings, &begun).is_err());
        assert_eq!(sittings_begun(&sittings).unwrap(), 1);
        let _ = fs::remove_dir_all(sittings.parent().unwrap());
    }
}

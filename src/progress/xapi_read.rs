//! Statements read back from a learning record store, turned into the trainees and attempts a
//! cohort report counts: what `holdline report --lrs` builds the report from, so a programme
//! whose sites all send to one LRS gets the same report as from gathered export files.
//!
//! Only what the statements carry comes back: per reply its node, text or choice, time, scores,
//! the rules that cost points and the facts it missed; per attempt its scenario, kind, ending,
//! means, stars, pass and critical breaches. Moods, tiers and seeds are not in the statements,
//! so they are left at their defaults (nothing in the report reads them).

use std::collections::BTreeMap;

use serde_json::Value;

use super::attempt::{AttemptKind, AttemptRecord, AttemptStatus};
use super::certification::Certificate;
use super::export::{EXPORT_FORMAT, TraineeExport};
use super::store::Trainee;
use super::xapi::verbs;
use crate::scenario::model::EndingKind;
use crate::scenario::mood::{Mood, MoodBand, MoodDelta};
use crate::scoring::lexicon::builtin::FACT_MISSING;
use crate::scoring::{CriticalBreach, DimensionScore, Reason, ReplyScore};
use crate::session::{Next, Outcome, TurnResult};

/// The trainees in `statements`, each with their attempts, oldest first; and a line for each
/// attempt that could not be made out (statements of other tools share an LRS).
pub fn exports_from_statements(statements: &[Value]) -> (Vec<TraineeExport>, Vec<String>) {
    // Attempts by registration, each with its trainee and statements.
    let mut attempts: BTreeMap<String, ((String, Trainee), Vec<&Value>)> = BTreeMap::new();
    let mut skipped_foreign = 0usize;
    let mut certified: Vec<((String, Trainee), Certificate)> = Vec::new();
    let mut unverified: Vec<String> = Vec::new();
    // A statement read twice (an LRS's paging shifted) counts once.
    let mut seen = std::collections::HashSet::new();
    for statement in statements {
        if let Some(id) = statement["id"].as_str()
            && !seen.insert(id)
        {
            continue;
        }
        // A certification's result (`xapi::certificate_statement`) is not an attempt; it
        // carries the certificate, which is kept if it verifies.
        if let Some((base, _)) = statement["object"]["id"]
            .as_str()
            .and_then(|id| id.rsplit_once("/certifications/"))
        {
            let data = &statement["result"]["extensions"][format!("{base}/extensions/certificate")];
            match Certificate::verify_json(&data.to_string()) {
                Ok(certificate) => certified.push((trainee_of(statement), certificate)),
                Err(why) => unverified.push(why.to_string()),
            }
            continue;
        }
        let Some(registration) = statement["context"]["registration"].as_str() else {
            skipped_foreign += 1;
            continue;
        };
        // A statement about the attempt names its scenario; a reply's object is its node, and
        // the registration finds its attempt.
        if scenario_of(statement).is_none() && !is_reply(statement) {
            skipped_foreign += 1;
            continue;
        }
        attempts
            .entry(registration.to_string())
            .or_insert_with(|| (trainee_of(statement), Vec::new()))
            .1
            .push(statement);
    }
    let mut notices = Vec::new();
    if skipped_foreign > 0 {
        notices.push(format!(
            "{skipped_foreign} statements are not holdline attempts (no registration or scenario) and were left out"
        ));
    }
    let mut trainees: BTreeMap<String, TraineeExport> = BTreeMap::new();
    for (registration, ((key, trainee), statements)) in attempts {
        match attempt_of(&registration, &statements) {
            Some(attempt) => {
                let export = trainees.entry(key).or_insert_with(|| TraineeExport {
                    format: EXPORT_FORMAT.into(),
                    exported_at: 0,
                    holdline_version: String::new(),
                    utc_offset_secs: 0,
                    trainee: trainee.clone(),
                    attempts: Vec::new(),
                    notices: Vec::new(),
                    certificates: Vec::new(),
                });
                // The trainee's first statement stands in for when they started.
                export.trainee.created_at = export.trainee.created_at.min(attempt.started_at);
                export.exported_at = export.exported_at.max(attempt.finished_at);
                export.attempts.push(attempt);
            }
            None => notices.push(format!(
                "attempt {registration} has no initialized statement with its scenario; left out"
            )),
        }
    }
    for ((key, _), certificate) in certified {
        // A certificate belongs with its trainee's attempts; one whose trainee has none here
        // (their attempts were sent to another LRS) is not reported on its own.
        match trainees.get_mut(&key) {
            Some(export) => {
                if !export.certificates.iter().any(|c| c.id == certificate.id) {
                    export.certificates.push(certificate);
                }
            }
            None => notices.push(format!(
                "a certificate for {} came with no attempts of theirs; left out",
                certificate.trainee.name
            )),
        }
    }
    notices.extend(
        unverified
            .into_iter()
            .map(|why| format!("a certification statement was left out: {why}")),
    );
    let mut out: Vec<TraineeExport> = trainees.into_values().collect();
    for export in &mut out {
        export
            .attempts
            .sort_by(|a, b| (a.finished_at, &a.id).cmp(&(b.finished_at, &b.id)));
    }
    (out, notices)
}

fn verb(statement: &Value) -> &str {
    statement["verb"]["id"].as_str().unwrap_or_default()
}

fn is_reply(statement: &Value) -> bool {
    verb(statement) == verbs::ANSWERED
}

/// The scenario id of a statement about the whole attempt: its object is
/// `<base>/scenarios/<id>`.
fn scenario_of(statement: &Value) -> Option<&str> {
    let id = statement["object"]["id"].as_str()?;
    let (_, scenario) = id.rsplit_once("/scenarios/")?;
    (!scenario.contains('/')).then_some(scenario)
}

/// Where the statements' extensions live: the activity base before `/scenarios/`.
fn base_of(statement: &Value) -> Option<&str> {
    let id = statement["object"]["id"].as_str()?;
    id.rsplit_once("/scenarios/").map(|(base, _)| base)
}

/// Who a statement is about, and the key that tells trainees apart: an account is its name on
/// its home page (two sites can each have a "sam-smith"), an mbox its address.
fn trainee_of(statement: &Value) -> (String, Trainee) {
    let actor = &statement["actor"];
    let account = actor["account"]["name"].as_str();
    let mbox = actor["mbox"]
        .as_str()
        .map(|m| m.trim_start_matches("mailto:"));
    let id = account.or(mbox).unwrap_or("unknown").to_string();
    let key = match (account, actor["account"]["homePage"].as_str()) {
        (Some(name), Some(home)) => format!("{home}|{name}"),
        _ => id.clone(),
    };
    let name = actor["name"].as_str().unwrap_or(&id).to_string();
    let trainee = Trainee {
        id,
        name,
        created_at: u64::MAX,
    };
    (key, trainee)
}

/// Seconds since the Unix epoch of a statement's UTC timestamp.
fn seconds_of(statement: &Value) -> Option<u64> {
    millis_of(statement).map(|ms| ms / 1000)
}

/// Milliseconds since the Unix epoch of a statement's UTC timestamp.
fn millis_of(statement: &Value) -> Option<u64> {
    let stamp = statement["timestamp"].as_str()?;
    let at = chrono::DateTime::parse_from_rfc3339(stamp).ok()?;
    u64::try_from(at.timestamp_millis()).ok()
}

fn u8_of(value: &Value) -> u8 {
    value.as_u64().map_or(0, |v| v.min(100) as u8)
}

fn strings_of(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn attempt_of(registration: &str, statements: &[&Value]) -> Option<AttemptRecord> {
    let opening = statements.iter().find(|s| verb(s) == verbs::INITIALIZED)?;
    let scenario_id = scenario_of(opening)?.to_string();
    let base = base_of(opening)?.to_string();
    let ext = |name: &str| format!("{base}/extensions/{name}");
    let started_at = seconds_of(opening).unwrap_or(0);
    let last = statements
        .iter()
        .filter_map(|s| seconds_of(s))
        .max()
        .unwrap_or(started_at);
    let practice = &opening["context"]["extensions"][ext("practice")];
    let kind = match practice["kind"].as_str() {
        Some("drill") => AttemptKind::Drill {
            node_id: practice["node"].as_str().unwrap_or_default().into(),
        },
        Some("shift") => AttemptKind::Shift {
            shift_id: practice["shift"].as_str().unwrap_or_default().into(),
            call: practice["call"]
                .as_u64()
                .map_or(0, |c| c.saturating_sub(1) as u32),
            calls: practice["calls"].as_u64().unwrap_or(0) as u32,
        },
        _ => AttemptKind::Scenario,
    };
    let mut replies: Vec<&&Value> = statements.iter().filter(|s| is_reply(s)).collect();
    replies.sort_by_key(|s| s["result"]["extensions"][ext("turn")].as_u64().unwrap_or(0));
    let mut previous_ms = millis_of(opening).unwrap_or(0);
    let turns = replies
        .iter()
        .map(|s| {
            let at = millis_of(s).unwrap_or(previous_ms);
            let elapsed_ms = at.saturating_sub(previous_ms);
            previous_ms = at;
            turn_of(s, &ext, elapsed_ms)
        })
        .collect();
    let verdict = statements
        .iter()
        .find(|s| matches!(verb(s), v if v == verbs::PASSED || v == verbs::FAILED));
    let outcome = verdict.map(|v| Outcome {
        turns: replies.len(),
        ..outcome_of(v, &ext)
    });
    Some(AttemptRecord {
        id: registration.to_string(),
        kind,
        status: if outcome.is_some() {
            AttemptStatus::Finished
        } else {
            AttemptStatus::Abandoned
        },
        scenario_id,
        scenario_version: 0,
        channel: None,
        industry: None,
        tier: None,
        seed: 0,
        started_at,
        finished_at: last.max(started_at),
        starting_mood: Mood::default(),
        turns,
        outcome,
        utc_offset_secs: 0,
        legacy: false,
    })
}

fn dimension(score: u8, reasons: Vec<Reason>) -> DimensionScore {
    DimensionScore { score, reasons }
}

/// A reason for the report's counts: the rule and its sign (the statements keep no points).
fn reason(rule: &str, delta: i32, explanation: String) -> Reason {
    Reason {
        rule: rule.into(),
        delta,
        matched: String::new(),
        span: None,
        explanation,
        hint: String::new(),
    }
}

fn turn_of(statement: &Value, ext: &dyn Fn(&str) -> String, elapsed_ms: u64) -> TurnResult {
    let result = &statement["result"];
    let extensions = &result["extensions"];
    let node_id = statement["object"]["id"]
        .as_str()
        .and_then(|id| id.rsplit_once("/nodes/"))
        .map_or(String::new(), |(_, node)| node.to_string());
    let response = result["response"].as_str().unwrap_or_default().to_string();
    let choice = (statement["object"]["definition"]["interactionType"] == "choice")
        .then(|| {
            response
                .strip_prefix("choice-")?
                .parse::<usize>()
                .ok()?
                .checked_sub(1)
        })
        .flatten();
    // The choice's text, as the trainee saw it, when the statement lists the choices.
    let reply = match choice {
        Some(i) => statement["object"]["definition"]["choices"][i]["description"]["en-US"]
            .as_str()
            .map_or(response.clone(), String::from),
        None => response,
    };
    // Missed facts carry their id in brackets, as the scorer writes them.
    let mut accuracy: Vec<Reason> = strings_of(&extensions[ext("missed-facts")])
        .into_iter()
        .map(|fact| reason(FACT_MISSING, 0, format!("A fact was not stated ({fact})")))
        .collect();
    accuracy.extend(
        strings_of(&extensions[ext("penalties")])
            .into_iter()
            .map(|rule| reason(&rule, -1, String::new())),
    );
    TurnResult {
        node_id,
        customer_line: statement["object"]["definition"]["description"]["en-US"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        band: MoodBand::Calm,
        reply,
        choice,
        elapsed_ms,
        score: ReplyScore {
            empathy: dimension(u8_of(&extensions[ext("empathy")]), Vec::new()),
            accuracy: dimension(u8_of(&extensions[ext("accuracy")]), accuracy),
            deescalation: dimension(u8_of(&extensions[ext("deescalation")]), Vec::new()),
            overall: u8_of(&result["score"]["raw"]),
            critical: Vec::new(),
        },
        feedback: None,
        mood_before: Mood::default(),
        hesitation: MoodDelta::default(),
        mood_after: Mood::default(),
        walked_out: false,
        next: Next::Node(String::new()),
    }
}

fn outcome_of(statement: &Value, ext: &dyn Fn(&str) -> String) -> Outcome {
    let result = &statement["result"];
    let extensions = &result["extensions"];
    let kind = match extensions[ext("ending-kind")].as_str() {
        Some("Escalated") => EndingKind::Escalated,
        Some("CustomerLeft") => EndingKind::CustomerLeft,
        _ => EndingKind::Resolved,
    };
    Outcome {
        ending_id: extensions[ext("ending")]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        kind,
        text: String::new(),
        empathy: u8_of(&extensions[ext("empathy")]),
        accuracy: u8_of(&extensions[ext("accuracy")]),
        deescalation: u8_of(&extensions[ext("deescalation")]),
        overall: u8_of(&result["score"]["raw"]),
        passed: result["success"].as_bool().unwrap_or(false),
        critical: strings_of(&extensions[ext("critical")])
            .into_iter()
            .map(|claim| CriticalBreach {
                claim,
                matched: String::new(),
                why: String::new(),
            })
            .collect(),
        stars: extensions[ext("stars")]
            .as_u64()
            .map_or(0, |s| s.min(3) as u8),
        turns: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::cohort::build_from_exports;
    use crate::progress::rules::ProgressRules;
    use crate::progress::standing_tests::attempt;
    use crate::progress::xapi::{XapiIdentity, statements};
    use crate::scenario::model::Channel;

    #[test]
    fn statements_read_back_give_the_attempts_a_report_counts() {
        let mut first = attempt("late-parcel", Channel::Chat, 100, [80, 70, 60], 2);
        first.turns[1].score.accuracy.reasons.push(reason(
            FACT_MISSING,
            0,
            "A fact the customer needs was not stated. (new-date)".into(),
        ));
        first.turns[2]
            .score
            .empathy
            .reasons
            .push(reason("empathy.blame", -15, String::new()));
        let mut call = attempt("double-charge", Channel::Phone, 101, [40, 40, 40], 0);
        call.kind = AttemptKind::Shift {
            shift_id: "s1".into(),
            call: 1,
            calls: 5,
        };
        let mut left = attempt("recall-notice", Channel::Email, 102, [50, 50, 50], 0);
        left.status = AttemptStatus::Abandoned;
        left.outcome = None;
        let identity = XapiIdentity::default();
        let mut sent: Vec<Value> = [&first, &call, &left]
            .iter()
            .flat_map(|a| statements(&identity, "zoe", "Zoë Nguyễn", a, None))
            .collect();
        // A reply read twice counts once; another tool's statement is left out, and said so.
        let again = sent.iter().find(|s| is_reply(s)).unwrap().clone();
        sent.push(again);
        sent.push(
            serde_json::json!({"verb": {"id": "http://example.com/viewed"}, "object": {"id": "x"}}),
        );

        let (exports, notices) = exports_from_statements(&sent);
        assert_eq!(exports.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("1 statements are not holdline attempts"),
            "{notices:?}"
        );
        let export = &exports[0];
        assert_eq!(
            (export.trainee.id.as_str(), export.trainee.name.as_str()),
            ("zoe", "Zoë Nguyễn")
        );
        let by_scenario = |id: &str| {
            export
                .attempts
                .iter()
                .find(|a| a.scenario_id == id)
                .unwrap()
        };

        let back = by_scenario("late-parcel");
        let outcome = back.outcome.as_ref().unwrap();
        let original = first.outcome.as_ref().unwrap();
        assert_eq!(
            (
                outcome.empathy,
                outcome.accuracy,
                outcome.deescalation,
                outcome.overall
            ),
            (
                original.empathy,
                original.accuracy,
                original.deescalation,
                original.overall
            )
        );
        assert_eq!((outcome.stars, outcome.passed, outcome.turns), (2, true, 3));
        assert_eq!(outcome.ending_id, original.ending_id);
        assert_eq!(back.turns.len(), 3);
        assert_eq!(back.turns[1].score.facts_missing(), ["new-date"]);
        assert!(
            back.turns[2]
                .score
                .accuracy
                .reasons
                .iter()
                .any(|r| r.rule == "empathy.blame" && r.delta < 0)
        );
        assert_eq!(back.turns[0].score.empathy.score, 80);
        assert_eq!(
            (back.started_at, back.finished_at),
            (first.started_at, first.finished_at)
        );

        assert_eq!(
            by_scenario("double-charge").kind,
            AttemptKind::Shift {
                shift_id: "s1".into(),
                call: 1,
                calls: 5
            }
        );
        assert_eq!(
            by_scenario("recall-notice").status,
            AttemptStatus::Abandoned
        );

        // And the cohort report counts them as it would from an export file.
        let report = build_from_exports(
            &exports,
            std::path::Path::new("lrs"),
            &ProgressRules::builtin(),
            &[],
            102,
        );
        let row = &report.trainees[0];
        assert_eq!((row.attempts, row.finished, row.passed), (3, 2, 1));
    }
}

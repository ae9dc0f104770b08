//! xAPI statements, in the cmi5 vocabulary, for a trainee's saved attempts: what a learning
//! record store (LRS) is sent. Built from the attempt records the store keeps, so a statement
//! can always be made again exactly as it was: its id is derived from the trainee, the attempt
//! and its place in the attempt, and an LRS that already holds an id ignores it. Sending the
//! same attempts twice therefore never duplicates anything.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::attempt::{AttemptKind, AttemptRecord, AttemptStatus};
use crate::scenario::model::{Scenario, Turn};

/// cmi5's verbs (and ADL's "abandoned"), by what they say.
pub mod verbs {
    #![allow(missing_docs)] // Each constant is named by the verb it holds.
    pub const INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
    pub const ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
    pub const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
    pub const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
    pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
    pub const ABANDONED: &str = "https://w3id.org/xapi/adl/verbs/abandoned";
    pub const TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
}

const CMI5_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const CMI_INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const SESSION_ID: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";

/// Who the statements are about, and where their activity ids live.
#[derive(Debug, Clone)]
pub struct XapiIdentity {
    /// The actor: an account on `home_page` named by the trainee's id, or an email address.
    pub actor: Actor,
    /// The IRI every activity id starts with: `<base>/scenarios/<id>`.
    pub activity_base: String,
}

/// How the trainee is named to the LRS.
#[derive(Debug, Clone)]
pub enum Actor {
    /// `account: { homePage, name }`; the name is the trainee's id.
    Account {
        /// The account's home page, e.g. the programme's site.
        home_page: String,
    },
    /// `mbox: mailto:...`.
    Mbox(String),
}

impl Default for XapiIdentity {
    fn default() -> Self {
        XapiIdentity {
            actor: Actor::Account {
                home_page: "https://holdline.local".into(),
            },
            activity_base: "https://holdline.local/xapi".into(),
        }
    }
}

/// The statements of one attempt, in order: `initialized`; `answered` for each reply;
/// `completed` and `passed` or `failed` for a finished attempt, `abandoned` for one left early;
/// `terminated`. `scenario` (the one played, if the library still has it at the same version)
/// lists the choices a picked reply was chosen from.
pub fn statements(
    identity: &XapiIdentity,
    trainee_id: &str,
    trainee_name: &str,
    attempt: &AttemptRecord,
    scenario: Option<&Scenario>,
) -> Vec<Value> {
    let scenario =
        scenario.filter(|s| s.id == attempt.scenario_id && s.version == attempt.scenario_version);
    let activity = format!(
        "{}/scenarios/{}",
        identity.activity_base, attempt.scenario_id
    );
    let actor = actor_json(identity, trainee_id, trainee_name);
    let registration = derived_uuid(&[trainee_id, &attempt.id, "registration"]);
    let title = scenario.map_or(attempt.scenario_id.as_str(), |s| s.title.as_str());
    let object = json!({
        "objectType": "Activity",
        "id": activity,
        "definition": {
            "name": { "en-US": title },
            "type": "http://adlnet.gov/expapi/activities/simulation",
        },
    });
    // What kind of practice this was, on every statement, so an LRS's reports can tell a
    // scenario from a review drill or a shift's call.
    let practice = match &attempt.kind {
        AttemptKind::Scenario => json!({ "kind": "scenario" }),
        AttemptKind::Drill { node_id } => json!({ "kind": "drill", "node": node_id }),
        AttemptKind::Shift {
            shift_id,
            call,
            calls,
        } => json!({ "kind": "shift", "shift": shift_id, "call": call + 1, "calls": calls }),
    };
    let practice_key = format!("{}/extensions/practice", identity.activity_base);
    let mut out = Vec::new();
    let mut push = |verb: &str, at_ms: u64, object: Value, result: Option<Value>| {
        let index = out.len().to_string();
        let mut statement = json!({
            "id": derived_uuid(&[trainee_id, &attempt.id, &index]),
            "actor": actor,
            "verb": { "id": verb, "display": { "en-US": verb_name(verb) } },
            "object": object,
            "timestamp": utc_timestamp(at_ms),
            "context": {
                "registration": registration,
                "contextActivities": {
                    "category": [{ "id": CMI5_CATEGORY }],
                    "grouping": [{ "id": activity }],
                },
                "extensions": { SESSION_ID: registration, practice_key.as_str(): practice },
            },
        });
        if let Some(result) = result {
            statement["result"] = result;
        }
        out.push(statement);
    };
    let start_ms = attempt.started_at.saturating_mul(1000);
    let end_ms = attempt.finished_at.saturating_mul(1000).max(start_ms);
    push(verbs::INITIALIZED, start_ms, object.clone(), None);
    let mut at_ms = start_ms;
    for (i, turn) in attempt.turns.iter().enumerate() {
        at_ms = at_ms.saturating_add(turn.elapsed_ms).min(end_ms);
        let mut definition = json!({
            "name": { "en-US": format!("{title}: {}", turn.node_id) },
            "description": { "en-US": turn.customer_line },
            "type": CMI_INTERACTION,
        });
        let response = match turn.choice {
            Some(picked) => {
                definition["interactionType"] = "choice".into();
                if let Some(choices) = scenario.and_then(|s| offered(s, &turn.node_id)) {
                    definition["choices"] = choices;
                }
                format!("choice-{}", picked + 1)
            }
            None => {
                definition["interactionType"] = "long-fill-in".into();
                turn.reply.clone()
            }
        };
        let rules: Vec<&str> = turn.score.rules_fired().collect();
        let penalties: Vec<&str> = turn
            .score
            .reasons()
            // A missed fact has its own extension (a lexicon may give it negative weight).
            .filter(|r| r.delta < 0 && r.rule != crate::scoring::lexicon::builtin::FACT_MISSING)
            .map(|r| r.rule.as_str())
            .collect();
        let ext = |name: &str| format!("{}/extensions/{name}", identity.activity_base);
        let result = json!({
            "response": response,
            "score": score_json(turn.score.overall),
            "extensions": {
                ext("empathy"): turn.score.empathy.score,
                ext("accuracy"): turn.score.accuracy.score,
                ext("deescalation"): turn.score.deescalation.score,
                ext("rules"): rules,
                ext("turn"): i + 1,
                // The rubric facts a typed reply left out, and the rules that cost it points:
                // the cohort report's most-missed and most-penalised, read back from an LRS.
                ext("missed-facts"): turn.score.facts_missing(),
                ext("penalties"): penalties,
            },
        });
        let object = json!({
            "objectType": "Activity",
            "id": format!("{activity}/nodes/{}", turn.node_id),
            "definition": definition,
        });
        push(verbs::ANSWERED, at_ms, object, Some(result));
    }
    let duration = iso_duration(end_ms - start_ms);
    let ext = |name: &str| format!("{}/extensions/{name}", identity.activity_base);
    match (&attempt.status, &attempt.outcome) {
        (AttemptStatus::Finished, Some(outcome)) => {
            push(
                verbs::COMPLETED,
                end_ms,
                object.clone(),
                Some(json!({ "completion": true, "duration": duration })),
            );
            let verb = if outcome.passed {
                verbs::PASSED
            } else {
                verbs::FAILED
            };
            push(
                verb,
                end_ms,
                object.clone(),
                Some(json!({
                    "score": score_json(outcome.overall),
                    "success": outcome.passed,
                    "completion": true,
                    "duration": duration,
                    // The attempt's mean per dimension, its stars and any critical breach, so
                    // an LRS's reports can show what the debrief shows.
                    "extensions": {
                        ext("empathy"): outcome.empathy,
                        ext("accuracy"): outcome.accuracy,
                        ext("deescalation"): outcome.deescalation,
                        ext("stars"): outcome.stars,
                        ext("ending"): outcome.ending_id,
                        ext("ending-kind"): format!("{:?}", outcome.kind),
                        ext("critical"): outcome.critical.iter().map(|c| c.claim.as_str()).collect::<Vec<_>>(),
                    },
                })),
            );
        }
        _ => push(
            verbs::ABANDONED,
            end_ms,
            object.clone(),
            Some(json!({ "completion": false, "duration": duration })),
        ),
    }
    push(
        verbs::TERMINATED,
        end_ms,
        object,
        Some(json!({ "duration": duration })),
    );
    out
}

/// The statement of one certification sitting: `passed` or `failed` on the certification, with
/// the means per dimension, the pack it was taken on and the certificate itself, so the
/// programme's LRS shows who is certified and on what. Its id comes from the
/// certificate's, so sending it again never duplicates it.
pub fn certificate_statement(
    identity: &XapiIdentity,
    trainee_id: &str,
    trainee_name: &str,
    certificate: &super::certification::Certificate,
) -> Value {
    let c = certificate;
    let activity = format!(
        "{}/certifications/{}",
        identity.activity_base, c.certification
    );
    let ext = |name: &str| format!("{}/extensions/{name}", identity.activity_base);
    let verb = if c.passed {
        verbs::PASSED
    } else {
        verbs::FAILED
    };
    let overall = (u32::from(c.scores.empathy)
        + u32::from(c.scores.accuracy)
        + u32::from(c.scores.deescalation)
        + 1)
        / 3;
    json!({
        "id": derived_uuid(&[trainee_id, &c.id, "certificate"]),
        "actor": actor_json(identity, trainee_id, trainee_name),
        "verb": { "id": verb, "display": { "en-US": verb_name(verb) } },
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {
                "name": { "en-US": c.title },
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "timestamp": c.finished_at,
        "result": {
            "score": score_json(overall.min(100) as u8),
            "success": c.passed,
            "completion": c.calls.iter().all(|call| call.ending.is_some()),
            "extensions": {
                ext("empathy"): c.scores.empathy,
                ext("accuracy"): c.scores.accuracy,
                ext("deescalation"): c.scores.deescalation,
                ext("sitting"): c.sitting,
                ext("pack"): c.pack.sha256,
                // The whole certificate, which verifies on its own: a report built from the LRS
                // shows the same certification standing as one built from export files.
                ext("certificate"): serde_json::to_value(c).unwrap_or_default(),
                ext("why-not"): c.why_not,
            },
        },
        "context": {
            "contextActivities": { "category": [{ "id": CMI5_CATEGORY }] },
        },
    })
}

fn actor_json(identity: &XapiIdentity, trainee_id: &str, trainee_name: &str) -> Value {
    match &identity.actor {
        Actor::Account { home_page } => json!({
            "objectType": "Agent",
            "name": trainee_name,
            "account": { "homePage": home_page, "name": trainee_id },
        }),
        Actor::Mbox(address) => json!({
            "objectType": "Agent",
            "name": trainee_name,
            "mbox": if address.starts_with("mailto:") { address.clone() } else { format!("mailto:{address}") },
        }),
    }
}

/// The choices offered at a choice node, as cmi.interaction components, numbered as the
/// trainee saw them when every choice was offered.
fn offered(scenario: &Scenario, node_id: &str) -> Option<Value> {
    let node = scenario.node(node_id)?;
    let Turn::Choices(choices) = &node.turn else {
        return None;
    };
    Some(
        choices
            .iter()
            .enumerate()
            .map(|(i, c)| json!({ "id": format!("choice-{}", i + 1), "description": { "en-US": c.text } }))
            .collect(),
    )
}

fn score_json(overall: u8) -> Value {
    json!({
        "scaled": f64::from(overall.min(100)) / 100.0,
        "raw": overall.min(100),
        "min": 0,
        "max": 100,
    })
}

fn verb_name(verb: &str) -> &str {
    verb.rsplit('/').next().unwrap_or(verb)
}

/// A UUID made from `parts`: the first 16 bytes of their SHA-256, marked as a version 8
/// (custom) UUID of the RFC 4122 variant. The same attempt always gives the same ids.
pub fn derived_uuid(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Milliseconds since the Unix epoch as an ISO 8601 UTC timestamp, "2026-12-03T12:00:00.000Z".
pub fn utc_timestamp(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Milliseconds as an ISO 8601 duration, "PT83.5S".
pub fn iso_duration(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("PT{}S", ms / 1000)
    } else {
        format!("PT{}.{:03}S", ms / 1000, ms % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_iso_8601() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(utc_timestamp(1_796_299_200_000), "2026-12-03T12:00:00.000Z");
        assert_eq!(iso_duration(83_500), "PT83.500S");
        assert_eq!(iso_duration(120_000), "PT120S");
    }

    #[test]
    fn derived_ids_are_stable_version_8_uuids() {
        let a = derived_uuid(&["dana", "000000000001-001", "0"]);
        assert_eq!(a, derived_uuid(&["dana", "000000000001-001", "0"]));
        assert_ne!(a, derived_uuid(&["dana", "000000000001-001", "1"]));
        // "ab" + "c" must not collide with "a" + "bc".
        assert_ne!(derived_uuid(&["ab", "c"]), derived_uuid(&["a", "bc"]));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }
}

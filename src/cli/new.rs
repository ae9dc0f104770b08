//! `holdline new`: a scenario skeleton that passes `holdline validate`, with short comments
//! saying what to fill in, so a trainer starts from something that already plays.

use std::path::Path;
use std::process::ExitCode;

use super::exit::{CliError, CliResult};
use crate::scenario::model::{Channel, Industry};

/// Ids are file names and appear in commands: lower-case letters, digits and hyphens.
fn check_id(id: &str) -> Result<(), CliError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "\"{id}\" cannot be a scenario id: use lower-case letters, digits and hyphens, like \"late-parcel\" (at most 64)"
        )))
    }
}

pub fn run(folder: &Path, id: &str, channel: Channel, industry: Industry) -> CliResult {
    check_id(id)?;
    let path = folder.join(format!("{id}.ron"));
    if path.exists() {
        return Err(CliError::usage(format!(
            "{} already exists; pick another id or edit that file",
            path.display()
        )));
    }
    std::fs::create_dir_all(folder)
        .map_err(|err| CliError::usage(format!("cannot create {}: {err}", folder.display())))?;
    let text = skeleton(id, channel, industry);
    // create_new: a file made by someone else in the meantime is never overwritten.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    written.map_err(|err| CliError::usage(format!("cannot write {}: {err}", path.display())))?;
    println!("wrote {}", path.display());
    println!(
        "next: fill in the TODOs, then `holdline validate {0}` and `holdline play {1}`",
        path.display(),
        id
    );
    Ok(ExitCode::SUCCESS)
}

/// The skeleton's text: two nodes (a choice turn, a typed turn), three endings.
pub fn skeleton(id: &str, channel: Channel, industry: Industry) -> String {
    let subject = if channel == Channel::Email {
        "    // Email only: the subject line the customer wrote.\n    subject: \"TODO: the customer's subject line\",\n"
    } else {
        ""
    };
    format!(
        r#"// {id}: TODO one line on the situation and the skill it trains.
// Format: docs/scenario-format.md. Check with `holdline validate`, play with `holdline play {id}`.
Scenario(
    id: "{id}",
    title: "TODO: a short title trainees see on the card",
    version: 1,
    summary: "TODO: what happened and what the trainee must do, in one or two sentences.",
    industry: {industry:?},
    channel: {channel:?},
    // 1 for a first week, 3 for the hardest calls.
    tier: 1,
    minutes: 4,
    objectives: [
        "TODO: acknowledge what this means for the customer",
        "TODO: state the facts from the case file exactly",
    ],
    tags: ["TODO"],
{subject}    persona: Persona(
        name: "Alex Morgan",
        backstory: "TODO: who they are, what happened, how they feel and why.",
        // Each meter 0-100; anger 60 and up reads as irate.
        mood: Mood(anger: 55, confusion: 30, trust: 35),
        // Seconds before hesitating starts to cost mood.
        patience_secs: 40,
        // Words that make this customer angrier when the trainee says them.
        triggers: ["calm down"],
        walkout: Walkout(anger: 95, ending: "customer-left"),
    ),
    case_file: CaseFile(
        // Exact figures, dates and references: replies are checked against them.
        facts: [
            Fact(label: "Order", value: "TODO: reference, item, amount paid"),
        ],
        policies: [
            Policy(
                title: "TODO: the policy that applies",
                text: "TODO: what it says, in the words an agent would read.",
                may: ["TODO: what the agent may do"],
                must_not: ["TODO: what the agent must never say or do"],
            ),
        ],
    ),
    pass_mark: 60,
    start: "opening",
    nodes: [
        Node(
            id: "opening",
            // A line for each mood band this node can be reached in.
            customer: CustomerLine(
                annoyed: ["TODO: what the customer says first, annoyed."],
                irate: ["TODO: the same, angrier."],
            ),
            turn: Choices([
                Choice(
                    text: "TODO: a good reply: acknowledge, then act.",
                    scores: Scores(empathy: 85, accuracy: 70, deescalation: 80),
                    feedback: "TODO: why this works.",
                    mood: MoodDelta(anger: -15, trust: 10),
                    next: "explain",
                ),
                Choice(
                    text: "TODO: a weak reply a new hire might pick.",
                    scores: Scores(empathy: 25, accuracy: 50, deescalation: 20),
                    feedback: "TODO: what goes wrong.",
                    hint: "TODO: how to do better.",
                    mood: MoodDelta(anger: 15, trust: -10),
                    next: "explain",
                ),
            ]),
        ),
        Node(
            id: "explain",
            customer: CustomerLine(
                calm: ["TODO: the customer asks for the facts."],
                annoyed: ["TODO: the same, still annoyed."],
                irate: ["TODO: the same, furious."],
            ),
            turn: FreeText(
                prompt: "TODO: what the trainee must explain. Check the case file.",
                rubric: Rubric(
                    // Facts the reply must state; any accept phrase counts.
                    facts: [
                        RubricFact(
                            id: "todo-fact",
                            accept: ["TODO the fact as an agent would say it"],
                            hint: "TODO: which fact to state.",
                        ),
                    ],
                    // Claims that break policy; critical: true fails the attempt outright.
                    forbidden: [
                        ForbiddenClaim(
                            id: "todo-false-promise",
                            phrases: ["TODO a promise the agent cannot keep"],
                            why: "TODO: why it is wrong.",
                        ),
                    ],
                    model_answers: [
                        "I am so sorry about this, I can see why you are upset. I will sort it out for you today: TODO the fact as an agent would say it. (TODO: rewrite as a strong reply that states every fact above.)",
                    ],
                ),
                // Checked in order after the reply is scored; the last is the fallback.
                routes: [
                    Route(when: ScoreAtLeast(60), next: "resolved"),
                    Route(when: AngerAtLeast(80), next: "escalated"),
                    Route(when: Otherwise, next: "escalated"),
                ],
            ),
        ),
    ],
    endings: [
        Ending(id: "resolved", kind: Resolved, text: "TODO: how it ends when it goes well."),
        Ending(id: "escalated", kind: Escalated, text: "TODO: who takes over, and what happens."),
        Ending(id: "customer-left", kind: CustomerLeft, text: "TODO: what the customer does when they give up."),
    ],
)
"#
    )
}

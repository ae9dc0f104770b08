//! The scenario data model: what a trainer writes in a `scenarios/*.ron` file.
//!
//! Field names here are the file format; `docs/scenario-format.md` documents every one of them.
//! Every struct denies unknown fields so a misspelt field is an error with a location, not a
//! silently ignored line.

use serde::{Deserialize, Serialize};

use super::mood::{Mood, MoodBand, MoodDelta};
use super::rule::Rule;

/// One authored training scenario.
/// The highest difficulty tier a scenario can have (tiers run from 1).
pub const MAX_TIER: u8 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub summary: String,
    pub industry: Industry,
    pub channel: Channel,
    /// Difficulty tier, 1 (new hire) to [`MAX_TIER`] (experienced).
    pub tier: u8,
    pub minutes: u32,
    pub objectives: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Email subject line or social-post headline; shown by channels that have one.
    #[serde(default)]
    pub subject: Option<String>,
    pub persona: Persona,
    pub case_file: CaseFile,
    /// Overall score (0–100) needed to pass.
    pub pass_mark: u8,
    /// Overall score (0–100) for three stars; defaults to 85.
    #[serde(default = "default_three_star_mark")]
    pub three_star_mark: u8,
    #[serde(default)]
    pub scoring: ScoringOverrides,
    /// Id of the first node.
    pub start: String,
    pub nodes: Vec<Node>,
    pub endings: Vec<Ending>,
}

fn default_three_star_mark() -> u8 {
    85
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Industry {
    Retail,
    Insurance,
    Banking,
    Healthcare,
    Telecom,
    Software,
    Travel,
    Utilities,
    Government,
}

impl Industry {
    pub const ALL: [Industry; 9] = [
        Industry::Retail,
        Industry::Insurance,
        Industry::Banking,
        Industry::Healthcare,
        Industry::Telecom,
        Industry::Software,
        Industry::Travel,
        Industry::Utilities,
        Industry::Government,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Industry::Retail => "Retail / e-commerce",
            Industry::Insurance => "Insurance",
            Industry::Banking => "Banking",
            Industry::Healthcare => "Healthcare",
            Industry::Telecom => "Telecom / ISP",
            Industry::Software => "Software / SaaS",
            Industry::Travel => "Travel",
            Industry::Utilities => "Utilities",
            Industry::Government => "Government",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    Phone,
    Chat,
    Email,
    Social,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Phone,
        Channel::Chat,
        Channel::Email,
        Channel::Social,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "Phone",
            Channel::Chat => "Live chat",
            Channel::Email => "Email",
            Channel::Social => "Social media",
        }
    }
}

/// The customer the trainee is talking to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub name: String,
    pub backstory: String,
    pub mood: Mood,
    /// Seconds the customer waits for a reply before hesitation starts to irritate them.
    pub patience_secs: u32,
    /// Phrases that make this customer angrier when the trainee types them.
    #[serde(default)]
    pub triggers: Vec<String>,
    /// When anger reaches `anger`, the customer walks out to the `ending` (a customer-left ending).
    #[serde(default)]
    pub walkout: Option<Walkout>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walkout {
    pub anger: u8,
    pub ending: String,
}

/// What the trainee can look up during the conversation; accuracy is judged against it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(default)]
    pub facts: Vec<Fact>,
    #[serde(default)]
    pub policies: Vec<Policy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub title: String,
    pub text: String,
    /// What an agent may promise under this policy.
    #[serde(default)]
    pub may: Vec<String>,
    /// What an agent must not promise or do.
    #[serde(default)]
    pub must_not: Vec<String>,
}

/// Scenario-level changes to the global scoring lexicon.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringOverrides {
    /// Ids of global rules switched off for this scenario.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Extra rules that apply only in this scenario, written like the lexicon's.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One beat of the conversation: the customer speaks, then the trainee answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub id: String,
    pub customer: CustomerLine,
    pub turn: Turn,
}

/// What the customer says, by mood band. Each list holds alternatives picked with the session's
/// seeded RNG; a band with no lines falls back to the nearest band that has some.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerLine {
    #[serde(default)]
    pub calm: Vec<String>,
    #[serde(default)]
    pub annoyed: Vec<String>,
    #[serde(default)]
    pub irate: Vec<String>,
}

impl CustomerLine {
    /// The variants the customer may say in `band`: that band's, else the nearest band's that
    /// has any (an author may write only one band).
    pub fn for_band(&self, band: MoodBand) -> &[String] {
        let order = match band {
            MoodBand::Calm => [&self.calm, &self.annoyed, &self.irate],
            MoodBand::Annoyed => [&self.annoyed, &self.irate, &self.calm],
            MoodBand::Irate => [&self.irate, &self.annoyed, &self.calm],
        };
        order
            .into_iter()
            .find(|l| !l.is_empty())
            .map_or(&[], Vec::as_slice)
    }
}

/// How the trainee answers a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Turn {
    Choices(Vec<Choice>),
    FreeText(FreeText),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: String,
    pub scores: Scores,
    /// Why this reply lands the way it does; shown right after the trainee picks it.
    #[serde(default)]
    pub feedback: String,
    /// How to do better; shown with the feedback.
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub mood: MoodDelta,
    pub next: String,
}

/// Per-dimension scores, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    pub empathy: u8,
    pub accuracy: u8,
    pub deescalation: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeText {
    /// What the trainee is asked to do, e.g. "Explain when the refund arrives."
    pub prompt: String,
    pub rubric: Rubric,
    /// Evaluated in order; the first whose condition holds decides the next node.
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// Facts the reply must state, each with its accepted phrasings.
    #[serde(default)]
    pub facts: Vec<RubricFact>,
    /// Claims the reply must not make.
    #[serde(default)]
    pub forbidden: Vec<ForbiddenClaim>,
    /// What a strong reply looks like; shown in the debrief beside the trainee's.
    #[serde(default)]
    pub model_answers: Vec<String>,
    /// Extra rule ids from the lexicon that apply only at this node.
    #[serde(default)]
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricFact {
    pub id: String,
    /// Any one of these counts as stating the fact.
    pub accept: Vec<String>,
    /// Shown when the fact is missing.
    #[serde(default)]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenClaim {
    pub id: String,
    /// Any one of these counts as making the claim.
    pub phrases: Vec<String>,
    /// Why the claim is wrong (policy or fact it breaks).
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub when: Condition,
    pub next: String,
}

/// A routing condition for free-text turns, evaluated after the reply is scored and the mood moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// Overall reply score (mean of the three dimensions) at least this.
    ScoreAtLeast(u8),
    /// Overall reply score below this.
    ScoreBelow(u8),
    AngerAtLeast(u8),
    AngerBelow(u8),
    TrustAtLeast(u8),
    ConfusionAtLeast(u8),
    Otherwise,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    pub id: String,
    pub kind: EndingKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndingKind {
    Resolved,
    Escalated,
    CustomerLeft,
}

impl EndingKind {
    pub fn label(self) -> &'static str {
        match self {
            EndingKind::Resolved => "Resolved",
            EndingKind::Escalated => "Escalated to a supervisor",
            EndingKind::CustomerLeft => "Customer left",
        }
    }
}

impl Scenario {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn ending(&self, id: &str) -> Option<&Ending> {
        self.endings.iter().find(|e| e.id == id)
    }
}

//! The scenario data model: what a trainer writes in a `scenarios/*.ron` file.
//!
//! Field names here are the file format; `docs/scenario-format.md` documents every one of them.
//! Every struct denies unknown fields so a misspelt field is an error with a location, not a
//! silently ignored line.

use serde::{Deserialize, Serialize};

use super::mood::{Mood, MoodBand, MoodDelta};
use super::rule::Rule;

/// The highest difficulty tier a scenario can have (tiers run from 1).
pub const MAX_TIER: u8 = 3;

/// One authored training scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name, ideally kebab-case and matching the file name; session records store it.
    pub id: String,
    /// Title shown in the library and at the top of a session.
    pub title: String,
    /// Version, at least 1; stored with each session record. Raise it when the scenario changes.
    pub version: u32,
    /// One-sentence description shown in the library.
    pub summary: String,
    /// The business setting the customer is calling about.
    pub industry: Industry,
    /// How the customer gets in touch: phone, chat, email or social media.
    pub channel: Channel,
    /// Difficulty tier, 1 (new hire) to [`MAX_TIER`] (experienced).
    pub tier: u8,
    /// Estimated minutes to play, 1–120.
    pub minutes: u32,
    /// Learning objectives shown in the library; at least one.
    pub objectives: Vec<String>,
    /// Free keywords such as "shipping" or "refund".
    #[serde(default)]
    pub tags: Vec<String>,
    /// Email subject line or social-post headline; shown by channels that have one.
    #[serde(default)]
    pub subject: Option<String>,
    /// The customer the trainee is talking to.
    pub persona: Persona,
    /// What the trainee can look up during the conversation.
    pub case_file: CaseFile,
    /// Overall score (0–100) needed to pass.
    pub pass_mark: u8,
    /// Overall score (0–100) for three stars; defaults to 85.
    #[serde(default = "default_three_star_mark")]
    pub three_star_mark: u8,
    /// Scenario-level changes to the scoring lexicon; none by default.
    #[serde(default)]
    pub scoring: ScoringOverrides,
    /// Id of the first node.
    pub start: String,
    /// The conversation's nodes; at least one.
    pub nodes: Vec<Node>,
    /// How the conversation can end; at least one, and at least one should be resolved.
    pub endings: Vec<Ending>,
}

fn default_three_star_mark() -> u8 {
    85
}

/// The business setting of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Industry {
    /// Shops and online retailers (shown as "Retail / e-commerce").
    Retail,
    /// An insurer.
    Insurance,
    /// A bank.
    Banking,
    /// A healthcare provider.
    Healthcare,
    /// A phone or internet provider (shown as "Telecom / ISP").
    Telecom,
    /// A software or SaaS company.
    Software,
    /// Travel: airlines, trains, hotels and the like.
    Travel,
    /// Gas, electricity or water suppliers.
    Utilities,
    /// A public service or government office.
    Government,
}

impl Industry {
    /// Every industry, in declaration order; an `Industries` badge can ask for at most this many.
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

    /// Name shown to trainees, e.g. "Retail / e-commerce".
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

/// How the customer contacts the trainee; decides how the conversation is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    /// A phone call.
    Phone,
    /// A live chat.
    Chat,
    /// An email exchange; the scenario's `subject` is its subject line.
    Email,
    /// A social-media post and the replies under it; the scenario's `subject` is its headline.
    Social,
}

impl Channel {
    /// Every channel, in the order the library's channel filter offers them.
    pub const ALL: [Channel; 4] = [
        Channel::Phone,
        Channel::Chat,
        Channel::Email,
        Channel::Social,
    ];

    /// Name shown to trainees, e.g. "Live chat".
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
    /// The customer's name.
    pub name: String,
    /// Who the customer is and what happened; shown to the trainee.
    pub backstory: String,
    /// The customer's mood at the start of the session.
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

/// The point at which an angry customer gives up and leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walkout {
    /// Anger (1–100) at or above which, after any reply, the customer leaves.
    pub anger: u8,
    /// Id of the ending the walkout goes to; should be a customer-left ending.
    pub ending: String,
}

/// What the trainee can look up during the conversation; accuracy is judged against it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Account and order details.
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// The rules the agent works under.
    #[serde(default)]
    pub policies: Vec<Policy>,
}

/// One account or order detail in the case file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Short name, e.g. "Order".
    pub label: String,
    /// The detail itself, e.g. "#48213, watercolour set, $42.90 paid".
    pub value: String,
}

/// One rule the agent works under, shown in the case file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Policy name, e.g. "Late delivery".
    pub title: String,
    /// The policy itself.
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
    /// Name used by `start`, `next` and routes; unique among all node and ending ids.
    pub id: String,
    /// What the customer says on entering this node.
    pub customer: CustomerLine,
    /// How the trainee answers here.
    pub turn: Turn,
}

/// What the customer says, by mood band. Each list holds alternatives picked with the session's
/// seeded RNG; a band with no lines falls back to the nearest band that has some.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerLine {
    /// Lines said while anger is below 35.
    #[serde(default)]
    pub calm: Vec<String>,
    /// Lines said while anger is 35–69.
    #[serde(default)]
    pub annoyed: Vec<String>,
    /// Lines said while anger is 70 or more.
    #[serde(default)]
    pub irate: Vec<String>,
}

impl Persona {
    /// The handle a social-media customer posts under, as the play screen shows it: the name
    /// in lower case, letters and digits only ("Jess Carver" posts as `@jesscarver`).
    pub fn social_handle(&self) -> String {
        self.name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    }
}

impl CustomerLine {
    /// Every line, in every band.
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.calm.iter().chain(&self.annoyed).chain(&self.irate)
    }

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
    /// The trainee picks one of these replies; only the first nine have number keys.
    Choices(Vec<Choice>),
    /// The trainee types a reply, scored with the lexicon and this node's rubric.
    FreeText(FreeText),
}

/// One scripted reply the trainee can pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The reply as the trainee sees it.
    pub text: String,
    /// How good the reply is, per dimension; used as-is, without the lexicon.
    pub scores: Scores,
    /// Why this reply lands the way it does; shown right after the trainee picks it.
    #[serde(default)]
    pub feedback: String,
    /// How to do better; shown with the feedback.
    #[serde(default)]
    pub hint: Option<String>,
    /// How the reply moves the customer's mood; no change by default.
    #[serde(default)]
    pub mood: MoodDelta,
    /// Id of the next node or ending.
    pub next: String,
    /// Offered only when this holds for the customer's mood as the node is reached:
    /// `when: AngerBelow(50)` keeps "I've applied a discount" from a customer who has just said
    /// "just cancel it". Mood conditions only (a reply's score is not known yet). Always offered
    /// by default.
    #[serde(default)]
    pub when: Option<Condition>,
}

impl Node {
    /// Every `next` of this node's choices or routes, in file order.
    pub fn next_ids(&self) -> Vec<&str> {
        match &self.turn {
            Turn::Choices(choices) => choices.iter().map(|c| c.next.as_str()).collect(),
            Turn::FreeText(free) => free.routes.iter().map(|r| r.next.as_str()).collect(),
        }
    }
}

impl Choice {
    /// Whether the choice is offered to a customer in `mood`.
    pub fn offered_in(&self, mood: Mood) -> bool {
        self.when
            .is_none_or(|when| when.holds_for_mood(mood).unwrap_or(true))
    }
}

/// Per-dimension scores, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    /// Empathy score of the reply, 0–100.
    pub empathy: u8,
    /// Accuracy score of the reply, 0–100.
    pub accuracy: u8,
    /// De-escalation score of the reply, 0–100.
    pub deescalation: u8,
}

/// A turn where the trainee types a reply that is scored automatically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeText {
    /// What the trainee is asked to do, e.g. "Explain when the refund arrives."
    pub prompt: String,
    /// What the reply is judged against.
    pub rubric: Rubric,
    /// Evaluated in order; the first whose condition holds decides the next node.
    pub routes: Vec<Route>,
}

/// What a typed reply is judged against at one node.
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

/// A fact a typed reply must state; each one stated earns its share of the accuracy score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricFact {
    /// Name of the fact, shown in the debrief.
    pub id: String,
    /// Any one of these counts as stating the fact.
    pub accept: Vec<String>,
    /// Shown when the fact is missing.
    #[serde(default)]
    pub hint: Option<String>,
}

/// A claim a typed reply must not make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenClaim {
    /// Name of the claim.
    pub id: String,
    /// Any one of these counts as making the claim.
    pub phrases: Vec<String>,
    /// Why the claim is wrong (policy or fact it breaks).
    pub why: String,
    /// A breach so serious that making the claim fails the attempt, whatever the scores: health
    /// data given before identity is verified, "the recalled kettle should be fine". Contact
    /// centre QA calls these fatal errors.
    #[serde(default)]
    pub critical: bool,
}

/// One possible next step after a typed reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// When this route is taken.
    pub when: Condition,
    /// Id of the next node or ending.
    pub next: String,
}

/// A routing condition for free-text turns, evaluated after the reply is scored and the mood moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// Overall reply score (mean of the three dimensions) at least this.
    ScoreAtLeast(u8),
    /// Overall reply score below this.
    ScoreBelow(u8),
    /// Anger, after the reply, at least this.
    AngerAtLeast(u8),
    /// Anger, after the reply, below this.
    AngerBelow(u8),
    /// Trust, after the reply, at least this.
    TrustAtLeast(u8),
    /// Confusion, after the reply, at least this.
    ConfusionAtLeast(u8),
    /// Always holds; every free-text turn needs one, and it should be the last route.
    Otherwise,
}

impl Condition {
    /// Whether the condition holds for `mood`; `None` for the score conditions, which need a
    /// scored reply.
    pub fn holds_for_mood(self, mood: Mood) -> Option<bool> {
        match self {
            Condition::AngerAtLeast(v) => Some(mood.anger >= v),
            Condition::AngerBelow(v) => Some(mood.anger < v),
            Condition::TrustAtLeast(v) => Some(mood.trust >= v),
            Condition::ConfusionAtLeast(v) => Some(mood.confusion >= v),
            Condition::Otherwise => Some(true),
            Condition::ScoreAtLeast(_) | Condition::ScoreBelow(_) => None,
        }
    }
}

/// One way the conversation can end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    /// Name used by `next`, routes and `walkout`; unique among all node and ending ids.
    pub id: String,
    /// What kind of ending it is; affects passing and stars.
    pub kind: EndingKind,
    /// What happens, shown at the end (unless a variant's conditions hold).
    pub text: String,
    /// Texts for what actually happened on the way here, tried in order: the first whose
    /// conditions all hold is shown instead of `text`. So an ending reached both with and
    /// without help arranged does not say "with no help arranged she rings again" to a trainee
    /// who arranged it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<EndingText>,
}

/// An ending's text for one way of reaching it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndingText {
    /// All must hold for this text to be shown.
    pub when: Vec<Happened>,
    /// What happens, shown at the end.
    pub text: String,
}

/// Something that did or did not happen in the conversation, for an ending's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Happened {
    /// A typed reply stated this rubric fact (by its id).
    Stated(String),
    /// No typed reply stated this rubric fact.
    NotStated(String),
    /// The conversation passed through this node.
    Visited(String),
    /// The conversation never passed through this node.
    NotVisited(String),
}

impl Ending {
    /// The text to show: the first variant whose conditions hold, given which rubric facts
    /// were stated and which nodes were visited; else `text`.
    pub fn text_for(&self, stated: &dyn Fn(&str) -> bool, visited: &dyn Fn(&str) -> bool) -> &str {
        self.variants
            .iter()
            .find(|v| {
                v.when.iter().all(|h| match h {
                    Happened::Stated(fact) => stated(fact),
                    Happened::NotStated(fact) => !stated(fact),
                    Happened::Visited(node) => visited(node),
                    Happened::NotVisited(node) => !visited(node),
                })
            })
            .map_or(&self.text, |v| &v.text)
    }
}

/// What kind of ending a scenario reaches; decides whether it can pass and how many stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndingKind {
    /// The problem was solved; can pass, and the only kind that can earn three stars.
    Resolved,
    /// Handed to a supervisor; can pass, with at most two stars.
    Escalated,
    /// The customer gave up or walked out; never passes.
    CustomerLeft,
}

impl EndingKind {
    /// Name shown to trainees, e.g. "Escalated to a supervisor".
    pub fn label(self) -> &'static str {
        match self {
            EndingKind::Resolved => "Resolved",
            EndingKind::Escalated => "Escalated to a supervisor",
            EndingKind::CustomerLeft => "Customer left",
        }
    }
}

impl Scenario {
    /// The node with this id, if there is one.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The ending with this id, if there is one.
    pub fn ending(&self, id: &str) -> Option<&Ending> {
        self.endings.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod ending_text_tests {
    use super::*;

    #[test]
    fn an_ending_says_what_happened_on_the_way() {
        let ending = Ending {
            id: "done".into(),
            kind: EndingKind::Resolved,
            text: "With no help arranged, she rings again.".into(),
            variants: vec![
                EndingText {
                    when: vec![
                        Happened::Stated("callback".into()),
                        Happened::NotVisited("escalate".into()),
                    ],
                    text: "She waits for the callback you arranged.".into(),
                },
                EndingText {
                    when: vec![Happened::Visited("escalate".into())],
                    text: "The supervisor takes it from here.".into(),
                },
            ],
        };
        let none = |_: &str| false;
        let callback = |f: &str| f == "callback";
        let escalated = |n: &str| n == "escalate";
        assert_eq!(
            ending.text_for(&none, &none),
            "With no help arranged, she rings again."
        );
        assert_eq!(
            ending.text_for(&callback, &none),
            "She waits for the callback you arranged."
        );
        // In order: the first variant fails on NotVisited, the second holds.
        assert_eq!(
            ending.text_for(&callback, &escalated),
            "The supervisor takes it from here."
        );
    }
}

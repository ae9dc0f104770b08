//! A generated scenario of any size, for benchmarks and stress tests of the trainer tools
//! (`holdline paths` on 10,000 nodes): layers of choice nodes with a typed-reply node in every
//! tenth place, loops back to earlier layers, and three endings. Seeded, so every run builds the
//! same scenario.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use crate::scenario::model::{
    CaseFile, Channel, Choice, Condition, CustomerLine, Ending, EndingKind, FreeText, Industry,
    Node, Persona, Route, Rubric, RubricFact, Scenario, Scores, ScoringOverrides, Turn,
};
use crate::scenario::mood::{Mood, MoodDelta};

/// Nodes per layer; each choice leads to a node in the next layer.
const WIDTH: usize = 100;

/// A valid scenario with `nodes` nodes (at least 1), built from `seed`.
pub fn generated_scenario(nodes: usize, seed: u64) -> Scenario {
    let nodes = nodes.max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut below = |n: usize| ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize;
    let id = |i: usize| format!("n{i}");
    let layers = nodes.div_ceil(WIDTH);
    let endings = ["resolved", "escalated", "left"];
    let mut list = Vec::with_capacity(nodes);
    for i in 0..nodes {
        let layer = i / WIDTH;
        // A node in the next layer, or an ending from the last layer.
        let target = |below: &mut dyn FnMut(usize) -> usize| {
            if layer + 1 >= layers {
                endings[below(endings.len())].to_string()
            } else {
                let next = (layer + 1) * WIDTH + below(WIDTH);
                id(next.min(nodes - 1).max((layer + 1) * WIDTH))
            }
        };
        let turn = if i % 10 == 9 {
            Turn::FreeText(FreeText {
                prompt: "Explain what happens next.".into(),
                rubric: Rubric {
                    facts: vec![RubricFact {
                        id: "refund".into(),
                        accept: vec!["refund".into()],
                        hint: None,
                    }],
                    forbidden: Vec::new(),
                    model_answers: vec![
                        "I'm sorry about this. I've issued your refund today.".into(),
                    ],
                    rules: Vec::new(),
                },
                routes: vec![
                    Route {
                        when: Condition::ScoreAtLeast(60),
                        next: target(&mut below),
                    },
                    Route {
                        when: Condition::Otherwise,
                        next: target(&mut below),
                    },
                ],
            })
        } else {
            let mut choices: Vec<Choice> = (0..3)
                .map(|c| Choice {
                    text: format!("Reply {c} at node {i}."),
                    scores: Scores {
                        empathy: (20 + below(80)) as u8,
                        accuracy: (20 + below(80)) as u8,
                        deescalation: (20 + below(80)) as u8,
                    },
                    feedback: "Generated.".into(),
                    hint: None,
                    mood: MoodDelta {
                        anger: [-5, 0, 5][below(3)],
                        confusion: 0,
                        trust: [0, 2][below(2)],
                    },
                    next: target(&mut below),
                    when: None,
                })
                .collect();
            // Every seventh node also loops back to a node one or two layers up.
            if i % 7 == 3 && layer >= 2 {
                choices[2].next = id((layer - 2) * WIDTH + below(WIDTH));
            }
            Turn::Choices(choices)
        };
        list.push(Node {
            id: id(i),
            customer: CustomerLine {
                calm: vec!["Go on.".into()],
                annoyed: vec!["Well?".into()],
                irate: vec!["This is ridiculous.".into()],
            },
            turn,
        });
    }
    Scenario {
        id: format!("generated-{nodes}"),
        title: format!("Generated, {nodes} nodes"),
        version: 1,
        summary: "A generated scenario for benchmarks.".into(),
        industry: Industry::Retail,
        channel: Channel::Chat,
        tier: 1,
        minutes: 5,
        objectives: vec!["Reach an ending.".into()],
        tags: Vec::new(),
        subject: None,
        persona: Persona {
            name: "Sam".into(),
            backstory: "Generated.".into(),
            mood: Mood {
                anger: 40,
                confusion: 20,
                trust: 40,
            },
            patience_secs: 30,
            triggers: Vec::new(),
            walkout: Some(crate::scenario::model::Walkout {
                anger: 90,
                ending: "left".into(),
            }),
        },
        case_file: CaseFile::default(),
        pass_mark: 60,
        three_star_mark: 85,
        scoring: ScoringOverrides::default(),
        start: id(0),
        nodes: list,
        endings: vec![
            Ending {
                id: "resolved".into(),
                kind: EndingKind::Resolved,
                text: "Sorted.".into(),
                variants: Vec::new(),
            },
            Ending {
                id: "escalated".into(),
                kind: EndingKind::Escalated,
                text: "Passed on.".into(),
                variants: Vec::new(),
            },
            Ending {
                id: "left".into(),
                kind: EndingKind::CustomerLeft,
                text: "Gone.".into(),
                variants: Vec::new(),
            },
        ],
    }
}

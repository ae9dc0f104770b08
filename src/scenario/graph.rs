//! A scenario as a graph, for trainers reviewing its shape: nodes (choice or typed turns),
//! endings by kind, and every choice and route with its condition, as Mermaid (renders in a
//! README on a code host) or Graphviz DOT (renders with `dot -Tsvg`).

use super::model::{Condition, EndingKind, Scenario, Turn};
use super::visible_text::one_line;

/// How a route's condition reads on an edge.
pub fn condition_label(condition: Condition) -> String {
    match condition {
        Condition::ScoreAtLeast(v) => format!("score >= {v}"),
        Condition::ScoreBelow(v) => format!("score < {v}"),
        Condition::AngerAtLeast(v) => format!("anger >= {v}"),
        Condition::AngerBelow(v) => format!("anger < {v}"),
        Condition::TrustAtLeast(v) => format!("trust >= {v}"),
        Condition::ConfusionAtLeast(v) => format!("confusion >= {v}"),
        Condition::Otherwise => "otherwise".into(),
    }
}

/// One edge: from a node to a node or ending, with its label; `dashed` for the walkout.
struct Edge {
    from: String,
    to: String,
    label: String,
    dashed: bool,
}

/// Choice texts are cut to this many characters on an edge, so the graph stays readable.
const LABEL_CHARS: usize = 48;

fn edges(scenario: &Scenario) -> Vec<Edge> {
    let mut edges = Vec::new();
    for node in &scenario.nodes {
        match &node.turn {
            Turn::Choices(choices) => {
                for (i, choice) in choices.iter().enumerate() {
                    edges.push(Edge {
                        from: node.id.clone(),
                        to: choice.next.clone(),
                        label: format!("{}. {}", i + 1, one_line(&choice.text, LABEL_CHARS)),
                        dashed: false,
                    });
                }
            }
            Turn::FreeText(free) => {
                for route in &free.routes {
                    edges.push(Edge {
                        from: node.id.clone(),
                        to: route.next.clone(),
                        label: format!("typed: {}", condition_label(route.when)),
                        dashed: false,
                    });
                }
            }
        }
    }
    if let Some(walkout) = &scenario.persona.walkout {
        edges.push(Edge {
            from: WALKOUT.into(),
            to: walkout.ending.clone(),
            label: format!("after any reply, anger >= {}", walkout.anger),
            dashed: true,
        });
    }
    edges
}

/// The pseudo-node the walkout edge starts from.
const WALKOUT: &str = "(walkout)";

fn kind_label(kind: EndingKind) -> &'static str {
    match kind {
        EndingKind::Resolved => "resolved",
        EndingKind::Escalated => "escalated",
        EndingKind::CustomerLeft => "customer left",
    }
}

/// Mermaid ids may hold only letters, digits and `_`; scenario ids also hold `-` and more. Every
/// other character (and `_` itself) is written as `_` and its hex code, so two ids never meet.
fn mermaid_id(id: &str) -> String {
    let mut out = String::from("n_");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out += &format!("_{:x}_", c as u32);
        }
    }
    out
}

/// Text inside a Mermaid label: quotes and markup characters as entities.
fn mermaid_text(text: &str) -> String {
    text.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('|', "#124;")
}

/// The scenario as a Mermaid flowchart.
pub fn mermaid(scenario: &Scenario) -> String {
    let mut out = String::from("flowchart TD\n");
    for node in &scenario.nodes {
        let kind = match node.turn {
            Turn::Choices(_) => "choices",
            Turn::FreeText(_) => "typed reply",
        };
        let start = if node.id == scenario.start {
            "start: "
        } else {
            ""
        };
        out += &format!(
            "    {}[\"{start}{}<br/>({kind})\"]\n",
            mermaid_id(&node.id),
            mermaid_text(&node.id)
        );
    }
    for ending in &scenario.endings {
        out += &format!(
            "    {}([\"{}<br/>{}\"]):::{}\n",
            mermaid_id(&ending.id),
            mermaid_text(&ending.id),
            kind_label(ending.kind),
            class(ending.kind)
        );
    }
    if scenario.persona.walkout.is_some() {
        out += &format!("    {}{{{{\"any reply\"}}}}\n", mermaid_id(WALKOUT));
    }
    for edge in edges(scenario) {
        let arrow = if edge.dashed { "-.->" } else { "-->" };
        out += &format!(
            "    {} {arrow}|\"{}\"| {}\n",
            mermaid_id(&edge.from),
            mermaid_text(&edge.label),
            mermaid_id(&edge.to)
        );
    }
    out += "    classDef resolved fill:#1f6f43,color:#fff\n";
    out += "    classDef escalated fill:#8a6d1a,color:#fff\n";
    out += "    classDef left fill:#8b2c2c,color:#fff\n";
    out
}

fn class(kind: EndingKind) -> &'static str {
    match kind {
        EndingKind::Resolved => "resolved",
        EndingKind::Escalated => "escalated",
        EndingKind::CustomerLeft => "left",
    }
}

/// A DOT string literal.
fn dot_text(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            // A line break in a DOT label is the two characters `\n`.
            '\n' => vec!['\\', 'n'],
            '\r' => vec![],
            c => vec![c],
        })
        .collect();
    format!("\"{escaped}\"")
}

/// The scenario as a Graphviz digraph.
pub fn dot(scenario: &Scenario) -> String {
    let mut out = format!(
        "digraph {} {{\n    rankdir=TB;\n    node [fontname=\"sans-serif\"];\n",
        dot_text(&scenario.id)
    );
    for node in &scenario.nodes {
        let kind = match node.turn {
            Turn::Choices(_) => "choices",
            Turn::FreeText(_) => "typed reply",
        };
        let style = if node.id == scenario.start {
            ", penwidth=2"
        } else {
            ""
        };
        out += &format!(
            "    {} [shape=box, label={}{style}];\n",
            dot_text(&node.id),
            dot_text(&format!("{}\n({kind})", node.id))
        );
    }
    for ending in &scenario.endings {
        let color = match ending.kind {
            EndingKind::Resolved => "#1f6f43",
            EndingKind::Escalated => "#8a6d1a",
            EndingKind::CustomerLeft => "#8b2c2c",
        };
        out += &format!(
            "    {} [shape=ellipse, style=filled, fillcolor={}, fontcolor=white, label={}];\n",
            dot_text(&ending.id),
            dot_text(color),
            dot_text(&format!("{} ({})", ending.id, kind_label(ending.kind)))
        );
    }
    if scenario.persona.walkout.is_some() {
        out += &format!(
            "    {} [shape=diamond, label=\"any reply\"];\n",
            dot_text(WALKOUT)
        );
    }
    for edge in edges(scenario) {
        let style = if edge.dashed { ", style=dashed" } else { "" };
        out += &format!(
            "    {} -> {} [label={}{style}];\n",
            dot_text(&edge.from),
            dot_text(&edge.to),
            dot_text(&edge.label)
        );
    }
    out += "}\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::library::load_source;
    use crate::scenario::rule::KnownRules;

    /// Every rule id is known: the graph does not care which rules a node names.
    struct AnyRule;
    impl KnownRules for AnyRule {
        fn knows_rule(&self, _: &str) -> bool {
            true
        }
        fn rule_ids(&self) -> Vec<&str> {
            Vec::new()
        }
    }

    fn late_parcel() -> Scenario {
        let bytes = include_bytes!("../../scenarios/late-parcel.ron");
        let (scenario, _) = load_source("late-parcel.ron", bytes, &AnyRule);
        scenario.expect("late-parcel is valid")
    }

    fn edge_count(scenario: &Scenario) -> usize {
        let turns: usize = scenario
            .nodes
            .iter()
            .map(|n| match &n.turn {
                Turn::Choices(c) => c.len(),
                Turn::FreeText(f) => f.routes.len(),
            })
            .sum();
        turns + usize::from(scenario.persona.walkout.is_some())
    }

    #[test]
    fn every_node_ending_choice_and_route_is_drawn() {
        let scenario = late_parcel();
        let m = mermaid(&scenario);
        let d = dot(&scenario);
        for node in &scenario.nodes {
            assert!(
                m.contains(&format!("{}[", mermaid_id(&node.id))),
                "{}",
                node.id
            );
            assert!(
                d.contains(&format!("\"{}\" [shape=box", node.id)),
                "{}",
                node.id
            );
        }
        for ending in &scenario.endings {
            assert!(m.contains(&format!("{}([", mermaid_id(&ending.id))));
            assert!(d.contains(&format!("\"{}\" [shape=ellipse", ending.id)));
        }
        assert_eq!(
            m.matches("-->|").count() + m.matches("-.->|").count(),
            edge_count(&scenario)
        );
        assert_eq!(d.matches(" -> ").count(), edge_count(&scenario));
        assert!(m.contains("typed: score #gt;= 60"));
        assert!(
            d.contains("\"opening\" [shape=box, label=\"opening\\n(choices)\", penwidth=2]"),
            "{d}"
        );
        assert!(m.contains("start: opening"));
    }

    #[test]
    fn quotes_and_markup_in_texts_cannot_break_the_graph() {
        assert_eq!(
            dot_text("say \"hi\" \\ now\nthen"),
            "\"say \\\"hi\\\" \\\\ now\\nthen\""
        );
        let text = mermaid_text("a \"quote\" <b>|x|</b> & more");
        assert!(!text.contains('"') && !text.contains('<') && !text.contains('|'));
        assert_ne!(mermaid_id("a-b"), mermaid_id("a_b"));
        assert!(
            mermaid_id("ünïcode id")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        );
    }
}

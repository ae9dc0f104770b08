//! `holdline graph`: a scenario's nodes, endings, choices and routes as Mermaid or DOT.

use std::path::Path;
use std::process::ExitCode;

use super::exit::CliResult;
use crate::scenario::graph;
use crate::scoring::Lexicon;

/// The two formats `graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart: paste it into a ```mermaid block in Markdown.
    Mermaid,
    /// Graphviz DOT: `holdline graph x --format dot | dot -Tsvg > x.svg`.
    Dot,
}

pub fn run(folder: &Path, wanted: &str, format: GraphFormat, lexicon: &Lexicon) -> CliResult {
    let loaded = super::resolve_scenario(folder, wanted, lexicon)?;
    let text = match format {
        GraphFormat::Mermaid => graph::mermaid(&loaded.scenario),
        GraphFormat::Dot => graph::dot(&loaded.scenario),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

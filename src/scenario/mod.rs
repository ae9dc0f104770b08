//! Scenarios: the data model, reading RON files with located errors, and semantic validation.

pub mod diagnostic;
pub mod graph;
pub mod library;
pub mod load;
pub mod model;
pub mod mood;
pub mod rule;
pub mod span_index;
pub mod validate;
pub mod visible_text;

pub use diagnostic::{Diagnostic, Severity};
pub use library::{LoadReport, LoadedScenario, load_source};
pub use model::Scenario;

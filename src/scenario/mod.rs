//! Scenarios: the data model, reading RON files with located errors, and semantic validation.

pub mod diagnostic;
pub mod library;
pub mod load;
pub mod model;
pub mod span_index;
pub mod validate;

pub use diagnostic::{Diagnostic, Severity};
pub use library::{load_source, LoadReport, LoadedScenario};
pub use model::Scenario;

//! Every integration test in one binary, since each test binary links the whole crate and Bevy:
//! the command line, the shipped library, the loader on broken input, the scorer and its
//! labelled pairs, the session runtime, the validator's diagnostics, and (with the `app`
//! feature) the app's screens driven headlessly.

#[cfg(feature = "app")]
mod app_screens;
mod certification;
mod cli;
mod cohort_report;
mod layers;
mod library;
mod loader_robustness;
mod scorer;
mod scoring_pairs;
mod semantic_model;
mod semantic_scoring;
mod session;
mod validation;

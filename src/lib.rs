//! holdline: a training simulator for customer-service hires. This library is the core
//! (scenarios, validation, sessions, mood, scoring) in plain Rust with no Bevy types; the binary
//! adds the command line and the Bevy app (`app`, behind the `app` feature) on top of it.

#[cfg(feature = "app")]
pub mod app;
pub mod cli;
#[warn(missing_docs)]
pub mod progress;
#[warn(missing_docs)]
pub mod scenario;
#[warn(missing_docs)]
pub mod scoring;
#[warn(missing_docs)]
pub mod session;

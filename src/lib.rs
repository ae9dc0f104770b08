//! holdline: a training simulator for customer-service hires. This library is the core
//! (scenarios, validation, sessions, mood, scoring) in plain Rust with no Bevy types; the binary
//! adds the command line and, later, the Bevy app on top of it.

pub mod cli;
pub mod scenario;
pub mod scoring;
pub mod session;

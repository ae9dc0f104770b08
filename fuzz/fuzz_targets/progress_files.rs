//! Any bytes as a trainee's profile or attempt file: read, or refused as damaged or too new; and
//! whatever is read gives a standing (XP, streaks, badges) without a panic.
#![no_main]

use holdline::progress::files::parse_versioned;
use holdline::progress::{AttemptRecord, ProgressRules, Trainee, standing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_versioned::<Trainee>(data);
    if let Ok(attempt) = parse_versioned::<AttemptRecord>(data) {
        let rules = ProgressRules::builtin();
        let _ = standing(&rules, &[attempt], 20_000);
    }
});

//! Any bytes as a progress-rules file: accepted, or refused with located errors; never a panic.
#![no_main]

use holdline::progress::ProgressRules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(errors) = ProgressRules::from_source("fuzz.ron", data) {
        assert!(!errors.is_empty());
    }
});

//! Any bytes as a scoring lexicon: accepted, or refused with located errors; never a panic.
#![no_main]

use holdline::scoring::Lexicon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(errors) = Lexicon::from_source("fuzz.ron", data) {
        assert!(!errors.is_empty());
    }
});

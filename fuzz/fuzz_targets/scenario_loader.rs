//! Any bytes as a scenario file: the loader and validator must return diagnostics, never panic.
#![no_main]

use std::sync::OnceLock;

use holdline::scenario::library::load_source;
use holdline::scoring::Lexicon;
use libfuzzer_sys::fuzz_target;

static LEXICON: OnceLock<Lexicon> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let lexicon = LEXICON.get_or_init(Lexicon::builtin);
    let (scenario, diagnostics) = load_source("fuzz.ron", data, lexicon);
    // A rejected file always says why.
    assert!(scenario.is_some() || diagnostics.iter().any(|d| d.is_error()));
});

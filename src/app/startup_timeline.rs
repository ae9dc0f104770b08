//! Where the time to the first interactive frame goes: named moments since `main` began,
//! printed by `holdline --startup-probe` under its headline figure so a start-up regression
//! can be traced to a phase (configuration, plugin set-up, the first frame, the library, the
//! title) without a profiler. Recording a moment is one lock and a push; nothing else reads it.

use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static MOMENTS: Mutex<Vec<(&'static str, Instant)>> = Mutex::new(Vec::new());

/// Records when the process began; the first call wins (`main` makes it).
pub fn start(at: Instant) {
    let _ = STARTED.set(at);
}

/// The moment the process began (or the first time anyone asked).
pub fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// Records a named moment, once per name.
pub fn mark(name: &'static str) {
    let now = Instant::now();
    if let Ok(mut moments) = MOMENTS.lock()
        && !moments.iter().any(|(n, _)| *n == name)
    {
        moments.push((name, now));
    }
}

/// Every moment so far as "  N ms  name" lines, in the order they happened (the figure first,
/// so that no line reads like the probe's headline `first interactive frame: N ms`).
pub fn report() -> String {
    let started = started();
    let moments = MOMENTS.lock().map(|m| m.clone()).unwrap_or_default();
    moments
        .iter()
        .map(|(name, at)| {
            format!(
                "  {:7.1} ms  {name}\n",
                at.duration_since(started).as_secs_f64() * 1000.0
            )
        })
        .collect()
}

/// Marks the start of the first frames' main-world update, so the probe shows which frame the
/// time went into.
pub fn mark_frame_begins(frames: bevy::prelude::Res<bevy::diagnostic::FrameCount>) {
    const NAMES: [&str; 4] = [
        "frame 0 begins",
        "frame 1 begins",
        "frame 2 begins",
        "frame 3 begins",
    ];
    if let Some(name) = NAMES.get(frames.0 as usize) {
        mark(name);
    }
}

//! When the window cannot open (no display to draw on, no Vulkan driver), holdline says what is
//! missing and what to do, and exits with code 1, instead of a winit or wgpu panic with a
//! backtrace. The terminal player needs neither, so every message points to it.

use std::sync::atomic::{AtomicBool, Ordering};

use bevy::diagnostic::FrameCount;
use bevy::prelude::*;

/// Set once the app has drawn its first frames. Before that, a panic is almost certainly the
/// window system or the graphics driver refusing to start, and is reported as such; after it, a
/// panic is a bug and keeps Rust's own report.
static WINDOW_UP: AtomicBool = AtomicBool::new(false);

/// How to practise without a window, said with every start-up failure.
const TERMINAL_HINT: &str = "To practise without a window, play a scenario in the terminal:\n    \
     holdline play late-parcel        (`holdline list` shows every scenario id)";

/// Checks, before any window code runs, that there is a display to open a window on. Only the
/// X11 backend is built in (see Cargo.toml), so on Linux and the BSDs that means `DISPLAY`.
pub fn check_display() -> Result<(), String> {
    if !cfg!(all(unix, not(target_os = "macos"), not(target_os = "ios"))) {
        return Ok(());
    }
    let display = std::env::var_os("DISPLAY").unwrap_or_default();
    if !display.is_empty() {
        return Ok(());
    }
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|w| !w.is_empty());
    let why = if wayland {
        "there is a Wayland session but no X11 display (DISPLAY is not set); holdline draws \
         through X11, which Wayland desktops provide with XWayland"
    } else {
        "there is no display to open a window on (DISPLAY is not set): this looks like a \
         terminal without a desktop, such as an SSH session or a container"
    };
    Err(report(
        why,
        "Start holdline from a desktop session, forward X11 (`ssh -X`), or run it under a \
         virtual display: `xvfb-run -a holdline`.",
    ))
}

/// Installs a panic hook that turns a failure to start the window or the renderer into a
/// message and exit code 1. Later panics go to the hook that was there before.
pub fn report_start_failures() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if WINDOW_UP.load(Ordering::Relaxed) {
            previous(info);
            return;
        }
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("{}", explain(&payload));
        std::process::exit(1);
    }));
}

/// Marks the window as up once a few frames have been drawn.
pub fn mark_window_up(frames: Res<FrameCount>) {
    if frames.0 >= 3 {
        WINDOW_UP.store(true, Ordering::Relaxed);
    }
}

/// What a start-up panic means, in words, with what to do about it.
fn explain(panic: &str) -> String {
    let lower = panic.to_lowercase();
    let graphics = ["gpu", "adapter", "vulkan", "wgpu", "surface"];
    let window = [
        "event loop",
        "display",
        "x11",
        "xlib",
        "xopendisplay",
        "winit",
    ];
    if graphics.iter().any(|w| lower.contains(w)) {
        report(
            "no graphics driver could draw the window: holdline needs Vulkan",
            "Install your GPU's Vulkan driver, or Mesa's software renderer (Debian and \
             Ubuntu: `sudo apt install mesa-vulkan-drivers libvulkan1`), then start holdline \
             again.",
        ) + &format!("\n(the renderer said: {})", first_line(panic))
    } else if window.iter().any(|w| lower.contains(w)) {
        report(
            "the window system refused to open a window (the X11 display named in DISPLAY \
             could not be reached)",
            "Check that the display is running and that DISPLAY names it, or run holdline \
             under a virtual display: `xvfb-run -a holdline`.",
        ) + &format!("\n(the window system said: {})", first_line(panic))
    } else {
        report(
            "the window could not start",
            "holdline needs an X11 display and a Vulkan driver.",
        ) + &format!("\n(the cause: {})", first_line(panic))
    }
}

fn report(why: &str, what_to_do: &str) -> String {
    format!("error: holdline cannot open its window: {why}.\n{what_to_do}\n{TERMINAL_HINT}")
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() { "no details" } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_gpu_is_explained_with_the_driver_to_install_and_the_terminal_player() {
        let text = explain("Unable to find a GPU! Make sure you have installed required drivers!");
        assert!(text.contains("needs Vulkan"), "{text}");
        assert!(text.contains("mesa-vulkan-drivers"), "{text}");
        assert!(text.contains("holdline play"), "{text}");
        assert!(text.contains("Unable to find a GPU"), "{text}");
    }

    #[test]
    fn an_unreachable_display_is_explained_apart_from_the_driver() {
        let text =
            explain("Failed to build event loop: Os(OsError { error: XOpenDisplay failed })");
        assert!(text.contains("window system"), "{text}");
        assert!(!text.contains("mesa-vulkan-drivers"), "{text}");
        assert!(text.contains("xvfb-run"), "{text}");
    }

    #[test]
    fn any_other_start_up_panic_still_says_what_holdline_needs() {
        let text = explain("something unexpected\nsecond line");
        assert!(text.contains("X11 display and a Vulkan driver"), "{text}");
        assert!(text.contains("(the cause: something unexpected)"), "{text}");
    }
}

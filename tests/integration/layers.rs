//! The core's layers point one way: scenario ← scoring ← session ← progress ← cli / app. A file
//! in a layer may name only the layers below it, so a change that ties them in a knot again
//! fails here, with the file and line.

use std::path::Path;

/// Each core layer, lowest first, with the layers above it that it must not name.
const LAYERS: [(&str, &[&str]); 4] = [
    (
        "scenario",
        &["scoring", "session", "progress", "cli", "app"],
    ),
    ("scoring", &["session", "progress", "cli", "app"]),
    ("session", &["progress", "cli", "app"]),
    ("progress", &["cli", "app"]),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_core_layer_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut breaches = Vec::new();
    for (layer, above) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer} has Rust files");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for higher in above {
                    if code.contains(&format!("crate::{higher}::"))
                        || code.contains(&format!("crate::{higher}}}"))
                        || code.contains(&format!("crate::{higher};"))
                    {
                        breaches.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "layers named from below:\n{}",
        breaches.join("\n")
    );
}

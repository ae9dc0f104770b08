//! The `holdline` binary as a trainer uses it: validate, list and play with piped answers.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub(crate) fn holdline(args: &[&str], stdin: &str) -> Output {
    // Never the machine's own data folder: a play with no --data-dir is saved for the trainee
    // who played last, and that must not be a real trainee's history.
    let default_data =
        std::env::temp_dir().join(format!("holdline-cli-default-data-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdline"))
        .args(args)
        .env("HOLDLINE_DATA_DIR", default_data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("binary exits")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn validate_the_library_succeeds_with_a_summary_line() {
    let out = holdline(&["validate"], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains(" 0 errors, 0 warnings"),
        "{text}"
    );
}

#[test]
fn validate_broken_files_reports_every_problem_and_exits_1() {
    let out = holdline(&["validate", "tests/fixtures/broken"], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("tests/fixtures/broken/unknown-target.ron:37:21: error: choice 2 goes to unknown node \"escalte\"\n  help: did you mean \"escalate\"?"),
        "{text}"
    );
    let summary = text.lines().last().unwrap();
    assert!(summary.starts_with("checked 20 files:"), "{summary}");
}

#[test]
fn validate_warnings_alone_exit_0_unless_denied() {
    let path = "tests/fixtures/broken/no-feedback.ron";
    assert_eq!(holdline(&["validate", path], "").status.code(), Some(0));
    assert_eq!(
        holdline(&["validate", "--deny-warnings", path], "")
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn list_json_describes_the_library() {
    let out = holdline(&["list", "--json"], "");
    assert_eq!(out.status.code(), Some(0));
    let entries: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let entries = entries.as_array().expect("an array");
    assert!(entries.len() >= 12);
    let parcel = entries
        .iter()
        .find(|e| e["id"] == "late-parcel")
        .expect("late-parcel listed");
    assert_eq!(parcel["channel"], "Live chat");
    assert_eq!(parcel["tier"], 1);
    assert!(parcel["objectives"].as_array().unwrap().len() >= 2);
}

#[test]
fn play_with_piped_answers_prints_scores_and_the_outcome() {
    let answers = "0\n1\nI'm so sorry Dana, it is held at the Eastfield depot and comes Thursday 13 June.\n1\n";
    let out = holdline(&["play", "late-parcel", "--seed", "5"], answers);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("(type a number from 1 to 3)"),
        "a bad choice number is refused: {text}"
    );
    assert!(
        text.contains("+40 accuracy.fact-stated \"held at\""),
        "{text}"
    );
    assert!(text.contains("=== Resolved — resolved ==="), "{text}");
    assert!(text.contains("PASSED"), "{text}");
    // Same seed and answers: the same transcript.
    assert_eq!(
        text,
        stdout(&holdline(&["play", "late-parcel", "--seed", "5"], answers))
    );
}

#[test]
fn play_reports_input_that_ends_too_early() {
    let out = holdline(&["play", "late-parcel"], "1\n");
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("input ended before the conversation did"));
}

#[test]
fn play_an_unknown_scenario_says_so() {
    let out = holdline(&["play", "no-such-scenario"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no scenario \"no-such-scenario\""));
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn score_json_has_the_documented_shape() {
    let out = holdline(
        &[
            "score",
            "scenarios/late-parcel.ron",
            "--node",
            "explain-status",
            "--text",
            "I'm so sorry Dana, it's at the Eastfield depot and comes Thursday 13 June.",
            "--json",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    for key in ["empathy", "accuracy", "deescalation"] {
        assert!(v[key]["score"].is_u64(), "{v}");
        for reason in v[key]["reasons"].as_array().unwrap() {
            for field in ["rule", "delta", "matched", "explanation", "hint"] {
                assert!(!reason[field].is_null(), "{field} missing in {reason}");
            }
        }
    }
    assert!(v["overall"].is_u64());
    // Both facts stated: the rules give 100, and the calibrated direction moves it a little.
    assert!(v["accuracy"]["score"].as_u64().unwrap() >= 90, "{v}");
}

#[test]
fn score_usage_errors_exit_2() {
    let empty = holdline(
        &[
            "score",
            "scenarios/late-parcel.ron",
            "--node",
            "explain-status",
            "--text",
            "  ",
        ],
        "",
    );
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr(&empty).contains("empty"));
    let node = holdline(
        &[
            "score",
            "scenarios/late-parcel.ron",
            "--node",
            "explain-statis",
            "--text",
            "hi",
        ],
        "",
    );
    assert_eq!(node.status.code(), Some(2));
    assert!(
        stderr(&node).contains("did you mean \"explain-status\"?"),
        "{}",
        stderr(&node)
    );
    let bad = holdline(
        &[
            "score",
            "tests/fixtures/broken/truncated.ron",
            "--node",
            "x",
            "--text",
            "hi",
        ],
        "",
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("truncated.ron:40:11"),
        "{}",
        stderr(&bad)
    );
}

pub(crate) fn holdline_in(data: &std::path::Path, args: &[&str]) -> Output {
    let mut all = vec!["--data-dir", data.to_str().unwrap()];
    all.extend_from_slice(args);
    holdline(&all, "")
}

#[test]
fn trainees_are_managed_and_progress_is_reported_as_text_and_json() {
    use holdline::progress::{AttemptRecord, ProgressStore};
    use holdline::scenario::library::load_paths;
    use holdline::scoring::{Lexicon, RuleScorer};
    use holdline::session::{Options, Response, Session};
    use std::sync::Arc;

    let data = std::env::temp_dir().join(format!("holdline-cli-progress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let out = holdline_in(&data, &["progress"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no trainees yet"), "{}", stderr(&out));

    assert_eq!(
        holdline_in(&data, &["trainee", "add", "Sam"]).status.code(),
        Some(0)
    );
    assert_eq!(
        holdline_in(&data, &["trainee", "add", "Ana"]).status.code(),
        Some(0)
    );
    let dup = holdline_in(&data, &["trainee", "add", "sam"]);
    assert_eq!(dup.status.code(), Some(2), "names are unique");
    let out = holdline_in(&data, &["progress"]);
    assert!(
        stderr(&out).contains("--trainee"),
        "two trainees: which one?"
    );

    // Sam plays late-parcel twice, taking 20 s per reply.
    let lexicon = Lexicon::builtin();
    let report = load_paths(&[std::path::PathBuf::from("scenarios")], &lexicon);
    let scenario = report.find("late-parcel").unwrap().scenario.clone();
    let scorer = Arc::new(RuleScorer::new(lexicon));
    let store = ProgressStore::new(&data);
    for seed in [1, 2] {
        let mut session = Session::new(scenario.clone(), seed, scorer.clone()).unwrap();
        while let Some(prompt) = session.prompt() {
            let response = match prompt.options {
                Options::Choices(_) => Response::Choice(0),
                Options::FreeText { .. } => Response::Text(
                    "I'm sorry Dana, it is held at the Eastfield depot and comes Thursday.".into(),
                ),
            };
            session.respond(response, 20_000).unwrap();
        }
        let now = holdline::progress::unix_now();
        let mut record = AttemptRecord::from_session(&session, now, now);
        store.save_attempt("sam", &mut record).unwrap();
    }

    let out = holdline_in(&data, &["progress", "--trainee", "sam"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("Attempts: 2 scenarios finished (2 counted as practice"),
        "{text}"
    );
    assert!(text.contains("[x] First call"), "{text}");
    assert!(
        text.contains("[ ] Regular: Finish 10 scenarios. (2/10)"),
        "{text}"
    );
    assert!(text.contains("Streak: 1 day"), "{text}");

    let out = holdline_in(&data, &["progress", "--trainee", "Sam", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["trainee"]["name"], "Sam");
    assert_eq!(json["attempts"], 2);
    assert!(json["standing"]["xp"].as_u64().unwrap() > 0);
    assert!(json["standing"]["stars"]["late-parcel"].as_u64().unwrap() >= 1);
    assert!(json["standing"]["badges"].as_array().unwrap().len() >= 15);

    // Nothing changed since, so re-scoring by the rules that scored them finds the same scores.
    let out = holdline_in(&data, &["rescore", "--trainee", "sam", "--rules-only"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("Sam: 2 attempts replayed"), "{text}");
    assert!(
        text.contains("0 would score differently now, 2 the same, 0 could not be replayed"),
        "{text}"
    );

    let renamed = holdline_in(&data, &["trainee", "rename", "Sam", "Samuel"]);
    assert_eq!(renamed.status.code(), Some(0));
    let refused = holdline_in(&data, &["trainee", "delete", "Samuel"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--yes"));
    let deleted = holdline_in(&data, &["trainee", "delete", "Samuel", "--yes"]);
    assert_eq!(deleted.status.code(), Some(0));
    let list = stdout(&holdline_in(&data, &["trainee", "list"]));
    assert!(
        list.contains("Ana (ana)") && !list.contains("Samuel"),
        "{list}"
    );
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn validate_checks_the_progress_rules() {
    let out = holdline(&["validate", "assets/progress/rules.ron"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let broken = std::env::temp_dir().join(format!("holdline-rules-{}.ron", std::process::id()));
    let text = std::fs::read_to_string("assets/progress/rules.ron")
        .unwrap()
        .replace("passes_to_clear: 2", "passes_to_clear: 2, bonus: 1");
    std::fs::write(&broken, text).unwrap();
    let out = holdline(&["validate", broken.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("bonus"), "{}", stdout(&out));
    std::fs::remove_file(&broken).unwrap();
}

#[test]
fn validate_reads_calibration_labels_and_locates_their_mistakes() {
    // A trainer checks a labels file before calibrating, as the blind writers of heldout-4 had
    // to (validate used to read it as a broken scenario).
    let labels = "tests/calibration/heldout-3/parking-permit-fines.ron";
    let out = holdline(&["validate", labels], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let broken = std::env::temp_dir().join(format!("holdline-labels-{}.ron", std::process::id()));
    let text = std::fs::read_to_string(labels).unwrap().replacen(
        "dimension: Empathy,",
        "dimension: Kindness,",
        1,
    );
    std::fs::write(&broken, text).unwrap();
    let out = holdline(&["validate", broken.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let said = stdout(&out);
    assert!(said.contains("Kindness") && said.contains(":5:"), "{said}");
    std::fs::remove_file(&broken).unwrap();

    // A label naming a node its scenario does not have is located too (calibrate would skip it).
    let dir = std::env::temp_dir().join(format!("holdline-labels-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::copy(
        "tests/calibration/heldout-3/scenarios/parking-permit-fines.ron",
        dir.join("scenarios/parking-permit-fines.ron"),
    )
    .unwrap();
    let text = std::fs::read_to_string(labels).unwrap().replacen(
        "node: \"public-reply\"",
        "node: \"publc-reply\"",
        1,
    );
    std::fs::write(dir.join("labels.ron"), text).unwrap();
    let out = holdline(&["validate", dir.join("labels.ron").to_str().unwrap()], "");
    let said = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("labels.ron:5:") && said.contains("has no node \"publc-reply\""),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "app")]
#[test]
fn without_a_display_the_app_says_what_is_missing_and_points_to_the_terminal_player() {
    let out = Command::new(env!("CARGO_BIN_EXE_holdline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("DISPLAY is not set"), "{stderr}");
    assert!(stderr.contains("holdline play"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_terminal_play_is_saved_for_the_trainee_like_an_app_attempt() {
    let data = std::env::temp_dir().join(format!("holdline-cli-play-saved-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let dir = data.to_str().unwrap();
    let answers =
        "1\nI am so sorry Dana, it is held at the Eastfield depot and comes Thursday 13 June.\n1\n";

    let nobody = holdline(
        &["--data-dir", dir, "play", "late-parcel", "--trainee", "Zed"],
        answers,
    );
    assert_eq!(
        nobody.status.code(),
        Some(2),
        "an unknown trainee is refused up front"
    );
    assert!(
        stderr(&nobody).contains("holdline trainee add"),
        "{}",
        stderr(&nobody)
    );
    assert!(!stdout(&nobody).contains("==="), "nothing was played");

    let nobody_yet = holdline(&["--data-dir", dir, "play", "late-parcel"], answers);
    assert_eq!(
        nobody_yet.status.code(),
        Some(0),
        "a trainer may try a scenario"
    );
    assert!(
        stderr(&nobody_yet).contains("not saved"),
        "{}",
        stderr(&nobody_yet)
    );

    assert_eq!(
        holdline_in(&data, &["trainee", "add", "Sam"]).status.code(),
        Some(0)
    );
    // The only trainee, though no one has played yet.
    let first = holdline(
        &["--data-dir", dir, "play", "late-parcel", "--seed", "5"],
        answers,
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("saved for Sam"),
        "{}",
        stderr(&first)
    );
    assert_eq!(
        holdline_in(&data, &["trainee", "add", "Ana"]).status.code(),
        Some(0)
    );
    // Two trainees: the one who played last. Input that ends early is kept as abandoned.
    let second = holdline(
        &["--data-dir", dir, "play", "late-parcel", "--seed", "6"],
        "1\n",
    );
    assert_eq!(second.status.code(), Some(3));
    assert!(
        stderr(&second).contains("saved for Sam"),
        "{}",
        stderr(&second)
    );
    let for_ana = holdline(
        &["--data-dir", dir, "play", "late-parcel", "--trainee", "ana"],
        "1\n",
    );
    assert!(
        stderr(&for_ana).contains("saved for Ana"),
        "{}",
        stderr(&for_ana)
    );

    let out = holdline_in(&data, &["progress", "--trainee", "Sam", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let store = holdline::progress::ProgressStore::new(&data);
    let history = store.history("sam").unwrap();
    assert_eq!(history.attempts.len(), 2);
    let finished = history
        .attempts
        .iter()
        .find(|a| a.seed == 5)
        .expect("the finished attempt");
    assert!(finished.outcome.is_some());
    assert_eq!(
        finished.turns.len(),
        3,
        "every reply is kept, to replay and rescore"
    );
    let rescored = holdline_in(&data, &["rescore", "--trainee", "sam"]);
    assert_eq!(rescored.status.code(), Some(0), "{}", stderr(&rescored));
    let _ = std::fs::remove_dir_all(&data);
}

#[cfg(target_os = "linux")]
#[test]
fn a_closed_pipe_is_a_quiet_exit_and_a_full_disk_an_error_message() {
    for args in [
        &["list"][..],
        &["list", "--json"],
        &[
            "score",
            "scenarios/late-parcel.ron",
            "--node",
            "explain-status",
            "--text",
            "Sorry",
        ],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_holdline"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command has written a byte (it reads the library
        // first), like `holdline list | head -0`.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");

        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_holdline"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("could not write its output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Runs the binary, failing the test instead of hanging if it takes longer than `secs`.
#[cfg(unix)]
fn holdline_within(secs: u64, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdline"))
        .args(args)
        .env(
            "HOLDLINE_DATA_DIR",
            std::env::temp_dir().join("holdline-cli-hostile-data"),
        )
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() > secs {
            let _ = child.kill();
            panic!("holdline {args:?} was still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn link_loops_pipes_and_devices_in_the_scenario_folder_end_in_messages_not_hangs() {
    use std::os::unix::fs::symlink;
    let dir = std::env::temp_dir().join(format!("holdline-cli-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("scenarios/late-parcel.ron", dir.join("late-parcel.ron")).unwrap();
    symlink(".", dir.join("a")).unwrap();
    symlink(".", dir.join("b")).unwrap();
    let fifo = dir.join("x.ron");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let d = dir.to_str().unwrap();

    let out = holdline_within(20, &["validate", d]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("x.ron") && text.contains("not a regular file"),
        "{text}"
    );
    assert!(
        text.contains("folder-loop") || text.contains("searched once"),
        "{text}"
    );

    let out = holdline_within(20, &["--scenarios", d, "list"]);
    assert!(stdout(&out).contains("late-parcel"), "{}", stderr(&out));
    let out = holdline_within(20, &["--scenarios", d, "play", "late-parcel"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));

    for flag in ["--lexicon", "--rules"] {
        for path in [fifo.to_str().unwrap(), "/dev/zero"] {
            let out = holdline_within(20, &[flag, path, "list"]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{flag} {path}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("not a regular file"),
                "{}",
                stderr(&out)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_line_that_is_not_utf8_or_far_too_long_is_refused_and_the_session_goes_on() {
    // At the typed turn: a 3 MB line, then the real reply with two bytes that are not UTF-8.
    let mut input: Vec<u8> = b"1\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 3_000_000));
    input.push(b'\n');
    input.extend_from_slice(b"\xff\xfe I am so sorry Dana, it is held at the Eastfield depot and comes Thursday 13 June.\n1\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdline"))
        .args(["play", "late-parcel", "--seed", "5"])
        .env(
            "HOLDLINE_DATA_DIR",
            std::env::temp_dir().join("holdline-cli-long-lines"),
        )
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text.contains("\u{fffd}\u{fffd} I am so sorry Dana"),
        "the line with bad bytes was read as a reply"
    );
    assert!(
        text.contains("characters long; a reply can have at most 10000"),
        "the 3 MB line was refused with its length"
    );
    assert!(
        text.contains("PASSED"),
        "and the conversation went on to its end"
    );
    assert!(text.len() < 200_000, "the long line was not echoed whole");
}

#[test]
fn an_empty_or_missing_scenario_folder_says_where_it_looked() {
    let empty = std::env::temp_dir().join(format!("holdline-cli-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    for folder in [empty.clone(), empty.join("missing")] {
        let out = holdline(&["--scenarios", folder.to_str().unwrap(), "list"], "");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("no playable scenarios in {}", folder.display())),
            "{}",
            stderr(&out)
        );
    }
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn score_takes_a_scenario_id_and_a_reply_from_a_file_or_stdin() {
    let reply = "I'm so sorry Dana, it's at the Eastfield depot and comes Thursday 13 June.";
    let by_text = holdline(
        &[
            "score",
            "late-parcel",
            "--node",
            "explain-status",
            "--text",
            reply,
            "--json",
        ],
        "",
    );
    assert_eq!(by_text.status.code(), Some(0), "{}", stderr(&by_text));
    let file = std::env::temp_dir().join(format!("holdline-cli-reply-{}.txt", std::process::id()));
    std::fs::write(&file, reply).unwrap();
    let by_file = holdline(
        &[
            "score",
            "late-parcel",
            "--node",
            "explain-status",
            "--file",
            file.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    let by_stdin = holdline(
        &["score", "late-parcel", "--node", "explain-status", "--json"],
        reply,
    );
    assert_eq!(stdout(&by_file), stdout(&by_text), "{}", stderr(&by_file));
    assert_eq!(stdout(&by_stdin), stdout(&by_text), "{}", stderr(&by_stdin));
    let _ = std::fs::remove_file(&file);

    let folder = holdline(
        &[
            "score",
            "scenarios/",
            "--node",
            "explain-status",
            "--text",
            reply,
        ],
        "",
    );
    assert_eq!(
        folder.status.code(),
        Some(2),
        "a folder is not one scenario"
    );
    let huge = "a ".repeat(20_000);
    let long = holdline(
        &["score", "late-parcel", "--node", "explain-status", "--json"],
        &huge,
    );
    assert_eq!(long.status.code(), Some(2));
    assert!(stderr(&long).contains("at most 10000"), "{}", stderr(&long));
}

#[test]
fn a_lexicon_or_rules_error_points_at_that_files_own_documentation() {
    let dir = std::env::temp_dir().join(format!("holdline-kind-help-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lexicon = dir.join("lexicon.ron");
    let text = std::fs::read_to_string("assets/scoring/lexicon.ron")
        .unwrap()
        .replacen("version: 2,", "", 1);
    std::fs::write(&lexicon, text).unwrap();
    let out = holdline(&["validate", lexicon.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("docs/scoring-lexicon.md"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("scenario-format"),
        "{}",
        stdout(&out)
    );

    let rules = dir.join("rules.ron");
    let text = std::fs::read_to_string("assets/progress/rules.ron")
        .unwrap()
        .replacen("ShiftSatisfaction(80)", "ShiftSatisfaction(250)", 1)
        .replacen("Level(3)", "Level(4294967295)", 1);
    std::fs::write(&rules, text).unwrap();
    let out = holdline(&["validate", rules.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert_eq!(report.matches("can never be earned").count(), 2, "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_data_folder_that_is_a_file_is_named_as_the_problem() {
    let file = std::env::temp_dir().join(format!("holdline-data-file-{}", std::process::id()));
    std::fs::write(&file, "not a folder").unwrap();
    for args in [&["trainee", "list"][..], &["progress"], &["rescore"]] {
        let out = holdline_in(&file, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let message = stderr(&out);
        assert!(
            message.contains(&format!("data folder {} is a file", file.display())),
            "{args:?}: {message}"
        );
    }
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn calibrate_reports_agreement_with_intervals_and_explains_each_disagreement() {
    let dir = std::env::temp_dir().join(format!("holdline-calibrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let labels = dir.join("labels.ron");
    // The first pair is labelled the right way round, the second the wrong way round, so the
    // scorer agrees with one and disagrees with the other.
    std::fs::write(
        &labels,
        r#"Calibration(
    pairs: [
        Pair(scenario: "late-parcel", node: "explain-status", dimension: Empathy,
            better: "I'm so sorry, Dana, two missed deliveries right before the birthday is really stressful. It is at the Eastfield depot and will arrive Thursday 13 June.",
            worse: "It is at the Eastfield depot and will arrive Thursday 13 June.",
            note: "acknowledges the birthday"),
        Pair(scenario: "late-parcel", node: "explain-status", dimension: Empathy,
            better: "It is at the Eastfield depot and will arrive Thursday 13 June.",
            worse: "I'm so sorry, Dana, two missed deliveries right before the birthday is really stressful. It is at the Eastfield depot and will arrive Thursday 13 June.",
            note: "labelled backwards on purpose"),
    ],
    singles: [
        Single(scenario: "late-parcel", node: "explain-status", reply: "whatever",
            bands: (empathy: Low, accuracy: Low, deescalation: Low), note: "curt"),
    ],
)"#,
    )
    .unwrap();
    let out = holdline(&["calibrate", labels.to_str().unwrap()], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("Empathy        1/2 = 50% (95% CI 9-91%)"),
        "{text}"
    );
    assert!(text.contains("labelled backwards on purpose"), "{text}");
    assert!(text.contains("decided by:"), "{text}");
    assert!(text.contains("weighted kappa"), "{text}");

    let strict = holdline(
        &[
            "calibrate",
            labels.to_str().unwrap(),
            "--min-agreement",
            "90",
        ],
        "",
    );
    assert_eq!(strict.status.code(), Some(1), "below the bar fails");
    let json = holdline(&["calibrate", labels.to_str().unwrap(), "--json"], "");
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["dimensions"][0]["dimension"], "Empathy");
    assert_eq!(report["dimensions"][0]["pairs"]["agreed"], 1);
    assert_eq!(report["dimensions"][0]["pairs"]["of"], 2);

    std::fs::write(&labels, "Calibration(pairs: [Pair(scenario: ]").unwrap();
    let broken = holdline(&["calibrate", labels.to_str().unwrap()], "");
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains("labels.ron:1:"),
        "{}",
        stderr(&broken)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn calibrate_fit_writes_directions_that_score_with_calibrated_and_refuse_another_model() {
    let dir = std::env::temp_dir().join(format!("holdline-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let labels = dir.join("labels.ron");
    // Warm against cold, four times over in different words: enough for a direction to point
    // from the cold replies towards the warm ones.
    let facts = "It is at the Eastfield depot and will arrive Thursday 13 June.";
    let warm = [
        "I'm so sorry, Dana, two missed deliveries right before the birthday is really stressful.",
        "That is awful timing with the party so close, and I completely get why you're upset.",
        "Oh no, what a worry for you with a present on the way.",
        "I can hear how frustrating this has been, and I'm sorry we let you down.",
    ];
    let cold = [
        "Parcels are sometimes delayed.",
        "As per our records the item is in transit.",
        "Delivery attempts were made as scheduled.",
        "This is within the normal delivery window.",
    ];
    let pairs: String = warm
        .iter()
        .zip(&cold)
        .map(|(w, c)| {
            format!(
                "Pair(scenario: \"late-parcel\", node: \"explain-status\", dimension: Empathy, better: \"{w} {facts}\", worse: \"{c} {facts}\"),\n"
            )
        })
        .collect();
    std::fs::write(&labels, format!("Calibration(pairs: [{pairs}])")).unwrap();
    let fitted = dir.join("fitted.ron");
    let out = holdline(
        &[
            "calibrate",
            labels.to_str().unwrap(),
            "--fit",
            fitted.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fitted on 4 empathy, 0 accuracy"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("not a held-out figure") || stderr(&out).contains("never saw"));
    let text = std::fs::read_to_string(&fitted).unwrap();
    assert!(text.starts_with("// Calibrated directions"), "{text}");

    // Scored with it, a warm reply in new words earns the direction's points, explained.
    let reply = format!("What rotten luck before the birthday, I'm really sorry. {facts}");
    let score = holdline(
        &[
            "--calibrated",
            fitted.to_str().unwrap(),
            "score",
            "late-parcel",
            "--node",
            "explain-status",
            "--json",
            "--text",
            &reply,
        ],
        "",
    );
    assert_eq!(score.status.code(), Some(0), "{}", stderr(&score));
    let shown = stdout(&score);
    assert!(shown.contains("semantic.calibrated"), "{shown}");
    assert!(shown.contains("learned from 4 labelled pairs"), "{shown}");

    // The directions file now sits in the labels folder; calibrating the folder skips it.
    let again = holdline(&["calibrate", dir.to_str().unwrap(), "--show", "0"], "");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("over 1 labels file"),
        "{}",
        stdout(&again)
    );

    // Directions fitted in another model's space are refused, saying what to do.
    std::fs::write(
        &fitted,
        text.replace(
            "1ecc680b2d7f9596476c59cb377afa00fbda56f85f2db3eccf9b6a962bde6125",
            "0000",
        ),
    )
    .unwrap();
    let refused = holdline(
        &[
            "--calibrated",
            fitted.to_str().unwrap(),
            "score",
            "late-parcel",
            "--node",
            "explain-status",
            "--text",
            "hi",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("another model"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--fit"), "{}", stderr(&refused));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_json_gives_every_diagnostic_located_for_editors() {
    let out = holdline(
        &[
            "validate",
            "--json",
            "tests/fixtures/broken/out-of-range.ron",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(value["passed"], false);
    assert_eq!(value["files_checked"], 1);
    let diagnostics = value["diagnostics"].as_array().expect("a list");
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        assert!(
            d["file"].as_str().unwrap().ends_with("out-of-range.ron"),
            "{d}"
        );
        assert!(d["line"].as_u64().unwrap() > 0, "{d}");
        assert!(d["col"].as_u64().unwrap() > 0, "{d}");
        assert!(!d["code"].as_str().unwrap().is_empty(), "{d}");
        assert!(
            ["error", "warning"].contains(&d["severity"].as_str().unwrap()),
            "{d}"
        );
    }
    assert_eq!(
        value["errors"].as_u64().unwrap() as usize,
        diagnostics
            .iter()
            .filter(|d| d["severity"] == "error")
            .count()
    );
    let ok = holdline(&["validate", "--json"], "");
    assert_eq!(ok.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(value["passed"], true);
    assert_eq!(
        value["scenarios_ok"].as_array().unwrap().len(),
        shipped_scenario_count()
    );
}

#[test]
fn graph_draws_a_scenario_as_mermaid_or_dot() {
    let out = holdline(&["graph", "late-parcel"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("flowchart TD\n"), "{text}");
    assert!(text.contains("start: opening"));
    assert!(text.contains("typed: score #gt;= 60"));
    assert!(text.contains("customer left"));
    let out = holdline(&["graph", "late-parcel", "--format", "dot"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("digraph \"late-parcel\" {"), "{text}");
    assert!(text.trim_end().ends_with('}'));
    assert!(text.contains("\"explain-status\" -> \"offer-refund\""));
    let missing = holdline(&["graph", "no-such-scenario"], "");
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn new_writes_a_skeleton_that_validates_and_plays_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("holdline-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let folder = dir.to_str().unwrap();
    for (id, channel) in [
        ("on-the-phone", "Phone"),
        ("by-email", "email"),
        ("in-chat", "CHAT"),
        ("a-post", "social"),
    ] {
        let out = holdline(
            &[
                "--scenarios",
                folder,
                "new",
                id,
                "--channel",
                channel,
                "--industry",
                "utilities",
            ],
            "",
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(dir.join("by-email.ron")).unwrap();
    assert!(
        text.contains("channel: Email")
            && text.contains("subject:")
            && text.contains("industry: Utilities")
    );
    assert!(text.contains("// "), "it has guiding comments");
    let checked = holdline(&["validate", "--deny-warnings", folder], "");
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    let played = holdline(
        &["--scenarios", folder, "play", "in-chat"],
        "1\nSorry about this.\n",
    );
    assert_eq!(played.status.code(), Some(0), "{}", stdout(&played));
    std::fs::write(dir.join("in-chat.ron"), "kept").unwrap();
    let again = holdline(&["--scenarios", folder, "new", "in-chat"], "");
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("in-chat.ron")).unwrap(),
        "kept"
    );
    let bad = holdline(&["--scenarios", folder, "new", "Bad Id"], "");
    assert_eq!(bad.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn play_from_a_node_in_a_mood_previews_without_saving() {
    let data = std::env::temp_dir().join(format!("holdline-preview-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let d = data.to_str().unwrap();
    assert_eq!(
        holdline(&["--data-dir", d, "trainee", "add", "Pat"], "")
            .status
            .code(),
        Some(0)
    );
    let out = holdline(
        &[
            "--data-dir",
            d,
            "play",
            "late-parcel",
            "--from",
            "wants-manager",
            "--mood",
            "90,30,5",
        ],
        "2\n",
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Preview from node wants-manager, the customer at anger 90"),
        "{text}"
    );
    assert!(
        text.contains("(irate): Get me a manager."),
        "the line for the mood given: {text}"
    );
    assert!(text.contains("left-chat"), "{text}");
    let attempts = data.join("trainees/pat/attempts");
    assert!(
        !attempts.exists() || std::fs::read_dir(&attempts).unwrap().next().is_none(),
        "a preview is not saved"
    );
    let typo = holdline(&["play", "late-parcel", "--from", "wants-manger"], "");
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean \"wants-manager\""));
    let bad = holdline(
        &[
            "play",
            "late-parcel",
            "--from",
            "opening",
            "--mood",
            "101,0,0",
        ],
        "",
    );
    assert_eq!(bad.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn stats_count_picks_typed_scores_and_missed_facts_over_every_trainee() {
    let data = std::env::temp_dir().join(format!("holdline-stats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let d = data.to_str().unwrap();
    for name in ["Pat", "Lee"] {
        assert_eq!(
            holdline(&["--data-dir", d, "trainee", "add", name], "")
                .status
                .code(),
            Some(0)
        );
    }
    let vague = "1\nThe parcel is at the depot.\n1\n1\n";
    for (trainee, answers) in [("Pat", vague), ("Lee", vague), ("Lee", "3\nok\n2\n2\n")] {
        let out = holdline(
            &["--data-dir", d, "play", "late-parcel", "--trainee", trainee],
            answers,
        );
        assert!(out.status.success(), "{}", stdout(&out));
    }
    let out = holdline(&["--data-dir", d, "stats", "late-parcel", "--json"], "");
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let stats = &value[0];
    assert_eq!(stats["scenario_id"], "late-parcel");
    assert_eq!(stats["attempts"], 3);
    let opening = &stats["nodes"]["opening"];
    assert_eq!(opening["replies"], 3);
    assert_eq!(opening["picks"]["0"][1], 2, "{opening}");
    assert_eq!(opening["picks"]["2"][1], 1, "{opening}");
    let typed = &stats["nodes"]["explain-status"];
    assert_eq!(typed["typed"], 3);
    assert!(typed["typed_mean"].is_array());
    let missed = stats["most_missed_facts"].as_array().unwrap();
    assert!(
        missed
            .iter()
            .any(|m| m[1] == "thursday-priority" && m[2].as_u64().unwrap() >= 2),
        "{missed:?}"
    );
    let text = stdout(&holdline(&["--data-dir", d, "stats"], ""));
    assert!(text.contains("late-parcel: 3 attempts"), "{text}");
    assert_eq!(
        holdline(&["--data-dir", d, "stats", "nope"], "")
            .status
            .code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn validate_lints_model_answers_that_miss_a_fact_or_fall_below_the_best_route() {
    // Written by a trainer from the docs alone; its second model answer misses its own fact.
    // Under the rules alone it also falls below the first route; the semantic layer lifts it
    // over, and `validate` scores model answers as `play` does, so without --rules-only the
    // route lint stays quiet.
    let file = "tests/calibration/dev-2/scenarios/damaged-sofa-delivery.ron";
    let codes_of = |out: &std::process::Output| -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(&stdout(out)).unwrap();
        value["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    let hybrid = codes_of(&holdline(&["validate", "--json", file], ""));
    assert!(
        hybrid.contains(&"model-answer-misses-fact".to_string()),
        "{hybrid:?}"
    );
    assert!(
        !hybrid.contains(&"model-answer-below-route".to_string()),
        "{hybrid:?}"
    );
    let out = holdline(&["--rules-only", "validate", "--json", file], "");
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let codes: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"model-answer-misses-fact"), "{codes:?}");
    assert!(codes.contains(&"model-answer-below-route"), "{codes:?}");
    let located = value["diagnostics"][0].clone();
    assert!(located["line"].as_u64().unwrap() > 0 && located["col"].as_u64().unwrap() > 0);
    // The shipped library's model answers state every fact and take the first route.
    assert_eq!(
        holdline(&["validate", "--deny-warnings"], "").status.code(),
        Some(0)
    );
}

/// The fixture scenario with its first choice offered only to a calm customer, written to a
/// fresh folder with a test file beside it. Returns the folder.
fn mood_gated_fixture(name: &str, tests: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("holdline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid.ron"),
    )
    .unwrap();
    let gated = fixture.replacen(
        "feedback: \"Apology and ownership.\",",
        "feedback: \"Apology and ownership.\",\n                    when: AngerBelow(40),",
        1,
    );
    assert_ne!(gated, fixture);
    std::fs::write(dir.join("valid.ron"), gated).unwrap();
    std::fs::write(dir.join("valid.test.ron"), tests).unwrap();
    dir
}

#[test]
fn a_choice_with_when_is_offered_only_in_that_mood_and_numbers_follow_what_is_shown() {
    let dir = mood_gated_fixture("when", "ScenarioTests(scenario: \"valid\")");
    let file = dir.join("valid.ron");
    let file = file.to_str().unwrap();
    // Anger 50 at the start: the gated apology is hidden, so "1" is the cold reply.
    let out = holdline(&["play", file, "--from", "opening"], "1\n");
    let text = stdout(&out);
    assert!(!text.contains("I'm sorry for the wait"), "{text}");
    assert!(text.contains("1. Refunds take time."), "{text}");
    assert!(text.contains("Sam asks for a manager"), "{text}");
    // A calm customer is offered both, in the authored order.
    let out = holdline(
        &["play", file, "--from", "opening", "--mood", "20,20,40"],
        "1\nYour $20 refund was sent on 4 May.\n",
    );
    let text = stdout(&out);
    assert!(
        text.contains("1. I'm sorry for the wait. Let me check."),
        "{text}"
    );
    assert!(text.contains("2. Refunds take time."), "{text}");
    // A score condition on a choice is refused, and a mood that hides every choice is flagged.
    let broken = std::fs::read_to_string(dir.join("valid.ron"))
        .unwrap()
        .replace("when: AngerBelow(40),", "when: ScoreAtLeast(40),");
    std::fs::write(dir.join("valid.ron"), broken).unwrap();
    let out = holdline(&["validate", file], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: choice 1 is offered on a score"),
        "{text}"
    );
    let both_gated = std::fs::read_to_string(dir.join("valid.ron"))
        .unwrap()
        .replace("when: ScoreAtLeast(40),", "when: AngerBelow(40),")
        .replace(
            "feedback: \"Vague and cold.\",",
            "feedback: \"Vague and cold.\",\n                    when: AngerAtLeast(60),",
        );
    std::fs::write(dir.join("valid.ron"), both_gated).unwrap();
    let out = holdline(&["validate", file], "");
    let text = stdout(&out);
    assert!(
        text.contains("warning: at node \"opening\" a customer at anger 40"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn paths_lists_every_ending_with_its_score_range_and_the_inputs_to_it() {
    let out = holdline(&["paths", "late-parcel", "--rules-only"], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with("late-parcel: 3 of 3 endings reachable"),
        "{text}"
    );
    for ending in [
        "resolved (Resolved)",
        "escalated (Escalated",
        "left-chat (Customer left)",
    ] {
        assert!(text.contains(ending), "{ending}: {text}");
    }
    assert!(text.contains("never passes (the customer left)"), "{text}");
    assert!(text.contains("shortest, 1 reply"), "{text}");
    let out = holdline(&["paths", "late-parcel", "--rules-only", "--json"], "");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let endings = json["endings"].as_array().unwrap();
    assert_eq!(endings.len(), 3);
    for ending in endings {
        let low = ending["lowest"]["outcome"]["overall"].as_u64().unwrap();
        let high = ending["highest"]["outcome"]["overall"].as_u64().unwrap();
        assert!(low <= high);
    }
}

#[test]
fn scenario_tests_report_each_failure_at_its_line_and_exit_1() {
    let tests = r#"ScenarioTests(
    scenario: "valid",
    scripts: [
        Script(
            name: "a calm customer gets the apology and a dated answer",
            inputs: [Pick(2), Type("Sorry Sam, your $20 refund was sent on 4 May.")],
            ending: "escalate",
            passed: false,
        ),
        Script(
            name: "this one is wrong on purpose",
            inputs: [Pick(1)],
            ending: "resolved",
        ),
    ],
    replies: [
        Reply(
            node: "explain",
            text: "I'm sorry for the wait, Sam. Your $20 refund was sent on 4 May, so it is on its way to you.",
            accuracy: (60, 100),
            states: ["date"],
            route: "resolved",
        ),
        Reply(
            node: "explain",
            text: "ok",
            accuracy: (90, 100),
            fires: ["no.such-rule"],
        ),
    ],
)"#;
    let dir = mood_gated_fixture("tests", tests);
    let folder = dir.to_str().unwrap();
    let out = holdline(&["test", "--rules-only", "--scenarios", folder], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // Anger 50: only the cold reply is offered, so Pick(2) does not exist there.
    assert!(text.contains("valid.test.ron:6:22: error: script \"a calm customer gets the apology and a dated answer\": Pick(2) at node \"opening\", where 1 choice is offered"), "{text}");
    assert!(
        text.contains(
            "valid.test.ron:13:13: error: script \"this one is wrong on purpose\" ended at escalate"
        ),
        "{text}"
    );
    assert!(
        text.contains("valid.test.ron:28:13: error: there is no rule \"no.such-rule\""),
        "{text}"
    );
    assert!(
        text.contains(
            "valid.test.ron: 4 tests, 3 failed; nodes 2/2, endings 1/2, rubric facts 1/1 stated"
        ),
        "{text}"
    );
    assert!(
        text.contains("test result: FAILED. 1 passed; 3 failed"),
        "{text}"
    );
    // The shipped library's own tests pass, and every scenario has a test file.
    let out = holdline(&["test", "--deny-untested"], "");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("without a test file"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_drafted_test_file_passes_against_the_scenario_it_was_drafted_from() {
    let dir = mood_gated_fixture("draft", "ScenarioTests(scenario: \"valid\")");
    let file = dir.join("valid.ron");
    let out = holdline(
        &["test", "--rules-only", "--draft", file.to_str().unwrap()],
        "",
    );
    let draft = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{draft}");
    assert!(
        draft.contains("Script(") && draft.contains("Reply("),
        "{draft}"
    );
    std::fs::write(dir.join("valid.test.ron"), &draft).unwrap();
    let out = holdline(
        &[
            "test",
            "--rules-only",
            dir.join("valid.test.ron").to_str().unwrap(),
            "--scenarios",
            dir.to_str().unwrap(),
        ],
        "",
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{draft}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// How many scenarios the library ships: its `.ron` files that are not tests.
pub(crate) fn shipped_scenario_count() -> usize {
    std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".ron") && !n.ends_with(".test.ron"))
        .count()
}

#[test]
fn xapi_export_writes_cmi5_statements_with_stable_ids_and_push_queues_when_the_lrs_is_down() {
    let data = std::env::temp_dir().join(format!("holdline-cli-xapi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let dir = data.to_str().unwrap();
    assert_eq!(
        holdline_in(&data, &["trainee", "add", "Zoë"]).status.code(),
        Some(0)
    );
    let answers =
        "1\nI am so sorry Dana, it is held at the Eastfield depot and comes Thursday 13 June.\n1\n";
    let played = holdline(
        &[
            "--data-dir",
            dir,
            "play",
            "late-parcel",
            "--trainee",
            "Zoë",
            "--seed",
            "3",
        ],
        answers,
    );
    assert_eq!(played.status.code(), Some(0), "{}", stderr(&played));
    let export = |to: &str| {
        let out = holdline_in(&data, &["xapi", "export", to, "--mbox", "zoe@example.com"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let text = export("-");
    let statements: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON statement a line"))
        .collect();
    let verbs: Vec<&str> = statements
        .iter()
        .map(|s| {
            s["verb"]["id"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(verbs.first(), Some(&"initialized"));
    assert_eq!(verbs.last(), Some(&"terminated"));
    assert!(verbs.contains(&"completed"));
    assert!(
        verbs.contains(&"passed") || verbs.contains(&"failed"),
        "{verbs:?}"
    );
    // The verdict carries the attempt's means per dimension and its stars, as the debrief shows.
    let verdict = statements
        .iter()
        .find(|s| {
            let verb = s["verb"]["id"].as_str().unwrap();
            verb.ends_with("/passed") || verb.ends_with("/failed")
        })
        .unwrap();
    let ext = &verdict["result"]["extensions"];
    for dimension in ["empathy", "accuracy", "deescalation", "stars"] {
        let key = format!("https://holdline.local/xapi/extensions/{dimension}");
        assert!(ext[&key].as_u64().is_some_and(|v| v <= 100), "{key}: {ext}");
    }
    assert!(
        ext["https://holdline.local/xapi/extensions/critical"].is_array(),
        "{ext}"
    );
    // Which ending, of which kind, and what kind of practice it was, on every statement.
    assert!(
        ext["https://holdline.local/xapi/extensions/ending"].is_string()
            && ext["https://holdline.local/xapi/extensions/ending-kind"].is_string(),
        "{ext}"
    );
    for s in &statements {
        let practice =
            &s["context"]["extensions"]["https://holdline.local/xapi/extensions/practice"];
        assert_eq!(practice["kind"], "scenario", "{s}");
    }
    let answered: Vec<&serde_json::Value> = statements
        .iter()
        .filter(|s| s["verb"]["id"].as_str().unwrap().ends_with("/answered"))
        .collect();
    assert!(!answered.is_empty());
    for s in &answered {
        let kind = s["object"]["definition"]["interactionType"]
            .as_str()
            .unwrap();
        assert!(kind == "choice" || kind == "long-fill-in", "{kind}");
        if kind == "choice" {
            assert!(
                s["object"]["definition"]["choices"]
                    .as_array()
                    .unwrap()
                    .len()
                    >= 2
            );
        }
        let scaled = s["result"]["score"]["scaled"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&scaled));
        assert!(s["result"]["response"].is_string());
        assert!(
            s["result"]["extensions"]["https://holdline.local/xapi/extensions/missed-facts"]
                .is_array(),
            "{s}"
        );
    }
    for s in &statements {
        assert_eq!(s["actor"]["mbox"], "mailto:zoe@example.com");
        let ts = s["timestamp"].as_str().unwrap();
        assert!(ts.ends_with('Z') && ts.len() == 24, "{ts}");
        assert_eq!(s["id"].as_str().unwrap().len(), 36);
    }
    // Made again, the statements are the same, ids included: an LRS keeps one copy.
    assert_eq!(export("-"), text);
    // Nothing listens on port 9 here: the push fails, says so, and keeps everything queued.
    let out = holdline_in(
        &data,
        &[
            "xapi",
            "push",
            "--endpoint",
            "http://127.0.0.1:9/xAPI",
            "--auth",
            "u:p",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "0 sent, 0 already held by the LRS, {} queued",
            statements.len()
        )),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("nothing is lost"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn xapi_push_takes_its_lrs_from_xapi_ron_and_names_a_broken_one_by_line() {
    let data = std::env::temp_dir().join(format!("holdline-cli-xapi-ron-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    assert_eq!(
        holdline_in(&data, &["trainee", "add", "Sam"]).status.code(),
        Some(0)
    );
    let out = holdline_in(&data, &["xapi", "push"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("xapi.ron"), "{}", stderr(&out));
    std::fs::write(
        data.join("xapi.ron"),
        "XapiConfig(\n    endpoint: \"http://127.0.0.1:9/xAPI\",\n    auth: \"a:b\",\n    colour: 1,\n)\n",
    )
    .unwrap();
    let out = holdline_in(&data, &["xapi", "push"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("xapi.ron:4:"), "{}", stderr(&out));
    // `holdline validate` checks it like the other files, at the same place.
    let file = data.join("xapi.ron");
    let out = holdline(&["validate", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("xapi.ron:4:5: error:"), "{text}");
    // A good file with the LRS down: nothing sent, the statements queued, exit 1.
    let d = data.to_str().unwrap();
    let played = holdline(
        &[
            "--data-dir",
            d,
            "--rules-only",
            "play",
            "late-parcel",
            "--trainee",
            "Sam",
        ],
        "3\nok\n2\n2\n",
    );
    assert!(played.status.success(), "{}", stderr(&played));
    std::fs::write(
        data.join("xapi.ron"),
        "XapiConfig(endpoint: \"http://127.0.0.1:9/xAPI\", auth: \"a:b\")",
    )
    .unwrap();
    let out = holdline(&["validate", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = holdline_in(&data, &["xapi", "push"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 sent, 0 already held by the LRS"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains(" 0 queued"), "{}", stdout(&out));
    let _ = std::fs::remove_dir_all(&data);
}

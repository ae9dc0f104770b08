//! Tests of the progress store on a real folder: trainees, attempts that replay, damaged and
//! too-new files, the two-window lock, format-1 migration, and saves killed mid-write.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::files::backup_path;
use super::*;
use crate::scenario::library::load_paths;
use crate::scoring::{Lexicon, RuleScorer};
use crate::session::{Response, Session};

pub(super) fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("holdline-store-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Plays the shipped late-parcel scenario by always picking the first choice.
pub(super) fn played_session(seed: u64) -> Session {
    let lexicon = Lexicon::builtin();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let report = load_paths(&[scenarios], &lexicon);
    let scenario = report
        .find("late-parcel")
        .expect("shipped")
        .scenario
        .clone();
    let scorer = Arc::new(RuleScorer::new(lexicon));
    let mut session = Session::new(scenario, seed, scorer).unwrap();
    let mut n = 0;
    while let Some(prompt) = session.prompt() {
        let response = match prompt.options {
            crate::session::Options::Choices(_) => Response::Choice(0),
            crate::session::Options::FreeText { .. } => {
                Response::Text("I'm sorry for the wait. Your parcel arrives Thursday.".into())
            }
        };
        session.respond(response, 12_000 + n * 1000).unwrap();
        n += 1;
    }
    session
}

#[test]
fn trainees_are_created_renamed_found_and_deleted() {
    let store = ProgressStore::new(temp_dir("trainees"));
    let sam = store.create("  Sam Ortiz ").unwrap();
    assert_eq!(
        (sam.id.as_str(), sam.name.as_str()),
        ("sam-ortiz", "Sam Ortiz")
    );
    let err = store.create("sam ortiz").unwrap_err();
    assert!(err.to_string().contains("already a trainee"), "{err}");
    assert!(store.create("   ").is_err());
    assert!(store.create(&"x".repeat(41)).is_err());
    let other = store.create("Zoë").unwrap();
    assert_eq!(other.id, "zo");

    let renamed = store.rename(&sam.id, "Samantha").unwrap();
    assert_eq!(renamed.id, "sam-ortiz", "the folder keeps its id");
    assert_eq!(store.find("samantha").unwrap().unwrap().id, "sam-ortiz");
    let (all, notices) = store.trainees().unwrap();
    assert_eq!(
        all.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Samantha", "Zoë"]
    );
    assert!(notices.is_empty(), "{notices:?}");

    store.set_current(&sam.id).unwrap();
    store.delete(&sam.id).unwrap();
    assert!(store.find("Samantha").unwrap().is_none());
    assert_eq!(
        store.current(),
        None,
        "the deleted trainee is no longer current"
    );
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn a_saved_attempt_loads_back_and_replays_to_the_same_scores() {
    let store = ProgressStore::new(temp_dir("replay"));
    let trainee = store.create("Ana").unwrap();
    let session = played_session(42);
    let mut record = AttemptRecord::from_session(&session, 1000, 1300);
    store.save_attempt(&trainee.id, &mut record).unwrap();
    let history = store.history(&trainee.id).unwrap();
    assert_eq!(history.attempts, vec![record.clone()]);

    let replayed = record
        .replay(
            Arc::new(session.scenario().clone()),
            Arc::new(RuleScorer::new(Lexicon::builtin())),
            50,
        )
        .unwrap();
    assert_eq!(replayed.transcript(), record.turns.as_slice());
    assert_eq!(replayed.outcome(), record.outcome.as_ref());
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn a_damaged_profile_is_restored_from_the_last_good_copy_and_kept() {
    let store = ProgressStore::new(temp_dir("restore"));
    let trainee = store.create("Ana").unwrap();
    store.rename(&trainee.id, "Ana B").unwrap();
    let path = store.dir().join("trainees/ana/profile.json");
    assert!(backup_path(&path).exists());
    fs::write(&path, "{\"schema\": 2, \"id\": \"ana\", \"na").unwrap();
    let (restored, notice) = store.trainee("ana").unwrap();
    assert_eq!(restored.name, "Ana", "the copy before the last save");
    let notice = notice.expect("the trainee is told");
    assert!(notice.contains("restored the last good copy"), "{notice}");
    assert!(notice.contains("profile.json:1:"), "{notice}");
    let kept: Vec<_> = fs::read_dir(store.dir().join("trainees/ana/damaged"))
        .unwrap()
        .collect();
    assert_eq!(kept.len(), 1, "the damaged bytes are kept");
    assert_eq!(
        store.trainee("ana").unwrap().1,
        None,
        "and the profile is whole again"
    );
    // Found by hand: a profile damaged before its second save lost its name.
    let new = store.create("Bo").unwrap();
    let path = store.dir().join("trainees/bo/profile.json");
    fs::write(&path, "{\"schema\": 2, \"id\": \"bo").unwrap();
    let (restored, notice) = store.trainee(&new.id).unwrap();
    assert_eq!(restored.name, "Bo", "{notice:?}");
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn damaged_attempts_are_moved_aside_and_newer_ones_left_alone() {
    let store = ProgressStore::new(temp_dir("attempts"));
    let trainee = store.create("Ana").unwrap();
    let mut good = AttemptRecord::from_session(&played_session(1), 5, 9);
    store.save_attempt(&trainee.id, &mut good).unwrap();
    let attempts = store.dir().join("trainees/ana/attempts");
    fs::write(
        attempts.join("000000000010-001.json"),
        "{\"schema\": 2, \"id\"",
    )
    .unwrap();
    fs::write(attempts.join("000000000011-001.json"), "{\"schema\": 3}").unwrap();
    fs::write(attempts.join("000000000012-001.json.tmp-99"), "half").unwrap();
    let history = store.history(&trainee.id).unwrap();
    assert_eq!(history.attempts.len(), 1);
    assert_eq!(history.notices.len(), 2, "{:?}", history.notices);
    assert!(history.notices[0].contains("000000000010-001.json:1:"));
    assert!(history.notices[1].contains("newer holdline"));
    assert!(
        attempts.join("000000000011-001.json").exists(),
        "left for a newer holdline"
    );
    // The lock holder clears temporary files: they hold nothing reported saved.
    let _lock = store.lock(&trainee.id).unwrap();
    assert!(!attempts.join("000000000012-001.json.tmp-99").exists());
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn a_second_window_cannot_take_the_same_trainee() {
    let store = ProgressStore::new(temp_dir("lock"));
    let trainee = store.create("Ana").unwrap();
    let first = store.lock(&trainee.id).unwrap();
    let err = store.lock(&trainee.id).unwrap_err();
    assert!(matches!(err, ProgressError::InUse { .. }), "{err}");
    assert!(err.to_string().contains("another holdline window"), "{err}");
    assert!(
        store.delete(&trainee.id).is_err(),
        "nor delete it while open"
    );
    drop(first);
    store.lock(&trainee.id).unwrap();
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn a_format_1_profile_is_migrated_once_and_kept() {
    let store = ProgressStore::new(temp_dir("legacy"));
    fs::create_dir_all(store.dir()).unwrap();
    fs::write(
        store.dir().join("profile.json"),
        r#"{"format": 1, "name": "Sam", "best_stars": {"late-parcel": 2},
            "attempts": [{"scenario_id": "late-parcel", "seed": 3, "ending_id": "resolved",
                          "overall": 74, "stars": 2, "passed": true, "finished_at": 1700000000}]}"#,
    )
    .unwrap();
    let (trainees, notices) = store.trainees().unwrap();
    assert_eq!(trainees.len(), 1);
    assert!(notices[0].contains("1 attempts for Sam"), "{notices:?}");
    assert!(store.dir().join("profile.json.format-1").exists());
    assert_eq!(store.current().as_deref(), Some("sam"));
    let history = store.history("sam").unwrap();
    assert_eq!(history.attempts.len(), 1);
    assert!(history.attempts[0].legacy);
    let rules = ProgressRules::builtin();
    let standing = standing(&rules, &history.attempts, 0);
    assert_eq!(standing.stars.get("late-parcel"), Some(&2));
    let (again, notices) = store.trainees().unwrap();
    assert_eq!((again.len(), notices.len()), (1, 0), "migrated once");
    fs::remove_dir_all(store.dir()).unwrap();
}

const CHILD_DIR: &str = "HOLDLINE_SAVE_CHILD_DIR";

/// Run only as the child of the kill test: saves attempts (and renames the trainee now and
/// then, rewriting the profile) until killed, printing each attempt id once its save returned.
#[test]
#[ignore = "a helper process for saves_killed_mid_write_lose_nothing_reported_saved"]
fn save_until_killed_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let template: AttemptRecord =
        serde_json::from_slice(&fs::read(dir.join("template.json")).unwrap()).unwrap();
    let store = ProgressStore::new(dir);
    let _lock = store.lock("ana").unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for i in 0u64.. {
        let mut record = template.clone();
        record.seed = i;
        record.finished_at = 1_700_000_000 + i;
        store.save_attempt("ana", &mut record).unwrap();
        writeln!(out, "saved {}", record.id).unwrap();
        out.flush().unwrap();
        if i % 3 == 0 {
            store.rename("ana", &format!("Ana {i}")).unwrap();
        }
    }
}

/// Kills a saving child process 220 times or more at random moments (seeded), and after each kill
/// checks that the profile reads cleanly; every attempt the child reported saved is checked
/// at the end and every 50 kills.
#[test]
fn saves_killed_mid_write_lose_nothing_reported_saved() {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::{Rng, SeedableRng};
    use std::sync::mpsc;
    use std::time::Duration;

    let store = ProgressStore::new(temp_dir("killed"));
    store.create("Ana").unwrap();
    let mut template = AttemptRecord::from_session(&played_session(7), 1, 2);
    template.turns.truncate(1);
    fs::write(
        store.dir().join("template.json"),
        serde_json::to_vec(&template).unwrap(),
    )
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut reported: Vec<String> = Vec::new();
    let mut kills = 0;
    let mut mid_write = 0u32;
    let check_all = |reported: &[String]| {
        let history = store.history("ana").unwrap();
        assert!(history.notices.is_empty(), "{:?}", history.notices);
        let saved: std::collections::BTreeSet<&str> =
            history.attempts.iter().map(|a| a.id.as_str()).collect();
        for id in reported {
            assert!(
                saved.contains(id.as_str()),
                "attempt {id} was reported saved but is gone"
            );
        }
    };
    // 220 kills at least; on a loaded machine a child saves less often before its kill, so the
    // rounds go on (up to 880) until the test has seen enough saves and mid-write kills to bite.
    for round in 0..880 {
        if round >= 220 && reported.len() >= 100 && mid_write >= 20 {
            break;
        }
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "progress::store_tests::save_until_killed_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, store.dir())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, heard) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        // Kill only once the child is saving, at a random moment within its next few saves.
        // The test harness prints its own text first, on the same line ("test … ... ready").
        let ready = std::iter::from_fn(|| heard.recv_timeout(Duration::from_secs(20)).ok())
            .take(10)
            .any(|line| line.ends_with("ready"));
        assert!(ready, "the child started");
        std::thread::sleep(Duration::from_micros(rng.next_u64() % 4_000));
        if child.kill().is_ok() {
            kills += 1;
        }
        let _ = child.wait();
        // A temporary file left behind means this kill landed in the middle of a save.
        let dir = store.dir().join("trainees/ana");
        let interrupted = [dir.clone(), dir.join("attempts")].iter().any(|folder| {
            fs::read_dir(folder)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| super::files::is_temporary(&e.file_name().to_string_lossy()))
        });
        mid_write += u32::from(interrupted);
        reader.join().unwrap();
        reported.extend(
            heard
                .try_iter()
                .filter_map(|l| l.strip_prefix("saved ").map(str::to_string)),
        );
        let (trainee, notice) = store.trainee("ana").unwrap();
        assert!(trainee.name.starts_with("Ana"));
        assert_eq!(notice, None, "the profile is never damaged by a kill");
        if round % 50 == 49 {
            check_all(&reported);
        }
    }
    check_all(&reported);
    assert!(kills >= 200, "only {kills} kills landed");
    assert!(
        reported.len() >= 100,
        "only {} saves between kills",
        reported.len()
    );
    // How often a kill interrupted a write: the figure that says the test bites.
    println!(
        "{kills} kills, {mid_write} mid-write, {} saves reported",
        reported.len()
    );
    assert!(mid_write >= 20, "only {mid_write} kills landed mid-write");
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn one_unreadable_trainee_is_named_and_left_out_without_hiding_the_others() {
    let store = ProgressStore::new(temp_dir("one-bad-trainee"));
    store.create("Ana").unwrap();
    store.create("Ben").unwrap();
    store.create("Cy").unwrap();
    // Ben's profile is from a newer holdline; Cy's profile.json is a folder, and a FIFO-like
    // oddity must not block either.
    fs::write(
        store.dir().join("trainees/ben/profile.json"),
        r#"{"schema": 99, "id": "ben", "name": "Ben", "created_at": 1}"#,
    )
    .unwrap();
    let cy = store.dir().join("trainees/cy/profile.json");
    fs::remove_file(&cy).unwrap();
    fs::create_dir_all(&cy).unwrap();
    let (trainees, notices) = store.trainees().unwrap();
    let names: Vec<&str> = trainees.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Ana", "Cy"], "{notices:?}");
    assert!(
        notices
            .iter()
            .any(|n| n.contains("schema 99") && n.contains("left out")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|n| n.contains("restored the last good copy")),
        "{notices:?}"
    );
    assert!(store.create("Dee").is_ok(), "adding still works");
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn a_lock_or_a_delete_never_leaves_a_folder_listed_as_a_nameless_trainee() {
    let store = ProgressStore::new(temp_dir("no-empty-folders"));
    assert!(matches!(
        store.lock("ghost"),
        Err(ProgressError::NoSuchTrainee(_))
    ));
    store.create("Ana").unwrap();
    store.delete("ana").unwrap();
    let (trainees, notices) = store.trainees().unwrap();
    assert!(
        trainees.is_empty() && notices.is_empty(),
        "{trainees:?} {notices:?}"
    );
    assert!(
        fs::read_dir(store.dir().join("trainees"))
            .unwrap()
            .next()
            .is_none(),
        "nothing is left behind"
    );
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn names_that_look_alike_are_one_trainee_and_invisible_ones_are_refused() {
    let store = ProgressStore::new(temp_dir("look-alike-names"));
    let jose = store.create("Jose\u{301}").unwrap();
    assert_eq!(jose.name, "Jos\u{e9}", "stored precomposed (NFC)");
    assert!(matches!(
        store.create("Jos\u{e9}"),
        Err(ProgressError::BadName(_))
    ));
    store.create("Alice").unwrap();
    let fullwidth = store.create("\u{ff21}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}");
    assert!(
        matches!(&fullwidth, Err(ProgressError::BadName(m)) if m.contains("Alice")),
        "{fullwidth:?}"
    );
    for invisible in ["\u{200B}", "Sam\u{202E}htims"] {
        assert!(matches!(
            store.create(invisible),
            Err(ProgressError::BadName(_))
        ));
    }
    assert_eq!(
        store.find("jos\u{e9}").unwrap().map(|t| t.id),
        Some(jose.id)
    );
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn a_format_1_profile_with_a_blank_or_overlong_name_still_converts() {
    for (old_name, expected) in [
        ("", "Trainee"),
        (
            &*"Alexandria ".repeat(6),
            "Alexandria Alexandria Alexandria Alexand",
        ),
    ] {
        let store = ProgressStore::new(temp_dir("legacy-odd-name"));
        fs::create_dir_all(store.dir()).unwrap();
        fs::write(
            store.dir().join("profile.json"),
            format!(r#"{{"format": 1, "name": "{old_name}", "attempts": []}}"#),
        )
        .unwrap();
        let (trainees, _) = store.trainees().unwrap();
        let names: Vec<&str> = trainees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, [expected]);
        fs::remove_dir_all(store.dir()).unwrap();
    }
}

#[test]
fn an_attempt_that_cannot_be_moved_aside_or_is_a_pipe_hides_none_of_the_others() {
    let store = ProgressStore::new(temp_dir("attempts-stuck"));
    let trainee = store.create("Ana").unwrap();
    let mut good = AttemptRecord::from_session(&played_session(1), 5, 9);
    store.save_attempt(&trainee.id, &mut good).unwrap();
    let dir = store.dir().join("trainees/ana");
    // `damaged` is taken by a file, so nothing can be moved there.
    fs::write(dir.join("damaged"), "not a folder").unwrap();
    fs::write(
        dir.join("attempts/000000000010-001.json"),
        "{\"schema\": 2, \"id\"",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/dev/zero", dir.join("attempts/000000000011-001.json")).unwrap();
    let history = store.history(&trainee.id).unwrap();
    assert_eq!(history.attempts.len(), 1, "{:?}", history.notices);
    assert!(
        history
            .notices
            .iter()
            .any(|n| n.contains("could not be moved aside")),
        "{:?}",
        history.notices
    );
    fs::remove_dir_all(store.dir()).unwrap();
}

/// The saving policy the app and the terminal player share: with the trainee's lock an attempt
/// is saved; while another window holds it the attempt is kept in memory under an `unsaved-`
/// id, with a notice, and nothing is written.
#[test]
fn an_open_trainee_saves_only_under_its_lock_and_says_so_otherwise() {
    use super::{OpenTrainee, ProgressRules, UNSAVED_PREFIX};
    let store = ProgressStore::new(temp_dir("open-trainee"));
    let trainee = store.create("Ana").unwrap();

    let other_window = store.lock(&trainee.id).unwrap();
    let mut blocked = OpenTrainee::new(store.clone(), ProgressRules::builtin());
    blocked.open(trainee.clone());
    assert!(!blocked.holds_lock());
    let id = blocked.record(&played_session(3), 10).unwrap();
    assert!(id.starts_with(UNSAVED_PREFIX), "{id}");
    assert!(
        blocked
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("not saved"),
        "{:?}",
        blocked.notice
    );
    assert!(store.history(&trainee.id).unwrap().attempts.is_empty());
    drop(blocked);
    drop(other_window);

    let mut open = OpenTrainee::new(store.clone(), ProgressRules::builtin());
    open.open(trainee.clone());
    assert!(open.holds_lock());
    let id = open.record(&played_session(4), 10).unwrap();
    assert!(!id.starts_with(UNSAVED_PREFIX), "{id}");
    let saved = store.history(&trainee.id).unwrap().attempts;
    assert_eq!(
        saved.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );
    assert_eq!(store.current().as_deref(), Some(trainee.id.as_str()));
    fs::remove_dir_all(store.dir()).unwrap();
}

#[test]
fn each_lrs_has_its_own_xapi_ledger() {
    let store = ProgressStore::new("/nonexistent/holdline-ledgers");
    let test_lrs = store.xapi_ledger("ana", "127.0.0.1:8100/xAPI/statements");
    let production = store.xapi_ledger("ana", "lrs.example:80/xAPI/statements");
    assert_ne!(test_lrs, production);
    assert_eq!(
        test_lrs,
        store.xapi_ledger("ana", "127.0.0.1:8100/xAPI/statements")
    );
    assert!(test_lrs.starts_with("/nonexistent/holdline-ledgers"));
}

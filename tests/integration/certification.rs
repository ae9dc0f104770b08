//! Certification from the command line, as a trainer and candidates use it: lock a pack, see a
//! changed scenario break the lock, sit it (passed; stopped part-way; out of sittings), and
//! verify the certificate, untouched and tampered with.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::cli::{holdline, stderr, stdout};

const LATE_PARCEL_ANSWER: &str = "I'm sorry, Dana — I can see why you're fed up. Your parcel is being held at our Eastfield depot after a failed scan. I've asked for it to go on the priority van, so it will arrive this Thursday, 13 June, before 6 pm — in time for Saturday.";
const SEAT_ANSWER: &str = "That sounds tough, Tomás, and I'd want to stretch it too. You have two good options. Seat 21C is an aisle seat in Main Cabin Extra with 36 inches of pitch, 5 more than now, for $189 for this flight. Or I can move you at no charge to aisle seat 38C: standard legroom, but the aisle is on your right, so you can stretch that leg out when the aisle is clear. Would you like either of those?";

/// A programme folder: two shipped scenarios and a curriculum whose certification takes both.
fn programme(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("holdline-cert-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(root.join("scenarios")).unwrap();
    fs::create_dir_all(root.join("curricula")).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for id in ["late-parcel", "seat-upgrade-upsell"] {
        fs::copy(
            shipped.join(format!("{id}.ron")),
            root.join("scenarios").join(format!("{id}.ron")),
        )
        .unwrap();
    }
    fs::write(
        root.join("curricula/core.ron"),
        r#"Curriculum(
    id: "core",
    title: "Core",
    tracks: [
        Track(id: "w1", title: "Week 1", modules: [
            Module(id: "first-chat", task: Scenario("late-parcel")),
        ]),
    ],
    certification: (
        id: "core-cert",
        title: "Certified: the core",
        calls: [
            (scenario: "late-parcel", seed: 1),
            (scenario: "seat-upgrade-upsell", seed: 1),
        ],
        pass: (empathy: 40, accuracy: 40, deescalation: 40),
        max_attempts: 2,
    ),
)
"#,
    )
    .unwrap();
    root
}

/// `holdline` run on `root`'s library, curricula and data folder, scoring by the rules alone
/// (the pack then says so), with `stdin` piped.
fn run(root: &Path, args: &[&str], stdin: &str) -> Output {
    let scenarios = root.join("scenarios");
    let data = root.join("data");
    let mut all = vec![
        "--scenarios",
        scenarios.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--rules-only",
    ];
    all.extend_from_slice(args);
    holdline(&all, stdin)
}

fn lock(root: &Path) -> String {
    let out = run(root, &["certificate", "pack", "core", "--json"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["matches_lock"], false);
    let parts: Vec<&str> = json["pack"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        parts,
        [
            "scenario late-parcel",
            "scenario seat-upgrade-upsell",
            "lexicon",
            "exemplar banks",
            "calibrated directions",
            "model weights",
            "model tokenizer"
        ]
    );
    // Scored by the rules alone, the model is not part of the pack.
    assert_eq!(json["pack"]["parts"][5]["sha256"], "none");
    let hash = json["pack"]["sha256"].as_str().unwrap().to_string();
    let file = root.join("curricula/core.ron");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace(
            "max_attempts: 2,\n    ),",
            &format!("max_attempts: 2,\n        pack: \"{hash}\",\n    ),"),
        ),
    )
    .unwrap();
    hash
}

#[test]
fn a_trainer_locks_the_pack_and_a_changed_scenario_breaks_the_lock_where_it_is() {
    let root = programme("lock");
    let validate = |root: &Path| {
        run(
            root,
            &[
                "validate",
                root.join("scenarios").to_str().unwrap(),
                root.join("curricula").to_str().unwrap(),
            ],
            "",
        )
    };
    let before = validate(&root);
    assert!(
        stdout(&before).contains("warning: certification \"core-cert\" is not locked to a pack"),
        "{}",
        stdout(&before)
    );
    run(&root, &["trainee", "add", "Sam"], "");
    let unlocked = run(&root, &["certify", "core"], "");
    assert_eq!(unlocked.status.code(), Some(1));
    assert!(stderr(&unlocked).contains("not locked to a pack yet"));

    lock(&root);
    let locked = validate(&root);
    assert_eq!(locked.status.code(), Some(0), "{}", stdout(&locked));
    assert!(
        !stdout(&locked).contains("core-cert"),
        "{}",
        stdout(&locked)
    );

    // A trainer edits a scenario the certification uses: validate says so at the pack line.
    let scenario = root.join("scenarios/seat-upgrade-upsell.ron");
    let original = fs::read_to_string(&scenario).unwrap();
    fs::write(&scenario, original.replacen("$189", "$179", 1)).unwrap();
    let changed = validate(&root);
    let text = stdout(&changed);
    assert_eq!(changed.status.code(), Some(1), "{text}");
    let line = fs::read_to_string(root.join("curricula/core.ron"))
        .unwrap()
        .lines()
        .position(|l| l.contains("pack:"))
        .unwrap()
        + 1;
    assert!(
        text.contains(&format!(
            "core.ron:{line}:9: error: certification \"core-cert\" is locked to pack"
        )),
        "{text}"
    );
    assert!(
        text.contains("`holdline certificate pack` lists each part"),
        "{text}"
    );
    let refused = run(&root, &["certify", "core"], "");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("differ from the locked ones"),
        "{}",
        stderr(&refused)
    );
    let pack = run(&root, &["certificate", "pack", "core"], "");
    assert!(
        stdout(&pack).contains("Locked to another pack"),
        "{}",
        stdout(&pack)
    );
    // Windows line endings in a checkout are the same pack.
    fs::write(&scenario, original.replace('\n', "\r\n")).unwrap();
    assert_eq!(validate(&root).status.code(), Some(0));
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn a_candidate_sits_it_and_anyone_verifies_the_certificate_offline() {
    let root = programme("sit");
    lock(&root);
    let added = run(&root, &["trainee", "add", "Zoë Nguyễn"], "");
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let out_dir = root.join("out");
    let answers = format!("1\n{LATE_PARCEL_ANSWER}\n1\n1\n{SEAT_ANSWER}\n1\n1\n");
    let sat = run(
        &root,
        &["certify", "core", "--out", out_dir.to_str().unwrap()],
        &answers,
    );
    let text = stdout(&sat);
    assert_eq!(sat.status.code(), Some(0), "{text}\n{}", stderr(&sat));
    assert!(text.contains("Sitting 1 of 2 for Zoë Nguyễn"), "{text}");
    assert!(text.contains("##### Call 2 of 2 #####"), "{text}");
    // No scores during the calls: the first score line is the result's.
    let result_at = text
        .find("=== Certified: the core: PASSED ===")
        .expect(&text);
    assert!(!text[..result_at].contains("Empathy "), "{text}");
    assert!(!text[..result_at].contains("hint:"), "{text}");

    let json = out_dir.join("zo-nguy-n-core-cert-1.certificate.json");
    let json = if json.exists() {
        json
    } else {
        fs::read_dir(&out_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(".certificate.json"))
            .expect("certificate JSON written to --out")
    };
    let html = PathBuf::from(json.to_string_lossy().replace(".json", ".html"));
    for file in [&json, &html] {
        let verified = run(
            &root,
            &["certificate", "verify", file.to_str().unwrap()],
            "",
        );
        let said = stdout(&verified);
        assert_eq!(verified.status.code(), Some(0), "{said}");
        assert!(said.contains("verified"), "{said}");
        assert!(
            said.contains("Zoë Nguyễn PASSED \"Certified: the core\""),
            "{said}"
        );
        assert!(said.contains("The pack here is the same."), "{said}");
    }
    let certificate: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(certificate["trainee"]["name"], "Zoë Nguyễn");
    assert_eq!(certificate["calls"][1]["seed"], 1);
    assert_eq!(certificate["calls"].as_array().unwrap().len(), 2);

    // Tampered with: a higher score in the data, a different name on the printed page.
    let data = fs::read_to_string(&json).unwrap();
    let raised = root.join("raised.certificate.json");
    fs::write(
        &raised,
        data.replacen("\"passed\": true", "\"passed\": false", 1),
    )
    .unwrap();
    let caught = run(
        &root,
        &["certificate", "verify", raised.to_str().unwrap()],
        "",
    );
    assert_eq!(caught.status.code(), Some(1));
    assert!(
        stdout(&caught).contains("NOT VERIFIED: this certificate was altered"),
        "{}",
        stdout(&caught)
    );
    let page = fs::read_to_string(&html).unwrap();
    let renamed = root.join("renamed.certificate.html");
    fs::write(
        &renamed,
        page.replacen(
            "<div class=\"name\">Zoë Nguyễn",
            "<div class=\"name\">Someone Else",
            1,
        ),
    )
    .unwrap();
    let caught = run(
        &root,
        &["certificate", "verify", renamed.to_str().unwrap()],
        "",
    );
    assert_eq!(caught.status.code(), Some(1));
    assert!(
        stdout(&caught).contains("the printed page was edited"),
        "{}",
        stdout(&caught)
    );

    // The printed page as a browser reads it: the name as text, and the one script element is
    // the certificate's data, which a browser does not run.
    if let Some(browser) = crate::cohort_report::chromium() {
        let dom = crate::cohort_report::headless(browser, &["--dump-dom"], &html);
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(dom.contains("Zoë Nguyễn"), "{dom}");
        assert!(
            dom.contains("PASSED") && dom.contains("Mean over the calls"),
            "{dom}"
        );
        assert_eq!(dom.matches("<script").count(), 1, "{dom}");
        assert!(dom.contains("<script type=\"application/json\" id=\"holdline-certificate\">"));
    }

    // The result goes to the programme's LRS with the trainee's attempts: one `passed` on the
    // certification, with the pack and the certificate it refers to.
    let statements = root.join("statements.jsonl");
    let exported = run(&root, &["xapi", "export", statements.to_str().unwrap()], "");
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let lines = fs::read_to_string(&statements).unwrap();
    let certified: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|s| {
            s["object"]["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("/certifications/core-cert"))
        })
        .collect();
    assert_eq!(certified.len(), 1, "{lines}");
    assert_eq!(certified[0]["verb"]["display"]["en-US"], "passed");
    assert_eq!(certified[0]["result"]["success"], true);
    assert_eq!(
        certified[0]["result"]["extensions"]["https://holdline.local/xapi/extensions/certificate"],
        certificate
    );
    assert_eq!(
        certified[0]["result"]["extensions"]["https://holdline.local/xapi/extensions/pack"],
        certificate["pack"]["sha256"]
    );

    // The trainer's cohort report, from the trainee's export file, shows the certification.
    let gathered = root.join("gathered");
    let export = run(&root, &["export", "--out", gathered.to_str().unwrap()], "");
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let curricula = root.join("curricula");
    let csv = root.join("cohort.csv");
    let report = run(
        &root,
        &[
            "--curricula",
            curricula.to_str().unwrap(),
            "report",
            "--cohort",
            gathered.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let line = &json["trainees"][0]["certifications"][0];
    assert_eq!(line["state"], "passed", "{line}");
    assert_eq!(line["certification"], "core-cert");
    let rows = fs::read_to_string(&csv).unwrap();
    assert!(
        rows.lines()
            .any(|r| r.contains("Certification: Certified: the core,passed,1,")),
        "{rows}"
    );

    // Passed once is passed: no second sitting, and progress says so.
    let again = run(&root, &["certify", "core"], &answers);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("has already passed"),
        "{}",
        stderr(&again)
    );
    let progress = run(&root, &["progress"], "");
    assert!(
        stdout(&progress).contains("Certification: Certified: the core: passed in sitting 1 on "),
        "{}",
        stdout(&progress)
    );
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn a_sitting_stopped_part_way_fails_counts_and_the_limit_holds() {
    let root = programme("limit");
    lock(&root);
    run(&root, &["trainee", "add", "Sam"], "");
    // The answers stop in the middle of the first call.
    let stopped = run(&root, &["certify", "core"], "1\n");
    let text = stdout(&stopped);
    assert_eq!(stopped.status.code(), Some(1), "{text}");
    assert!(text.contains("NOT PASSED"), "{text}");
    assert!(
        text.contains("call 1 (") && text.contains("was not finished"),
        "{text}"
    );
    assert!(text.contains("call 2 ("), "{text}");
    // Nothing typed at all: the sitting still counts.
    let silent = run(&root, &["certify", "core"], "");
    assert_eq!(silent.status.code(), Some(1));
    let out_of_sittings = run(&root, &["certify", "core"], "");
    assert_eq!(out_of_sittings.status.code(), Some(1));
    assert!(
        stderr(&out_of_sittings).contains("has used all 2 sittings"),
        "{}",
        stderr(&out_of_sittings)
    );
    let progress = run(&root, &["progress", "--json"], "");
    let json: serde_json::Value = serde_json::from_slice(&progress.stdout).unwrap();
    assert_eq!(json["certifications"][0]["state"], "failed");
    assert_eq!(json["certifications"][0]["sittings_used"], 2);
    let _ = fs::remove_dir_all(&root);
}

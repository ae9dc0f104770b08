//! `holdline export` and `holdline report --cohort`: trainees at two sites export their
//! progress, a trainer gathers the files and builds the report; the HTML is opened in headless
//! Chromium, the CSV read as a spreadsheet would.

use std::path::Path;
use std::process::Command;

use super::cli::{holdline, holdline_in, stderr, stdout};

/// Headless Chromium, if installed. CI sets `HOLDLINE_REQUIRE_CHROMIUM=1` so that a missing
/// browser fails there instead of skipping the check.
pub(crate) fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() && std::env::var_os("HOLDLINE_REQUIRE_CHROMIUM").is_some() {
        panic!("HOLDLINE_REQUIRE_CHROMIUM is set but no chromium is installed");
    }
    found
}

/// A fresh folder in the system's temporary folder, for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("holdline-cohort-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn headless(browser: &str, args: &[&str], page: &Path) -> std::process::Output {
    let profile = page.with_extension("chromium-profile");
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

fn play(data: &Path, trainee: &str, answers: &str) {
    let data = data.to_str().unwrap();
    let args = [
        "--data-dir",
        data,
        "--rules-only",
        "play",
        "late-parcel",
        "--trainee",
        trainee,
    ];
    let out = holdline(&args, answers);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_cohort_exported_at_two_sites_reports_as_html_csv_and_json() {
    let root = scratch("two-sites");
    let site_a = root.join("site-a");
    let site_b = root.join("site-b");
    let cohort = root.join("cohort");
    let hostile = "<script>alert(1)</script>";
    let formula = "=HYPERLINK(\"http://x\")";
    let good = "1\nI'm so sorry Dana, it's held at our Eastfield depot and I've booked the priority van for Thursday 13 June.\n1\n1\n";
    let weak = "3\nok\n2\n2\n";
    for (site, names) in [
        (&site_a, ["Zoë Nguyễn", hostile]),
        (&site_b, [formula, "Łukasz \"Luke\" Nowak, Jr."]),
    ] {
        for name in names {
            let out = holdline_in(site, &["trainee", "add", name]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        play(site, names[0], good);
        play(site, names[1], weak);
    }
    let a = cohort.join("site-a");
    let out = holdline_in(&site_a, &["export", "--all", "--out", a.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Zoë Nguyễn (1 attempt)"),
        "{}",
        stdout(&out)
    );
    let b = cohort.join("site-b").join("week-1");
    let out = holdline_in(&site_b, &["export", "--all", "--out", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A second copy of one trainee's export (gathered twice) counts once.
    let copy = cohort.join("usb-stick");
    let out = holdline_in(
        &site_a,
        &[
            "export",
            "--trainee",
            "Zoë Nguyễn",
            "--out",
            copy.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // And a damaged file is named, not fatal.
    std::fs::write(
        cohort.join("broken.holdline-export.json"),
        "{\"format\": \"holdline-trainee-export\", \"attempts\": [",
    )
    .unwrap();

    let html = root.join("report.html");
    let csv = root.join("report.csv");
    let out = holdline_in(
        &site_a,
        &[
            "report",
            "--cohort",
            cohort.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let notes = stderr(&out);
    assert!(
        notes.contains("broken.holdline-export.json: is damaged at line"),
        "{notes}"
    );
    assert!(notes.contains("another export of trainee"), "{notes}");

    let json = holdline_in(
        &site_a,
        &["report", "--cohort", cohort.to_str().unwrap(), "--json"],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let trainees = report["trainees"].as_array().unwrap();
    assert_eq!(trainees.len(), 4, "the copy counts once: {trainees:?}");
    assert_eq!(report["files_used"], 4);
    let modules = trainees[0]["curricula"][0]["modules"]
        .as_array()
        .unwrap()
        .len();
    assert!(modules >= 5);
    let zoe = trainees.iter().find(|t| t["name"] == "Zoë Nguyễn").unwrap();
    assert_eq!(zoe["attempts"], 1);
    assert_eq!(
        zoe["curricula"][0]["modules"][0]["state"]["state"],
        "passed"
    );
    let late = &report["scenarios"]["late-parcel"];
    assert_eq!(late["attempts"], 4);

    // The CSV: one row per trainee and module, and one for the curriculum's certification,
    // names intact, formulas defused.
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(rows[0].starts_with("trainee_id,trainee_name,curriculum,track,module"));
    assert_eq!(rows.len(), 1 + 4 * (modules + 1), "{text}");
    assert!(
        rows.iter()
            .filter(|r| r.contains(",Certification,new-hire-cert,"))
            .count()
            == 4,
        "{text}"
    );
    // Read as a spreadsheet reads it: every row has every column, and the name with a comma
    // and quotes comes back whole.
    let table = parse_csv(text.trim_start_matches('\u{feff}'));
    assert!(
        table.iter().all(|row| row.len() == table[0].len()),
        "{table:?}"
    );
    assert!(
        table
            .iter()
            .any(|row| row[1] == "Łukasz \"Luke\" Nowak, Jr."),
        "{table:?}"
    );
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{text}"
    );
    assert!(text.contains(",Zoë Nguyễn,new-hire-core,Week 1: first conversations,first-chat,Pass late-parcel,passed,1,1,2,no,"), "{text}");

    // The HTML: trainee text escaped, every section there.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains(hostile));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Each section with its content, not only its heading: the heat-map row, a pick share, a
    // missed fact, a module cell and the damaged file.
    for content in [
        "Curriculum: New hire",
        "title=\"first-chat: Pass late-parcel (passed on day 1 after 1 attempt(s))\"",
        ">late-parcel</text>",
        "% (2)</td>",
        "<td>thursday-priority</td>",
        "broken.holdline-export.json: is damaged at line 1",
    ] {
        assert!(page.contains(content), "{content} missing from the page");
    }

    let Some(browser) = chromium() else {
        eprintln!("note: chromium is not installed; the report was not opened in a browser");
        return;
    };
    // The browser's own reading of the page: no script element came from a trainee's name, and
    // the names render as text.
    let dom = headless(browser, &["--dump-dom"], &html);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("Zoë Nguyễn") && dom.contains("Łukasz"),
        "{dom}"
    );
    assert!(
        !dom.to_lowercase().contains("<script"),
        "a trainee's name became markup"
    );
    assert_eq!(
        dom.matches("<svg").count(),
        2,
        "the heat map and the trend chart"
    );
    // A screenshot of the report against one of an empty page, taken the same way: a page that
    // failed to render is as small as the empty one.
    let shot = root.join("report.png");
    let blank_page = root.join("blank.html");
    std::fs::write(&blank_page, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let blank = root.join("blank.png");
    for (page, png) in [(&html, &shot), (&blank_page, &blank)] {
        let out = headless(
            browser,
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1280,2000",
            ],
            page,
        );
        assert!(
            png.exists(),
            "no screenshot: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let bytes = std::fs::read(&shot).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1280, 2000));
    let blank_len = std::fs::metadata(&blank).unwrap().len();
    assert!(
        bytes.len() as u64 > 8 * blank_len,
        "the report's screenshot ({} bytes) is hardly more than an empty page's ({blank_len})",
        bytes.len()
    );
    if let Some(dir) = std::env::var_os("HOLDLINE_KEEP_REPORT") {
        let _ = std::fs::copy(&shot, Path::new(&dir).join("cohort-report.png"));
        let _ = std::fs::copy(&html, Path::new(&dir).join("cohort-report.html"));
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// RFC 4180 CSV: fields split at commas outside quotes, `""` inside quotes a quote, rows at
/// CRLF outside quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn report_and_export_refuse_what_they_cannot_use_with_what_to_do() {
    let root = scratch("refusals");
    let data = root.join("data");
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = holdline_in(&data, &["report", "--cohort", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no trainee exports found"),
        "{}",
        stderr(&out)
    );
    let missing = root.join("nope");
    let out = holdline_in(&data, &["report", "--cohort", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a folder"), "{}", stderr(&out));
    let out = holdline_in(&data, &["export"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no trainees yet"), "{}", stderr(&out));
    holdline_in(&data, &["trainee", "add", "Sam"]);
    let wrong = root.join("sam.json");
    let out = holdline_in(&data, &["export", "--out", wrong.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".holdline-export.json"),
        "{}",
        stderr(&out)
    );
    let right = root.join("sam.holdline-export.json");
    let out = holdline_in(&data, &["export", "--out", right.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(right.is_file());
    let _ = std::fs::remove_dir_all(&root);
}

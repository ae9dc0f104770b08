//! A certificate as one printable HTML page (A4 landscape, no script, no external file), with
//! the certificate's JSON inside it, so the page alone can be verified: `holdline certificate
//! verify` reads the data back, checks its hash, and checks the page is exactly what that data
//! makes. Every string from a trainee or a scenario goes through [`esc`].

use std::fmt::Write as _;

use super::report_html::esc;
use crate::progress::certification::Certificate;

/// Where the certificate's data sits in the page.
const DATA_OPEN: &str = "<script type=\"application/json\" id=\"holdline-certificate\">\n";
const DATA_CLOSE: &str = "\n</script>";

const STYLE: &str = r#"
@page { size: A4 landscape; margin: 14mm; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #1d2430; margin: 0; }
.sheet { border: 6px double #3b6fd8; padding: 28px 40px; max-width: 1000px; margin: 16px auto; }
.brand { letter-spacing: 4px; text-transform: uppercase; color: #3b6fd8; font-size: 13px; }
h1 { font-size: 30px; margin: 8px 0 2px; }
.name { font-size: 34px; font-weight: 700; margin: 18px 0 4px; }
.verdict { display: inline-block; padding: 4px 14px; border-radius: 4px; font-weight: 700; font-size: 16px; margin: 8px 0; }
.passed { background: #2e8b57; color: #fff; } .failed { background: #c0392b; color: #fff; }
.meta { color: #5b6472; font-size: 13px; margin: 2px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 14px 0; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e3e7ee; text-align: left; }
th { background: #f4f6fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.why li { color: #c0392b; font-size: 13px; }
.check { font-size: 11px; color: #5b6472; margin-top: 18px; word-break: break-all; }
code { font-size: 11px; }
"#;

/// The page for `c`. The same certificate always makes the same bytes: verify depends on it.
pub fn render(c: &Certificate) -> String {
    let mut html = String::with_capacity(8 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{STYLE}</style></head>\n<body><div class=\"sheet\">\n",
        esc(&c.title),
        esc(&c.trainee.name)
    );
    let _ = writeln!(
        html,
        "<div class=\"brand\">holdline certificate</div>\n<h1>{}</h1>",
        esc(&c.title)
    );
    let _ = writeln!(
        html,
        "<div class=\"meta\">{}</div>\n<div class=\"name\">{}</div>",
        if c.passed {
            "This certifies that"
        } else {
            "A sitting by"
        },
        esc(&c.trainee.name)
    );
    let (class, verdict) = if c.passed {
        ("passed", "PASSED")
    } else {
        ("failed", "NOT PASSED")
    };
    let _ = writeln!(html, "<div class=\"verdict {class}\">{verdict}</div>");
    let _ = writeln!(
        html,
        "<div class=\"meta\">{} · sitting {} of {} · curriculum {} · certification {}</div>",
        esc(&when(&c.started_at, &c.finished_at)),
        c.sitting,
        c.max_attempts,
        esc(&c.curriculum),
        esc(&c.certification)
    );
    html.push_str(
        "<table><tr><th>Call</th><th>Scenario</th><th class=\"num\">Seed</th><th>How it ended</th>\
         <th class=\"num\">Empathy</th><th class=\"num\">Accuracy</th><th class=\"num\">De-escalation</th></tr>\n",
    );
    for (k, call) in c.calls.iter().enumerate() {
        let ended = esc(&call.how_it_ended());
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{ended}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            k + 1,
            esc(&call.title),
            call.seed,
            call.empathy,
            call.accuracy,
            call.deescalation
        );
    }
    let _ = writeln!(
        html,
        "<tr><th></th><th>Mean over the calls</th><th></th><th></th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr>\n\
         <tr><td></td><td>Needed</td><td></td><td></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr></table>",
        c.scores.empathy,
        c.scores.accuracy,
        c.scores.deescalation,
        c.pass.empathy,
        c.pass.accuracy,
        c.pass.deescalation
    );
    if !c.why_not.is_empty() {
        html.push_str("<ul class=\"why\">\n");
        for why in &c.why_not {
            let _ = writeln!(html, "<li>{}</li>", esc(why));
        }
        html.push_str("</ul>\n");
    }
    let _ = writeln!(
        html,
        "<div class=\"check\">Certificate {} · taken on pack <code>{}</code> · content sha256 <code>{}</code> · holdline {}<br>\
         Check it offline: <code>holdline certificate verify</code> this page or its .json file.</div>",
        esc(&c.id),
        esc(&c.pack.sha256),
        esc(&c.content_sha256),
        esc(&c.holdline_version)
    );
    html.push_str("</div>\n");
    html.push_str(DATA_OPEN);
    // `<` only ever appears inside JSON strings, where `\u003c` reads back as the same text; so
    // no trainee's name can close the script element.
    html.push_str(&c.to_json().replace('<', "\\u003c"));
    html.push_str(DATA_CLOSE);
    html.push_str("\n</body></html>\n");
    html
}

/// "2026-12-07, 16:20 to 16:21 UTC" from two ISO 8601 UTC timestamps (the date once when both
/// are on the same day); the timestamps as they are if they are not in that form.
fn when(started: &str, finished: &str) -> String {
    fn parts(t: &str) -> Option<(&str, &str)> {
        Some((t.get(..10)?, t.get(11..16)?))
    }
    match (parts(started), parts(finished)) {
        (Some((day, from)), Some((end_day, to))) if day == end_day => {
            format!("{day}, {from} to {to} UTC")
        }
        (Some((day, from)), Some((end_day, to))) => {
            format!("{day} {from} to {end_day} {to} UTC")
        }
        _ => format!("{started} to {finished}"),
    }
}

/// The certificate JSON inside a page `render` made, if `text` is such a page.
pub fn embedded_json(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n");
    let start = text.find(DATA_OPEN)? + DATA_OPEN.len();
    let end = start + text[start..].find(DATA_CLOSE)?;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::certification::{
        CallResult, CertificateTrainee, Pack, PackPart, SittingScores,
    };
    use crate::progress::curriculum::Marks;

    fn certificate(name: &str) -> Certificate {
        let mut c = Certificate {
            format: crate::progress::certification::CERTIFICATE_FORMAT.into(),
            id: "id-1".into(),
            trainee: CertificateTrainee {
                id: "t".into(),
                name: name.into(),
            },
            curriculum: "core".into(),
            certification: "core-cert".into(),
            title: "Certified".into(),
            sitting: 1,
            max_attempts: 2,
            started_at: "2026-12-07T10:00:00.000Z".into(),
            finished_at: "2026-12-07T10:20:00.000Z".into(),
            pack: Pack::of(vec![PackPart {
                name: "lexicon".into(),
                sha256: "ab".into(),
            }]),
            pass: Marks {
                empathy: 70,
                accuracy: 70,
                deescalation: 70,
            },
            calls: vec![CallResult {
                scenario: "late-parcel".into(),
                title: "Late <parcel>".into(),
                seed: 3,
                attempt: "a".into(),
                ending: Some("resolved".into()),
                customer_left: false,
                empathy: 80,
                accuracy: 80,
                deescalation: 80,
                critical: vec![],
            }],
            scores: SittingScores {
                empathy: 80,
                accuracy: 80,
                deescalation: 80,
            },
            passed: true,
            why_not: vec![],
            holdline_version: "0.1.0".into(),
            content_sha256: String::new(),
        };
        c.content_sha256 = c.computed_hash();
        c
    }

    #[test]
    fn the_page_holds_its_data_and_no_name_can_break_out_of_it() {
        let c = certificate("Zoë </script><script>alert(1)</script>");
        let page = render(&c);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(page.contains("Zoë &lt;/script&gt;"));
        assert!(page.contains("Late &lt;parcel&gt;"));
        let data = embedded_json(&page).expect("data inside");
        assert_eq!(Certificate::verify_json(&data).unwrap(), c);
        // The same certificate makes the same page, with Windows line endings or not.
        assert_eq!(render(&c), page);
        assert_eq!(embedded_json(&page.replace('\n', "\r\n")).unwrap(), data);
        assert_eq!(embedded_json("{\"format\": 1}"), None);
        assert!(page.contains("2026-12-07, 10:00 to 10:20 UTC"), "{page}");
        assert_eq!(
            when("2026-12-07T23:50:00.000Z", "2026-12-08T00:10:00.000Z"),
            "2026-12-07 23:50 to 2026-12-08 00:10 UTC"
        );
    }
}

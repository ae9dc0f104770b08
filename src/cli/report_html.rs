//! The cohort report as one self-contained HTML page: tables, a dimension × scenario heat map and
//! a weekly trend drawn as inline SVG by hand (no script, no external file, prints cleanly).
//! Every string that came from a trainee or a scenario goes through [`esc`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::report::utc_date;
use crate::progress::certification::CertificationState;
use crate::progress::cohort::{CohortReport, ScoreSums, WeekPoint};
use crate::progress::curriculum::ModuleState;

/// `text` made safe for HTML text and attribute values (and so for inline SVG).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls other than tab and newline have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #1d2430; margin: 24px 32px; max-width: 1180px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #e3e7ee; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #5b6472; font-size: 13px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { background: #f4f6fa; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e3e7ee; text-align: left; vertical-align: top; }
th { background: #f4f6fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 10px; background: #3b6fd8; border-radius: 2px; vertical-align: middle; }
.barbg { display: inline-block; width: 120px; height: 10px; background: #e3e7ee; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
.m { display: inline-block; width: 18px; height: 18px; line-height: 18px; text-align: center; border-radius: 3px; font-size: 11px; margin: 1px; }
.passed { background: #2e8b57; color: #fff; } .open { background: #dfe6f2; color: #1d2430; }
.locked { background: #f4f6fa; color: #9aa3b0; } .failed { background: #c0392b; color: #fff; }
.overdue { outline: 2px solid #e67e22; }
.passed-text { color: #2e8b57; font-weight: 600; } .failed-text { color: #c0392b; font-weight: 600; }
.open-text { color: #1d2430; } .locked-text { color: #9aa3b0; }
.warn { color: #c0392b; font-weight: 600; }
.legend span { margin-right: 14px; font-size: 12px; }
.notices li { font-size: 12px; color: #5b6472; }
@media print { body { margin: 0; } h2 { break-after: avoid; } table { break-inside: auto; } }
"#;

/// The page.
pub fn render(report: &CohortReport, title: &str) -> String {
    let mut html = String::with_capacity(64 * 1024 + report.trainees.len() * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title>\
         <style>{STYLE}</style></head><body>\n",
        esc(title)
    );
    let _ = writeln!(
        html,
        "<h1>{}</h1><p class=\"meta\">Built {} from {} export file{}. Due dates counted from {}.</p>",
        esc(title),
        utc_date(crate::progress::unix_now()),
        report.files_used,
        if report.files_used == 1 { "" } else { "s" },
        utc_date((report.today.max(0) as u64) * 86_400)
    );
    summary_cards(&mut html, report);
    // The overview first (how the cohort scores, and the trend), then the long per-trainee
    // tables.
    let _ = writeln!(
        html,
        "<h2>Scores by scenario</h2><p class=\"meta\">Mean of finished whole-scenario attempts \
         (review drills and abandoned attempts left out), 0–100.</p>"
    );
    html.push_str(&heat_map(&report.scenarios));
    let _ = writeln!(
        html,
        "<h2>Trend by week</h2><p class=\"meta\">Mean scores of the attempts finished each week \
         (weeks start on Monday); the figures under each week are attempts and active trainees.</p>"
    );
    html.push_str(&trend_chart(&report.weeks));
    curriculum_section(&mut html, report);
    trainee_table(&mut html, report);
    reviews_section(&mut html, report);
    picks_section(&mut html, report);
    missed_section(&mut html, report);
    if !report.notices.is_empty() {
        let _ = writeln!(
            html,
            "<h2>Files left out or incomplete</h2><ul class=\"notices\">"
        );
        for n in &report.notices {
            let _ = writeln!(html, "<li>{}</li>", esc(n));
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</body></html>\n");
    html
}

fn summary_cards(html: &mut String, report: &CohortReport) {
    let attempts: usize = report.trainees.iter().map(|t| t.attempts).sum();
    let finished: usize = report.trainees.iter().map(|t| t.finished).sum();
    let passed: usize = report.trainees.iter().map(|t| t.passed).sum();
    let critical: usize = report.trainees.iter().map(|t| t.critical_breaches).sum();
    let due: usize = report.trainees.iter().map(|t| t.review_due.len()).sum();
    let overdue = report
        .trainees
        .iter()
        .filter(|t| {
            t.curricula
                .iter()
                .any(|c| c.modules.iter().any(|m| m.overdue))
        })
        .count();
    let pass_rate =
        percent(passed as u64, finished as u64).map_or("–".into(), |p| format!("{p}%"));
    html.push_str("<div class=\"cards\">");
    for (value, label) in [
        (report.trainees.len().to_string(), "trainees"),
        (attempts.to_string(), "attempts"),
        (pass_rate, "of finished scenarios passed"),
        (critical.to_string(), "critical breaches"),
        (overdue.to_string(), "trainees with overdue modules"),
        (due.to_string(), "review drills due"),
    ] {
        let _ = write!(
            html,
            "<div class=\"card\"><b>{}</b>{}</div>",
            esc(&value),
            esc(label)
        );
    }
    html.push_str("</div>\n");
}

fn curriculum_section(html: &mut String, report: &CohortReport) {
    for (c, (id, title)) in report.curricula.iter().enumerate() {
        let _ = writeln!(
            html,
            "<h2>Curriculum: {}</h2><p class=\"legend\"><span class=\"m passed\">✓</span> passed \
             <span class=\"m open\">•</span> open <span class=\"m locked\">–</span> locked \
             <span class=\"m failed\">✗</span> attempts used up \
             <span class=\"m open overdue\">•</span> overdue <span class=\"meta\">({})</span></p>",
            esc(title),
            esc(id)
        );
        let certified = report
            .trainees
            .iter()
            .flat_map(|t| &t.certifications)
            .find(|line| &line.curriculum == id)
            .map(|line| line.title.clone());
        let _ = writeln!(
            html,
            "<table><tr><th>Trainee</th><th>Passed</th><th>Next</th><th class=\"num\">Overdue</th><th>Modules</th>{}</tr>",
            certified
                .as_deref()
                .map(|title| format!("<th>{}</th>", esc(title)))
                .unwrap_or_default()
        );
        for t in &report.trainees {
            let Some(standing) = t.curricula.get(c) else {
                continue;
            };
            let (passed, all) = standing.passed();
            let width = (120 * passed).checked_div(all).unwrap_or(0);
            let overdue = standing.modules.iter().filter(|m| m.overdue).count();
            let next = standing.next().map(|m| m.task.clone()).unwrap_or_else(|| {
                if passed == all {
                    "done".into()
                } else {
                    "–".into()
                }
            });
            let _ = write!(
                html,
                "<tr><td>{}</td><td><span class=\"barbg\"><span class=\"bar\" style=\"width:{width}px\"></span></span>{passed}/{all}</td><td>{}</td><td class=\"num{}\">{overdue}</td><td>",
                esc(&t.name),
                esc(&next),
                if overdue > 0 { " warn" } else { "" }
            );
            for m in &standing.modules {
                let (class, mark, state) = match &m.state {
                    ModuleState::Passed { on_day, attempts } => (
                        "passed",
                        "✓",
                        format!("passed on day {on_day} after {attempts} attempt(s)"),
                    ),
                    ModuleState::Open { attempts } => {
                        ("open", "•", format!("open, {attempts} attempt(s)"))
                    }
                    ModuleState::Locked { waiting_for } => (
                        "locked",
                        "–",
                        format!("locked until {} passed", waiting_for.join(", ")),
                    ),
                    ModuleState::Failed { attempts } => {
                        ("failed", "✗", format!("failed: {attempts} attempts used"))
                    }
                };
                let overdue = if m.overdue { " overdue" } else { "" };
                let _ = write!(
                    html,
                    "<span class=\"m {class}{overdue}\" title=\"{}: {} ({})\">{mark}</span>",
                    esc(&m.module),
                    esc(&m.task),
                    esc(&state)
                );
            }
            html.push_str("</td>");
            if certified.is_some() {
                let line = t.certifications.iter().find(|line| &line.curriculum == id);
                let (class, words) = line.map_or(("locked", String::new()), |line| {
                    certification_words(&line.state, line.max_attempts)
                });
                let _ = write!(
                    html,
                    "<td><span class=\"{class}-text\">{}</span></td>",
                    esc(&words)
                );
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");
    }
}

/// A certification's standing as the report's class and words: "passed in sitting 1 on ...".
pub fn certification_words(
    state: &CertificationState,
    max_attempts: u32,
) -> (&'static str, String) {
    let class = match state {
        CertificationState::Passed { .. } => "passed",
        CertificationState::Open { .. } => "open",
        CertificationState::Failed { .. } => "failed",
        CertificationState::Locked { .. } | CertificationState::NotLocked => "locked",
    };
    (class, state.words(max_attempts))
}

fn trainee_table(html: &mut String, report: &CohortReport) {
    html.push_str(
        "<h2>Trainees</h2><table><tr><th>Trainee</th><th class=\"num\">Attempts</th>\
         <th class=\"num\">Finished</th><th class=\"num\">Passed</th><th class=\"num\">Empathy</th>\
         <th class=\"num\">Accuracy</th><th class=\"num\">De-escalation</th><th>Level</th>\
         <th class=\"num\">XP</th><th>Last active</th><th class=\"num\">Reviews due</th>\
         <th class=\"num\">Critical breaches</th></tr>\n",
    );
    for t in &report.trainees {
        let [e, a, d] = t.mean.map_or(["–".into(), "–".into(), "–".into()], |m| {
            m.map(|v| v.to_string())
        });
        let _ = writeln!(
            html,
            "<tr><td title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{e}</td><td class=\"num\">{a}</td>\
             <td class=\"num\">{d}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num{}\">{}</td></tr>",
            esc(&format!("{} ({})", t.id, t.source.display())),
            esc(&t.name),
            t.attempts,
            t.finished,
            t.passed,
            esc(&t.level_title),
            t.xp,
            t.last_active.map(utc_date).unwrap_or_else(|| "–".into()),
            t.review_due.len(),
            if t.critical_breaches > 0 { " warn" } else { "" },
            t.critical_breaches
        );
    }
    html.push_str("</table>\n");
}

/// `part` of `whole` as a rounded percentage; `None` of nothing.
fn percent(part: u64, whole: u64) -> Option<u64> {
    (100 * part + whole / 2).checked_div(whole)
}

/// Red at 0, amber at 50, green at 100.
fn score_colour(value: u8) -> String {
    let hue = u32::from(value.min(100)) * 120 / 100;
    format!("hsl({hue}, 62%, 72%)")
}

/// Scenario × dimension means as an SVG grid, with attempts and pass rate beside each row.
pub fn heat_map(scenarios: &BTreeMap<String, ScoreSums>) -> String {
    if scenarios.is_empty() {
        return "<p class=\"meta\">No finished scenarios yet.</p>\n".into();
    }
    let (label_w, cell_w, cell_h, top) = (230, 110, 30, 34);
    let width = label_w + 3 * cell_w + 2 * 90 + 10;
    let height = top + cell_h * scenarios.len() + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Mean score per scenario and dimension\" \
         font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"13\">"
    );
    let headers = ["Empathy", "Accuracy", "De-escalation", "Attempts", "Passed"];
    for (i, h) in headers.iter().enumerate() {
        let x = if i < 3 {
            label_w + i * cell_w + cell_w / 2
        } else {
            label_w + 3 * cell_w + (i - 3) * 90 + 45
        };
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"22\" text-anchor=\"middle\" font-weight=\"bold\">{h}</text>"
        );
    }
    for (row, (id, sums)) in scenarios.iter().enumerate() {
        let y = top + row * cell_h;
        let shown: String = id.chars().take(30).collect();
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10,
            y + cell_h / 2 + 5,
            esc(&shown)
        );
        if let Some(mean) = sums.mean() {
            for (i, v) in mean.iter().enumerate() {
                let x = label_w + i * cell_w;
                let _ = write!(
                    svg,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\"><title>{}: {} {v}</title></rect>\
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{v}</text>",
                    cell_w - 4,
                    cell_h - 4,
                    score_colour(*v),
                    esc(id),
                    headers[i],
                    x + cell_w / 2 - 2,
                    y + cell_h / 2 + 3
                );
            }
        }
        let rate = percent(sums.passed, sums.attempts).map_or("–".into(), |p| format!("{p}%"));
        for (i, text) in [sums.attempts.to_string(), rate].iter().enumerate() {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{text}</text>",
                label_w + 3 * cell_w + i * 90 + 45,
                y + cell_h / 2 + 3
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Weekly mean per dimension as an SVG line chart, attempts and active trainees under each
/// week.
pub fn trend_chart(weeks: &BTreeMap<i64, WeekPoint>) -> String {
    if weeks.is_empty() {
        return "<p class=\"meta\">No attempts yet.</p>\n".into();
    }
    // At most the last 26 weeks: half a year is what a cohort's programme spans.
    let shown: Vec<(&i64, &WeekPoint)> = weeks.iter().rev().take(26).rev().collect();
    let (left, right, top, plot_h) = (44usize, 130usize, 14usize, 200usize);
    let step = 64usize;
    let plot_w = step * shown.len().max(2);
    let width = left + plot_w + right;
    let height = top + plot_h + 64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Mean scores by week\" \
         font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">"
    );
    let y_of = |v: u8| top + plot_h - usize::from(v.min(100)) * plot_h / 100;
    for v in [0u8, 25, 50, 75, 100] {
        let y = y_of(v);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#e3e7ee\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6472\">{v}</text>",
            left + plot_w,
            left - 6,
            y + 4
        );
    }
    let x_of = |i: usize| left + step / 2 + i * step;
    for (i, (day, point)) in shown.iter().enumerate() {
        let date = chrono::DateTime::from_timestamp(day.saturating_mul(86_400), 0)
            .map(|d| d.format("%d %b").to_string())
            .unwrap_or_default();
        let x = x_of(i);
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#5b6472\">{} · {}</text>",
            top + plot_h + 18,
            esc(&date),
            top + plot_h + 36,
            point.attempts,
            point.active_trainees
        );
    }
    let series = [
        ("Empathy", "#3b6fd8", ""),
        ("Accuracy", "#2e8b57", " stroke-dasharray=\"6 3\""),
        ("De-escalation", "#d35400", " stroke-dasharray=\"2 3\""),
    ];
    for (s, (name, colour, dash)) in series.iter().enumerate() {
        let points: Vec<(usize, usize, u8)> = shown
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| p.scores.mean().map(|m| (x_of(i), y_of(m[s]), m[s])))
            .collect();
        if points.len() > 1 {
            let path: Vec<String> = points.iter().map(|(x, y, _)| format!("{x},{y}")).collect();
            let _ = write!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
                path.join(" ")
            );
        }
        for (x, y, v) in &points {
            let _ = write!(
                svg,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"{colour}\"><title>{name}: {v}</title></circle>"
            );
        }
        let ly = top + 10 + s * 20;
        let lx = left + plot_w + 16;
        let _ = write!(
            svg,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>\
             <text x=\"{}\" y=\"{}\">{name}</text>",
            lx + 24,
            lx + 30,
            ly + 4
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" fill=\"#5b6472\">attempts · trainees</text>",
        left + plot_w + 16,
        top + plot_h + 36
    );
    svg.push_str("</svg>\n");
    svg
}

fn reviews_section(html: &mut String, report: &CohortReport) {
    let mut due: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for t in &report.trainees {
        for (scenario, node) in &t.review_due {
            *due.entry((scenario, node)).or_default() += 1;
        }
    }
    html.push_str("<h2>Review drills due</h2>");
    if due.is_empty() {
        html.push_str("<p class=\"meta\">None due.</p>\n");
        return;
    }
    let mut list: Vec<_> = due.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    html.push_str(
        "<p class=\"meta\">Nodes trainees missed and must practise again, by how many trainees \
         have them due.</p><table><tr><th>Scenario</th><th>Node</th><th class=\"num\">Trainees</th></tr>\n",
    );
    for ((scenario, node), n) in list.iter().take(20) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(scenario),
            esc(node)
        );
    }
    html.push_str("</table>\n");
}

fn picks_section(html: &mut String, report: &CohortReport) {
    html.push_str(
        "<h2>Choice picks per node</h2><p class=\"meta\">How often each choice was picked \
         at each node, and the mean scores of typed replies there.</p>\n",
    );
    for (id, stats) in &report.stats {
        let nodes: Vec<_> = stats
            .nodes
            .iter()
            .filter(|(_, n)| !n.picks.is_empty() || n.typed > 0)
            .collect();
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(
            html,
            "<h3>{} <span class=\"meta\">({} attempts, {} finished, {} passed)</span></h3>\
             <table><tr><th>Node</th><th>Reply</th><th class=\"num\">Share</th><th></th></tr>",
            esc(id),
            stats.attempts,
            stats.finished,
            stats.passed
        );
        for (node, n) in nodes {
            for (i, (text, count)) in &n.picks {
                let share = 100 * count / n.replies.max(1);
                let shown: String = text.chars().take(110).collect();
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{}. {}</td><td class=\"num\">{share}% ({count})</td>\
                     <td><span class=\"barbg\"><span class=\"bar\" style=\"width:{}px\"></span></span></td></tr>",
                    esc(node),
                    i.saturating_add(1),
                    esc(&shown),
                    share * 120 / 100
                );
            }
            if let Some([e, a, d, o]) = n.typed_mean {
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>typed replies: mean empathy {e}, accuracy {a}, de-escalation {d}, overall {o}</td>\
                     <td class=\"num\">{} typed</td><td></td></tr>",
                    esc(node),
                    n.typed
                );
            }
        }
        html.push_str("</table>\n");
    }
}

fn missed_section(html: &mut String, report: &CohortReport) {
    let rows: Vec<(&String, &(String, String, usize))> = report
        .stats
        .iter()
        .flat_map(|(id, s)| s.most_missed_facts.iter().map(move |f| (id, f)))
        .collect();
    html.push_str("<h2>Facts missed most in typed replies</h2>");
    if rows.is_empty() {
        html.push_str("<p class=\"meta\">None missed.</p>\n");
        return;
    }
    html.push_str(
        "<table><tr><th>Scenario</th><th>Node</th><th>Fact</th><th class=\"num\">Times</th></tr>\n",
    );
    for (id, (node, fact, n)) in rows {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(id),
            esc(node),
            esc(fact)
        );
    }
    html.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("Zoë Nguyễn\u{0}"), "Zoë Nguyễn\u{fffd}");
    }

    #[test]
    fn colours_run_from_red_to_green() {
        assert_eq!(score_colour(0), "hsl(0, 62%, 72%)");
        assert_eq!(score_colour(100), "hsl(120, 62%, 72%)");
    }

    #[test]
    fn a_heat_map_row_shows_each_dimension_mean() {
        let mut scenarios = BTreeMap::new();
        scenarios.insert(
            "<b>late</b>".to_string(),
            ScoreSums {
                attempts: 2,
                passed: 1,
                sums: [150, 100, 60],
            },
        );
        let svg = heat_map(&scenarios);
        assert!(svg.contains("&lt;b&gt;late&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        for v in [">75<", ">50<", ">30<", ">50%<"] {
            assert!(svg.contains(v), "{v} missing in {svg}");
        }
    }
}

//! The scenario's own fields: id, title, tier, marks, the persona and the case file.

use crate::scenario::diagnostic::{Reporter, Severity, did_you_mean};
use crate::scenario::model::{EndingKind, MAX_TIER, Scenario};
use crate::scenario::span_index::Step;

use Step::{Field as F, Index as I};

pub(super) fn check_metadata(r: &mut Reporter<'_>, s: &Scenario) {
    r.require_text(&[F("id")], "scenario id", &s.id);
    if !is_kebab_case(&s.id) && !s.id.trim().is_empty() {
        r.report(
            Severity::Warning,
            &[F("id")],
            "id-style",
            format!("scenario id \"{}\" is not kebab-case", s.id),
            Some("use lowercase words joined by hyphens, e.g. \"late-parcel\"".into()),
        );
    }
    r.require_text(&[F("title")], "title", &s.title);
    r.require_text(&[F("summary")], "summary", &s.summary);
    r.require_range(
        &[F("version")],
        "version",
        s.version.into(),
        1,
        u32::MAX.into(),
    );
    r.require_range(&[F("tier")], "tier", s.tier.into(), 1, MAX_TIER.into());
    r.require_range(
        &[F("minutes")],
        "estimated minutes",
        s.minutes.into(),
        1,
        120,
    );
    if s.objectives.is_empty() {
        r.error(
            &[F("objectives")],
            "empty-list",
            "the scenario lists no learning objectives".into(),
        );
    }
    for (i, objective) in s.objectives.iter().enumerate() {
        r.require_text(
            &[F("objectives"), I(i)],
            &format!("objective {}", i + 1),
            objective,
        );
    }
    for (i, tag) in s.tags.iter().enumerate() {
        r.require_text(&[F("tags"), I(i)], &format!("tag {}", i + 1), tag);
    }
    if let Some(subject) = &s.subject {
        r.require_text(&[F("subject")], "subject", subject);
    }
    r.require_range(&[F("pass_mark")], "pass mark", s.pass_mark.into(), 0, 100);
    r.require_range(
        &[F("three_star_mark")],
        "three-star mark",
        s.three_star_mark.into(),
        0,
        100,
    );
    // Compared with the pass mark only when both are in range: "must be between 255 and 100"
    // would send the trainer looking at the wrong field.
    if s.pass_mark <= 100 && s.three_star_mark <= 100 && s.three_star_mark < s.pass_mark {
        r.report(
            Severity::Error,
            &[F("three_star_mark")],
            "three-star-below-pass",
            format!(
                "the three-star mark ({}) is below the pass mark ({})",
                s.three_star_mark, s.pass_mark
            ),
            Some(
                "three stars must be at least a pass: raise three_star_mark or lower pass_mark"
                    .into(),
            ),
        );
    }
}

pub(super) fn check_persona(r: &mut Reporter<'_>, s: &Scenario) {
    let p = &s.persona;
    r.require_text(&[F("persona"), F("name")], "persona name", &p.name);
    r.require_text(
        &[F("persona"), F("backstory")],
        "persona backstory",
        &p.backstory,
    );
    let mood = [
        ("anger", p.mood.anger),
        ("confusion", p.mood.confusion),
        ("trust", p.mood.trust),
    ];
    for (field, value) in mood {
        let path = [F("persona"), F("mood"), F(field)];
        r.require_range(&path, &format!("starting {field}"), value.into(), 0, 100);
    }
    r.require_range(
        &[F("persona"), F("patience_secs")],
        "patience",
        p.patience_secs.into(),
        1,
        600,
    );
    for (i, trigger) in p.triggers.iter().enumerate() {
        r.require_text(
            &[F("persona"), F("triggers"), I(i)],
            &format!("trigger {}", i + 1),
            trigger,
        );
    }
    if let Some(walkout) = &p.walkout {
        let path = [F("persona"), F("walkout")];
        r.require_range(
            &[path[0], path[1], F("anger")],
            "walkout anger",
            walkout.anger.into(),
            1,
            100,
        );
        match s.ending(&walkout.ending) {
            None => {
                let help = did_you_mean(&walkout.ending, s.endings.iter().map(|e| e.id.as_str()))
                    .map(|c| format!("did you mean \"{c}\"?"));
                r.report(
                    Severity::Error,
                    &[path[0], path[1], F("ending")],
                    "unknown-target",
                    format!("walkout goes to unknown ending \"{}\"", walkout.ending),
                    help,
                );
            }
            Some(ending) if ending.kind != EndingKind::CustomerLeft => r.warn(
                &[path[0], path[1], F("ending")],
                "walkout-kind",
                format!(
                    "walkout ending \"{}\" is not a CustomerLeft ending",
                    ending.id
                ),
            ),
            Some(_) => {}
        }
    }
}

pub(super) fn check_case_file(r: &mut Reporter<'_>, s: &Scenario) {
    for (i, fact) in s.case_file.facts.iter().enumerate() {
        let base = [F("case_file"), F("facts"), I(i)];
        r.require_text(
            &[base[0], base[1], base[2], F("label")],
            "fact label",
            &fact.label,
        );
        r.require_text(
            &[base[0], base[1], base[2], F("value")],
            "fact value",
            &fact.value,
        );
    }
    for (i, policy) in s.case_file.policies.iter().enumerate() {
        let base = [F("case_file"), F("policies"), I(i)];
        r.require_text(
            &[base[0], base[1], base[2], F("title")],
            "policy title",
            &policy.title,
        );
        r.require_text(
            &[base[0], base[1], base[2], F("text")],
            "policy text",
            &policy.text,
        );
    }
}

pub(crate) fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

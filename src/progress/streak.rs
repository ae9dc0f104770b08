//! Practice streaks: consecutive days with real practice, where a freeze forgives one missed day
//! per calendar week. Days are whole days since 1970-01-01 on the trainee's calendar.

use std::collections::BTreeSet;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Streak {
    /// Practice days in the streak that is still alive today (0 if it broke).
    pub current: u32,
    pub longest: u32,
    pub practised_today: bool,
    /// Freezes left in this week (only meaningful while a streak is alive).
    pub freezes_left: u32,
}

/// Monday-based week number: 1970-01-01 was a Thursday, so day 4 starts week 1.
fn week(day: i64) -> i64 {
    (day + 3).div_euclid(7)
}

/// Walks from the first practice day to `today`. A day without practice uses a freeze of its
/// week if one is left, else breaks the streak. Today itself cannot break it: the day is not
/// over yet.
pub fn streak(days: &BTreeSet<i64>, today: i64, freezes_per_week: u32) -> Streak {
    let Some(&first) = days.first() else {
        return Streak {
            freezes_left: freezes_per_week,
            ..Streak::default()
        };
    };
    let mut current = 0u32;
    let mut longest = 0u32;
    let mut used_week = i64::MIN;
    let mut used = 0u32;
    let last = today.max(days.last().copied().unwrap_or(first));
    for day in first..=last {
        if week(day) != used_week {
            used_week = week(day);
            used = 0;
        }
        if days.contains(&day) {
            current += 1;
            longest = longest.max(current);
        } else if day == today {
            // Not practised yet today: the streak is still alive.
        } else if current > 0 && used < freezes_per_week {
            used += 1;
        } else {
            current = 0;
        }
    }
    let this_week_used = if week(today) == used_week { used } else { 0 };
    Streak {
        current,
        longest,
        practised_today: days.contains(&today),
        freezes_left: freezes_per_week.saturating_sub(this_week_used),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Monday, so the tests can name weekdays by offset.
    fn monday() -> i64 {
        let d: i64 = 20_000;
        d - (d + 3).rem_euclid(7)
    }

    fn days(list: &[i64]) -> BTreeSet<i64> {
        list.iter().map(|d| monday() + d).collect()
    }

    #[test]
    fn consecutive_days_count_and_today_unplayed_does_not_break() {
        let s = streak(&days(&[0, 1, 2]), monday() + 3, 1);
        assert_eq!((s.current, s.longest, s.practised_today), (3, 3, false));
    }

    #[test]
    fn one_missed_day_a_week_is_frozen_two_are_not() {
        // Mon, Tue, (Wed missed: freeze), Thu, Fri.
        let s = streak(&days(&[0, 1, 3, 4]), monday() + 4, 1);
        assert_eq!((s.current, s.freezes_left), (4, 0));
        // Mon, (Tue, Wed missed) Thu: the second miss breaks it.
        let s = streak(&days(&[0, 3]), monday() + 3, 1);
        assert_eq!((s.current, s.longest), (1, 1));
        // A freeze is per week: a miss on each of two Wednesdays is fine.
        let s = streak(&days(&[0, 1, 3, 4, 5, 6, 7, 8, 10]), monday() + 10, 1);
        assert_eq!(s.current, 9);
    }

    #[test]
    fn a_streak_broken_days_ago_is_zero_but_longest_remembers() {
        let s = streak(&days(&[0, 1, 2, 3]), monday() + 9, 1);
        assert_eq!((s.current, s.longest), (0, 4));
        assert_eq!(
            streak(&BTreeSet::new(), 5, 1),
            Streak {
                freezes_left: 1,
                ..Streak::default()
            }
        );
    }
}

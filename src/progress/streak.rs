//! Practice streaks: consecutive days with real practice, where a freeze forgives one missed day
//! per calendar week. Days are whole days since 1970-01-01 on the trainee's calendar.

use std::collections::BTreeSet;

use serde::Serialize;

/// A trainee's practice streak as of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Streak {
    /// Practice days in the streak that is still alive today (0 if it broke).
    pub current: u32,
    /// The longest streak reached so far, in practice days.
    pub longest: u32,
    /// Whether the trainee has practised today.
    pub practised_today: bool,
    /// Freezes left in this week (only meaningful while a streak is alive).
    pub freezes_left: u32,
}

/// Monday-based week number: 1970-01-01 was a Thursday, so day 4 starts week 1.
fn week(day: i64) -> i64 {
    (day + 3).div_euclid(7)
}

/// Goes through the practice days up to `today`. A day without practice uses a freeze of its
/// week if one is left, else breaks the streak. Today itself cannot break it: the day is not
/// over yet. Days after `today` (a clock set wrong when an attempt was saved) do not count.
/// The work is bounded by the number of practice days, not by the days between them, so a
/// date decades away costs nothing.
pub fn streak(days: &BTreeSet<i64>, today: i64, freezes_per_week: u32) -> Streak {
    let mut walk = Walk {
        freezes_per_week,
        current: 0,
        longest: 0,
        used_week: i64::MIN,
        used: 0,
    };
    let mut previous: Option<i64> = None;
    for &day in days.range(..=today) {
        if let Some(previous) = previous {
            walk.missed(previous + 1, day - 1);
        }
        walk.day(day);
        walk.current += 1;
        walk.longest = walk.longest.max(walk.current);
        previous = Some(day);
    }
    let Some(last) = previous else {
        return Streak {
            freezes_left: freezes_per_week,
            ..Streak::default()
        };
    };
    walk.missed(last + 1, today - 1);
    walk.day(today);
    Streak {
        current: walk.current,
        longest: walk.longest,
        practised_today: days.contains(&today),
        freezes_left: freezes_per_week.saturating_sub(walk.used),
    }
}

/// The state of [`streak`]'s walk through the calendar.
struct Walk {
    freezes_per_week: u32,
    current: u32,
    longest: u32,
    /// The week the walk is in, and the freezes used in it.
    used_week: i64,
    used: u32,
}

impl Walk {
    /// Moves the walk to `day`, starting that week's freezes afresh if it is a new week.
    fn day(&mut self, day: i64) {
        if week(day) != self.used_week {
            self.used_week = week(day);
            self.used = 0;
        }
    }

    /// Days `from..=to` had no practice.
    fn missed(&mut self, from: i64, to: i64) {
        if from > to {
            return;
        }
        // Fifteen or more missed days hold a whole Monday-to-Sunday week: the streak survives
        // only if a week has a freeze for every day, and then every missed day is frozen.
        if to - from >= 14 {
            let last_week_start = week(to) * 7 - 3;
            self.used_week = week(to);
            if self.current > 0 && self.freezes_per_week >= 7 {
                self.used = u32::try_from(to - last_week_start.max(from) + 1).unwrap_or(7);
            } else {
                self.current = 0;
                self.used = 0;
            }
            return;
        }
        for day in from..=to {
            self.day(day);
            if self.current > 0 && self.used < self.freezes_per_week {
                self.used += 1;
            } else {
                self.current = 0;
            }
        }
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

    #[test]
    fn practice_dated_far_from_today_is_handled_at_once() {
        // A clock set wrong: an attempt dated thousands of years ahead, one in the far past.
        let list: BTreeSet<i64> = [i64::MIN / 2, monday(), monday() + 1, i64::MAX / 2]
            .into_iter()
            .collect();
        let s = streak(&list, monday() + 2, 1);
        assert_eq!((s.current, s.longest), (2, 2));
        assert!(!s.practised_today);
    }

    #[test]
    fn a_long_gap_breaks_the_streak_unless_every_day_can_be_frozen() {
        let list = days(&[0, 1, 30]);
        assert_eq!(streak(&list, monday() + 30, 1).current, 1);
        let every_day = streak(&list, monday() + 30, 7);
        assert_eq!((every_day.current, every_day.longest), (3, 3));
    }
}

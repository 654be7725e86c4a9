//! Warnings that anyone can cause (a refused request, a failed accept), let through at most
//! once a period so that a flood of them cannot flood the log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often such a warning may be written.
const PERIOD: Duration = Duration::from_secs(10);

/// Lets one warning through each period and counts the others.
#[derive(Default)]
pub(crate) struct WarnLimit {
    /// When the last warning was written, and how many were held back since.
    last: Mutex<(Option<Instant>, u64)>,
}

impl WarnLimit {
    /// `Some(held back since the last one)` when a warning may be written now.
    pub(crate) fn allow(&self) -> Option<u64> {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (at, held) = &mut *last;
        if at.is_some_and(|at| at.elapsed() < PERIOD) {
            *held += 1;
            return None;
        }
        *at = Some(Instant::now());
        Some(std::mem::take(held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_a_period_and_the_count_of_the_others() {
        let limit = WarnLimit::default();
        assert_eq!(limit.allow(), Some(0));
        assert_eq!((0..99).filter_map(|_| limit.allow()).count(), 0);
        *limit.last.lock().unwrap() = (Some(Instant::now() - PERIOD), 99);
        assert_eq!(limit.allow(), Some(99));
    }
}

//! The desk's report (SPEC §5 satisfaction, §6 SLA facts): how one ticket's first response
//! counts, and the median of a period's response times. The store reads the rows; this decides.

use jiff::{SignedDuration, Timestamp};

/// What is known of one ticket's first response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstResponse {
    pub filed_at: Timestamp,
    /// The SLA's first-response due time, if the ticket had a target.
    pub due: Option<Timestamp>,
    /// When support first replied in public (the SLA record's, else the response log's).
    pub responded_at: Option<Timestamp>,
    /// A breach of the first-response target was recorded (the ticket's `sla_breached`
    /// column, or an `sla.breached` event): a recorded fact wins over the times.
    pub recorded_breach: bool,
}

/// How a ticket's first response counts in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered by the due time.
    Met,
    /// Answered late, or not answered and the due time has passed.
    Breached,
    /// Not answered yet, and not yet due.
    Open,
    /// The ticket had no first-response target.
    NoTarget,
}

impl FirstResponse {
    /// The outcome as of `now`.
    pub fn outcome(&self, now: Timestamp) -> Outcome {
        if self.recorded_breach {
            return Outcome::Breached;
        }
        match (self.due, self.responded_at) {
            (None, _) => Outcome::NoTarget,
            (Some(due), Some(at)) if at <= due => Outcome::Met,
            (Some(_), Some(_)) => Outcome::Breached,
            (Some(due), None) if due < now => Outcome::Breached,
            (Some(_), None) => Outcome::Open,
        }
    }

    /// Wall-clock time from filing to the first public reply, if there was one.
    pub fn response_time(&self) -> Option<SignedDuration> {
        self.responded_at.map(|at| at.duration_since(self.filed_at))
    }
}

/// The median of `values` (the mean of the two middle ones for an even count); `None` when
/// there are none.
pub fn median(values: &mut [SignedDuration]) -> Option<SignedDuration> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        let sum = values[mid - 1].as_micros() + values[mid].as_micros();
        SignedDuration::from_micros((sum / 2) as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hour * 3600).unwrap()
    }

    fn first(due: Option<i64>, responded: Option<i64>, recorded: bool) -> FirstResponse {
        FirstResponse {
            filed_at: at(0),
            due: due.map(at),
            responded_at: responded.map(at),
            recorded_breach: recorded,
        }
    }

    #[test]
    fn outcomes() {
        let now = at(10);
        assert_eq!(first(Some(4), Some(4), false).outcome(now), Outcome::Met);
        assert_eq!(
            first(Some(4), Some(5), false).outcome(now),
            Outcome::Breached
        );
        assert_eq!(first(Some(4), None, false).outcome(now), Outcome::Breached);
        assert_eq!(first(Some(12), None, false).outcome(now), Outcome::Open);
        assert_eq!(first(None, Some(1), false).outcome(now), Outcome::NoTarget);
        // The breach job's record counts even when the times were since changed.
        assert_eq!(
            first(Some(4), Some(2), true).outcome(now),
            Outcome::Breached
        );
    }

    #[test]
    fn medians() {
        let h = SignedDuration::from_hours;
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [h(3), h(1), h(2)]), Some(h(2)));
        assert_eq!(
            median(&mut [h(4), h(1)]),
            Some(SignedDuration::from_mins(150))
        );
        assert_eq!(first(None, Some(3), false).response_time(), Some(h(3)));
    }
}

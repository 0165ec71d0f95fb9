//! What changed on a ticket since a user last looked at it: the marks lists show beside a
//! ticket (a new reply, a new internal note, a new status), for customers and agents alike.
//!
//! A user has seen a ticket when they opened it, and when they wrote or changed anything on
//! it themselves; a ticket they never opened counts as seen when it was filed (or, for tickets
//! older than the marks, when the marks began).

use jiff::Timestamp;

/// What happened on a ticket, as the store reads it for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    /// When the user last looked (or when the marks began); `None` if neither.
    pub seen_at: Option<Timestamp>,
    pub filed_at: Timestamp,
    /// The latest public message written by someone else.
    pub reply_at: Option<Timestamp>,
    /// The latest internal note written by someone else.
    pub note_at: Option<Timestamp>,
    /// The latest change of status made by someone else (or by nobody: the closure timeout).
    pub status_at: Option<Timestamp>,
}

/// One kind of change a list marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A public reply from someone else.
    Reply,
    /// An internal note from a colleague (support staff only).
    Note,
    /// The ticket's status moved.
    Status,
}

impl Change {
    pub fn code(self) -> &'static str {
        match self {
            Change::Reply => "reply",
            Change::Note => "note",
            Change::Status => "status",
        }
    }
}

/// The changes `activity` holds that the user has not seen; customers never learn of notes.
pub fn unseen(activity: &Activity, is_staff: bool) -> Vec<Change> {
    let since = activity
        .seen_at
        .map_or(activity.filed_at, |seen| seen.max(activity.filed_at));
    let after = |at: Option<Timestamp>| at.is_some_and(|at| at > since);
    let mut changes = Vec::new();
    if after(activity.reply_at) {
        changes.push(Change::Reply);
    }
    if is_staff && after(activity.note_at) {
        changes.push(Change::Note);
    }
    if after(activity.status_at) {
        changes.push(Change::Status);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn filed() -> Activity {
        Activity {
            seen_at: None,
            filed_at: at(0),
            reply_at: None,
            note_at: None,
            status_at: None,
        }
    }

    #[test]
    fn a_ticket_nobody_touched_since_filing_shows_nothing_new() {
        assert_eq!(unseen(&filed(), false), vec![]);
        assert_eq!(unseen(&filed(), true), vec![]);
    }

    #[test]
    fn a_reply_after_the_last_look_is_new_and_one_before_it_is_not() {
        let mut a = filed();
        a.reply_at = Some(at(10));
        assert_eq!(unseen(&a, false), vec![Change::Reply]);
        a.seen_at = Some(at(10));
        assert_eq!(unseen(&a, false), vec![], "seen at the very moment");
        a.seen_at = Some(at(5));
        assert_eq!(unseen(&a, false), vec![Change::Reply]);
    }

    #[test]
    fn customers_never_learn_of_internal_notes_and_staff_do() {
        let mut a = filed();
        a.note_at = Some(at(10));
        assert_eq!(unseen(&a, false), vec![]);
        assert_eq!(unseen(&a, true), vec![Change::Note]);
    }

    #[test]
    fn a_ticket_filed_after_the_marks_began_counts_from_its_filing() {
        let mut a = filed();
        a.seen_at = Some(at(-100));
        a.reply_at = Some(at(-50));
        assert_eq!(unseen(&a, false), vec![], "before the filing is not news");
        a.reply_at = Some(at(5));
        assert_eq!(unseen(&a, false), vec![Change::Reply]);
    }

    #[test]
    fn a_status_change_after_the_last_look_is_new() {
        let mut a = filed();
        a.status_at = Some(at(20));
        a.reply_at = Some(at(20));
        a.seen_at = Some(at(15));
        assert_eq!(unseen(&a, false), vec![Change::Reply, Change::Status]);
        a.seen_at = Some(at(25));
        assert_eq!(unseen(&a, false), vec![]);
    }
}

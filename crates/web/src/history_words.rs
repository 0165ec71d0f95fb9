//! A ticket's events in words, for people: the public ones as sentences in the response log
//! ("サポートがクローズを提案しました", "SD-1050 に統合されました"), and every one as a row of
//! the agent's history timeline (who, what, when, old → new). The API and the pages word them
//! alike, in the reader's language.

use madoguchi_core::event::EventKind;
use madoguchi_core::{Desk, Locale, Priority, Status};
use madoguchi_store::{HistoryEntry, Person};
use serde_json::Value;

use crate::i18n::{text, text_with};

/// The field's value after the change, as stored (`changes.<field>.to`).
fn to_value<'a>(entry: &'a HistoryEntry, field: &str) -> Option<&'a str> {
    entry.changes.get(field)?.get("to")?.as_str()
}

fn person<'a>(people: &'a [Person], id: &str) -> Option<&'a Person> {
    people.iter().find(|p| p.id == id)
}

/// Who did it: a person's name, or the system for automatic changes.
pub fn actor_name(locale: Locale, entry: &HistoryEntry, people: &[Person]) -> String {
    match entry.actor_id.as_deref() {
        None => text(locale, "workflow.system").to_owned(),
        Some(id) => person(people, id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| text(locale, "workflow.someone").to_owned()),
    }
}

/// Whether support (not the customer, not the system) made the change.
fn by_support(entry: &HistoryEntry, people: &[Person]) -> bool {
    entry
        .actor_id
        .as_deref()
        .and_then(|id| person(people, id))
        .is_some_and(|p| !p.role.is_customer())
}

/// A status code's name.
fn status_name(locale: Locale, code: &str) -> String {
    match Status::parse(code) {
        Ok(s) => text(locale, &format!("status.{}", s.code())).to_owned(),
        Err(_) => code.to_owned(),
    }
}

/// A public change as one sentence of the response log.
pub fn log_sentence(locale: Locale, entry: &HistoryEntry, people: &[Person]) -> String {
    let kind = entry.kind.as_str();
    if kind == EventKind::TicketStatusChanged.code() {
        {
            let to = to_value(entry, "status").unwrap_or_default();
            let reason = entry.data.get("reason").and_then(Value::as_str);
            match (Status::parse(to), reason) {
                (Ok(Status::Closed), _)
                    if entry.actor_id.is_none() || reason == Some("auto_close") =>
                {
                    text(locale, "workflow.log.auto_closed").to_owned()
                }
                (Ok(Status::Closed), _) if by_support(entry, people) => {
                    text(locale, "workflow.log.closed_by_support").to_owned()
                }
                (Ok(Status::Closed), _) => {
                    text(locale, "workflow.log.closed_by_customer").to_owned()
                }
                (Ok(Status::PendingClosure), _) => {
                    text(locale, "workflow.log.closure_proposed").to_owned()
                }
                (Ok(Status::WaitingForCustomer), _) => {
                    text(locale, "workflow.log.waiting_for_customer").to_owned()
                }
                _ => text_with(
                    locale,
                    "workflow.log.status_changed",
                    &[("status", status_name(locale, to))],
                ),
            }
        }
    } else if kind == EventKind::TicketMerged.code() {
        // The duplicate's event names where it went; the survivor's names what came in.
        let into = entry
            .data
            .get("into")
            .and_then(Value::as_str)
            .or_else(|| to_value(entry, "merged_into"));
        match (into, entry.data.get("from").and_then(Value::as_str)) {
            (Some(into), _) => {
                text_with(locale, "workflow.log.merged", &[("key", into.to_owned())])
            }
            (None, Some(from)) => text_with(
                locale,
                "merge.log_merged_from",
                &[("from", from.to_owned())],
            ),
            (None, None) => text(locale, "workflow.log.updated").to_owned(),
        }
    } else if kind == EventKind::CallbackAttempted.code() {
        text(locale, "workflow.log.callback_attempted").to_owned()
    } else {
        text(locale, "workflow.log.updated").to_owned()
    }
}

/// What kind of change it was, as a heading of the timeline.
pub fn kind_name(locale: Locale, entry: &HistoryEntry) -> String {
    if entry.kind == EventKind::MessageAdded.code() {
        let internal = entry.data.get("internal").and_then(Value::as_bool) == Some(true);
        let key = if internal {
            "workflow.kind.note_added"
        } else {
            "workflow.kind.message_added"
        };
        return text(locale, key).to_owned();
    }
    let key = format!("workflow.kind.{}", entry.kind.replace('.', "_"));
    match text(locale, &key) {
        // An event this version does not word yet shows as its code.
        worded if worded == key => entry.kind.clone(),
        worded => worded.to_owned(),
    }
}

/// One value of a change, worded: status and desk names, priorities, people.
fn value_words(locale: Locale, field: &str, value: &Value, people: &[Person]) -> String {
    let Some(code) = value.as_str() else {
        return match field {
            "assignee" => text(locale, "workflow.unassigned").to_owned(),
            _ => "—".to_owned(),
        };
    };
    match field {
        "status" => status_name(locale, code),
        "desk" => match Desk::parse(code) {
            Ok(d) => text(locale, &format!("desk.{}", d.code())).to_owned(),
            Err(_) => code.to_owned(),
        },
        "priority" => match Priority::parse(code) {
            Ok(p) => text(locale, &format!("workflow.priority.{}", p.code())).to_owned(),
            Err(_) => code.to_owned(),
        },
        "assignee" => person(people, code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| text(locale, "workflow.someone").to_owned()),
        _ => code.to_owned(),
    }
}

/// A field's name, worded.
fn field_name(locale: Locale, field: &str) -> String {
    let key = format!("workflow.field.{field}");
    match text(locale, &key) {
        worded if worded == key => field.to_owned(),
        worded => worded.to_owned(),
    }
}

/// The changes of one entry: (field, old, new), worded.
pub fn change_rows(
    locale: Locale,
    entry: &HistoryEntry,
    people: &[Person],
) -> Vec<(String, String, String)> {
    entry
        .changes
        .iter()
        .map(|(field, change)| {
            let side =
                |s: &str| value_words(locale, field, change.get(s).unwrap_or(&Value::Null), people);
            (field_name(locale, field), side("from"), side("to"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_core::Role;
    use serde_json::json;

    fn entry(kind: &str, actor: Option<&str>, data: Value) -> HistoryEntry {
        HistoryEntry {
            id: 1,
            at: jiff::Timestamp::UNIX_EPOCH,
            actor_id: actor.map(str::to_owned),
            kind: kind.to_owned(),
            changes: data["changes"].as_object().cloned().unwrap_or_default(),
            public: true,
            data,
        }
    }

    fn people() -> Vec<Person> {
        vec![
            Person {
                id: "a".into(),
                name: "佐藤".into(),
                email: "a@x".into(),
                role: Role::Agent,
            },
            Person {
                id: "c".into(),
                name: "田中".into(),
                email: "c@x".into(),
                role: Role::Customer,
            },
        ]
    }

    fn status(to: &str) -> Value {
        json!({ "changes": { "status": { "from": "in_progress", "to": to } } })
    }

    #[test]
    fn public_changes_read_as_sentences() {
        let p = people();
        let ja = Locale::Ja;
        let said = |kind: &str, actor: Option<&str>, data: Value| {
            log_sentence(ja, &entry(kind, actor, data), &p)
        };
        assert_eq!(
            said(
                EventKind::TicketStatusChanged.code(),
                Some("a"),
                status("pending_closure")
            ),
            "サポートがクローズを提案しました"
        );
        assert_eq!(
            said(
                EventKind::TicketStatusChanged.code(),
                Some("c"),
                status("in_progress")
            ),
            "ステータスが対応中に変わりました"
        );
        assert_eq!(
            said(
                EventKind::TicketMerged.code(),
                Some("a"),
                json!({ "into": "SD-1050", "changes": {} })
            ),
            "SD-1050 に統合されました"
        );
        assert_ne!(
            said(
                EventKind::TicketStatusChanged.code(),
                None,
                status("closed")
            ),
            said(
                EventKind::TicketStatusChanged.code(),
                Some("c"),
                status("closed")
            ),
            "an automatic close says so"
        );
    }

    #[test]
    fn timeline_values_are_worded() {
        let p = people();
        let e = entry(
            EventKind::TicketAssigned.code(),
            Some("a"),
            json!({ "changes": { "assignee": { "from": null, "to": "a" } } }),
        );
        let rows = change_rows(Locale::En, &e, &p);
        assert_eq!(rows[0].1, text(Locale::En, "workflow.unassigned"));
        assert_eq!(rows[0].2, "佐藤");
        assert_eq!(
            kind_name(Locale::Ja, &e),
            text(Locale::Ja, "workflow.kind.ticket_assigned")
        );
        assert_eq!(kind_name(Locale::Ja, &entry("x.y", None, json!({}))), "x.y");
    }
}

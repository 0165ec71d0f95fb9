//! Each ticket's SLA record as the store keeps it (SPEC §6), the seeded targets and
//! calendar, the breach job and the auto-close job, on SQLite and PostgreSQL.

use crate::common::*;
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use madoguchi_core::Role;
use madoguchi_core::calendar::BusinessCalendar;
use madoguchi_core::model::User;
use madoguchi_core::sla::{Clock, SlaMeasure, SlaState, add_working_time, breaches, state};
use madoguchi_core::ticket::{Callback, Incident, NewTicket, Ticket};
use madoguchi_core::{Status, SupportPlan};
use madoguchi_store::testing::move_ticket_back;
use madoguchi_store::{EventFilter, Filing, NewMessage, SettingsChanges, Store, store_test};

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

/// An organization with one contract of `plan`, its customer, and an agent.
struct Desk {
    customer: User,
    agent: User,
    organization_id: String,
    contract_id: String,
}

async fn desk(store: &Store, plan: SupportPlan) -> Desk {
    let org = organization(store, "株式会社サンプル").await;
    let contract = store
        .create_contract(None, &direct_contract(&org.id, "ECL-0123", plan))
        .await
        .expect("create contract");
    tenant(store, &org.id, "tenant-001").await;
    Desk {
        customer: customer(store, &org.id, "taro@example.com").await,
        agent: staff(store, "agent@madoguchi.example", Role::Agent).await,
        organization_id: org.id,
        contract_id: contract.id,
    }
}

async fn file(
    store: &Store,
    desk: &Desk,
    type_code: &str,
    callback_window: Option<&str>,
) -> Ticket {
    let types = store.ticket_types().await.expect("ticket types");
    let ticket_type = types
        .into_iter()
        .find(|t| t.code == type_code)
        .expect("a seeded type");
    let incident = (ticket_type.kind == madoguchi_core::TicketKind::Incident).then(|| Incident {
        occurred_at: Timestamp::now() - hours(1),
        operation_history: "昨日までは動いていた".into(),
        current_status: "ログインできない".into(),
    });
    let callback = callback_window.map(|w| Callback {
        phone: "+81 3-1234-5678".into(),
        contact_name: "山田".into(),
        preferred_window: w.into(),
    });
    let new = NewTicket {
        ticket_type,
        summary: "ログインできない".into(),
        service_menu: "baremetal_server".into(),
        tenant_id: "tenant-001".into(),
        details: "詳細".into(),
        menu_fields: Default::default(),
        incident,
        callback,
    };
    store
        .file_ticket(
            &Filing {
                organization_id: &desk.organization_id,
                contract_id: &desk.contract_id,
                created_by: &desk.customer.id,
                participant_ids: &[],
                attachment_ids: &[],
                follow_up_of: None,
            },
            &new,
        )
        .await
        .expect("file a ticket")
}

async fn reload(store: &Store, ticket: &Ticket) -> Ticket {
    store
        .ticket(madoguchi_store::Viewer::Admin, ticket.key)
        .await
        .expect("read the ticket")
}

/// A message by `author` moving the status to `to` (or keeping it).
async fn say(
    store: &Store,
    ticket: &Ticket,
    author: &User,
    internal: bool,
    to: Option<Status>,
) -> (Timestamp, Ticket) {
    let message = NewMessage {
        author_id: &author.id,
        author_role: author.role,
        body: "ご連絡ありがとうございます。",
        internal,
        attachment_ids: &[],
        via: madoguchi_core::Via::Api,
    };
    let customer = author.role.is_customer();
    let (m, t) = store
        .add_message(&ticket.id, &message, |from| {
            Ok(match (to, customer, from) {
                (Some(to), _, _) => to,
                (None, true, Status::WaitingForCustomer | Status::PendingClosure) => {
                    Status::InProgress
                }
                (None, _, from) => from,
            })
        })
        .await
        .expect("add a message");
    (m.created_at, t)
}

async fn set_status(store: &Store, ticket: &Ticket, actor: &User, to: Status) -> Ticket {
    store
        .change_status(&ticket.id, Some(&actor.id), |_| Ok(to))
        .await
        .expect("change the status")
}

async fn calendar(store: &Store) -> BusinessCalendar {
    store.business_calendar().await.expect("the calendar")
}

store_test!(
    a_new_database_has_the_targets_calendar_and_settings_of_the_spec,
    |store: Store| async move {
        let policies = store.sla_policies().await.unwrap();
        assert_eq!(policies.len(), 6);
        let premium_incident = policies
            .iter()
            .find(|p| {
                p.plan == SupportPlan::Premium && p.kind == madoguchi_core::TicketKind::Incident
            })
            .unwrap();
        assert_eq!(premium_incident.target.first_response, mins(30));
        assert_eq!(premium_incident.target.clock, Clock::AroundTheClock);

        let cal = calendar(&store).await;
        assert_eq!(cal.time_zone().iana_name(), Some("Asia/Tokyo"));
        assert_eq!(
            cal.weekly_hours().iter().filter(|h| h.is_some()).count(),
            5,
            "Monday to Friday"
        );
        let year = Timestamp::now().to_zoned(cal.time_zone().clone()).year();
        for y in [year - 1, year, year + 5] {
            assert_eq!(cal.holiday(date(y, 1, 1)), Some("元日"), "{y}");
            assert_eq!(cal.holiday(date(y, 12, 30)), Some("年末年始"), "{y}");
        }
        assert_eq!(cal.holiday(date(year + 6, 1, 1)), None);

        let settings = store.settings().await.unwrap();
        assert_eq!(settings.auto_close_days, 7);
        assert!(!settings.full_text_emails);

        // Migrating again keeps what an admin changed.
        store
            .update_settings(
                None,
                SettingsChanges {
                    auto_close_days: Some(3),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store.remove_holiday(None, date(year, 1, 1)).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(store.settings().await.unwrap().auto_close_days, 3);
        assert_eq!(calendar(&store).await.holiday(date(year, 1, 1)), None);
    }
);

store_test!(
    filing_sets_the_first_response_due_by_plan_and_kind,
    |store: Store| async move {
        // A premium incident is due in 30 minutes, around the clock.
        let premium = desk(&store, SupportPlan::Premium).await;
        let incident = file(&store, &premium, "premium_incident_submission", None).await;
        let filed = incident.created_at;
        assert_eq!(incident.sla.first_response_due_at, Some(filed + mins(30)));
        let active = incident.sla.active().expect("a running clock");
        assert_eq!(active.measure, SlaMeasure::FirstResponse);
        assert_eq!(active.due_at, filed + mins(30));
        assert_eq!(
            incident.sla.due_soon_at,
            Some(filed + mins(22) + SignedDuration::from_secs(30))
        );
        assert_eq!(
            state(&incident.sla, filed, incident.status),
            SlaState::OnTrack
        );
        assert_eq!(
            state(&incident.sla, filed + mins(25), incident.status),
            SlaState::DueSoon
        );
        assert_eq!(
            state(&incident.sla, filed + mins(30), incident.status),
            SlaState::Breached,
            "the due instant itself is late"
        );

        // The same organization's premium inquiry runs four business hours.
        let inquiry = file(&store, &premium, "premium_general_inquiry", None).await;
        let cal = calendar(&store).await;
        let due = add_working_time(inquiry.created_at, hours(4), Clock::BusinessHours, &cal);
        assert_eq!(inquiry.sla.first_response_due_at, Some(due));
        assert!(cal.is_working_day(due.to_zoned(cal.time_zone().clone()).date()));
    }
);

store_test!(
    a_basic_inquiry_runs_on_business_hours,
    |store: Store| async move {
        let basic = desk(&store, SupportPlan::Basic).await;
        let inquiry = file(&store, &basic, "general_inquiry", None).await;
        let cal = calendar(&store).await;
        let filed = inquiry.created_at;
        let due = inquiry.sla.first_response_due_at.expect("a due");
        assert_eq!(
            due,
            add_working_time(filed, hours(16), Clock::BusinessHours, &cal)
        );
        // Sixteen business hours are two working days at least: more than 16 wall hours.
        assert!(due - hours(16) > filed);
    }
);

store_test!(
    waiting_for_the_customer_pauses_and_their_reply_moves_the_due,
    |store: Store| async move {
        let advanced = desk(&store, SupportPlan::Advanced).await;
        let ticket = file(&store, &advanced, "incident_submission", None).await;
        let due = ticket.sla.first_response_due_at.unwrap();
        assert_eq!(due, ticket.created_at + hours(2));

        let waiting =
            set_status(&store, &ticket, &advanced.agent, Status::WaitingForCustomer).await;
        let paused_at = waiting.sla.paused_at.expect("paused");
        assert_eq!(waiting.sla.active(), None, "nothing runs while waiting");
        assert_eq!(
            state(&waiting.sla, paused_at + hours(5), waiting.status),
            SlaState::Paused
        );
        assert!(breaches(&waiting.sla, paused_at + hours(5)).is_empty());

        // The ticket has waited an hour (everything moves back an hour on the wall clock).
        move_ticket_back(&store, &ticket.id, hours(1)).await;
        let (replied_at, resumed) = say(&store, &ticket, &advanced.customer, false, None).await;
        assert_eq!(resumed.status, Status::InProgress);
        assert_eq!(resumed.sla.paused_at, None);
        let waited = replied_at.duration_since(paused_at - hours(1));
        assert!(waited >= hours(1));
        assert_eq!(
            resumed.sla.first_response_due_at,
            Some(due - hours(1) + waited),
            "the due moves by the time the clock stood still"
        );
        assert_eq!(
            resumed.sla.active().unwrap().due_at,
            due - hours(1) + waited
        );
    }
);

store_test!(
    the_first_public_reply_meets_the_first_response_and_a_note_does_not,
    |store: Store| async move {
        let premium = desk(&store, SupportPlan::Premium).await;
        let ticket = file(&store, &premium, "premium_incident_submission", None).await;

        let (_, noted) = say(&store, &ticket, &premium.agent, true, None).await;
        assert_eq!(
            noted.sla.first_responded_at, None,
            "an internal note answers nobody"
        );

        let (at, answered) = say(
            &store,
            &ticket,
            &premium.agent,
            false,
            Some(Status::InProgress),
        )
        .await;
        assert_eq!(answered.sla.first_responded_at, Some(at));
        assert_eq!(answered.sla.next_update_due_at, Some(at + hours(1)));
        let active = answered.sla.active().unwrap();
        assert_eq!(
            (active.measure, active.due_at),
            (SlaMeasure::Update, at + hours(1))
        );
        assert!(breaches(&answered.sla, at).is_empty());
        assert_eq!(state(&answered.sla, at, answered.status), SlaState::OnTrack);

        // The ticket read again says the same.
        assert_eq!(reload(&store, &ticket).await.sla, answered.sla);
    }
);

store_test!(
    a_reply_after_the_due_is_a_breach_that_stays,
    |store: Store| async move {
        let premium = desk(&store, SupportPlan::Premium).await;
        let ticket = file(&store, &premium, "premium_incident_submission", None).await;
        // Filed 31 minutes ago: the 30-minute first response is late.
        move_ticket_back(&store, &ticket.id, mins(31)).await;
        let (at, answered) = say(
            &store,
            &ticket,
            &premium.agent,
            false,
            Some(Status::PendingClosure),
        )
        .await;
        assert_eq!(breaches(&answered.sla, at), vec![SlaMeasure::FirstResponse]);
        // The late reply came before the breach job ran: the reply records the breach, once.
        let recorded = breach_events(&store, &ticket).await;
        assert_eq!(recorded.len(), 1, "{recorded:?}");
        assert_eq!(recorded[0]["measure"], "first_response");
        assert_eq!(recorded[0]["public"], false);
        assert_eq!(store.record_sla_breaches(at + hours(2)).await.unwrap(), 0);
        assert_eq!(
            state(&answered.sla, at, answered.status),
            SlaState::Breached
        );
        // Closing keeps the fact.
        let closed = set_status(&store, &answered, &premium.agent, Status::Closed).await;
        assert_eq!(
            state(&closed.sla, at + hours(24), closed.status),
            SlaState::Breached
        );
    }
);

store_test!(
    a_callback_is_due_at_the_start_of_the_preferred_window,
    |store: Store| async move {
        let basic = desk(&store, SupportPlan::Basic).await;
        let tokyo = calendar(&store).await.time_zone().clone();
        let day = Timestamp::now()
            .to_zoned(tokyo.clone())
            .date()
            .tomorrow()
            .unwrap()
            .tomorrow()
            .unwrap();
        let window = format!("{} 10:00-12:00", day.strftime("%Y/%m/%d"));
        let ticket = file(
            &store,
            &basic,
            "callback_incident_submission",
            Some(&window),
        )
        .await;
        let start = tokyo
            .to_timestamp(day.to_datetime(jiff::civil::time(10, 0, 0, 0)))
            .unwrap();
        assert_eq!(ticket.sla.first_response_due_at, Some(start));

        // A window the agent cannot read falls back to the first-response target (4 h).
        let vague = file(
            &store,
            &basic,
            "callback_incident_submission",
            Some("午前中"),
        )
        .await;
        assert_eq!(
            vague.sla.first_response_due_at,
            Some(vague.created_at + hours(4))
        );
    }
);

store_test!(
    a_new_target_counts_for_new_tickets_at_once,
    |store: Store| async move {
        let premium = desk(&store, SupportPlan::Premium).await;
        let before = file(&store, &premium, "premium_incident_submission", None).await;
        let mut policy = store
            .sla_policies()
            .await
            .unwrap()
            .into_iter()
            .find(|p| {
                p.plan == SupportPlan::Premium && p.kind == madoguchi_core::TicketKind::Incident
            })
            .unwrap();
        policy.target.first_response = mins(15);
        let after_id = last_event_id(&store).await;
        store
            .set_sla_policies(Some(&premium.agent.id), &[policy])
            .await
            .unwrap();
        let event = assert_one_event(
            &store,
            after_id,
            Expected {
                kind: madoguchi_core::event::EventKind::SlaPolicyUpdated,
                actor: Some(&premium.agent.id),
                subject: "sla_policies",
                organization: None,
            },
        )
        .await;
        assert_eq!(
            event.data["changes"]["premium.incident"]["to"]["first_response_minutes"],
            15
        );
        let after = file(&store, &premium, "premium_incident_submission", None).await;
        assert_eq!(
            after.sla.first_response_due_at,
            Some(after.created_at + mins(15))
        );
        assert_eq!(
            reload(&store, &before).await.sla.first_response_due_at,
            Some(before.created_at + mins(30)),
            "dues already computed stay"
        );
    }
);

async fn breach_events(store: &Store, ticket: &Ticket) -> Vec<serde_json::Value> {
    store
        .events(EventFilter {
            subject_id: Some(&ticket.id),
            ..EventFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "sla.breached")
        .map(|e| e.data)
        .collect()
}

store_test!(
    each_breach_becomes_one_event_even_with_two_runners,
    |store: Store| async move {
        let premium = desk(&store, SupportPlan::Premium).await;
        let late = file(&store, &premium, "premium_incident_submission", None).await;
        let on_time = file(&store, &premium, "premium_general_inquiry", None).await;
        let filed = late.created_at;

        // Nothing is late yet.
        assert_eq!(
            store.record_sla_breaches(filed + mins(29)).await.unwrap(),
            0
        );

        // At the due instant, two instances run the job at once.
        let now = filed + mins(30);
        let (a, b) = tokio::join!(
            store.record_sla_breaches(now),
            store.record_sla_breaches(now)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1, "one breach, recorded once");
        let events = breach_events(&store, &late).await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["key"], late.key.to_string());
        assert_eq!(events[0]["measure"], "first_response");
        assert_eq!(events[0]["due_at"], (filed + mins(30)).to_string());
        assert_eq!(events[0]["public"], false);
        assert!(breach_events(&store, &on_time).await.is_empty());

        // Running again later records nothing new.
        assert_eq!(store.record_sla_breaches(now + hours(1)).await.unwrap(), 0);

        // A late answer restarts the update clock; missing that too is a second breach.
        let (at, _) = say(
            &store,
            &late,
            &premium.agent,
            false,
            Some(Status::InProgress),
        )
        .await;
        let later = at + hours(1);
        let (a, b) = tokio::join!(
            store.record_sla_breaches(later),
            store.record_sla_breaches(later)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        let events = breach_events(&store, &late).await;
        assert_eq!(events.len(), 2);
        assert_eq!(events[1]["measure"], "update");
        let record = reload(&store, &late).await.sla;
        assert!(record.update_breached, "kept as a fact");
    }
);

store_test!(
    pending_closure_tickets_close_themselves_after_the_set_days_once,
    |store: Store| async move {
        let basic = desk(&store, SupportPlan::Basic).await;
        let old = file(&store, &basic, "general_inquiry", None).await;
        let recent = file(&store, &basic, "general_inquiry", None).await;
        let open = file(&store, &basic, "general_inquiry", None).await;
        let (_, old) = say(
            &store,
            &old,
            &basic.agent,
            false,
            Some(Status::PendingClosure),
        )
        .await;
        let (_, recent) = say(
            &store,
            &recent,
            &basic.agent,
            false,
            Some(Status::PendingClosure),
        )
        .await;
        // `old` was proposed for closing ten days ago, `recent` three days ago.
        move_ticket_back(&store, &old.id, hours(24 * 10)).await;
        move_ticket_back(&store, &recent.id, hours(24 * 3)).await;

        // As stored: whole microseconds.
        let now = Timestamp::from_microsecond(Timestamp::now().as_microsecond()).unwrap();
        let week = hours(24 * 7);
        let after_id = last_event_id(&store).await;
        let (a, b) = tokio::join!(
            store.auto_close_pending(now, week),
            store.auto_close_pending(now, week)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1, "one ticket closed, once");

        let closed = reload(&store, &old).await;
        assert_eq!(closed.status, Status::Closed);
        assert_eq!(closed.closed_at, Some(now));
        assert_eq!(closed.status_changed_at, now);
        assert_eq!(closed.sla.closed_at, Some(now));
        assert_eq!(state(&closed.sla, now, closed.status), SlaState::Met);
        assert_eq!(reload(&store, &recent).await.status, Status::PendingClosure);
        assert_eq!(reload(&store, &open).await.status, Status::New);

        let event = assert_one_event(
            &store,
            after_id,
            Expected {
                kind: madoguchi_core::event::EventKind::TicketStatusChanged,
                actor: None,
                subject: &old.id,
                organization: Some(&basic.organization_id),
            },
        )
        .await;
        assert_eq!(event.data["reason"], "auto_close");
        assert_eq!(event.data["public"], true);
        assert_eq!(event.data["changes"]["status"]["from"], "pending_closure");
        assert_eq!(event.data["changes"]["status"]["to"], "closed");
        let outbox = store.outbox_of(event.id).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].kind, "ticket.closed");
        assert_eq!(outbox[0].recipient, format!("user:{}", basic.customer.id));

        // Five days on, the recent one's week is up too; the closed one is not touched again.
        let later = now + hours(24 * 5);
        assert_eq!(store.auto_close_pending(later, week).await.unwrap(), 1);
        assert_eq!(reload(&store, &recent).await.status, Status::Closed);
        assert_eq!(reload(&store, &old).await.closed_at, Some(now));
    }
);

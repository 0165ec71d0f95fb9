//! A living desk for the demo: the tickets of `desk_tickets.rs` filed by their customers and
//! worked by the demo agents through the same operations as the pages and the API, then moved
//! back in time so that some are due soon, some breached, and some waiting to close.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use madoguchi_core::model::User;
use madoguchi_core::ticket::Ticket;
use madoguchi_core::values::Email;
use madoguchi_store::Store;

use super::desk_tickets::{DemoTicket, Step, TICKETS};
use crate::callbacks::{self, CallbackAttemptInput};
use crate::merge::{self, MergeInput};
use crate::satisfaction::{self, RatingInput};
use crate::tickets::{self, CallbackInput, IncidentInput, ReplyInput, TicketInput};
use crate::{ServiceError, ServiceResult, desk};

/// The most files a demo ticket carries (none).
const NO_FILES: usize = 0;

async fn user(store: &Store, email: &str) -> ServiceResult<User> {
    let email = Email::parse(email).map_err(super::invalid)?;
    Ok(store.user_by_email(&email).await?)
}

/// A plausible value for each required item of the ticket's service menu.
fn sample_value(key: &str, options: &[String]) -> String {
    if let Some(first) = options.first() {
        return first.clone();
    }
    match key {
        "server_name" => "web-prod-01",
        "volume_id" => "vol-3f2a9c01",
        "network_id" => "net-8c21e0",
        "firewall_id" => "fw-edge-01",
        "load_balancer_id" => "lb-front-01",
        "virtual_ip" => "203.0.113.10",
        "instance_id" => "db-main-01",
        "screen_or_endpoint" => "/v2/servers",
        "service_name" => "DNS",
        _ => "demo",
    }
    .to_owned()
}

async fn file(store: &Store, demo: &DemoTicket) -> ServiceResult<(User, Ticket)> {
    let filer = user(store, demo.filer).await?;
    let options = tickets::filing_options(store, &filer, demo.contract).await?;
    let mut menu_fields = BTreeMap::new();
    if let Some(menu) = options.menus.iter().find(|m| m.key == demo.menu) {
        for item in menu.items.iter().filter(|i| i.required) {
            let value = if item.input == madoguchi_core::MenuInput::Datetime {
                "2026-11-30T09:00".to_owned()
            } else {
                sample_value(&item.key, &item.options)
            };
            menu_fields.insert(item.key.clone(), value);
        }
    }
    let incident = demo
        .ticket_type
        .contains("incident")
        .then(|| IncidentInput {
            occurred_at: Some(
                jiff::Timestamp::now()
                    .checked_sub(SignedDuration::from_mins(demo.age_minutes + 30))
                    .unwrap_or(jiff::Timestamp::now())
                    .to_string(),
            ),
            operation_history: Some("前日までは正常に動作していました。".into()),
            current_status: Some("事象は継続しています。".into()),
        });
    let input = TicketInput {
        contract_number: Some(demo.contract.into()),
        ticket_type: Some(demo.ticket_type.into()),
        summary: Some(demo.summary.into()),
        service_menu: Some(demo.menu.into()),
        tenant_id: options.tenants.first().cloned(),
        details: Some(demo.details.into()),
        menu_fields,
        incident,
        callback: demo.callback.as_ref().map(|c| CallbackInput {
            phone: Some(c.phone.into()),
            contact_name: Some(c.contact_name.into()),
            preferred_window: Some(c.preferred_window.into()),
        }),
        ..Default::default()
    };
    let ticket = tickets::file(store, &filer, &input, NO_FILES).await?;
    Ok((filer, ticket))
}

fn reply(body: &str, status: Option<&str>) -> ReplyInput {
    ReplyInput {
        body: Some(body.into()),
        status: status.map(Into::into),
        ..Default::default()
    }
}

async fn work(
    store: &Store,
    filer: &User,
    ticket: &Ticket,
    steps: &[Step],
    filed: &[(&'static str, Ticket)],
) -> ServiceResult<()> {
    let key = ticket.key;
    for step in steps {
        match step {
            Step::Take(agent) => {
                desk::take(store, &user(store, agent).await?, key).await?;
            }
            Step::Priority(agent, priority) => {
                let patch = tickets::TicketPatch {
                    priority: Some((*priority).into()),
                    ..Default::default()
                };
                desk::update(store, &user(store, agent).await?, key, &patch).await?;
            }
            Step::Reply(agent, body, status) => {
                let agent = user(store, agent).await?;
                tickets::reply(store, &agent, key, &reply(body, *status), NO_FILES).await?;
            }
            Step::Note(agent, body) => {
                let agent = user(store, agent).await?;
                desk::note(store, &agent, key, &reply(body, None), NO_FILES).await?;
            }
            Step::Customer(body) => {
                tickets::reply(store, filer, key, &reply(body, None), NO_FILES).await?;
            }
            Step::Close => {
                tickets::close(store, filer, key).await?;
            }
            Step::Rate(rating, comment) => {
                let input = RatingInput {
                    rating: Some(i64::from(*rating)),
                    comment: Some((*comment).into()),
                };
                satisfaction::rate(store, filer, key, &input).await?;
            }
            Step::Call(agent, outcome, note, next_in_hours) => {
                let input = CallbackAttemptInput {
                    outcome: Some((*outcome).into()),
                    note: Some((*note).into()),
                    next_at: next_in_hours.map(|h| {
                        (jiff::Timestamp::now() + SignedDuration::from_hours(h)).to_string()
                    }),
                };
                callbacks::record(store, &user(store, agent).await?, key, &input).await?;
            }
            Step::MergeInto(agent, summary) => {
                let Some((_, survivor)) = filed.iter().find(|(s, _)| s == summary) else {
                    return Err(ServiceError::Internal(format!(
                        "demo: no ticket `{summary}` to merge into"
                    )));
                };
                let input = MergeInput {
                    into: Some(survivor.key.to_string()),
                };
                merge::merge(store, &user(store, agent).await?, key, &input).await?;
            }
        }
    }
    Ok(())
}

/// Files and works the demo desk's tickets, unless the store already holds tickets (a demo
/// loaded before, or a database in use): the desk is loaded once, never doubled.
pub(super) async fn load(store: &Store) -> ServiceResult<()> {
    if store.ticket_count().await? > 0 {
        return Ok(());
    }
    let mut filed: Vec<(&'static str, Ticket)> = Vec::new();
    for demo in TICKETS {
        let (filer, ticket) = file(store, demo).await?;
        work(store, &filer, &ticket, demo.steps, &filed).await?;
        filed.push((demo.summary, ticket));
    }
    // Everything happened just now; move each ticket's life back to when it was filed.
    for ((_, ticket), demo) in filed.iter().zip(TICKETS) {
        store
            .move_ticket_back(&ticket.id, SignedDuration::from_mins(demo.age_minutes))
            .await?;
    }
    Ok(())
}

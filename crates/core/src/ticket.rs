//! Tickets: what a customer files (SPEC §4), and the records the response log is made of.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::catalog::{MenuItem, ServiceMenu, TicketType};
use crate::codes::{Desk, MenuInput, Priority, Status, SupportPlan, TicketChannel, TicketKind};
use crate::validation::{Invalid, Problem};
use crate::values::TicketKey;

/// 事象発生日時 / 動作実績 / 現在の状況: what an incident ticket must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub occurred_at: Timestamp,
    pub operation_history: String,
    pub current_status: String,
}

/// What a callback request carries: whom to call, where, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub phone: String,
    pub contact_name: String,
    pub preferred_window: String,
}

/// A filed ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: String,
    pub key: TicketKey,
    pub organization_id: String,
    pub organization_name: String,
    pub contract_id: String,
    pub contract_number: String,
    /// The contract's support plan (as it is now: a plan change applies at once).
    pub plan: SupportPlan,
    pub ticket_type: String,
    pub desk: Desk,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<String>,
    pub summary: String,
    pub service_menu: String,
    pub tenant_id: String,
    pub details: String,
    pub menu_fields: BTreeMap<String, String>,
    pub incident: Option<Incident>,
    pub callback: Option<Callback>,
    pub participant_ids: Vec<String>,
    pub created_by: String,
    pub follow_up_of: Option<TicketKey>,
    /// Set when this ticket was closed as a duplicate of another.
    pub merged_into: Option<TicketKey>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the status last changed: auto-close counts pending-closure days from it.
    pub status_changed_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub satisfaction: Option<Satisfaction>,
    /// The SLA record (SPEC §6) as the store keeps it: dues, the first response, the pause.
    /// Staff see it; customers never do.
    pub sla: crate::sla::TicketSla,
}

/// The filer's rating of a closed ticket (SPEC §5), given once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Satisfaction {
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    pub comment: Option<String>,
    pub rated_at: Timestamp,
}

/// A file attached to a ticket or a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: Timestamp,
}

/// One entry of the response log (チケット対応ログ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub ticket_id: String,
    pub author_id: String,
    pub body: String,
    /// Internal notes are for agents only: never shown or emailed to customers.
    pub internal: bool,
    /// The surface it was written on.
    pub via: crate::Via,
    pub created_at: Timestamp,
    pub attachments: Vec<Attachment>,
}

/// A ticket as the customer typed it: raw text, before any rule is checked.
#[derive(Debug, Clone)]
pub struct RawTicket<'a> {
    pub ticket_type: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub service_menu: Option<&'a str>,
    pub tenant_id: Option<&'a str>,
    pub details: Option<&'a str>,
    pub menu_fields: &'a BTreeMap<String, String>,
    pub incident: Option<RawIncident<'a>>,
    pub callback: Option<RawCallback<'a>>,
}

static NO_MENU_FIELDS: BTreeMap<String, String> = BTreeMap::new();

impl Default for RawTicket<'_> {
    fn default() -> Self {
        RawTicket {
            ticket_type: None,
            summary: None,
            service_menu: None,
            tenant_id: None,
            details: None,
            menu_fields: &NO_MENU_FIELDS,
            incident: None,
            callback: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RawIncident<'a> {
    pub occurred_at: Option<&'a str>,
    pub operation_history: Option<&'a str>,
    pub current_status: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RawCallback<'a> {
    pub phone: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub preferred_window: Option<&'a str>,
}

/// What the rules check a ticket against: the contract's plan and the catalog.
pub struct FilingContext<'a> {
    /// The types the contract's plan offers.
    pub offered_types: &'a [TicketType],
    pub menus: &'a [ServiceMenu],
    /// The tenant IDs of the customer's organization.
    pub tenants: &'a [String],
    /// Local times without an offset are read in this zone (the user's).
    pub time_zone: TimeZone,
    pub now: Timestamp,
}

/// A ticket whose every field follows the rules of SPEC §4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub ticket_type: TicketType,
    pub summary: String,
    pub service_menu: String,
    pub tenant_id: String,
    pub details: String,
    pub menu_fields: BTreeMap<String, String>,
    pub incident: Option<Incident>,
    pub callback: Option<Callback>,
}

pub const SUMMARY_MAX: usize = 200;
pub const DETAILS_MAX: usize = 20_000;
pub const ITEM_MAX: usize = 500;
pub const LONG_TEXT_MAX: usize = 5_000;
/// The most participants one filing names: far more than a team, few enough that checking
/// each costs nothing.
pub const PARTICIPANTS_MAX: usize = 50;
/// The most menu items one filing carries (a menu has a handful).
pub const MENU_FIELDS_MAX: usize = 100;

/// The sizes of a filing's lists, checked before anything else: a list past its cap is one
/// problem, never one per entry, so that 150 000 participants cost no more than 51.
pub fn check_list_sizes(
    participants: usize,
    menu_fields: usize,
    attachments: usize,
    max_attachments: usize,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    for (field, given, max) in [
        ("participants", participants, PARTICIPANTS_MAX),
        ("menu_fields", menu_fields, MENU_FIELDS_MAX),
        ("attachments", attachments, max_attachments),
    ] {
        if given > max {
            errors.push(field, Problem::TooMany { max });
        }
    }
    errors.into_result()
}

/// Required text: trimmed, not empty, at most `max` characters; `one_line` refuses line breaks.
fn text(value: Option<&str>, max: usize, one_line: bool) -> Result<String, Problem> {
    let value = value.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(Problem::Required);
    }
    if value.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    let bad = |c: char| {
        (c.is_control() && !(!one_line && (c == '\n' || c == '\r' || c == '\t')))
            || crate::validation::is_bidi_control(c)
    };
    if value.chars().any(bad) {
        return Err(Problem::BadCharacters {
            allowed: if one_line { "one line of text" } else { "text" },
        });
    }
    Ok(value.to_owned())
}

/// A moment as typed: RFC 3339 with an offset, or a local `YYYY-MM-DDTHH:MM` read in `tz`.
pub fn parse_moment(value: &str, tz: &TimeZone) -> Result<Timestamp, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Problem::Required);
    }
    if let Ok(t) = value.parse::<Timestamp>() {
        return Ok(t);
    }
    value
        .replace(' ', "T")
        .parse::<DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp())
        .ok_or(Problem::Conflicts {
            reason: "problem.not_a_datetime",
        })
}

/// Phone numbers as people write them: digits with `+ - ( )` and spaces, 6 to 20 digits.
fn phone(value: Option<&str>) -> Result<String, Problem> {
    let value = text(value, 40, true)?;
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | ' ');
    if !value.chars().all(allowed) || !(6..=20).contains(&digits) {
        return Err(Problem::Conflicts {
            reason: "problem.not_a_phone",
        });
    }
    Ok(value)
}

fn menu_item(
    item: &MenuItem,
    value: Option<&str>,
    ctx: &FilingContext<'_>,
) -> Result<String, Problem> {
    let value = value.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return if !item.required {
            Ok(String::new())
        } else if item.input == MenuInput::Select {
            Err(Problem::NotChosen)
        } else {
            Err(Problem::Required)
        };
    }
    match item.input {
        MenuInput::Text => text(Some(value), ITEM_MAX, true),
        MenuInput::Textarea => text(Some(value), LONG_TEXT_MAX, false),
        MenuInput::Select if item.options.iter().any(|o| o == value) => Ok(value.to_owned()),
        MenuInput::Select => Err(Problem::NotAChoice {
            allowed: item.options.clone(),
        }),
        MenuInput::Datetime => parse_moment(value, &ctx.time_zone).map(|t| t.to_string()),
    }
}

/// Checks a ticket against the rules of SPEC §4 and answers every problem at once, each under
/// the JSON path of its field.
pub fn check_new_ticket(
    raw: &RawTicket<'_>,
    ctx: &FilingContext<'_>,
) -> Result<NewTicket, Invalid> {
    let mut errors = Invalid::new();
    let ticket_type = match raw.ticket_type.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            errors.push("ticket_type", Problem::NotChosen);
            None
        }
        Some(code) => match ctx.offered_types.iter().find(|t| t.code == code) {
            Some(t) => Some(t.clone()),
            None => {
                let allowed = ctx.offered_types.iter().map(|t| t.code.clone()).collect();
                errors.push("ticket_type", Problem::NotAChoice { allowed });
                None
            }
        },
    };
    let summary = errors.check("summary", text(raw.summary, SUMMARY_MAX, true));
    let details = errors.check("details", text(raw.details, DETAILS_MAX, false));
    let tenant_id = match raw.tenant_id.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            errors.push("tenant_id", Problem::NotChosen);
            None
        }
        Some(t) if ctx.tenants.iter().any(|known| known == t) => Some(t.to_owned()),
        Some(_) => {
            errors.push(
                "tenant_id",
                Problem::NotAChoice {
                    allowed: ctx.tenants.to_vec(),
                },
            );
            None
        }
    };
    let menu = match raw.service_menu.map(str::trim).filter(|m| !m.is_empty()) {
        None => {
            errors.push("service_menu", Problem::NotChosen);
            None
        }
        Some(key) => match ctx.menus.iter().find(|m| m.key == key) {
            Some(m) => Some(m),
            None => {
                let allowed = ctx.menus.iter().map(|m| m.key.clone()).collect();
                errors.push("service_menu", Problem::NotAChoice { allowed });
                None
            }
        },
    };
    let mut menu_fields = BTreeMap::new();
    if let Some(menu) = menu {
        for item in &menu.items {
            let field = format!("menu_fields.{}", item.key);
            let value = raw.menu_fields.get(&item.key).map(String::as_str);
            if let Some(v) = errors.check(&field, menu_item(item, value, ctx))
                && !v.is_empty()
            {
                menu_fields.insert(item.key.clone(), v);
            }
        }
        for key in raw.menu_fields.keys() {
            if !menu.items.iter().any(|i| &i.key == key) {
                errors.push(
                    format!("menu_fields.{key}"),
                    Problem::Conflicts {
                        reason: "problem.not_an_item_of_menu",
                    },
                );
            }
        }
    }

    let kind = ticket_type.as_ref().map(|t| (t.kind, t.channel));
    let incident = match (kind, raw.incident) {
        (Some((TicketKind::Incident, _)), raw_incident) => {
            let r = raw_incident.unwrap_or_default();
            let occurred_at = match r.occurred_at.map(|v| parse_moment(v, &ctx.time_zone)) {
                None => Err(Problem::Required),
                Some(Ok(t)) if t > ctx.now + jiff::SignedDuration::from_mins(10) => {
                    Err(Problem::Conflicts {
                        reason: "problem.in_future",
                    })
                }
                Some(other) => other,
            };
            let occurred_at = errors.check("incident.occurred_at", occurred_at);
            let history = errors.check(
                "incident.operation_history",
                text(r.operation_history, LONG_TEXT_MAX, false),
            );
            let status = errors.check(
                "incident.current_status",
                text(r.current_status, LONG_TEXT_MAX, false),
            );
            match (occurred_at, history, status) {
                (Some(occurred_at), Some(operation_history), Some(current_status)) => {
                    Some(Incident {
                        occurred_at,
                        operation_history,
                        current_status,
                    })
                }
                _ => None,
            }
        }
        (Some(_), Some(_)) => {
            errors.push(
                "incident",
                Problem::Conflicts {
                    reason: "problem.incident_for_incidents_only",
                },
            );
            None
        }
        _ => None,
    };
    let callback = match (kind, raw.callback) {
        (Some((_, TicketChannel::Callback)), raw_callback) => {
            let r = raw_callback.unwrap_or_default();
            let phone = errors.check("callback.phone", phone(r.phone));
            let contact = errors.check("callback.contact_name", text(r.contact_name, 200, true));
            let window = errors.check(
                "callback.preferred_window",
                text(r.preferred_window, 200, true),
            );
            match (phone, contact, window) {
                (Some(phone), Some(contact_name), Some(preferred_window)) => Some(Callback {
                    phone,
                    contact_name,
                    preferred_window,
                }),
                _ => None,
            }
        }
        (Some(_), Some(_)) => {
            errors.push(
                "callback",
                Problem::Conflicts {
                    reason: "problem.callback_for_callbacks_only",
                },
            );
            None
        }
        _ => None,
    };
    errors.into_result()?;
    // Every `None` above recorded an error, so all are present here.
    Ok(NewTicket {
        ticket_type: ticket_type.expect("checked above"),
        summary: summary.expect("checked above"),
        service_menu: menu.expect("checked above").key.clone(),
        tenant_id: tenant_id.expect("checked above"),
        details: details.expect("checked above"),
        menu_fields,
        incident,
        callback,
    })
}

/// A reply's body: required, at most 20 000 characters.
pub fn check_reply_body(body: Option<&str>) -> Result<String, Invalid> {
    text(body, DETAILS_MAX, false).map_err(|p| Invalid::one("body", p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{seed_service_menus, seed_ticket_types, ticket_types_for};
    use crate::codes::SupportPlan;

    struct Fixture {
        types: Vec<TicketType>,
        menus: Vec<ServiceMenu>,
        tenants: Vec<String>,
    }

    fn fixture(plan: SupportPlan) -> Fixture {
        Fixture {
            types: ticket_types_for(plan, &seed_ticket_types()),
            menus: seed_service_menus(),
            tenants: vec!["tenant-1".into(), "tenant-2".into()],
        }
    }

    fn ctx(f: &Fixture) -> FilingContext<'_> {
        FilingContext {
            offered_types: &f.types,
            menus: &f.menus,
            tenants: &f.tenants,
            time_zone: TimeZone::get("Asia/Tokyo").unwrap(),
            now: "2026-11-25T00:00:00Z".parse().unwrap(),
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn error_fields(e: Invalid) -> Vec<String> {
        let mut f: Vec<String> = e.0.into_iter().map(|e| e.field).collect();
        f.sort();
        f
    }

    #[test]
    fn a_complete_inquiry_passes() {
        let f = fixture(SupportPlan::Basic);
        let menu_fields = fields(&[("server_name", "web-01"), ("region", "JP1")]);
        let raw = RawTicket {
            ticket_type: Some("general_inquiry"),
            summary: Some(" 仮想サーバーのスナップショットについて "),
            service_menu: Some("virtual_server"),
            tenant_id: Some("tenant-1"),
            details: Some("手順を教えてください。\n複数行です。"),
            menu_fields: &menu_fields,
            ..Default::default()
        };
        let t = check_new_ticket(&raw, &ctx(&f)).unwrap();
        assert_eq!(t.summary, "仮想サーバーのスナップショットについて");
        assert_eq!(t.menu_fields["region"], "JP1");
        assert!(t.incident.is_none() && t.callback.is_none());
    }

    #[test]
    fn every_missing_field_is_named() {
        let f = fixture(SupportPlan::Basic);
        let empty = BTreeMap::new();
        let raw = RawTicket {
            menu_fields: &empty,
            ..Default::default()
        };
        let errors = check_new_ticket(&raw, &ctx(&f)).unwrap_err();
        assert_eq!(
            error_fields(errors),
            [
                "details",
                "service_menu",
                "summary",
                "tenant_id",
                "ticket_type"
            ]
        );
    }

    #[test]
    fn the_menus_items_are_required_and_checked() {
        let f = fixture(SupportPlan::Basic);
        let menu_fields = fields(&[("region", "MARS"), ("colour", "blue")]);
        let raw = RawTicket {
            ticket_type: Some("general_inquiry"),
            summary: Some("s"),
            service_menu: Some("virtual_server"),
            tenant_id: Some("tenant-9"),
            details: Some("d"),
            menu_fields: &menu_fields,
            ..Default::default()
        };
        let errors = check_new_ticket(&raw, &ctx(&f)).unwrap_err();
        assert_eq!(
            error_fields(errors),
            [
                "menu_fields.colour",
                "menu_fields.region",
                "menu_fields.server_name",
                "tenant_id"
            ]
        );
    }

    #[test]
    fn a_type_the_plan_does_not_offer_is_refused() {
        let f = fixture(SupportPlan::Basic);
        let empty = BTreeMap::new();
        let raw = RawTicket {
            ticket_type: Some("premium_general_inquiry"),
            menu_fields: &empty,
            ..Default::default()
        };
        let errors = check_new_ticket(&raw, &ctx(&f)).unwrap_err();
        let problem = &errors
            .0
            .iter()
            .find(|e| e.field == "ticket_type")
            .unwrap()
            .problem;
        assert_eq!(
            problem,
            &Problem::NotAChoice {
                allowed: vec!["general_inquiry".into(), "incident_submission".into()]
            }
        );
    }

    #[test]
    fn incidents_need_their_three_fields() {
        let f = fixture(SupportPlan::Basic);
        let menu_fields = fields(&[("service_name", "x")]);
        let mut raw = RawTicket {
            ticket_type: Some("incident_submission"),
            summary: Some("s"),
            service_menu: Some("other"),
            tenant_id: Some("tenant-1"),
            details: Some("d"),
            menu_fields: &menu_fields,
            ..Default::default()
        };
        let errors = check_new_ticket(&raw, &ctx(&f)).unwrap_err();
        assert_eq!(
            error_fields(errors),
            [
                "incident.current_status",
                "incident.occurred_at",
                "incident.operation_history"
            ]
        );
        raw.incident = Some(RawIncident {
            occurred_at: Some("2026-11-24T09:30"),
            operation_history: Some("昨日まで動いていた"),
            current_status: Some("起動しない"),
        });
        let t = check_new_ticket(&raw, &ctx(&f)).unwrap();
        // A local time is read in the user's zone: 09:30 in Tokyo is 00:30 UTC.
        assert_eq!(
            t.incident.unwrap().occurred_at.to_string(),
            "2026-11-24T00:30:00Z"
        );
        raw.incident = Some(RawIncident {
            occurred_at: Some("2027-01-01T00:00"),
            ..raw.incident.unwrap()
        });
        assert_eq!(
            error_fields(check_new_ticket(&raw, &ctx(&f)).unwrap_err()),
            ["incident.occurred_at"]
        );
    }

    #[test]
    fn inquiries_refuse_incident_fields_and_callbacks_need_a_phone() {
        let f = fixture(SupportPlan::Advanced);
        let menu_fields = fields(&[("service_name", "x")]);
        let mut raw = RawTicket {
            ticket_type: Some("general_inquiry"),
            summary: Some("s"),
            service_menu: Some("other"),
            tenant_id: Some("tenant-1"),
            details: Some("d"),
            menu_fields: &menu_fields,
            incident: Some(RawIncident::default()),
            ..Default::default()
        };
        assert_eq!(
            error_fields(check_new_ticket(&raw, &ctx(&f)).unwrap_err()),
            ["incident"]
        );
        raw.incident = None;
        raw.ticket_type = Some("callback_general_inquiry");
        raw.callback = Some(RawCallback {
            phone: Some("call me"),
            contact_name: Some("佐藤"),
            preferred_window: None,
        });
        assert_eq!(
            error_fields(check_new_ticket(&raw, &ctx(&f)).unwrap_err()),
            ["callback.phone", "callback.preferred_window"]
        );
        raw.callback = Some(RawCallback {
            phone: Some("+81 3-1234-5678"),
            contact_name: Some("佐藤"),
            preferred_window: Some("平日 10:00-12:00"),
        });
        assert_eq!(
            check_new_ticket(&raw, &ctx(&f))
                .unwrap()
                .callback
                .unwrap()
                .phone,
            "+81 3-1234-5678"
        );
    }

    #[test]
    fn summaries_are_one_line() {
        let f = fixture(SupportPlan::Basic);
        let empty = BTreeMap::new();
        let raw = RawTicket {
            summary: Some("a\nb"),
            menu_fields: &empty,
            ..Default::default()
        };
        let errors = check_new_ticket(&raw, &ctx(&f)).unwrap_err();
        assert!(errors.0.iter().any(|e| e.field == "summary" && matches!(e.problem, Problem::BadCharacters { .. })));
    }

    #[test]
    fn lists_past_their_caps_are_one_problem_each() {
        assert!(check_list_sizes(PARTICIPANTS_MAX, MENU_FIELDS_MAX, 10, 10).is_ok());
        let errors = check_list_sizes(150_000, MENU_FIELDS_MAX + 1, 11, 10).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["participants", "menu_fields", "attachments"]);
        assert_eq!(errors.0[0].problem, Problem::TooMany { max: 50 });
        assert_eq!(errors.0[2].problem, Problem::TooMany { max: 10 });
    }
}

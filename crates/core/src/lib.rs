//! The domain of Madoguchi: the customer's world (organizations, contracts, plans), the
//! catalog (ticket types, service menus), and the rules that every surface shares.
//!
//! No I/O, no async, no SQL: everything here is a value or a pure function.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod callback;
pub mod canned;
pub mod catalog;
pub mod catalog_edit;
pub mod category;
pub mod codes;
pub mod event;
pub mod history;
pub mod knowledge;
pub mod merge;
pub mod model;
pub mod notify;
pub mod report;
pub mod satisfaction;
pub mod seen;
pub mod sla;
pub mod status;
pub mod ticket;
pub mod token;
pub mod uploads;
pub mod validation;
pub mod values;

pub use calendar::{BusinessCalendar, WorkingHours, japanese_holidays};
pub use codes::{
    CallbackOutcome, Channel, Desk, Locale, MenuInput, PermissionLevel, Priority, Role, Status,
    SupportPlan, TicketChannel, TicketKind, UnknownCode, Via,
};
pub use sla::{Clock, SlaEvent, SlaMeasure, SlaState, SlaTarget, TicketSla};
pub use validation::{FieldError, Invalid, Problem};

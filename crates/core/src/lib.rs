//! The domain of Madoguchi: the customer's world (organizations, contracts, plans), the
//! catalog (ticket types, service menus), and the rules that every surface shares.
//!
//! No I/O, no async, no SQL: everything here is a value or a pure function.

pub mod access;
pub mod canned;
pub mod catalog;
pub mod category;
pub mod codes;
pub mod event;
pub mod knowledge;
pub mod model;
pub mod report;
pub mod status;
pub mod ticket;
pub mod validation;
pub mod values;

pub use codes::{
    Channel, Desk, Locale, MenuInput, PermissionLevel, Priority, Role, Status, SupportPlan,
    TicketChannel, TicketKind, UnknownCode,
};
pub use validation::{FieldError, Invalid, Problem};

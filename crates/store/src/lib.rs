//! Madoguchi's database: SQLite (the embedded default) and PostgreSQL behind one repository
//! API.
//!
//! Every write is one transaction that changes its rows **and** appends to the `events` log
//! (and, where someone must hear of it, to the `outbox`), so that nothing is announced that was
//! not committed and nothing committed goes unannounced.
//!
//! Both databases run the same SQL through sqlx's `Any` driver: ids are text, times are
//! microseconds since the epoch, flags are text codes. Where the dialects differ (the
//! migrations, row locking) the difference stays in this crate.

mod attachments;
mod catalog;
mod contracts;
mod db;
mod error;
mod events;
mod knowledge;
mod messages;
mod organizations;
mod outbox;
mod page;
mod permissions;
#[cfg(feature = "testing")]
mod queue_fixtures;
mod queues;
mod secrets;
mod sessions;
mod sla;
mod tenants;
mod tickets;
mod tokens;
mod users;

pub use attachments::NewAttachment;
pub use catalog::DeskInfo;
pub use db::{Dialect, Store};
pub use error::StoreError;
pub use events::{Event, EventFilter};
pub use knowledge::ArticleFilter;
pub use messages::{NewMessage, TicketChanges};
pub use outbox::OutboxEntry;
pub use page::{Cursor, Page, PageRequest};
pub use queues::{
    AssigneeFilter, DeskQueue, QueueCounts, QueueFilter, QueueItem, QueuePage, QueueSort,
    SlaFilter, SlaState,
};
pub use secrets::random_secret;
pub use sessions::Session;
pub use tickets::{Filing, Person, TicketFilter, TicketList, Viewer};
pub use tokens::{IssuedToken, TokenInfo};
pub use users::{UserChanges, UserFilter, UserWithPassword};

/// What a store call returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(feature = "testing")]
pub mod testing;

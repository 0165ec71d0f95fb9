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
mod audit;
mod callbacks;
mod canned_replies;
mod catalog;
mod catalog_admin;
mod contracts;
mod db;
mod demo;
mod dependents;
mod error;
mod events;
mod import;
mod inbound;
mod knowledge;
mod merge;
mod messages;
mod notify;
mod organizations;
mod outbox;
mod page;
mod permissions;
#[cfg(feature = "testing")]
mod queue_fixtures;
mod queues;
mod reports;
mod satisfaction;
mod search_feed;
#[cfg(feature = "testing")]
mod search_fixtures;
mod secrets;
mod seen;
mod sessions;
mod sla;
mod sla_admin;
mod sla_jobs;
mod tenants;
mod ticket_changes;
mod tickets;
mod tokens;
mod users;
mod webhooks;

pub use attachments::NewAttachment;
pub use audit::{AuditActor, AuditEvent, AuditFilter};
pub use callbacks::CallbackLog;
pub use canned_replies::CannedReply;
pub use catalog::DeskInfo;
pub use db::{Dialect, Store};
pub use dependents::{Deletable, Dependents, KEYS_NAMED};
pub use error::StoreError;
pub use events::{Event, EventFilter};
pub use import::{ImportBatch, ImportCounts, NewOrganization, NewPermission};
pub use inbound::{InboundClaim, InboundMail};
pub use knowledge::ArticleFilter;
pub use messages::NewMessage;
pub use outbox::{Attempt, AttemptOutcome, OutboxEntry, OutboxState};
pub use page::{Cursor, Page, PageRequest};
pub use queues::{
    AssigneeFilter, DeskQueue, QueueCounts, QueueFilter, QueueItem, QueuePage, QueueSort, SlaFilter,
};
pub use reports::{COMMENTS_MAX, DeskFacts, FiledTicket, RatingComment, RatingSums};
pub use search_feed::{SynonymGroup, TicketSource};
pub use secrets::random_secret;
pub use sessions::Session;
pub use sla::SlaPolicy;
pub use sla_admin::{Settings, SettingsChanges};
pub use sla_jobs::AUTO_CLOSE_REASON;
pub use ticket_changes::{HistoryEntry, RecentTicket, TicketChanges};
pub use tickets::{Filing, Person, TicketFilter, TicketList, Viewer};
pub use tokens::{IssuedToken, TOKEN_CACHE_TTL, TokenInfo};
pub use users::{UserChanges, UserFilter, UserWithPassword};
pub use webhooks::{Webhook, WebhookChanges};

/// What a store call returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(feature = "testing")]
pub mod testing;

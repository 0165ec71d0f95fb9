//! The store's tests, one binary (linking one per file cost more than running them): each test
//! runs on SQLite and on PostgreSQL through `store_test!`.

mod audit;
mod canned_replies;
mod catalog;
mod common;
mod contracts;
mod desks;
mod events;
mod merge_and_rating;
mod organizations;
mod permissions;
mod queues;
mod sla;
mod smoke;
mod tenants;
mod ticket_changes;
mod tokens_and_sessions;
mod uploads;
mod users;

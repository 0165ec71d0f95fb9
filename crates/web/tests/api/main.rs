//! API tests over real HTTP: each test has its own database (SQLite and PostgreSQL) and its
//! own server on a free port.

mod helpers;

mod admin_setup;
mod bad_input;
mod browser_login;
mod canned_replies;
mod demo;
mod knowledge;
mod operations;
mod permissions;
mod reports;
mod tickets;
mod ui_tickets;

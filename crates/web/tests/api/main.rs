//! API tests over real HTTP: each test has its own database (SQLite and PostgreSQL) and its
//! own server on a free port.

mod helpers;

mod admin_setup;
mod bad_input;
mod browser_login;
mod demo;
mod knowledge;
mod operations;
mod permissions;
mod queues;
mod tickets;
mod ui_tickets;

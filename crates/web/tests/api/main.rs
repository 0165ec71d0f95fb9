//! API tests over real HTTP: each test has its own database (SQLite and PostgreSQL) and its
//! own server on a free port.

mod helpers;
mod inbound_cases;
mod notify_world;
#[path = "../../../app/tests/support/smtp.rs"]
mod smtp;

mod access;
mod admin_setup;
mod audit;
mod bad_input;
mod browser_login;
mod canned_replies;
mod console;
mod console_catalog;
mod console_sla;
mod console_users;
mod console_users_pages;
mod delete_refusals;
mod demo;
mod desk_workflow;
mod disabled_users;
mod import;
mod inbound_mail;
mod knowledge;
mod knowledge_language;
mod limits;
mod merge_callbacks_satisfaction;
mod notifications;
mod operations;
mod organization_page;
mod permissions;
mod queues;
mod reports;
mod search;
mod search_queue;
mod sla;
mod tickets;
mod ui_pages;
mod ui_tickets;
mod webhooks;

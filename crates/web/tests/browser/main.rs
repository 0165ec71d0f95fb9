//! The browser tests, one binary: Debian's Chromium driven through ChromeDriver over real
//! servers, each test with its own database and browser.

#[path = "../../../app/tests/support/smtp.rs"]
mod smtp;
#[path = "../support/browser.rs"]
mod support;

mod audit;
mod desk;
mod drafts;
mod login;
mod mail;
mod onboarding;
mod screens;
mod search;

//! `madoguchi mail-gateway`: one email on standard input, from an MTA's pipe (Postfix `pipe`,
//! Exim, …), handled like `POST /api/v1/inbound-mail`. The exit code tells the MTA what to do
//! (sysexits.h): 0 accepted (including refusals we answer with our own bounce), 65 malformed,
//! 67 unknown recipient (the MTA bounces), 75 try later (the MTA keeps it and retries).

use madoguchi_app::inbound::{InboundError, InboundLimits, InboundOutcome, Refusal, receive};
use madoguchi_app::notify::Mailer;
use madoguchi_store::Store;
use madoguchi_web::config::Config;
use std::io::Read;

const EX_OK: i32 = 0;
const EX_DATAERR: i32 = 65;
const EX_NOUSER: i32 = 67;
const EX_TEMPFAIL: i32 = 75;

/// Runs the gateway and answers its exit code; what happened goes to stderr (the MTA puts it
/// in its log, and in the bounce for 65 and 67).
pub async fn run(config: &Config) -> i32 {
    // Nothing bigger than what the web would take: every attachment at its limit, and some.
    let limit = config.attachment_max_bytes * config.attachment_max_count as u64 * 2 + 1024 * 1024;
    let mut raw = Vec::new();
    // One message from a pipe: a plain blocking read before anything else starts.
    if let Err(e) = std::io::stdin().take(limit + 1).read_to_end(&mut raw) {
        eprintln!("madoguchi mail-gateway: reading standard input: {e}");
        return EX_TEMPFAIL;
    }
    if raw.len() as u64 > limit {
        eprintln!("madoguchi mail-gateway: the message is larger than {limit} bytes");
        return EX_DATAERR;
    }
    let store = match Store::connect(&config.database_url).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("madoguchi mail-gateway: the database is unavailable: {e}");
            return EX_TEMPFAIL;
        }
    };
    if let Err(e) = store.migrate().await {
        eprintln!("madoguchi mail-gateway: the database is unavailable: {e}");
        return EX_TEMPFAIL;
    }
    let mailer = match Mailer::new(
        config.mail_from.clone(),
        config.inbound_domain.clone(),
        config.public_base_url(),
        config.smtp_url.as_deref(),
        config.data_dir.join("outbox"),
    ) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("madoguchi mail-gateway: mail settings: {e}");
            return EX_TEMPFAIL;
        }
    };
    let limits = InboundLimits {
        data_dir: config.data_dir.clone(),
        max_bytes: config.attachment_max_bytes,
        max_count: config.attachment_max_count,
        bounce_unknown: false,
    };
    match receive(&store, &mailer, &limits, &raw).await {
        Ok(InboundOutcome::Accepted { key, message_id }) => {
            eprintln!("accepted: added to {key} as message {message_id}");
            EX_OK
        }
        Ok(InboundOutcome::Duplicate) => {
            eprintln!("accepted: delivered before, nothing added again");
            EX_OK
        }
        Ok(InboundOutcome::Automatic { .. }) => {
            eprintln!("accepted: an automatic reply, recorded only");
            EX_OK
        }
        Ok(InboundOutcome::Refused {
            reason: Refusal::UnknownRecipient,
            ..
        }) => {
            eprintln!("5.1.1 unknown recipient: no such reply address here");
            EX_NOUSER
        }
        Ok(InboundOutcome::Refused { reason, .. }) => {
            eprintln!(
                "refused ({}): the sender is told by our bounce",
                reason.code()
            );
            EX_OK
        }
        Err(InboundError::Malformed(why)) => {
            eprintln!("5.6.0 malformed message: {why}");
            EX_DATAERR
        }
        Err(InboundError::TryLater(why)) => {
            eprintln!("4.3.0 try again later: {why}");
            EX_TEMPFAIL
        }
    }
}

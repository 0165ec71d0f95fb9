//! Notification emails and bounces, as lettre messages: in the recipient's language, a text
//! and an HTML part, UTF-8 with encoded headers, a Message-ID per email and thread headers
//! that make every mail client show one ticket as one conversation.

use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::words::text;

/// `Auto-Submitted` (RFC 3834): our mail is machine-made, so that well-behaved auto-responders
/// stay quiet and our own gateway never answers it.
#[derive(Debug, Clone)]
pub struct AutoSubmitted(pub &'static str);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(match s.trim() {
            "auto-replied" => AutoSubmitted("auto-replied"),
            _ => AutoSubmitted("auto-generated"),
        })
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_owned())
    }
}

/// The Message-ID of one email and the thread it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadIds {
    /// `<n{outbox id}.{key}@{domain}>`: the same on every resend of the same outbox row.
    pub message_id: String,
    /// `<ticket.{ticket id}@{domain}>`: the thread's root, named by every email about the ticket.
    pub root: String,
}

/// What one of our Message-IDs names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OurId {
    /// One notification: the outbox row it was sent for.
    Notice(i64),
    /// A ticket's thread root.
    Ticket(String),
}

impl ThreadIds {
    pub fn new(outbox_id: i64, key: &str, ticket_id: &str, domain: &str) -> ThreadIds {
        ThreadIds {
            message_id: format!("<n{outbox_id}.{key}@{domain}>"),
            root: format!("<ticket.{ticket_id}@{domain}>"),
        }
    }

    /// Reads a Message-ID (with or without angle brackets) that we made for `domain`.
    pub fn parse_ours(id: &str, domain: &str) -> Option<OurId> {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        let (local, host) = id.rsplit_once('@')?;
        if !host.eq_ignore_ascii_case(domain) {
            return None;
        }
        if let Some(ticket) = local.strip_prefix("ticket.") {
            return Some(OurId::Ticket(ticket.to_owned()));
        }
        let rest = local.strip_prefix('n')?;
        let (number, _key) = rest.split_once('.')?;
        number.parse().ok().map(OurId::Notice)
    }
}

/// One notification email, everything decided by the caller.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// `ja` or `en`.
    pub lang: &'a str,
    /// The notice kind's code (`ticket_replied`, `status_changed`, …).
    pub kind: &'a str,
    /// Our sender address (the display name is the product's, in `lang`).
    pub from: &'a str,
    pub to_name: &'a str,
    pub to_email: &'a str,
    /// Addressed to a desk (its code) rather than a person.
    pub desk: Option<&'a str>,
    pub key: &'a str,
    pub summary: &'a str,
    /// The status code for status changes.
    pub status: Option<&'a str>,
    /// The ticket this one was merged into.
    pub into: Option<&'a str>,
    /// Closed by the auto-close job.
    pub auto_closed: bool,
    /// The ticket page.
    pub link: &'a str,
    /// The reply's text, only when the operator switched full-text emails on.
    pub message_text: Option<&'a str>,
    /// `reply+<token>@<inbound domain>` when replying by email is possible.
    pub reply_to: Option<&'a str>,
    pub thread: &'a ThreadIds,
}

/// Why a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("bad address `{0}`: {1}")]
    Address(String, String),
    #[error("building the message: {0}")]
    Build(String),
}

fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, ComposeError> {
    let address = email.parse().map_err(|e: lettre::address::AddressError| {
        ComposeError::Address(email.to_owned(), e.to_string())
    })?;
    Ok(Mailbox::new(name.map(str::to_owned), address))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The lines a notice says: (subject, greeting, lead).
fn wording(n: &Notice<'_>) -> (String, String, String) {
    let status = n
        .status
        .map(|s| text(n.lang, &format!("status.{s}"), &[]))
        .unwrap_or_default();
    let into = n.into.unwrap_or_default();
    let args = [
        ("key", n.key),
        ("summary", n.summary),
        ("status", status.as_str()),
        ("into", into),
    ];
    let subject = text(n.lang, &format!("subject.{}", n.kind), &args);
    let greeting = match n.desk {
        Some(desk) => {
            let desk = text(n.lang, &format!("desk.{desk}"), &[]);
            text(n.lang, "greeting.desk", &[("desk", &desk)])
        }
        None => text(n.lang, "greeting", &[("name", n.to_name)]),
    };
    let lead_key = if n.kind == "ticket_closed" && n.auto_closed {
        "lead.ticket_closed.auto".to_owned()
    } else {
        format!("lead.{}", n.kind)
    };
    (subject, greeting, text(n.lang, &lead_key, &args))
}

/// Builds the email of a notice.
pub fn compose(n: &Notice<'_>) -> Result<Message, ComposeError> {
    let (subject, greeting, lead) = wording(n);
    let l = n.lang;
    let mut plain = format!(
        "{greeting}\n\n{lead}\n\n{}: {}\n{}: {}\n",
        text(l, "ticket", &[]),
        n.key,
        text(l, "summary", &[]),
        n.summary
    );
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.7\"><p>{}</p><p>{}</p>\
         <table><tr><th align=\"left\">{}</th><td>{}</td></tr><tr><th align=\"left\">{}</th><td>{}</td></tr></table>",
        escape(&subject),
        escape(&greeting),
        escape(&lead),
        escape(&text(l, "ticket", &[])),
        escape(n.key),
        escape(&text(l, "summary", &[])),
        escape(n.summary),
    );
    let carries_a_message = matches!(n.kind, "ticket_replied" | "customer_replied");
    match n.message_text {
        Some(body) if carries_a_message => {
            plain.push_str(&format!(
                "\n---- {} ----\n{}\n----\n",
                text(l, "message", &[]),
                body.trim_end()
            ));
            html.push_str(&format!(
                "<blockquote style=\"white-space:pre-wrap;border-left:3px solid #ccc;padding-left:1em\">{}</blockquote>",
                escape(body.trim_end())
            ));
        }
        _ if carries_a_message => {
            plain.push_str(&format!("\n{}\n", text(l, "no_text", &[])));
            html.push_str(&format!("<p>{}</p>", escape(&text(l, "no_text", &[]))));
        }
        _ => {}
    }
    plain.push_str(&format!("\n{}: {}\n", text(l, "open", &[]), n.link));
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>",
        escape(n.link),
        escape(&text(l, "open", &[]))
    ));
    if n.reply_to.is_some() {
        plain.push_str(&format!("\n{}\n", text(l, "reply_hint", &[])));
        html.push_str(&format!("<p>{}</p>", escape(&text(l, "reply_hint", &[]))));
    }
    plain.push_str(&format!("\n-- \n{}\n", text(l, "footer", &[])));
    html.push_str(&format!(
        "<hr><p style=\"color:#555;font-size:small\">{}</p></body></html>",
        escape(&text(l, "footer", &[]))
    ));

    let product = text(l, "product", &[]);
    let mut builder = Message::builder()
        .from(mailbox(Some(&product), n.from)?)
        .to(mailbox(Some(n.to_name), n.to_email)?)
        .subject(subject)
        .message_id(Some(n.thread.message_id.clone()))
        .in_reply_to(n.thread.root.clone())
        .references(n.thread.root.clone())
        .header(AutoSubmitted("auto-generated"));
    if let Some(reply_to) = n.reply_to {
        builder = builder.reply_to(mailbox(Some(&product), reply_to)?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(plain, html))
        .map_err(|e| ComposeError::Build(e.to_string()))
}

/// A refusal of an incoming email, told to its sender.
#[derive(Debug, Clone)]
pub struct Bounce<'a> {
    /// The sender's language, or `None` for a sender who is not a user: then the bounce
    /// is written in Japanese and then in English.
    pub lang: Option<&'a str>,
    pub from: &'a str,
    pub to_email: &'a str,
    /// `bounce.generic` (reveals nothing), `bounce.ticket_closed`, `bounce.not_allowed`,
    /// `bounce.merged`.
    pub reason_key: &'a str,
    pub key: Option<&'a str>,
    pub into: Option<&'a str>,
    /// Where to go next (the follow-up form for a closed ticket).
    pub link: Option<&'a str>,
    /// The refused message's subject and id, so the sender knows which one.
    pub original_subject: Option<&'a str>,
    pub original_message_id: Option<&'a str>,
    pub message_id: &'a str,
}

/// Builds a bounce: `Auto-Submitted: auto-replied`, so that nothing answers it in turn.
pub fn compose_bounce(b: &Bounce<'_>) -> Result<Message, ComposeError> {
    let langs: &[&str] = match &b.lang {
        Some(l) => std::slice::from_ref(l),
        None => &["ja", "en"],
    };
    let args = [
        ("key", b.key.unwrap_or_default()),
        ("into", b.into.unwrap_or_default()),
    ];
    let sections: Vec<String> = langs
        .iter()
        .map(|&l| {
            let mut plain = format!(
                "{}\n\n{}\n",
                text(l, "bounce.lead", &[]),
                text(l, b.reason_key, &args)
            );
            if let Some(link) = b.link {
                plain.push_str(&format!("{link}\n"));
            }
            if let Some(subject) = b.original_subject {
                plain.push_str(&format!(
                    "\n{}: {}\n",
                    text(l, "bounce.original_subject", &[]),
                    subject
                ));
            }
            plain
        })
        .collect();
    let footer = langs
        .iter()
        .map(|&l| text(l, "footer", &[]))
        .collect::<Vec<_>>()
        .join("\n");
    let plain = format!("{}\n-- \n{footer}\n", sections.join("\n----\n\n"));
    let subject = langs
        .iter()
        .map(|&l| text(l, "bounce.subject", &[]))
        .collect::<Vec<_>>()
        .join(" / ");
    let product = text(langs[0], "product", &[]);
    let mut builder = Message::builder()
        .from(mailbox(Some(&product), b.from)?)
        .to(mailbox(None, b.to_email)?)
        .subject(subject)
        .message_id(Some(b.message_id.to_owned()))
        .header(AutoSubmitted("auto-replied"));
    if let Some(original) = b.original_message_id {
        let id = format!("<{}>", original.trim_matches(['<', '>']));
        builder = builder.in_reply_to(id.clone()).references(id);
    }
    builder
        .body(plain)
        .map_err(|e| ComposeError::Build(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice<'a>(thread: &'a ThreadIds, lang: &'a str) -> Notice<'a> {
        Notice {
            lang,
            kind: "ticket_replied",
            from: "support@madoguchi.example",
            to_name: "山田 花子",
            to_email: "hanako@example.co.jp",
            desk: None,
            key: "SD-1042",
            summary: "仮想サーバーが起動しない",
            status: None,
            into: None,
            auto_closed: false,
            link: "https://desk.example/tickets/SD-1042",
            message_text: None,
            reply_to: Some("reply+1042.abc.def@in.madoguchi.example"),
            thread,
        }
    }

    #[test]
    fn japanese_headers_are_encoded_words_and_both_parts_are_there() {
        let thread = ThreadIds::new(7, "SD-1042", "t-1", "madoguchi.example");
        let raw = String::from_utf8(compose(&notice(&thread, "ja")).unwrap().formatted()).unwrap();
        assert!(raw.is_ascii(), "headers and bodies are encoded: {raw}");
        assert!(raw.contains("Subject: [SD-1042] =?utf-8?b?"), "{raw}");
        assert!(
            raw.contains("Message-ID: <n7.SD-1042@madoguchi.example>"),
            "{raw}"
        );
        assert!(
            raw.contains("In-Reply-To: <ticket.t-1@madoguchi.example>"),
            "{raw}"
        );
        assert!(
            raw.contains("References: <ticket.t-1@madoguchi.example>"),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(
            raw.contains("text/plain") && raw.contains("text/html"),
            "{raw}"
        );
        assert!(
            raw.contains("reply+1042.abc.def@in.madoguchi.example"),
            "{raw}"
        );
        let parsed = crate::incoming::parse(raw.as_bytes()).unwrap();
        assert_eq!(
            parsed.subject,
            "[SD-1042] サポートから回答がありました: 仮想サーバーが起動しない"
        );
        assert!(parsed.text.contains("山田 花子 様"), "{}", parsed.text);
        assert!(parsed.text.contains("メールには記載していません"));
    }

    #[test]
    fn the_message_text_appears_only_when_given() {
        let thread = ThreadIds::new(7, "SD-1042", "t-1", "madoguchi.example");
        let mut n = notice(&thread, "en");
        n.message_text = Some("Please restart the server.");
        let raw = String::from_utf8(compose(&n).unwrap().formatted()).unwrap();
        let parsed = crate::incoming::parse(raw.as_bytes()).unwrap();
        assert!(parsed.text.contains("Please restart the server."));
        assert!(!parsed.text.contains("not included"));
    }

    #[test]
    fn our_ids_are_recognised_and_others_are_not() {
        let thread = ThreadIds::new(42, "SD-1", "0190-ab", "m.example");
        assert_eq!(
            ThreadIds::parse_ours(&thread.message_id, "m.example"),
            Some(OurId::Notice(42))
        );
        assert_eq!(
            ThreadIds::parse_ours(&thread.root, "M.EXAMPLE"),
            Some(OurId::Ticket("0190-ab".into()))
        );
        assert_eq!(ThreadIds::parse_ours(&thread.root, "other.example"), None);
        assert_eq!(ThreadIds::parse_ours("<abc@m.example>", "m.example"), None);
    }

    fn bounce(lang: Option<&str>) -> crate::incoming::Incoming {
        let b = Bounce {
            lang,
            from: "support@madoguchi.example",
            to_email: "someone@elsewhere.example",
            reason_key: "bounce.generic",
            key: None,
            into: None,
            link: None,
            original_subject: Some("Help"),
            original_message_id: Some("<x1@elsewhere.example>"),
            message_id: "<b9@madoguchi.example>",
        };
        let raw = String::from_utf8(compose_bounce(&b).unwrap().formatted()).unwrap();
        assert!(raw.contains("Auto-Submitted: auto-replied"), "{raw}");
        crate::incoming::parse(raw.as_bytes()).unwrap()
    }

    #[test]
    fn a_stranger_is_told_in_japanese_and_english_and_a_user_in_their_language() {
        let stranger = bounce(None);
        assert_eq!(
            stranger.subject,
            "メールを受け付けられませんでした / Your email was not accepted"
        );
        assert!(
            stranger.text.contains("チケットに追加されませんでした")
                && stranger.text.contains("was not added to a ticket"),
            "{}",
            stranger.text
        );
        let english = bounce(Some("en"));
        assert_eq!(english.subject, "Your email was not accepted");
        assert!(!english.text.contains("チケット"), "{}", english.text);
        let japanese = bounce(Some("ja"));
        assert!(!japanese.text.contains("ticket"), "{}", japanese.text);
    }
}

//! Reading one incoming RFC 5322 message: addresses, thread headers, the reply's text without
//! quoted history, attachments, and whether it was written by a machine.
//!
//! mail-parser (with `full_encoding`) decodes ISO-2022-JP, Shift_JIS and UTF-8 in headers and
//! bodies, quoted-printable and base64. It misses two things Japanese mail does: the charset
//! labels `cp932`/`ms932` (Windows), which we rename to `shift_jis` before parsing, and
//! ISO-2022-JP sent without a declared charset (older Outlook), which we recognise by its
//! escape sequences and decode ourselves.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

/// A file that came with the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One incoming message, decoded.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Without angle brackets.
    pub message_id: Option<String>,
    /// The From address, lower case.
    pub from: String,
    pub from_name: Option<String>,
    /// The envelope sender (`Return-Path`); `Some("")` for the null sender of a bounce.
    pub return_path: Option<String>,
    /// Every address the message was sent to: To, Cc, Delivered-To, X-Original-To, Envelope-To.
    pub recipients: Vec<String>,
    /// In-Reply-To and References, without angle brackets.
    pub thread_ids: Vec<String>,
    pub subject: String,
    /// The whole text (the text part, else the HTML as text).
    pub text: String,
    /// The reply alone: quoted history and signature removed.
    pub reply: String,
    /// Written by a machine (auto-reply, out-of-office, bounce, list): recorded, never acted on.
    pub automatic: bool,
    pub attachments: Vec<InboundAttachment>,
}

/// The message cannot be read as an email (sysexits `EX_DATAERR`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed message: {0}")]
pub struct Malformed(pub &'static str);

/// Renames charset labels mail-parser does not know to ones it does.
fn fix_charset_labels(raw: &[u8]) -> Vec<u8> {
    const LABELS: [&[u8]; 2] = [b"cp932", b"ms932"];
    let mut out = Vec::with_capacity(raw.len() + 16);
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        let hit = LABELS.iter().find(|label| {
            rest.len() >= label.len() && rest[..label.len()].eq_ignore_ascii_case(label) && {
                // Only where a charset is named: after `charset=`, `charset="` or `=?`.
                let before = &raw[..i];
                let lower: Vec<u8> = before
                    .iter()
                    .rev()
                    .take(9)
                    .rev()
                    .map(u8::to_ascii_lowercase)
                    .collect();
                lower.ends_with(b"charset=")
                    || lower.ends_with(b"charset=\"")
                    || lower.ends_with(b"=?")
            }
        });
        match hit {
            Some(label) => {
                out.extend_from_slice(b"shift_jis");
                i += label.len();
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

/// Text that still holds ISO-2022-JP escape sequences (no charset was declared) decoded.
fn decode_undeclared_jis(text: &str) -> String {
    if !text.contains('\u{1b}') {
        return text.to_owned();
    }
    let (decoded, _, _) = encoding_rs::ISO_2022_JP.decode(text.as_bytes());
    decoded.into_owned()
}

fn addresses(address: Option<&Address<'_>>, out: &mut Vec<String>) {
    if let Some(address) = address {
        for addr in address.iter() {
            if let Some(a) = addr.address() {
                out.push(a.trim().to_ascii_lowercase());
            }
        }
    }
}

fn ids(value: &HeaderValue<'_>, out: &mut Vec<String>) {
    match value {
        HeaderValue::Text(t) => out.push(t.trim_matches(['<', '>', ' ']).to_owned()),
        HeaderValue::TextList(list) => out.extend(
            list.iter()
                .map(|t| t.trim_matches(['<', '>', ' ']).to_owned()),
        ),
        _ => {}
    }
}

fn header_text<'a>(message: &'a mail_parser::Message<'a>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|v| v.trim().to_ascii_lowercase())
}

/// Machine-made mail, by RFC 3834 and the headers and subjects that auto-responders use.
fn is_automatic(
    message: &mail_parser::Message<'_>,
    subject: &str,
    return_path: &Option<String>,
) -> bool {
    if header_text(message, "Auto-Submitted").is_some_and(|v| !v.starts_with("no")) {
        return true;
    }
    if [
        "X-Autoreply",
        "X-Autorespond",
        "X-Auto-Reply",
        "List-Id",
        "X-Loop",
    ]
    .iter()
    .any(|h| message.header_raw(*h).is_some())
    {
        return true;
    }
    if header_text(message, "Precedence")
        .is_some_and(|v| ["bulk", "junk", "list", "auto_reply"].contains(&v.as_str()))
    {
        return true;
    }
    if header_text(message, "X-Auto-Response-Suppress")
        .is_some_and(|v| v.contains("all") || v.contains("oof"))
        && message.header_raw("In-Reply-To").is_some()
        && subject_looks_automatic(subject)
    {
        return true;
    }
    if return_path.as_deref() == Some("") {
        return true;
    }
    subject_looks_automatic(subject)
}

fn subject_looks_automatic(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    [
        "automatic reply",
        "auto:",
        "autoreply",
        "auto-reply",
        "out of office",
        "自動応答",
        "自動返信",
        "不在通知",
        "undeliverable",
        "delivery status notification",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// Parses one message.
pub fn parse(raw: &[u8]) -> Result<Incoming, Malformed> {
    let fixed = fix_charset_labels(raw);
    let message = MessageParser::default()
        .parse(&fixed)
        .ok_or(Malformed("not an RFC 5322 message"))?;
    if message.headers().is_empty() {
        return Err(Malformed("no headers"));
    }
    let from_addr = message
        .from()
        .and_then(Address::first)
        .ok_or(Malformed("no From address"))?;
    let from = from_addr
        .address()
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| a.contains('@'))
        .ok_or(Malformed("no From address"))?;
    let from_name = from_addr.name().map(decode_undeclared_jis);
    let return_path = match message.return_path() {
        HeaderValue::Text(t) => Some(t.trim_matches(['<', '>', ' ']).to_ascii_lowercase()),
        HeaderValue::TextList(l) => l
            .first()
            .map(|t| t.trim_matches(['<', '>', ' ']).to_ascii_lowercase()),
        _ => message
            .header_raw("Return-Path")
            .map(|v| v.trim().trim_matches(['<', '>', ' ']).to_ascii_lowercase()),
    };
    let mut recipients = Vec::new();
    addresses(message.to(), &mut recipients);
    addresses(message.cc(), &mut recipients);
    for header in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        for (name, value) in message.headers_raw() {
            if name.eq_ignore_ascii_case(header) {
                recipients.push(value.trim().trim_matches(['<', '>']).to_ascii_lowercase());
            }
        }
    }
    let mut thread_ids = Vec::new();
    ids(message.in_reply_to(), &mut thread_ids);
    ids(message.references(), &mut thread_ids);
    let subject = decode_undeclared_jis(message.subject().unwrap_or_default());

    // The text part if there is one; otherwise the HTML, with its quoted history cut first.
    let has_plain = message
        .text_bodies()
        .any(|p| !p.is_text_html() && p.is_text());
    let (text, reply) = if has_plain {
        let text = decode_undeclared_jis(&message.body_text(0).unwrap_or_default());
        let reply = crate::quotes::strip_text(&text);
        (text, reply)
    } else if let Some(html) = message.body_html(0) {
        let html = decode_undeclared_jis(&html);
        let text = crate::quotes::html_to_text(&html);
        let reply = crate::quotes::strip_text(&crate::quotes::html_to_text(
            &crate::quotes::cut_html_quote(&html),
        ));
        (text, reply)
    } else {
        (String::new(), String::new())
    };

    let attachments = message
        .attachments()
        .filter(|part| !part.is_message())
        .map(|part| {
            let content_type = part
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase();
            InboundAttachment {
                filename: part
                    .attachment_name()
                    .map(decode_undeclared_jis)
                    .unwrap_or_else(|| "attachment".into()),
                content_type,
                bytes: part.contents().to_vec(),
            }
        })
        .collect();
    let automatic = is_automatic(&message, &subject, &return_path);
    Ok(Incoming {
        message_id: message
            .message_id()
            .map(|m| m.trim_matches(['<', '>', ' ']).to_owned()),
        from,
        from_name,
        return_path,
        recipients,
        thread_ids,
        subject,
        text,
        reply,
        automatic,
        attachments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp932_labels_become_shift_jis_only_where_a_charset_is_named() {
        let fixed =
            fix_charset_labels(b"Content-Type: text/plain; charset=\"CP932\"\r\n\r\nabout cp932");
        assert_eq!(
            fixed,
            b"Content-Type: text/plain; charset=\"shift_jis\"\r\n\r\nabout cp932"
        );
        assert_eq!(
            fix_charset_labels(b"=?ms932?B?xxx?="),
            b"=?shift_jis?B?xxx?="
        );
    }

    #[test]
    fn a_message_without_from_is_malformed() {
        assert!(parse(b"Subject: x\r\n\r\nbody").is_err());
        assert!(parse(b"").is_err());
    }
}

//! The inbound fixtures, each with what the parser must find: the reply alone (no quoted
//! history, no signature) decoded from its charset and transfer encoding, the attachments,
//! and whether a machine wrote it. The same fixtures run through `mail-gateway` and the HTTP
//! endpoint in the web and command-line tests.

use madoguchi_mail::parse;

/// The fixture with its placeholders filled.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = raw;
    for (from, to) in [
        ("@@FROM@@", "hanako@example.co.jp"),
        ("@@TO@@", "reply+1.x.y@in.madoguchi.test"),
        ("@@MSGID@@", "m1@mail.example.co.jp"),
        ("@@REFS@@", "<n1.SD-1@in.madoguchi.test>"),
        ("@@KEY@@", "SD-1"),
    ] {
        out = replace(&out, from.as_bytes(), to.as_bytes());
    }
    out
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// (fixture, the reply text expected, attachments, automatic)
const CASES: &[(&str, &str, usize, bool)] = &[
    (
        "utf8_plain.eml",
        "ありがとうございます。再起動したら直りました。",
        0,
        false,
    ),
    (
        "iso2022jp_declared.eml",
        "ログを添付せずに失礼します。仮想サーバーは正常です。",
        0,
        false,
    ),
    (
        "iso2022jp_undeclared.eml",
        "ログを添付せずに失礼します。仮想サーバーは正常です。",
        0,
        false,
    ),
    (
        "shift_jis.eml",
        "承知しました。本日中に確認します。",
        0,
        false,
    ),
    ("cp932.eml", "①再起動しました。②ログは正常です。", 0, false),
    (
        "quoted_printable.eml",
        "設定を変更したところ、エラーは出なくなりました。",
        0,
        false,
    ),
    ("base64.eml", "バックアップの復元が完了しました。", 0, false),
    (
        "multipart_attachments.eml",
        "ログとスクリーンショットを添付します。",
        2,
        false,
    ),
    (
        "gmail_ja.eml",
        "ご回答ありがとうございます。手順どおりに設定できました。",
        0,
        false,
    ),
    ("gmail_en.eml", "Thanks, that fixed it.", 0, false),
    (
        "outlook_ja.eml",
        "ご連絡ありがとうございます。明日の朝に再度確認します。",
        0,
        false,
    ),
    (
        "outlook_en.eml",
        "I will check again tomorrow morning.",
        0,
        false,
    ),
    (
        "thunderbird_ja.eml",
        "了解しました。メンテナンス後に再起動します。",
        0,
        false,
    ),
    (
        "thunderbird_en.eml",
        "Understood, I will restart after the maintenance.",
        0,
        false,
    ),
    (
        "html_only.eml",
        "HTML だけのメールで返信します。問題は解決しました。",
        0,
        false,
    ),
    (
        "signature.eml",
        "ファイアウォールの設定を見直します。",
        0,
        false,
    ),
    ("auto_reply.eml", "12月1日まで不在にしております。", 0, true),
];

#[test]
fn every_fixture_reads_as_expected() {
    for (name, reply, attachments, automatic) in CASES {
        let parsed = parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.reply, *reply, "{name}: the reply text");
        assert_eq!(
            parsed.attachments.len(),
            *attachments,
            "{name}: attachments"
        );
        assert_eq!(parsed.automatic, *automatic, "{name}: automatic");
        assert_eq!(parsed.from, "hanako@example.co.jp", "{name}");
        assert!(
            parsed
                .recipients
                .contains(&"reply+1.x.y@in.madoguchi.test".to_owned()),
            "{name}: {:?}",
            parsed.recipients
        );
        assert_eq!(
            parsed.message_id.as_deref(),
            Some("m1@mail.example.co.jp"),
            "{name}"
        );
        assert!(
            parsed
                .thread_ids
                .contains(&"n1.SD-1@in.madoguchi.test".to_owned()),
            "{name}: {:?}",
            parsed.thread_ids
        );
    }
}

#[test]
fn japanese_subjects_and_names_decode() {
    let parsed = parse(&fixture("iso2022jp_declared.eml")).unwrap();
    assert_eq!(parsed.subject, "Re: [@@KEY@@] 回答");
    assert_eq!(parsed.from_name.as_deref(), Some("山田 花子"));
    let parsed = parse(&fixture("iso2022jp_undeclared.eml")).unwrap();
    assert_eq!(parsed.subject, "Re: [@@KEY@@] 回答");
}

#[test]
fn attachments_keep_their_names_types_and_bytes() {
    let parsed = parse(&fixture("multipart_attachments.eml")).unwrap();
    let log = &parsed.attachments[0];
    assert_eq!(log.filename, "server.log");
    assert_eq!(log.bytes, b"2026-11-30 10:00:00 ERROR disk full\n");
    let png = &parsed.attachments[1];
    assert_eq!(png.filename, "画面.png");
    assert_eq!(png.content_type, "image/png");
    assert!(png.bytes.starts_with(b"\x89PNG"));
}

#[test]
fn a_message_that_is_not_an_email_is_malformed() {
    assert!(parse(&fixture("malformed.eml")).is_err());
}

//! Cutting a reply down to what its writer wrote: the quoted history that Gmail, Outlook and
//! Thunderbird add in Japanese and English, and the signature. No crate does this for Japanese
//! mail, so the patterns are ours (tested with fixtures in `tests/`).

/// Where the HTML quote of a mail client begins (Gmail, Thunderbird, Outlook, Yahoo), and where
/// signatures begin: everything from there on is cut.
const HTML_MARKERS: &[&str] = &[
    "gmail_quote",
    "gmail_signature",
    "moz-cite-prefix",
    "moz-signature",
    "divrplyfwdmsg",
    "appendonsend",
    "yahoo_quoted",
    "outlookmessageheader",
    "<blockquote type=\"cite\"",
    "<blockquote type=cite",
];

/// The HTML up to the first quote or signature marker.
pub fn cut_html_quote(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let cut = HTML_MARKERS
        .iter()
        .filter_map(|m| lower.find(m).map(|at| (m, at)))
        .map(|(m, at)| {
            if m.starts_with('<') {
                at
            } else {
                // An attribute: cut at the start of its tag.
                lower[..at].rfind('<').unwrap_or(at)
            }
        })
        .min();
    match cut {
        Some(at) => html[..at].to_owned(),
        None => html.to_owned(),
    }
}

/// HTML as plain text, lines unwrapped (Japanese has no spaces to wrap at).
pub fn html_to_text(html: &str) -> String {
    html2text::config::plain_no_decorate()
        .string_from_read(html.as_bytes(), 10_000)
        .unwrap_or_default()
}

fn is_quote_header(line: &str, next: Option<&str>) -> bool {
    let t = line.trim();
    let lower = t.to_lowercase();
    let joined = match next {
        Some(n) => format!("{t} {}", n.trim()),
        None => t.to_owned(),
    };
    let joined_lower = joined.to_lowercase();
    // English Gmail and Thunderbird: "On Mon, 30 Nov 2026 at 10:00, Hanako <h@…> wrote:",
    // sometimes wrapped over two lines.
    if lower.ends_with("wrote:") || (lower.starts_with("on ") && joined_lower.ends_with("wrote:")) {
        return true;
    }
    // Japanese Thunderbird: 「山田 花子 さんは書きました:」 (or が書きました, full-width colon).
    if [
        "さんは書きました",
        "さんが書きました",
        "は書きました:",
        "は書きました：",
    ]
    .iter()
    .any(|p| t.contains(p))
    {
        return true;
    }
    // Japanese Gmail: 「2026年11月30日(月) 10:00 山田 花子 <hanako@…>:」, maybe wrapped.
    let starts_with_date = {
        let mut chars = t.chars();
        let year: String = chars.by_ref().take(4).collect();
        year.len() == 4 && year.chars().all(|c| c.is_ascii_digit()) && chars.next() == Some('年')
    };
    if starts_with_date && (t.contains('月') && t.contains('日')) {
        let end = |s: &str| s.ends_with(':') || s.ends_with('：');
        if end(t) || end(joined.as_str()) {
            return true;
        }
    }
    // Separators of Outlook and others.
    if lower.starts_with("-----original message-----")
        || t.starts_with("-----元のメッセージ-----")
        || t.starts_with("-----Original Message-----")
    {
        return true;
    }
    false
}

/// Outlook's header block: 「差出人: / 送信日時: / 宛先: / 件名:」 or "From: / Sent: / To: /
/// Subject:", often after a line of underscores.
fn is_outlook_header(lines: &[&str], at: usize) -> bool {
    let starts = |line: &str, labels: &[&str]| {
        let t = line.trim_start().trim_start_matches('*');
        labels.iter().any(|l| {
            t.starts_with(&format!("{l}:"))
                || t.starts_with(&format!("{l}："))
                || t.starts_with(&format!("{l} :"))
        })
    };
    if !starts(lines[at], &["差出人", "From", "送信者"]) {
        return false;
    }
    lines[at + 1..].iter().take(4).any(|l| {
        starts(
            l,
            &[
                "送信日時",
                "Sent",
                "Date",
                "日付",
                "宛先",
                "To",
                "件名",
                "Subject",
            ],
        )
    })
}

/// The reply's own text: everything before the first quote header, trailing `>` quote or
/// signature separator, trimmed.
pub fn strip_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut end = lines.len();
    for i in 0..lines.len() {
        let line = lines[i];
        let next = lines.get(i + 1).copied();
        if line == "-- " || line.trim_end() == "--" {
            end = i;
            break;
        }
        if is_quote_header(line, next) || is_outlook_header(&lines, i) {
            end = i;
            break;
        }
        // A block of `>` lines to the end: the quote of a client that adds no header.
        if line.starts_with('>')
            && lines[i..]
                .iter()
                .all(|l| l.starts_with('>') || l.trim().is_empty())
        {
            end = i;
            break;
        }
    }
    let mut kept: Vec<&str> = lines[..end].to_vec();
    // A line of underscores (Outlook) or blank lines just before the cut.
    while let Some(last) = kept.last() {
        let t = last.trim();
        if t.is_empty()
            || (t.len() >= 5
                && t.chars()
                    .all(|c| c == '_' || c == '-' || c == '―' || c == '─'))
        {
            kept.pop();
        } else {
            break;
        }
    }
    let out = kept.join("\n");
    out.trim_matches(|c: char| c == '\n' || c == ' ' || c == '\u{3000}')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_gmail_quote_is_cut() {
        let t =
            "Thanks, it works now.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <s@x> wrote:\n> old";
        assert_eq!(strip_text(t), "Thanks, it works now.");
        let wrapped = "Thanks.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Madoguchi Support <\nreply+1@x> wrote:\n> old";
        assert_eq!(strip_text(wrapped), "Thanks.");
    }

    #[test]
    fn japanese_gmail_and_thunderbird_quotes_are_cut() {
        let gmail = "承知しました。\n\n2026年11月30日(月) 10:00 山田 花子 <hanako@example.co.jp>:\n\n> 以前の本文";
        assert_eq!(strip_text(gmail), "承知しました。");
        let wrapped = "承知しました。\n\n2026年11月30日(月) 10:00 Madoguchi サポート窓口 <\nreply+1@x>:\n> 以前";
        assert_eq!(strip_text(wrapped), "承知しました。");
        let tb = "再起動しました。\n\n山田 花子 さんは書きました:\n> 以前";
        assert_eq!(strip_text(tb), "再起動しました。");
    }

    #[test]
    fn outlook_headers_are_cut_in_both_languages() {
        let ja = "確認しました。\r\n\r\n________________________________\r\n差出人: Madoguchi <reply+1@x>\r\n送信日時: 2026年11月30日 10:00\r\n宛先: 山田 花子\r\n件名: [SD-1] 回答\r\n\r\n以前の本文";
        assert_eq!(strip_text(ja), "確認しました。");
        let en = "Confirmed.\n\nFrom: Madoguchi <reply+1@x>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Hanako\nSubject: [SD-1]\n\nold";
        assert_eq!(strip_text(en), "Confirmed.");
    }

    #[test]
    fn signatures_are_cut_and_plain_text_kept() {
        assert_eq!(
            strip_text("Hello\nsecond line\n-- \nHanako\nACME"),
            "Hello\nsecond line"
        );
        assert_eq!(
            strip_text("Just text\nwith > inside"),
            "Just text\nwith > inside"
        );
    }

    #[test]
    fn html_quotes_are_cut_at_their_marker() {
        let html = "<div dir=\"ltr\">Thanks</div><br><div class=\"gmail_quote\"><div>On … wrote:</div><blockquote>old</blockquote></div>";
        assert_eq!(cut_html_quote(html), "<div dir=\"ltr\">Thanks</div><br>");
        let tb = "<p>了解です</p><div class=\"moz-cite-prefix\">…</div><blockquote type=\"cite\">old</blockquote>";
        assert_eq!(cut_html_quote(tb), "<p>了解です</p>");
        let outlook = "<div>OK</div><hr><div id=\"divRplyFwdMsg\" dir=\"ltr\">差出人: …</div>";
        assert_eq!(cut_html_quote(outlook), "<div>OK</div><hr>");
        assert_eq!(strip_text(&html_to_text(&cut_html_quote(html))), "Thanks");
    }
}

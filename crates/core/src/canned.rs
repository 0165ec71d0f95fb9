//! Canned replies (SPEC §6): texts an agent inserts into the reply box, their own or shared by
//! a desk, with placeholders for the customer's name, the ticket key and the agent's name.

use crate::codes::Desk;
use crate::validation::{Invalid, Problem, is_bidi_control};

/// The longest title, in characters: a title is picked from a list, so it stays short.
pub const TITLE_MAX: usize = 200;
/// The longest body, in characters: a reply, not a manual.
pub const BODY_MAX: usize = 10_000;

/// A canned reply as checked: a personal one (`desk: None`, owned by whoever writes it) or one
/// shared by a desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCannedReply {
    pub title: String,
    pub body: String,
    pub desk: Option<Desk>,
}

/// Checks a canned reply as typed. `may_share_with` are the desks the writer may share with:
/// an agent's own desks (an admin's: every desk). Every problem is answered at once.
pub fn check_canned_reply(
    title: Option<&str>,
    body: Option<&str>,
    desk: Option<&str>,
    may_share_with: &[Desk],
) -> Result<NewCannedReply, Invalid> {
    let mut errors = Invalid::new();
    let title = errors.check("title", text(title, TITLE_MAX, true));
    let body = errors.check("body", text(body, BODY_MAX, false));
    let desk = match desk.map(str::trim).filter(|d| !d.is_empty()) {
        None => Some(None),
        Some(code) => match Desk::parse(code) {
            Err(e) => {
                errors.push("desk", Problem::from(e));
                None
            }
            Ok(d) if !may_share_with.contains(&d) => {
                errors.push(
                    "desk",
                    Problem::Conflicts {
                        reason: "problem.canned_not_your_desk",
                    },
                );
                None
            }
            Ok(d) => Some(Some(d)),
        },
    };
    match (title, body, desk) {
        (Some(title), Some(body), Some(desk)) if errors.is_empty() => {
            Ok(NewCannedReply { title, body, desk })
        }
        _ => Err(errors),
    }
}

/// Trimmed text, required, at most `max` characters; a title is one line.
fn text(value: Option<&str>, max: usize, one_line: bool) -> Result<String, Problem> {
    let value = value.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(Problem::Required);
    }
    if value.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    let bad = |c: char| {
        (c.is_control() && (one_line || !matches!(c, '\n' | '\r' | '\t'))) || is_bidi_control(c)
    };
    if value.chars().any(bad) {
        return Err(Problem::BadCharacters {
            allowed: if one_line { "one line of text" } else { "text" },
        });
    }
    Ok(value.to_owned())
}

/// What the placeholders of a canned reply stand for on one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders<'a> {
    /// The ticket's filer.
    pub customer_name: &'a str,
    pub ticket_key: &'a str,
    /// The agent inserting the reply.
    pub agent_name: &'a str,
}

/// The placeholders agents may type, English and Japanese forms alike, and what each is.
pub const PLACEHOLDERS: &[(&str, Field)] = &[
    ("customer_name", Field::CustomerName),
    ("お客さま名", Field::CustomerName),
    ("ticket_key", Field::TicketKey),
    ("チケット番号", Field::TicketKey),
    ("agent_name", Field::AgentName),
    ("担当者名", Field::AgentName),
];

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    CustomerName,
    TicketKey,
    AgentName,
}

/// Fills the placeholders of `body` (`{customer_name}` or `{お客さま名}`, `{ticket_key}` or
/// `{チケット番号}`, `{agent_name}` or `{担当者名}`). Unknown placeholders stay as typed, so a
/// brace in a reply's text is never eaten. One pass: a value that itself looks like a
/// placeholder (a customer named `{agent_name}`) is not filled again.
pub fn render(body: &str, values: &Placeholders<'_>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let field = after.find('}').and_then(|close| {
            let name = &after[..close];
            PLACEHOLDERS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| (*f, close))
        });
        match field {
            Some((field, close)) => {
                out.push_str(match field {
                    Field::CustomerName => values.customer_name,
                    Field::TicketKey => values.ticket_key,
                    Field::AgentName => values.agent_name,
                });
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: Placeholders<'static> = Placeholders {
        customer_name: "山田 太郎",
        ticket_key: "SD-1042",
        agent_name: "窓口 一般",
    };

    #[test]
    fn english_and_japanese_placeholders_fill_alike() {
        assert_eq!(
            render("{customer_name} 様 / {ticket_key} / {agent_name}", &VALUES),
            "山田 太郎 様 / SD-1042 / 窓口 一般"
        );
        assert_eq!(
            render(
                "{お客さま名} 様\nお問い合わせ {チケット番号} について、{担当者名}がご案内します。",
                &VALUES
            ),
            "山田 太郎 様\nお問い合わせ SD-1042 について、窓口 一般がご案内します。"
        );
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_stay_as_typed() {
        assert_eq!(
            render(
                "{customer} {ticket_key} {{ticket_key}} { } {担当者名",
                &VALUES
            ),
            "{customer} SD-1042 {SD-1042} { } {担当者名"
        );
        assert_eq!(render("json: {\"a\": 1}", &VALUES), "json: {\"a\": 1}");
    }

    #[test]
    fn values_are_not_filled_twice() {
        let values = Placeholders {
            customer_name: "{agent_name}",
            ..VALUES
        };
        assert_eq!(render("{customer_name}", &values), "{agent_name}");
    }

    #[test]
    fn checks_title_body_and_desk() {
        let ok = check_canned_reply(
            Some(" 挨拶 "),
            Some("本文\n二行目"),
            Some("general"),
            &[Desk::General],
        )
        .unwrap();
        assert_eq!(ok.title, "挨拶");
        assert_eq!(ok.desk, Some(Desk::General));
        let personal = check_canned_reply(Some("t"), Some("b"), None, &[]).unwrap();
        assert_eq!(personal.desk, None);

        let errors =
            check_canned_reply(Some(" "), None, Some("premium"), &[Desk::General]).unwrap_err();
        let fields: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.problem.key()))
            .collect();
        assert_eq!(
            fields,
            [
                ("title", "problem.required"),
                ("body", "problem.required"),
                ("desk", "problem.canned_not_your_desk")
            ]
        );
        let long = "あ".repeat(TITLE_MAX + 1);
        let errors = check_canned_reply(
            Some(&long),
            Some(&"x".repeat(BODY_MAX + 1)),
            Some("gold"),
            &[],
        )
        .unwrap_err();
        assert_eq!(errors.0[0].problem, Problem::TooLong { max: TITLE_MAX });
        assert_eq!(errors.0[1].problem, Problem::TooLong { max: BODY_MAX });
        assert_eq!(errors.0[2].problem.key(), "problem.unknown_code");
        assert!(check_canned_reply(Some("a\nb"), Some("b"), None, &[]).is_err());
        assert!(check_canned_reply(Some(&"あ".repeat(TITLE_MAX)), Some("b"), None, &[]).is_ok());
    }
}

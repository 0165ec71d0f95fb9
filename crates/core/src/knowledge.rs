//! The knowledge center (SPEC §7): FAQ, known issues, error messages and their remedies.

use jiff::Timestamp;

use crate::catalog::ServiceMenu;
use crate::codes::Locale;
use crate::validation::{Invalid, Problem};

/// What an article is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleKind {
    /// よくある質問
    Faq,
    /// 既知の事象: a fault the provider has confirmed, with its status and workaround.
    KnownIssue,
    /// エラーメッセージと対処方法: a portal error's text and what to do.
    ErrorMessage,
}

impl ArticleKind {
    pub const ALL: &'static [ArticleKind] = &[
        ArticleKind::Faq,
        ArticleKind::KnownIssue,
        ArticleKind::ErrorMessage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ArticleKind::Faq => "faq",
            ArticleKind::KnownIssue => "known_issue",
            ArticleKind::ErrorMessage => "error_message",
        }
    }

    pub fn parse(code: &str) -> Result<ArticleKind, Problem> {
        ArticleKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == code)
            .ok_or_else(|| Problem::NotAChoice {
                allowed: ArticleKind::ALL
                    .iter()
                    .map(|k| k.code().to_owned())
                    .collect(),
            })
    }
}

/// Where a known issue stands (既知の事象の状況).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueStatus {
    /// 調査中
    Investigating,
    /// 対応中: the cause is known and a fix is under way.
    InProgress,
    /// 解決済
    Resolved,
}

impl IssueStatus {
    pub const ALL: &'static [IssueStatus] = &[
        IssueStatus::Investigating,
        IssueStatus::InProgress,
        IssueStatus::Resolved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IssueStatus::Investigating => "investigating",
            IssueStatus::InProgress => "in_progress",
            IssueStatus::Resolved => "resolved",
        }
    }

    pub fn parse(code: &str) -> Result<IssueStatus, Problem> {
        IssueStatus::ALL
            .iter()
            .copied()
            .find(|s| s.code() == code)
            .ok_or_else(|| Problem::NotAChoice {
                allowed: IssueStatus::ALL
                    .iter()
                    .map(|s| s.code().to_owned())
                    .collect(),
            })
    }
}

/// A knowledge article. Customers see published ones only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: String,
    pub kind: ArticleKind,
    pub title: String,
    /// Markdown, rendered safely.
    pub body: String,
    /// The service menus it is about.
    pub service_menus: Vec<String>,
    /// Known issues only: where the issue stands.
    pub issue_status: Option<IssueStatus>,
    /// The language it is written in: lists and suggestions put the reader's first.
    pub language: Locale,
    pub published: bool,
    pub author_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An article as an agent writes it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArticle {
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    pub service_menus: Vec<String>,
    pub issue_status: Option<IssueStatus>,
    pub language: Locale,
    pub published: bool,
}

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;

/// An article as typed, before [`check_article`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ArticleDraft<'a> {
    pub kind: Option<&'a str>,
    pub title: Option<&'a str>,
    pub body: Option<&'a str>,
    pub service_menus: &'a [String],
    pub issue_status: Option<&'a str>,
    /// A locale code; none (or blank) takes the default [`check_article`] is given.
    pub language: Option<&'a str>,
    pub published: bool,
}

/// Checks an article: kind, title (one line), body, menus that exist, and a language.
/// A known issue without a status is under investigation; other kinds take none. An article
/// whose language is not said is in `language` (whoever writes it writes in their own
/// language; an edit keeps the article's).
pub fn check_article(
    draft: ArticleDraft<'_>,
    language: Locale,
    menus: &[ServiceMenu],
) -> Result<NewArticle, Invalid> {
    let ArticleDraft {
        kind,
        title,
        body,
        service_menus,
        issue_status,
        published,
        ..
    } = draft;
    let mut errors = Invalid::new();
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => {
            errors.push("kind", Problem::NotChosen);
            None
        }
        Some(k) => errors.check("kind", ArticleKind::parse(k)),
    };
    let title = title.map(str::trim).unwrap_or("");
    if title.is_empty() {
        errors.push("title", Problem::Required);
    } else if title.chars().count() > TITLE_MAX {
        errors.push("title", Problem::TooLong { max: TITLE_MAX });
    } else if title.chars().any(char::is_control) {
        errors.push(
            "title",
            Problem::BadCharacters {
                allowed: "one line of text",
            },
        );
    }
    let body = body.map(str::trim).unwrap_or("");
    if body.is_empty() {
        errors.push("body", Problem::Required);
    } else if body.chars().count() > BODY_MAX {
        errors.push("body", Problem::TooLong { max: BODY_MAX });
    }
    let mut keys = Vec::new();
    for (i, key) in service_menus.iter().enumerate() {
        let key = key.trim();
        if menus.iter().any(|m| m.key == key) {
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        } else {
            errors.push(
                format!("service_menus[{i}]"),
                Problem::NotAChoice {
                    allowed: menus.iter().map(|m| m.key.clone()).collect(),
                },
            );
        }
    }
    let issue_status = match (kind, issue_status.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(ArticleKind::KnownIssue), None) => Some(IssueStatus::Investigating),
        (Some(ArticleKind::KnownIssue), Some(code)) => {
            errors.check("issue_status", IssueStatus::parse(code))
        }
        (_, Some(_)) => {
            errors.push(
                "issue_status",
                Problem::Conflicts {
                    reason: "problem.issue_status_for_known_issues_only",
                },
            );
            None
        }
        (_, None) => None,
    };
    let language = match draft.language.map(str::trim).filter(|l| !l.is_empty()) {
        None => Some(language),
        Some(code) => errors.check("language", Locale::parse(code).map_err(Problem::from)),
    };
    errors.into_result()?;
    Ok(NewArticle {
        issue_status,
        language: language.expect("checked above"),
        kind: kind.expect("checked above"),
        title: title.to_owned(),
        body: body.to_owned(),
        service_menus: keys,
        published,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::seed_service_menus;

    fn draft<'a>(kind: &'a str, title: &'a str, body: &'a str) -> ArticleDraft<'a> {
        ArticleDraft {
            kind: Some(kind),
            title: Some(title),
            body: Some(body),
            published: true,
            ..Default::default()
        }
    }

    #[test]
    fn articles_need_kind_title_body_and_known_menus() {
        let menus = seed_service_menus();
        let moon = ["moon".to_owned()];
        let err = check_article(
            ArticleDraft {
                title: Some(" "),
                service_menus: &moon,
                ..Default::default()
            },
            Locale::Ja,
            &menus,
        )
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body", "service_menus[0]"]);
        let twice = ["virtual_server".to_owned(), "virtual_server".to_owned()];
        let ok = check_article(
            ArticleDraft {
                service_menus: &twice,
                ..draft(
                    "faq",
                    "スナップショットの取得方法",
                    "## 手順\n1. ポータルで…",
                )
            },
            Locale::Ja,
            &menus,
        )
        .unwrap();
        assert_eq!(ok.kind, ArticleKind::Faq);
        assert_eq!(ok.service_menus, ["virtual_server"]);
        let issue =
            check_article(draft("known_issue", "遅延", "調査中"), Locale::Ja, &menus).unwrap();
        assert_eq!(issue.issue_status, Some(IssueStatus::Investigating));
        let err = check_article(
            ArticleDraft {
                issue_status: Some("resolved"),
                ..draft("faq", "t", "b")
            },
            Locale::Ja,
            &menus,
        )
        .unwrap_err();
        assert_eq!(err.0[0].field, "issue_status");
    }

    #[test]
    fn an_article_is_in_the_language_given_or_else_the_default() {
        let menus = seed_service_menus();
        let given = |language: Option<&str>, default: Locale| {
            check_article(
                ArticleDraft {
                    language,
                    ..draft("faq", "Support hours", "Weekdays")
                },
                default,
                &menus,
            )
        };
        assert_eq!(given(Some("en"), Locale::Ja).unwrap().language, Locale::En);
        assert_eq!(given(None, Locale::En).unwrap().language, Locale::En);
        assert_eq!(given(Some(" "), Locale::Ja).unwrap().language, Locale::Ja);
        let err = given(Some("fr"), Locale::Ja).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, "language");
        match &err.0[0].problem {
            Problem::UnknownCode(e) => assert_eq!(e.allowed, ["ja", "en"]),
            other => panic!("{other:?}"),
        }
    }
}

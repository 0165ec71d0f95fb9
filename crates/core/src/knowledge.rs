//! The knowledge center (SPEC §7): FAQ, known issues, error messages and their remedies.

use jiff::Timestamp;

use crate::catalog::ServiceMenu;
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
    pub published: bool,
}

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;

/// Checks an article: kind, title (one line), body, and menus that exist.
/// A known issue without a status is under investigation; other kinds take none.
pub fn check_article(
    kind: Option<&str>,
    title: Option<&str>,
    body: Option<&str>,
    service_menus: &[String],
    issue_status: Option<&str>,
    published: bool,
    menus: &[ServiceMenu],
) -> Result<NewArticle, Invalid> {
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
    errors.into_result()?;
    Ok(NewArticle {
        issue_status,
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

    #[test]
    fn articles_need_kind_title_body_and_known_menus() {
        let menus = seed_service_menus();
        let err = check_article(None, Some(" "), None, &["moon".into()], None, false, &menus)
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body", "service_menus[0]"]);
        let ok = check_article(
            Some("faq"),
            Some("スナップショットの取得方法"),
            Some("## 手順\n1. ポータルで…"),
            &["virtual_server".into(), "virtual_server".into()],
            None,
            true,
            &menus,
        )
        .unwrap();
        assert_eq!(ok.kind, ArticleKind::Faq);
        assert_eq!(ok.service_menus, ["virtual_server"]);
        let issue = check_article(
            Some("known_issue"),
            Some("遅延"),
            Some("調査中"),
            &[],
            None,
            true,
            &menus,
        )
        .unwrap();
        assert_eq!(issue.issue_status, Some(IssueStatus::Investigating));
        let err = check_article(
            Some("faq"),
            Some("t"),
            Some("b"),
            &[],
            Some("resolved"),
            true,
            &menus,
        )
        .unwrap_err();
        assert_eq!(err.0[0].field, "issue_status");
    }
}

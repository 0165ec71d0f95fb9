//! Rules of uploads (issue 16): who may upload, the daily quota, clean names, and which
//! types a download may keep.

use jiff::Timestamp;

use crate::access::may_file;
use crate::codes::Role;
use crate::model::{Contract, TicketPermission, User};

/// May `user` upload at all? Staff always (they reply); a customer only when they may file
/// somewhere — "edit" on a direct contract of their organization. A customer without
/// permission, a view-only one or one whose contracts are all partner-resold has nothing to
/// attach a file to, so storing their file would only spend the disk.
pub fn may_upload(user: &User, permissions: &[TicketPermission], contracts: &[Contract]) -> bool {
    match user.role {
        Role::Admin | Role::Agent => true,
        Role::Customer | Role::CustomerAdmin => {
            contracts.iter().any(|c| may_file(user, permissions, c))
        }
    }
}

/// What one user may upload per day (UTC), set by admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    pub bytes_per_day: i64,
    pub files_per_day: i64,
}

/// 200 MiB and 100 files a day: far above a support case's needs, far below a disk's.
pub const DEFAULT_UPLOAD_QUOTA: UploadQuota = UploadQuota {
    bytes_per_day: 200 * 1024 * 1024,
    files_per_day: 100,
};

/// What a user already uploaded today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadedToday {
    pub bytes: i64,
    pub files: i64,
}

/// Why the quota refuses an upload: which limit, and when the day's count starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaExceeded {
    Files { max: i64, resets_at: Timestamp },
    Bytes { max: i64, resets_at: Timestamp },
}

/// The start of the quota's day holding `now`, and the start of the next one.
pub fn quota_day(now: Timestamp) -> (Timestamp, Timestamp) {
    let day = now.as_second().div_euclid(86_400) * 86_400;
    let start = Timestamp::from_second(day).unwrap_or(now);
    let next = Timestamp::from_second(day + 86_400).unwrap_or(now);
    (start, next)
}

/// May another file start? Refused when the files or the bytes of the day are used up.
pub fn check_quota(
    quota: UploadQuota,
    used: UploadedToday,
    now: Timestamp,
) -> Result<i64, QuotaExceeded> {
    let (_, resets_at) = quota_day(now);
    if used.files >= quota.files_per_day {
        return Err(QuotaExceeded::Files {
            max: quota.files_per_day,
            resets_at,
        });
    }
    if used.bytes >= quota.bytes_per_day {
        return Err(QuotaExceeded::Bytes {
            max: quota.bytes_per_day,
            resets_at,
        });
    }
    // The bytes this file may still take.
    Ok(quota.bytes_per_day - used.bytes)
}

impl std::fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuotaExceeded::Files { max, resets_at } => write!(
                f,
                "You have uploaded {max} files today, the most allowed per day; you may upload again after {}.",
                resets_at.strftime("%Y-%m-%d %H:%M UTC")
            ),
            QuotaExceeded::Bytes { max, resets_at } => write!(
                f,
                "This upload would pass the {} MiB you may upload per day; you may upload again after {}.",
                max / (1024 * 1024),
                resets_at.strftime("%Y-%m-%d %H:%M UTC")
            ),
        }
    }
}

/// Characters that change how a name reads without being seen: bidirectional controls
/// (`invoice\u{202E}txt.exe` shows as `invoiceexe.txt`), zero-width ones, the BOM, soft hyphen.
pub fn is_invisible_formatting(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// Types a download keeps: ones a browser shows without running anything. Every other type
/// (HTML, SVG, scripts…) is sent as `application/octet-stream`.
const SERVED_AS_IS: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
];

/// The type a download is sent with: the uploaded one when it is on the short allow-list,
/// else `application/octet-stream`.
pub fn served_content_type(uploaded: &str) -> &str {
    let essence = uploaded.split(';').next().unwrap_or("").trim();
    if SERVED_AS_IS.iter().any(|t| t.eq_ignore_ascii_case(essence)) {
        uploaded
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_types_are_served_as_is() {
        assert_eq!(served_content_type("image/png"), "image/png");
        assert_eq!(
            served_content_type("text/plain; charset=utf-8"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(served_content_type("text/html"), "application/octet-stream");
        assert_eq!(
            served_content_type("image/svg+xml"),
            "application/octet-stream"
        );
    }

    #[test]
    fn quota_refuses_the_file_past_the_count_and_says_when_it_resets() {
        let quota = UploadQuota {
            bytes_per_day: 1000,
            files_per_day: 2,
        };
        let now: Timestamp = "2026-11-30T23:00:00Z".parse().unwrap();
        assert_eq!(
            check_quota(
                quota,
                UploadedToday {
                    bytes: 10,
                    files: 1
                },
                now
            ),
            Ok(990)
        );
        let e = check_quota(
            quota,
            UploadedToday {
                bytes: 10,
                files: 2,
            },
            now,
        )
        .unwrap_err();
        assert!(e.to_string().contains("2 files"), "{e}");
        assert!(e.to_string().contains("2026-12-01 00:00 UTC"), "{e}");
        assert!(
            check_quota(
                quota,
                UploadedToday {
                    bytes: 1000,
                    files: 0
                },
                now
            )
            .is_err()
        );
    }

    #[test]
    fn bidi_controls_are_invisible_formatting() {
        assert!(is_invisible_formatting('\u{202E}'));
        assert!(is_invisible_formatting('\u{200B}'));
        assert!(!is_invisible_formatting('エ'));
    }
}

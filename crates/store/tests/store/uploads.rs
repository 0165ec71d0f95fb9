//! Upload records (issue 16): the day's count behind the quota, forgetting the uploads of a
//! refused form, and whether a stored file still has a record.

use crate::common::*;
use madoguchi_core::codes::Role;
use madoguchi_store::{NewAttachment, Store, store_test};

fn new(sha256: &str, size: i64) -> NewAttachment<'_> {
    NewAttachment {
        sha256,
        size,
        filename: "a.log",
        content_type: "text/plain",
    }
}

store_test!(
    the_quota_counts_one_users_uploads_since_the_day_began,
    |store: Store| async move {
        let agent = staff(&store, "agent@support.example", Role::Agent).await;
        let other = staff(&store, "other@support.example", Role::Agent).await;
        let start = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(5);
        store
            .record_attachment(&agent, &new("aa11", 10))
            .await
            .unwrap();
        store
            .record_attachment(&agent, &new("aa22", 32))
            .await
            .unwrap();
        store
            .record_attachment(&other, &new("aa33", 1000))
            .await
            .unwrap();
        let used = store.uploaded_since(&agent.id, start).await.unwrap();
        assert_eq!((used.files, used.bytes), (2, 42));
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(5);
        let none = store.uploaded_since(&agent.id, later).await.unwrap();
        assert_eq!(
            (none.files, none.bytes),
            (0, 0),
            "uploads before the day do not count"
        );
    }
);

store_test!(
    a_refused_forms_uploads_are_forgotten_only_when_theirs_and_unattached,
    |store: Store| async move {
        let agent = staff(&store, "agent@support.example", Role::Agent).await;
        let other = staff(&store, "other@support.example", Role::Agent).await;
        let mine = store
            .record_attachment(&agent, &new("bb11", 1))
            .await
            .unwrap();
        let twin = store
            .record_attachment(&agent, &new("bb22", 1))
            .await
            .unwrap();
        let shared = store
            .record_attachment(&other, &new("bb22", 1))
            .await
            .unwrap();
        let theirs = store
            .record_attachment(&other, &new("bb33", 1))
            .await
            .unwrap();
        let gone = store
            .forget_uploads(
                &agent.id,
                &[mine.id.clone(), twin.id.clone(), theirs.id.clone()],
            )
            .await
            .unwrap();
        assert_eq!(gone, ["bb11"], "bb22 is still another upload's content");
        assert!(!store.attachment_digest_known("bb11").await.unwrap());
        assert!(store.attachment_digest_known("bb22").await.unwrap());
        assert!(
            store.attachment_digest_known("bb33").await.unwrap(),
            "another user's upload stays"
        );
        let left = store
            .pending_uploads(&other.id, &[shared.id.clone(), theirs.id.clone()])
            .await
            .unwrap();
        assert_eq!(left.len(), 2);
    }
);

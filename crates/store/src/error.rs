use thiserror::Error;

/// What can go wrong in the store. Callers turn these into their own errors; the database's
/// own messages stay in the logs.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The record does not exist (or, for callers that filter by visibility, is not visible).
    #[error("not found")]
    NotFound,
    /// A unique value is already used by another record; names the input field.
    #[error("`{field}` is already taken")]
    Taken { field: &'static str },
    /// The record is still referred to and cannot be deleted; names what refers to it.
    #[error("still in use by {by}")]
    InUse { by: &'static str },
    /// A reference to a record that does not exist; names the input field.
    #[error("`{field}` refers to nothing")]
    Dangling { field: &'static str },
    /// A page cursor that this list did not hand out.
    #[error("the cursor is not one this list handed out")]
    BadCursor,
    /// The ticket's status does not allow this (a reply to a closed ticket).
    #[error("{0}")]
    Transition(madoguchi_core::status::TransitionError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The operation cannot be done on this database or with this input; the text says what
    /// to do instead (a backup of PostgreSQL, a backup onto an existing file).
    #[error("{0}")]
    Refused(String),
    /// A stored value the code cannot read: a bug or a hand-edited database.
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

/// Turns constraint violations of one statement into what they mean for its input. Chains:
/// `.taken("tenant_id").dangling("organization_id")`.
pub(crate) trait ConstraintExt<T> {
    /// A unique violation means `field` is taken.
    fn taken(self, field: &'static str) -> Result<T, StoreError>;
    /// A foreign-key violation on insert means `field` points at nothing.
    fn dangling(self, field: &'static str) -> Result<T, StoreError>;
    /// A foreign-key violation on delete means `by` still refers to the record.
    fn in_use(self, by: &'static str) -> Result<T, StoreError>;
}

fn on_violation<T>(
    result: Result<T, StoreError>,
    violated: sqlx::error::ErrorKind,
    meaning: StoreError,
) -> Result<T, StoreError> {
    result.map_err(|e| match &e {
        StoreError::Database(sqlx::Error::Database(db)) if db.kind() == violated => meaning,
        _ => e,
    })
}

impl<T, E: Into<StoreError>> ConstraintExt<T> for Result<T, E> {
    fn taken(self, field: &'static str) -> Result<T, StoreError> {
        on_violation(
            self.map_err(Into::into),
            sqlx::error::ErrorKind::UniqueViolation,
            StoreError::Taken { field },
        )
    }

    fn dangling(self, field: &'static str) -> Result<T, StoreError> {
        on_violation(
            self.map_err(Into::into),
            sqlx::error::ErrorKind::ForeignKeyViolation,
            StoreError::Dangling { field },
        )
    }

    fn in_use(self, by: &'static str) -> Result<T, StoreError> {
        on_violation(
            self.map_err(Into::into),
            sqlx::error::ErrorKind::ForeignKeyViolation,
            StoreError::InUse { by },
        )
    }
}

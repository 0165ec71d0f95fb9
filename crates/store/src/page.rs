//! Cursor paging: `limit` rows after an opaque cursor, newest or oldest first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How many rows a page holds when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most rows a page may hold.
pub const MAX_LIMIT: u32 = 200;

/// An opaque position in a list: the clients must not rely on what is inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub(crate) String);

impl Cursor {
    pub(crate) fn after(key: &str) -> Cursor {
        Cursor(key.to_owned())
    }

    /// Reads a cursor that a previous page handed out; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let key = String::from_utf8(bytes).ok()?;
        Some(Cursor(key))
    }

    pub fn as_str(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    pub(crate) fn key(&self) -> &str {
        &self.0
    }

    /// A cursor of a list paged outside the store (the search index's ranked hits).
    pub fn of(key: &str) -> Cursor {
        Cursor(key.to_owned())
    }

    /// What a cursor made by [`Cursor::of`] holds.
    pub fn value(&self) -> &str {
        &self.0
    }
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

impl PageRequest {
    /// A page of `limit` rows (1–200) after `after`; `None` when the limit is out of range.
    pub fn new(limit: Option<u32>, after: Option<Cursor>) -> Option<PageRequest> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        (1..=MAX_LIMIT)
            .contains(&limit)
            .then_some(PageRequest { limit, after })
    }

    /// The cursor key to start after; empty sorts before every id.
    pub(crate) fn after_key(&self) -> &str {
        self.after.as_ref().map(Cursor::key).unwrap_or("")
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub(crate) fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts the extra row off and makes the cursor of the next page from the last row kept.
    pub(crate) fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> &str) -> Page<T> {
        let next_cursor = if rows.len() > self.limit as usize {
            rows.truncate(self.limit as usize);
            rows.last().map(|last| Cursor::after(key(last)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<Cursor>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor::after("0190-abc");
        assert_eq!(Cursor::parse(&c.as_str()), Some(c.clone()));
        assert_eq!(c.key(), "0190-abc");
        assert_eq!(Cursor::parse("!!not base64!!"), None);
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit, 50);
        assert!(PageRequest::new(Some(0), None).is_none());
        assert!(PageRequest::new(Some(201), None).is_none());
        assert!(PageRequest::new(Some(200), None).is_some());
    }

    #[test]
    fn a_full_page_points_to_the_next() {
        let req = PageRequest::new(Some(2), None).unwrap();
        let page = req.finish(vec!["a".to_owned(), "b".into(), "c".into()], |s| s.as_str());
        assert_eq!(page.items, ["a", "b"]);
        assert_eq!(page.next_cursor, Some(Cursor::after("b")));
        let last = req.finish(vec!["c".to_owned()], |s| s.as_str());
        assert_eq!(last.next_cursor, None);
    }
}

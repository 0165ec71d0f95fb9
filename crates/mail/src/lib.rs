//! Madoguchi's email. It formats notifications and bounces (text and HTML, UTF-8, encoded
//! Japanese headers, thread headers, a signed Reply-To), sends them over SMTP or into `.eml`
//! files, and parses incoming replies (charsets, quoted history, signatures, auto-replies).
//!
//! It decides nothing: who hears what, and who may reply, are rules of `core` applied by `app`.

pub mod incoming;
pub mod outgoing;
pub mod quotes;
pub mod token;
pub mod transport;
mod words;

pub use incoming::{InboundAttachment, Incoming, Malformed, parse};
pub use outgoing::{Bounce, Notice, ThreadIds, compose, compose_bounce};
pub use token::ReplyToken;
pub use transport::{SendError, Transport};
pub use words::text as word;

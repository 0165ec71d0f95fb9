//! Where emails go: an SMTP server (STARTTLS, TLS or plain, with or without authentication), or,
//! with none configured, `.eml` files in a folder (the embedded default, `data/outbox/`).

use std::path::PathBuf;

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How emails leave.
#[derive(Clone, Debug)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `<Message-ID>.eml` file per email: a resend overwrites the same file.
    Files(PathBuf),
}

/// Why an email was not handed over.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the SMTP URL is not valid: {0}")]
    Config(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("writing {0}: {1}")]
    File(String, std::io::Error),
}

impl Transport {
    /// An SMTP URL as lettre reads it: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS).
    pub fn smtp(url: &str) -> Result<Transport, SendError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SendError::Config(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(Transport::Smtp(transport))
    }

    /// Hands `message` over. `message_id` names the file of the file transport.
    pub async fn send(&self, message: &Message, message_id: &str) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => smtp
                .send(message.clone())
                .await
                .map(|_| ())
                .map_err(|e| SendError::Smtp(e.to_string())),
            Transport::Files(dir) => {
                let name: String = message_id
                    .trim_matches(['<', '>'])
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = dir.join(format!("{name}.eml"));
                let shown = path.display().to_string();
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| SendError::File(shown.clone(), e))?;
                // Written aside and renamed: a reader never sees half a message.
                let partial = dir.join(format!(".{name}.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(|e| SendError::File(shown.clone(), e))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|e| SendError::File(shown, e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resend (after a crash between sending and marking) carries the same Message-ID, so
    /// the file transport keeps one file, as a mail client keeps one message.
    #[tokio::test]
    async fn a_resend_replaces_the_same_file() {
        let dir = std::env::temp_dir().join(format!("madoguchi-eml-{}", std::process::id()));
        let transport = Transport::Files(dir.clone());
        let message = Message::builder()
            .from("a@example.com".parse().unwrap())
            .to("b@example.com".parse().unwrap())
            .subject("件名")
            .body(String::from("本文"))
            .unwrap();
        transport
            .send(&message, "<n1.SD-1@m.example>")
            .await
            .unwrap();
        transport
            .send(&message, "<n1.SD-1@m.example>")
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}

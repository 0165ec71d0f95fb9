//! A real SMTP server on loopback for tests, in-process: mailin speaks the protocol (a state
//! machine fed line by line), these few lines carry the lines over TCP. It keeps what arrived,
//! and can be told to refuse messages (451 to every recipient) to test retries.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use mailin::response::{INTERNAL_ERROR, OK};
use mailin::{Action, Handler, Response, SessionBuilder};

/// One message as the server received it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

#[derive(Clone)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
    current: Received,
}

impl Handler for Inbox {
    // Refused at RCPT: mailin keeps a session in DATA after an error there, which would leave
    // the client waiting.
    fn rcpt(&mut self, _to: &str) -> Response {
        if self.refuse.load(Ordering::SeqCst) {
            INTERNAL_ERROR
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        };
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        OK
    }
}

/// One SMTP conversation: each line goes to mailin's session, each answer back.
fn converse(stream: TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let remote = stream.peer_addr()?.ip();
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut session = SessionBuilder::new("smtp.test").build(remote, inbox);
    session.greeting().write_to(&mut out)?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut out)?,
            Action::Close => {
                response.write_to(&mut out)?;
                return out.flush();
            }
            Action::UpgradeTls | Action::NoReply => {}
        }
        out.flush()?;
    }
}

/// The server: its URL for `MADOGUCHI_SMTP_URL` and what it received.
pub struct SmtpServer {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicBool::new(false));
        let inbox = Inbox {
            received: received.clone(),
            refuse: refuse.clone(),
            current: Received::default(),
        };
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let inbox = inbox.clone();
                std::thread::spawn(move || converse(stream, inbox));
            }
        });
        SmtpServer {
            url: format!("smtp://127.0.0.1:{port}"),
            received,
            refuse,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Answers 451 to every recipient from now on (or accepts them again).
    pub fn refuse(&self, on: bool) {
        self.refuse.store(on, Ordering::SeqCst);
    }

    /// Waits up to `secs` seconds for at least `n` messages.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        for _ in 0..secs * 10 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.received()
    }
}

//! The email sink over STARTTLS and implicit TLS, against a small SMTP
//! server on 127.0.0.1:0 with a self-signed certificate made in the test
//! (rcgen, tokio-rustls). The sink trusts it through `ca_file` or
//! `accept_invalid_certs`; without either, the handshake fails. Messages are
//! parsed back with mail-parser. Mail is only accepted once TLS is up.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use drawdown::alert::message::build_alert;
use drawdown::alert::{EmailConfig, EmailTls, SinkConfig, SinkFilter, digest_id};
use drawdown::model::{
    Alert, Article, Attribute, Change, ChangeKind, Claim, Event, Granularity, Milestone, Modality,
    Observation, Span, TimeValue, Value,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad test date"))
}

fn alert(n: u32) -> Alert {
    let article = |source: &str, published, k: u32| Article {
        title: format!("Coalition withdrawal {k}"),
        source: Some(source.into()),
        url: Some(format!("https://news.example.org/tls-{k}")),
        path: None,
        published,
        text: format!("Story {k}."),
    };
    let claim = |month: u32, words: &str| Claim {
        event: Event::new("IQ", "US-led coalition", Milestone::Final, None, None),
        attribute: Attribute::Deadline,
        value: Value::Date(TimeValue {
            earliest: day(2026, month, 1),
            latest: Some(day(2026, month, 28)),
            granularity: Granularity::Month,
            fuzzy: false,
        }),
        text: words.into(),
        quote: format!("Troops leave {words}."),
        span: Span { start: 0, end: 1 },
        attributed_to: None,
        modality: Modality::Planned,
        change_wording: None,
        rule: "test".into(),
        scope_defaulted: false,
    };
    let now = article("Gulf Dispatch", day(2024, 9, 10), n);
    let before = article("Northwire", day(2024, 9, 6), 100 + n);
    let change = Change {
        kind: ChangeKind::Contradiction,
        current: Observation {
            claim: claim(9, "by September 2026"),
            article: now.reference(),
            article_hash: now.content_hash(),
        },
        previous: Some(Observation {
            claim: claim(2 + n % 6, "by the end of 2026"),
            article: before.reference(),
            article_hash: before.content_hash(),
        }),
    };
    build_alert(&change, "Iraq")
}

/// What the server accepted: (Message-ID, subject, text body, html body).
type Seen = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A self-signed certificate for 127.0.0.1 and localhost: its PEM (what a
/// client trusts) and the server's TLS acceptor.
fn certificate() -> (String, TlsAcceptor) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .unwrap_or_else(|e| panic!("rcgen: {e}"));
    let cert: CertificateDer<'static> = made.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("{e}"))
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap_or_else(|e| panic!("{e}"));
    (made.cert.pem(), TlsAcceptor::from(Arc::new(config)))
}

/// How the server secures connections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Plain greeting, `STARTTLS` offered and required before `MAIL`.
    Starttls,
    /// TLS from the first byte.
    Implicit,
}

async fn smtp_server(mode: Mode, acceptor: TlsAcceptor) -> (u16, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let seen = Seen::default();
    let out = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (seen, acceptor) = (out.clone(), acceptor.clone());
            tokio::spawn(async move {
                match mode {
                    Mode::Implicit => {
                        if let Ok(tls) = acceptor.accept(socket).await {
                            session(tls, seen, true, true).await;
                        }
                    }
                    Mode::Starttls => {
                        // Until STARTTLS: greeting, EHLO, and the upgrade.
                        if let Some(plain) = session(socket, seen.clone(), true, false).await
                            && let Ok(tls) = acceptor.accept(plain).await
                        {
                            session(tls, seen, false, true).await;
                        }
                    }
                }
            });
        }
    });
    (port, seen)
}

/// One SMTP conversation on `stream`. Without `secure`, only EHLO, NOOP,
/// QUIT and STARTTLS are served, and the stream is handed back after
/// `220 ready` to STARTTLS; with it, mail is accepted and parsed.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    seen: Seen,
    greet: bool,
    secure: bool,
) -> Option<S> {
    let mut stream = BufReader::new(stream);
    if greet
        && stream
            .get_mut()
            .write_all(b"220 localhost ESMTP test\r\n")
            .await
            .is_err()
    {
        return None;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match stream.read_line(&mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match (verb.as_str(), secure) {
            ("EHLO", false) => b"250-localhost\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
            ("EHLO", true) | ("HELO", true) => b"250-localhost\r\n250 8BITMIME\r\n",
            ("STARTTLS", false) => {
                stream.get_mut().write_all(b"220 ready\r\n").await.ok()?;
                // The client waits for 220 before its handshake: nothing is buffered.
                return Some(stream.into_inner());
            }
            ("MAIL", false) | ("RCPT", false) | ("DATA", false) => {
                b"530 5.7.0 must issue STARTTLS first\r\n"
            }
            ("MAIL", true) | ("RCPT", true) | ("RSET", _) | ("NOOP", _) => b"250 OK\r\n",
            ("DATA", true) => {
                stream.get_mut().write_all(b"354 go on\r\n").await.ok()?;
                let mut data = String::new();
                loop {
                    line.clear();
                    match stream.read_line(&mut line).await {
                        Ok(0) | Err(_) => return None,
                        Ok(_) => {}
                    }
                    let text = line.trim_end_matches(['\r', '\n']);
                    if text == "." {
                        break;
                    }
                    data.push_str(text.strip_prefix('.').unwrap_or(text));
                    data.push_str("\r\n");
                }
                if let Some(message) = mail_parser::MessageParser::default().parse(data.as_bytes())
                {
                    let text = |t: Option<std::borrow::Cow<'_, str>>| {
                        t.map(|t| t.to_string()).unwrap_or_default()
                    };
                    if let Ok(mut seen) = seen.lock() {
                        seen.push((
                            message.message_id().unwrap_or_default().to_string(),
                            message.subject().unwrap_or_default().to_string(),
                            text(message.body_text(0)),
                            text(message.body_html(0)),
                        ));
                    }
                }
                b"250 queued\r\n"
            }
            ("QUIT", _) => {
                let _ignored = stream.get_mut().write_all(b"221 bye\r\n").await;
                return None;
            }
            _ => b"502 not implemented\r\n",
        };
        stream.get_mut().write_all(reply).await.ok()?;
    }
}

fn email(port: u16, tls: EmailTls, ca_file: Option<&Path>, accept_invalid: bool) -> SinkConfig {
    SinkConfig::Email(EmailConfig {
        name: Some("mail".into()),
        server: "127.0.0.1".into(),
        port: Some(port),
        tls,
        ca_file: ca_file.map(Path::to_path_buf),
        accept_invalid_certs: accept_invalid,
        username: None,
        password: None,
        password_env: None,
        from: "drawdown <alerts@example.org>".into(),
        to: vec!["desk@example.org".into()],
        subject_prefix: "[drawdown] ".into(),
        timeout: Duration::from_secs(10),
        filter: SinkFilter::default(),
        template: None,
        digest_template: None,
        digest: None,
    })
}

fn check_message(seen: &Seen, alert: &Alert) {
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 1, "one message");
    let (id, subject, text, html) = &seen[0];
    assert_eq!(id, &format!("{}@drawdown", alert.id));
    assert!(subject.starts_with("[drawdown] "), "{subject}");
    assert!(text.contains(&alert.message), "{text}");
    assert!(html.contains("<html>") || html.contains("<p>"), "{html}");
}

#[tokio::test]
async fn email_over_starttls_trusts_the_ca_file() {
    let (pem, acceptor) = certificate();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ca = dir.path().join("relay.pem");
    std::fs::write(&ca, &pem).unwrap_or_else(|e| panic!("{e}"));
    let (port, seen) = smtp_server(Mode::Starttls, acceptor).await;

    // Without trust in the self-signed certificate: no mail goes out.
    let untrusting = email(port, EmailTls::Starttls, None, false);
    let sink = untrusting.build().unwrap_or_else(|e| panic!("{e}"));
    let refused = sink.deliver(&alert(1)).await;
    // Refused for the certificate, not for any other failure on the way.
    let refused = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        refused.contains("invalid peer certificate") && refused.contains("UnknownIssuer"),
        "an unknown certificate must be refused as such, got: {refused:?}"
    );
    assert!(seen.lock().is_ok_and(|s| s.is_empty()));

    let config = email(port, EmailTls::Starttls, Some(&ca), false);
    assert_eq!(config.validate("sinks[0]"), Vec::<String>::new());
    let sink = config.build().unwrap_or_else(|e| panic!("{e}"));
    let one = alert(1);
    sink.deliver(&one)
        .await
        .unwrap_or_else(|e| panic!("deliver over STARTTLS: {e}"));
    check_message(&seen, &one);

    // A digest over the same connection settings.
    let alerts = [alert(2), alert(3)];
    sink.deliver_digest(&alerts)
        .await
        .unwrap_or_else(|e| panic!("digest over STARTTLS: {e}"));
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].0, format!("{}@drawdown", digest_id(&alerts)));
    assert!(seen[1].2.contains(&alerts[1].message), "{}", seen[1].2);
}

#[tokio::test]
async fn email_over_implicit_tls_with_accept_invalid_certs_or_the_ca_file() {
    let (pem, acceptor) = certificate();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ca = dir.path().join("relay.pem");
    std::fs::write(&ca, &pem).unwrap_or_else(|e| panic!("{e}"));

    let (port, seen) = smtp_server(Mode::Implicit, acceptor.clone()).await;
    let sink = email(port, EmailTls::Tls, None, false)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sink.deliver(&alert(4)).await.is_err(), "checked by default");
    let sink = email(port, EmailTls::Tls, None, true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let one = alert(4);
    sink.deliver(&one)
        .await
        .unwrap_or_else(|e| panic!("deliver over TLS: {e}"));
    check_message(&seen, &one);

    let (port, seen) = smtp_server(Mode::Implicit, acceptor).await;
    let sink = email(port, EmailTls::Tls, Some(&ca), false)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let two = alert(5);
    sink.deliver(&two)
        .await
        .unwrap_or_else(|e| panic!("deliver over TLS with ca_file: {e}"));
    check_message(&seen, &two);
}

#[tokio::test]
async fn tls_trust_keys_default_off_and_are_validated() {
    let parsed: SinkConfig = toml::from_str(
        "type = \"email\"\nserver = \"smtp.example.org\"\nfrom = \"a@example.org\"\n\
         to = [\"b@example.org\"]",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let SinkConfig::Email(config) = &parsed else {
        panic!("not an email sink: {parsed:?}");
    };
    assert!(!config.accept_invalid_certs);
    assert_eq!(config.ca_file, None);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("missing.pem");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap_or_else(|e| panic!("{e}"));
    for (config, expected) in [
        (
            email(25, EmailTls::None, None, true),
            "sinks[0].tls: ca_file and accept_invalid_certs need tls = \"starttls\" or \"tls\"",
        ),
        (
            email(587, EmailTls::Starttls, Some(&missing), false),
            "sinks[0].ca_file: cannot read",
        ),
        (
            email(587, EmailTls::Starttls, Some(&not_pem), false),
            "sinks[0].ca_file: ",
        ),
    ] {
        let problems = config.validate("sinks[0]");
        assert!(
            problems.len() == 1 && problems[0].starts_with(expected),
            "{problems:?}"
        );
        if expected.starts_with("sinks[0].ca_file") {
            assert!(config.build().is_err(), "a bad ca_file is a config error");
        }
    }
}

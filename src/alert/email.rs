//! The email sink: one email per alert (or per digest window) through SMTP
//! with `lettre`: STARTTLS (default), implicit TLS or plain (local relays,
//! tests); optional login from `username` and `password` / `password_env`.
//! Server certificates are checked against the usual roots plus `ca_file`
//! (a self-hosted relay); `accept_invalid_certs` turns the check off.
//! A plain-text and an HTML part; `Message-ID` is derived from the alert id so
//! a redelivered alert is recognisable. The password is never logged.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use super::filter::SinkFilter;
use super::slack::{build_template, side_line, title};
use super::template::{self, MessageTemplate};
use super::{Sink, SinkError, secret_from};
use crate::model::Alert;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTls {
    /// Plain connection upgraded with STARTTLS (required), port 587.
    #[default]
    Starttls,
    /// TLS from the first byte ("SMTPS"), port 465.
    Tls,
    /// No encryption: only for a relay on localhost.
    None,
}

/// `type = "email"`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The sink's name (default: "email").
    #[serde(default)]
    pub name: Option<String>,
    /// SMTP server host name.
    pub server: String,
    /// Port (default: 587 for starttls, 465 for tls, 25 for none).
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub tls: EmailTls,
    /// A PEM file of certificates to trust besides the usual roots: a
    /// self-hosted relay with its own (or a self-signed) certificate.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate, unchecked (default false). Only for
    /// tests and relays on a trusted network; prefer `ca_file`.
    #[serde(default)]
    pub accept_invalid_certs: bool,
    /// Login user name, if the server needs one.
    #[serde(default)]
    pub username: Option<String>,
    /// Login password.
    #[serde(default)]
    pub password: Option<String>,
    /// The environment variable holding the password, instead of `password`.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Sender, `"drawdown <alerts@example.org>"`.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Put before every subject (default "[drawdown] ").
    #[serde(default = "default_prefix")]
    pub subject_prefix: String,
    /// How long one SMTP exchange may take (default 30 s).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Which alerts this sink wants.
    #[serde(default)]
    pub filter: SinkFilter,
    /// The text body of one alert (minijinja).
    #[serde(default)]
    pub template: Option<String>,
    /// The text body of a digest (minijinja).
    #[serde(default)]
    pub digest_template: Option<String>,
    /// One email per window listing its alerts (`"1h"`).
    #[serde(default, with = "humantime_serde")]
    pub digest: Option<Duration>,
}

fn default_prefix() -> String {
    "[drawdown] ".into()
}

fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

impl fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailConfig")
            .field("name", &self.name)
            .field("server", &self.server)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("ca_file", &self.ca_file)
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl EmailConfig {
    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            EmailTls::Starttls => 587,
            EmailTls::Tls => 465,
            EmailTls::None => 25,
        })
    }

    /// Problems with this entry, keyed under `key`.
    pub fn validate(&self, key: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.server.trim().is_empty() {
            problems.push(format!("{key}.server: must not be empty"));
        }
        if self.from.parse::<Mailbox>().is_err() {
            problems.push(format!(
                "{key}.from: {:?} is not an email address",
                self.from
            ));
        }
        if self.to.is_empty() {
            problems.push(format!("{key}.to: needs at least one address"));
        }
        for to in &self.to {
            if to.parse::<Mailbox>().is_err() {
                problems.push(format!("{key}.to: {to:?} is not an email address"));
            }
        }
        if self.password.is_some() && self.password_env.is_some() {
            problems.push(format!(
                "{key}.password_env: give password or password_env, not both"
            ));
        }
        if (self.password.is_some() || self.password_env.is_some()) && self.username.is_none() {
            problems.push(format!("{key}.username: needed with a password"));
        }
        if self.timeout.is_zero() {
            problems.push(format!("{key}.timeout: must be longer than 0 s"));
        }
        if self.tls == EmailTls::None && (self.ca_file.is_some() || self.accept_invalid_certs) {
            problems.push(format!(
                "{key}.tls: ca_file and accept_invalid_certs need tls = \"starttls\" or \"tls\""
            ));
        }
        if let Some(path) = &self.ca_file {
            if let Err(problem) = read_ca_file(path) {
                problems.push(format!("{key}.ca_file: {problem}"));
            }
        }
        if self.digest.is_some_and(|d| d.is_zero()) {
            problems.push(format!("{key}.digest: must be longer than 0 s"));
        }
        problems.extend(self.filter.validate(key));
        problems.extend(template::check(
            key,
            self.template.as_deref(),
            self.digest_template.as_deref(),
        ));
        problems
    }

    /// Builds the sink and its SMTP transport (connections pooled); reads
    /// `password_env` once.
    pub fn build(&self, name: String) -> Result<EmailSink, SinkError> {
        let template = build_template(
            &name,
            self.template.as_deref(),
            self.digest_template.as_deref(),
        )?;
        let bad = |key, problem: String| SinkError::Config {
            sink: name.clone(),
            key,
            problem,
        };
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|e| bad("from", format!("{:?}: {e}", self.from)))?;
        let to = self
            .to
            .iter()
            .map(|t| {
                t.parse::<Mailbox>()
                    .map_err(|e| bad("to", format!("{t:?}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let port = self.port();
        let server = format!("{}:{port}", self.server);
        let smtp_err = |source| SinkError::Smtp {
            server: server.clone(),
            source,
        };
        let tls = match self.tls {
            EmailTls::None => Tls::None,
            EmailTls::Starttls | EmailTls::Tls => {
                let mut params = TlsParameters::builder(self.server.clone());
                if let Some(path) = &self.ca_file {
                    params = params.add_root_certificate(
                        read_ca_file(path).map_err(|problem| bad("ca_file", problem))?,
                    );
                }
                let params = params
                    .dangerous_accept_invalid_certs(self.accept_invalid_certs)
                    .build()
                    .map_err(smtp_err)?;
                if self.tls == EmailTls::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.server)
            .tls(tls)
            .port(port)
            .timeout(Some(self.timeout));
        let password = secret_from(&name, "password", &self.password, &self.password_env)?;
        if let (Some(user), Some(password)) = (&self.username, password) {
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(EmailSink {
            name,
            server,
            transport: builder.build(),
            from,
            to,
            subject_prefix: self.subject_prefix.clone(),
            template,
            filter: self.filter.clone(),
            digest: self.digest,
        })
    }
}

/// The certificates of a PEM file, or what is wrong with it.
fn read_ca_file(path: &Path) -> Result<Certificate, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!("{}: no PEM certificate in it", path.display()));
    }
    Certificate::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))
}

/// Sends alerts by email.
pub struct EmailSink {
    name: String,
    server: String,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    subject_prefix: String,
    template: MessageTemplate,
    filter: SinkFilter,
    digest: Option<Duration>,
}

impl fmt::Debug for EmailSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailSink")
            .field("name", &self.name)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// `<ALERT_ID@drawdown>`: the same alert always gets the same Message-ID.
pub fn message_id(alert_id: &str) -> String {
    format!("<{alert_id}@drawdown>")
}

/// A digest's Message-ID: `<DIGEST_ID@drawdown>` (see [`super::digest_id`]).
fn digest_message_id(alerts: &[Alert]) -> String {
    format!("<{}@drawdown>", super::digest_id(alerts))
}

/// Text made safe for HTML.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML part: the text, line by line, and the article links.
fn html_body(heading: &str, text: &str, links: &[(String, String)]) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html><body><h2>{}</h2>",
        html_escape(heading)
    );
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        html.push_str(&format!("<p>{}</p>", html_escape(line)));
    }
    if !links.is_empty() {
        html.push_str("<ul>");
        for (label, url) in links {
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                html_escape(url),
                html_escape(label)
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</body></html>");
    html
}

fn links(alerts: &[Alert]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for alert in alerts {
        for side in std::iter::once(&alert.current).chain(alert.previous.as_ref()) {
            if let Some(url) = &side.article.url {
                let label = format!("{} ({})", side.article.title, side_line(side));
                if !out.iter().any(|(_, u)| u == url) {
                    out.push((label, url.clone()));
                }
            }
        }
    }
    out
}

impl EmailSink {
    fn message(
        &self,
        subject: &str,
        message_id: String,
        text: String,
        html: String,
    ) -> Result<Message, SinkError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(format!("{}{subject}", self.subject_prefix))
            .message_id(Some(message_id));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )
            .map_err(|e| SinkError::EmailBuild {
                sink: self.name.clone(),
                problem: e.to_string(),
            })
    }

    async fn send(&self, message: Message) -> Result<(), SinkError> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|source| SinkError::Smtp {
                server: self.server.clone(),
                source,
            })
    }

    fn template_err(&self, source: minijinja::Error) -> SinkError {
        SinkError::Template {
            sink: self.name.clone(),
            source,
        }
    }
}

#[async_trait::async_trait]
impl Sink for EmailSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, alert: &Alert) -> bool {
        self.filter.accepts(alert)
    }

    fn digest(&self) -> Option<Duration> {
        self.digest
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let text = self
            .template
            .render(alert)
            .map_err(|e| self.template_err(e))?;
        let heading = title(alert);
        let html = html_body(&heading, &text, &links(std::slice::from_ref(alert)));
        let message = self.message(&heading, message_id(&alert.id), text, html)?;
        self.send(message).await
    }

    async fn deliver_digest(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let text = self
            .template
            .render_digest(alerts)
            .map_err(|e| self.template_err(e))?;
        let heading = format!("{} withdrawal alerts", alerts.len());
        let html = html_body(&heading, &text, &links(alerts));
        let message = self.message(&heading, digest_message_id(alerts), text, html)?;
        self.send(message).await
    }
}

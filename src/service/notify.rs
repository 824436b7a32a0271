//! systemd's notify protocol (`Type=notify`, the `sd-notify` crate): READY=1
//! once the daemon is up, WATCHDOG=1 from the pipeline's heartbeat, STATUS=
//! with a short line of counts, RELOADING=1 then READY=1 around a reload,
//! STOPPING=1 on the way out. Without `NOTIFY_SOCKET` every call does nothing.

use std::time::Duration;

use tracing::{debug, warn};

/// Sends notifications to the service manager, or nothing when there is none.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    enabled: bool,
    /// `WATCHDOG_USEC`: how long the manager waits for a heartbeat.
    watchdog: Option<Duration>,
}

impl Notifier {
    /// What the service manager set in the environment: `NOTIFY_SOCKET`, and
    /// `WATCHDOG_USEC` (for this process, if `WATCHDOG_PID` is set). Call once,
    /// at the edge (`main`).
    pub fn from_env() -> Notifier {
        let enabled = std::env::var_os("NOTIFY_SOCKET").is_some_and(|s| !s.is_empty());
        Notifier {
            enabled,
            watchdog: if enabled { watchdog_timeout() } else { None },
        }
    }

    /// A notifier that sends nothing (tests, and runs outside systemd).
    pub fn disabled() -> Notifier {
        Notifier::default()
    }

    /// Whether anything is sent.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// How often the heartbeat must beat: half the watchdog timeout, as
    /// systemd advises; `None` without a watchdog.
    pub fn heartbeat_every(&self) -> Option<Duration> {
        self.watchdog
            .map(|timeout| (timeout / 2).max(Duration::from_millis(1)))
    }

    /// READY=1, with the status line.
    pub fn ready(&self, status: &str) {
        self.send(&[Message::Ready, Message::Status(status)]);
    }

    /// RELOADING=1; [`Notifier::ready`] follows once the reload is done or refused.
    pub fn reloading(&self) {
        self.send(&[Message::Reloading]);
    }

    /// STATUS=, a short line of counts for `systemctl status`.
    pub fn status(&self, status: &str) {
        self.send(&[Message::Status(status)]);
    }

    /// WATCHDOG=1: the pipeline is alive.
    pub fn watchdog(&self) {
        if self.watchdog.is_some() {
            self.send(&[Message::Watchdog]);
        }
    }

    /// STOPPING=1.
    pub fn stopping(&self) {
        self.send(&[Message::Stopping]);
    }

    fn send(&self, messages: &[Message<'_>]) {
        if !self.enabled {
            return;
        }
        if let Err(e) = deliver(messages) {
            if matches!(messages, [Message::Watchdog]) {
                debug!(error = %e, "cannot send the watchdog heartbeat to the service manager");
            } else {
                warn!(error = %e, message = ?messages, "cannot notify the service manager");
            }
        }
    }
}

/// What the daemon tells the service manager.
#[derive(Debug, Clone, Copy)]
enum Message<'a> {
    Ready,
    Reloading,
    Status(&'a str),
    Watchdog,
    Stopping,
}

/// One datagram to `NOTIFY_SOCKET`.
#[cfg(unix)]
fn deliver(messages: &[Message<'_>]) -> std::io::Result<()> {
    use sd_notify::NotifyState;
    let mut states = Vec::with_capacity(messages.len() + 1);
    for message in messages {
        match message {
            Message::Ready => states.push(NotifyState::Ready),
            Message::Reloading => {
                states.push(NotifyState::Reloading);
                // systemd 253 and later want the time of the reload with it.
                if let Ok(now) = NotifyState::monotonic_usec_now() {
                    states.push(now);
                }
            }
            Message::Status(text) => states.push(NotifyState::Status(text)),
            Message::Watchdog => states.push(NotifyState::Watchdog),
            Message::Stopping => states.push(NotifyState::Stopping),
        }
    }
    sd_notify::notify(&states)
}

#[cfg(not(unix))]
fn deliver(_messages: &[Message<'_>]) -> std::io::Result<()> {
    Ok(())
}

/// `WATCHDOG_USEC`, if it is meant for this process.
#[cfg(unix)]
fn watchdog_timeout() -> Option<Duration> {
    sd_notify::watchdog_enabled().filter(|d| !d.is_zero())
}

#[cfg(not(unix))]
fn watchdog_timeout() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_notifier_has_no_heartbeat() {
        let n = Notifier::disabled();
        assert!(!n.is_enabled());
        assert_eq!(n.heartbeat_every(), None);
        // Sends nothing, fails nothing.
        n.ready("ok");
        n.watchdog();
        n.stopping();
    }

    #[test]
    fn the_heartbeat_beats_twice_per_watchdog_timeout() {
        let n = Notifier {
            enabled: true,
            watchdog: Some(Duration::from_secs(30)),
        };
        assert_eq!(n.heartbeat_every(), Some(Duration::from_secs(15)));
    }
}

//! Alertmanager as a second kind of backend. What Warden reads from it (its
//! alerts, `GET /api/v2/alerts`), writes to it (a silence for each
//! acknowledgement, `POST /api/v2/silences`; and, from `warden serve
//! --alertmanager`, Warden's own alerts, `POST /api/v2/alerts`), and how
//! one of its alerts becomes a Warden [`Alert`](crate::model::Alert).
//!
//! - [`wire`]: the part of API v2 Warden uses, as it travels.
//! - [`client`]: the HTTP client for it.
//! - [`mapping`]: an Alertmanager alert as a Warden alert, and the matchers
//!   of the silence that acknowledges it.
//! - [`read`]: its alerts as Warden alerts.
//! - [`silence`]: acknowledging one alert, shared by `warden ack` and the
//!   dashboard.
//! - [`responder`]: the name a silence is made under.
//!
//! The task of `warden serve` that forwards Warden's alerts lives with the
//! server (`server/alertmanager_push.rs`): only the server runs it.

pub mod client;
pub mod mapping;
pub mod read;
pub mod responder;
pub mod silence;
pub mod wire;

use std::time::Duration;

/// The `source` of every alert read from an Alertmanager.
pub const SOURCE: &str = "alertmanager";

/// How long the silence made by an acknowledgement lasts when the backend's
/// config says nothing: a shift, after which a still-firing alert asks
/// again for someone to look.
pub const DEFAULT_SILENCE: Duration = Duration::from_secs(4 * 3600);

/// A silence shorter than this would lapse before anyone read it.
const MIN_SILENCE: Duration = Duration::from_secs(60);
/// Longer than this is not an acknowledgement, it is switching the alert off.
const MAX_SILENCE: Duration = Duration::from_secs(90 * 24 * 3600);

/// How Warden reads one Alertmanager: which label names an alert's agent,
/// and how long an acknowledgement's silence lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The config's `agent_label`; `None` tries `agent_id`, then `agent`.
    pub agent_label: Option<String>,
    pub silence: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            agent_label: None,
            silence: DEFAULT_SILENCE,
        }
    }
}

impl Settings {
    /// From a `[[backend]]`'s `agent_label` and `silence` (e.g. `4h`, `30m`,
    /// `2d`); the error names the key.
    pub fn from_config(agent_label: Option<&str>, silence: Option<&str>) -> Result<Self, String> {
        let agent_label = match agent_label.map(str::trim) {
            Some("") => {
                return Err(
                    "agent_label is empty; leave it out to use agent_id, then agent".into(),
                );
            }
            Some(l) => Some(l.to_string()),
            None => None,
        };
        let silence = match silence {
            Some(text) => parse_silence(text)?,
            None => DEFAULT_SILENCE,
        };
        Ok(Settings {
            agent_label,
            silence,
        })
    }
}

/// Parses a silence's length: `90m`, `4h`, `2d`.
pub fn parse_silence(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    let bad = || format!("silence: expected a length like 30m, 4h or 2d, got {text:?}");
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let secs = match unit.trim() {
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(24 * 3600),
        _ => return Err(bad()),
    };
    let d = Duration::from_secs(secs);
    if d < MIN_SILENCE {
        return Err(format!("silence: {text:?} is too short; use 1m or more"));
    }
    if d > MAX_SILENCE {
        return Err(format!("silence: {text:?} is too long; use 90d or less"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_lengths() {
        assert_eq!(parse_silence("4h"), Ok(Duration::from_secs(4 * 3600)));
        assert_eq!(parse_silence(" 30m "), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_silence("2d"), Ok(Duration::from_secs(2 * 86400)));
        for bad in ["", "4", "h", "4s", "0m", "-1h", "1.5h", "91d"] {
            assert!(parse_silence(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_default_and_refuse_an_empty_label() {
        assert_eq!(Settings::from_config(None, None), Ok(Settings::default()));
        let s = Settings::from_config(Some("team_agent"), Some("1h")).unwrap();
        assert_eq!(s.agent_label.as_deref(), Some("team_agent"));
        assert_eq!(s.silence, Duration::from_secs(3600));
        assert!(Settings::from_config(Some(" "), None).is_err());
        assert!(Settings::from_config(None, Some("forever")).is_err());
    }
}

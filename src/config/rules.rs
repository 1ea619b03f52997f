//! The thresholds of the detection rules: `[serve.rules]` in the config
//! file. Every key is optional; the defaults are those of `rules.md`. Units
//! are in the key names so a file reads without a manual.

use serde::Deserialize;

/// What the rules compare against. Read once at start.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleThresholds {
    /// Seconds between two sweeps of the time-based rules; 0 turns the
    /// periodic sweep off (the rules on ingest still run).
    pub sweep_interval_seconds: u64,
    /// Servers sharing one database take turns at the scheduled rules: one
    /// holds a lease this long and renews it every third of it; a server
    /// that dies is replaced within it.
    pub sweep_lease_seconds: u64,
    /// R01: an unowned agent is high, and critical once it has been
    /// unowned this long.
    pub unowned_grace_hours: u64,
    /// R03: no activity for this long, with a live credential: medium.
    pub dormant_days: u64,
    /// R03: … and high after this long.
    pub dormant_high_days: u64,
    /// R05: the rotation policy.
    pub rotation_days: u64,
    /// R06: a write or admin grant unused this long is excess privilege.
    pub unused_grant_days: u64,
    /// R13: a grant is new for this long after it was granted.
    pub new_grant_hours: u64,
    /// R13: MCP servers that are vetted, by name (case-insensitive). Empty:
    /// no allow list, and that half of R13 is off.
    pub mcp_allow_list: Vec<String>,
    /// R08: the environments that are production (case-insensitive), both
    /// for agents and as a word in a target (`db.prod.corp.example`).
    pub production_environments: Vec<String>,
    /// R08: more production targets, as patterns where `*` matches any run
    /// of characters (`*.payments.corp.example`).
    pub production_targets: Vec<String>,
    /// R11: a minute above this many times the usual rate is a spike…
    pub spike_factor: f64,
    /// R11: … if it also has at least this many calls, so that an agent
    /// going from 1 call a minute to 6 is not one.
    pub spike_min_calls_per_minute: u32,
    /// R11: the usual rate is the mean of the active minutes in this many
    /// minutes before.
    pub baseline_minutes: u32,
    /// R11, R12: for this long after its first event an agent is learning
    /// what is usual, and neither a spike nor a new destination fires.
    pub learning_minutes: u64,
    /// R11: a spike alert resolves after this many minutes without one.
    pub spike_quiet_minutes: u64,
    /// R14: the longest delegation chain, counted in agents.
    pub max_chain_depth: usize,
    /// R18: refused attempts before the alert opens, counted after the
    /// grace period.
    pub refused_attempts: u32,
    /// R18: seconds after an agent is suspended or killed during which its
    /// refused attempts are not counted. An agent learns it was stopped by
    /// being refused; the attempts right after the responder's own action
    /// are that, not a threat.
    pub refused_grace_seconds: u64,
    /// R08, R09, R12, R13, R14, R17, R18: an alert raised by what agents do
    /// resolves after this many minutes without a new occurrence.
    pub quiet_minutes: u64,
}

impl Default for RuleThresholds {
    fn default() -> Self {
        RuleThresholds {
            sweep_interval_seconds: 60,
            sweep_lease_seconds: 10,
            unowned_grace_hours: 7 * 24,
            dormant_days: 30,
            dormant_high_days: 90,
            rotation_days: 90,
            unused_grant_days: 30,
            new_grant_hours: 24,
            mcp_allow_list: Vec::new(),
            production_environments: vec!["prod".into(), "production".into()],
            production_targets: Vec::new(),
            spike_factor: 5.0,
            spike_min_calls_per_minute: 50,
            baseline_minutes: 60,
            learning_minutes: 60,
            spike_quiet_minutes: 10,
            max_chain_depth: 4,
            refused_attempts: 3,
            refused_grace_seconds: 60,
            quiet_minutes: 60,
        }
    }
}

/// The minutes of activity the dashboard draws.
const SERIES_MINUTES: u32 = crate::model::ACTIVITY_MINUTES as u32;

/// Longest baseline accepted, so the activity kept stays bounded.
const MAX_BASELINE_MINUTES: u32 = 24 * 60;

impl RuleThresholds {
    /// Refuses settings that make a rule meaningless, naming the key.
    pub fn check(&self) -> Result<(), String> {
        let positive = [
            ("unowned_grace_hours", self.unowned_grace_hours),
            ("dormant_days", self.dormant_days),
            ("dormant_high_days", self.dormant_high_days),
            ("rotation_days", self.rotation_days),
            ("unused_grant_days", self.unused_grant_days),
            ("new_grant_hours", self.new_grant_hours),
            ("spike_quiet_minutes", self.spike_quiet_minutes),
            ("quiet_minutes", self.quiet_minutes),
            ("max_chain_depth", self.max_chain_depth as u64),
            ("refused_attempts", u64::from(self.refused_attempts)),
            ("baseline_minutes", u64::from(self.baseline_minutes)),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(format!("serve.rules.{key} must be at least 1"));
        }
        if self.dormant_high_days < self.dormant_days {
            return Err(format!(
                "serve.rules.dormant_high_days ({}) must not be less than dormant_days ({})",
                self.dormant_high_days, self.dormant_days
            ));
        }
        if !self.spike_factor.is_finite() || self.spike_factor <= 1.0 {
            return Err(format!(
                "serve.rules.spike_factor must be a number above 1, not {}",
                self.spike_factor
            ));
        }
        if self.baseline_minutes > MAX_BASELINE_MINUTES {
            return Err(format!(
                "serve.rules.baseline_minutes must be at most {MAX_BASELINE_MINUTES}"
            ));
        }
        // Years of days overflow the clock arithmetic; nobody means that.
        let days = [
            ("dormant_days", self.dormant_days),
            ("dormant_high_days", self.dormant_high_days),
            ("rotation_days", self.rotation_days),
            ("unused_grant_days", self.unused_grant_days),
        ];
        if let Some((key, _)) = days.iter().find(|(_, v)| *v > 100 * 366) {
            return Err(format!("serve.rules.{key} is more than a hundred years"));
        }
        let hours = [
            ("unowned_grace_hours", self.unowned_grace_hours),
            ("new_grant_hours", self.new_grant_hours),
            ("learning_minutes", self.learning_minutes / 60),
            ("quiet_minutes", self.quiet_minutes / 60),
            ("spike_quiet_minutes", self.spike_quiet_minutes / 60),
        ];
        if let Some((key, _)) = hours.iter().find(|(_, v)| *v > 100 * 366 * 24) {
            return Err(format!("serve.rules.{key} is more than a hundred years"));
        }
        if self.refused_grace_seconds > 24 * 3600 {
            return Err("serve.rules.refused_grace_seconds is more than a day".into());
        }
        if !(1..=3600).contains(&self.sweep_lease_seconds) {
            return Err("serve.rules.sweep_lease_seconds must be between 1 and 3600".into());
        }
        if self.sweep_interval_seconds > 366 * 24 * 3600 {
            return Err("serve.rules.sweep_interval_seconds is more than a year".into());
        }
        if let Some(bad) = self
            .production_environments
            .iter()
            .chain(&self.production_targets)
            .chain(&self.mcp_allow_list)
            .find(|s| s.trim().is_empty())
        {
            return Err(format!(
                "serve.rules lists an empty name ({bad:?}); remove it"
            ));
        }
        Ok(())
    }

    /// Minutes of per-minute activity to keep for each agent: the hour the
    /// dashboard draws, and a baseline before the oldest minute judged.
    pub fn keep_minutes(&self) -> u32 {
        SERIES_MINUTES.max(self.baseline_minutes) + SERIES_MINUTES
    }
}

/// `deserialize_with` for `[serve.rules]`: the defaults for missing keys,
/// then [`RuleThresholds::check`].
pub fn checked<'de, D: serde::Deserializer<'de>>(d: D) -> Result<RuleThresholds, D::Error> {
    let t = RuleThresholds::deserialize(d)?;
    t.check().map_err(serde::de::Error::custom)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_those_of_rules_md() {
        let t = RuleThresholds::default();
        assert_eq!((t.dormant_days, t.dormant_high_days), (30, 90));
        assert_eq!(t.rotation_days, 90);
        assert_eq!(t.unused_grant_days, 30);
        assert_eq!(t.spike_factor, 5.0);
        assert_eq!((t.refused_attempts, t.refused_grace_seconds), (3, 60));
        assert!(t.check().is_ok());
    }

    #[test]
    fn nonsense_is_refused_with_the_key() {
        let t = RuleThresholds {
            dormant_high_days: 10,
            ..Default::default()
        };
        assert!(t.check().unwrap_err().contains("dormant_high_days"));
        let t = RuleThresholds {
            spike_factor: 0.5,
            ..Default::default()
        };
        assert!(t.check().unwrap_err().contains("spike_factor"));
        let t = RuleThresholds {
            refused_attempts: 0,
            ..Default::default()
        };
        assert!(t.check().unwrap_err().contains("refused_attempts"));
        let t = RuleThresholds {
            refused_grace_seconds: 2 * 24 * 3600,
            ..Default::default()
        };
        assert!(t.check().unwrap_err().contains("refused_grace_seconds"));
        let t = RuleThresholds {
            mcp_allow_list: vec![" ".into()],
            ..Default::default()
        };
        assert!(t.check().unwrap_err().contains("empty"));
    }
}

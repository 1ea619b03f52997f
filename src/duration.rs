//! The DURATION arguments: a credential's lifetime (`warden issue --ttl
//! 30d`) and a rotation's grace period (`warden rotate --grace 10m`, and
//! the dashboard's rotate dialog), where 0 means at once.

use crate::api::MAX_GRACE_SECONDS;

/// `30d`, `12h`, `45m`, `90s` (also `2w`), as seconds.
pub fn parse_ttl(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let bad = || format!("expected a duration like 30d, 12h, 45m or 90s, got {s:?}");
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err("a lifetime must be longer than zero".into());
    }
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too long a lifetime"))
}

/// The longest snooze the backend takes: a week.
pub const MAX_SNOOZE_SECONDS: u64 = 7 * 24 * 3600;

/// A snooze's length (`warden snooze --for`, the dashboard's `z`): a
/// duration like [`parse_ttl`]'s, 1 s to a week.
pub fn parse_snooze(s: &str) -> Result<u64, String> {
    let seconds = parse_ttl(s)?;
    if seconds > MAX_SNOOZE_SECONDS {
        return Err(format!(
            "{:?} is over a week; a snooze is 1s to 7d",
            s.trim()
        ));
    }
    Ok(seconds)
}

/// A rotation's grace period: `0` (the old credential is revoked at once),
/// a number of seconds, or a duration like [`parse_ttl`]'s, at most 30 days.
pub fn parse_grace(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let seconds = if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        t.parse::<u64>()
            .map_err(|_| format!("{t:?} is too long a grace period"))?
    } else if matches!(t, "0s" | "0m" | "0h" | "0d" | "0w") {
        0
    } else {
        parse_ttl(t).map_err(|_| {
            format!("expected 0 (at once) or a duration like 90s, 10m, 2h or 1d, got {t:?}")
        })?
    };
    if seconds > MAX_GRACE_SECONDS {
        return Err(format!(
            "{t:?} is longer than the longest grace period, 30 days"
        ));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_snooze_is_one_second_to_a_week() {
        assert_eq!(parse_snooze("2h"), Ok(7200));
        assert_eq!(parse_snooze("7d"), Ok(MAX_SNOOZE_SECONDS));
        assert!(parse_snooze("8d").unwrap_err().contains("1s to 7d"));
        assert!(parse_snooze("0s").is_err());
        assert!(parse_snooze("soon").is_err());
    }

    use super::*;

    #[test]
    fn grace_is_zero_seconds_or_a_duration_up_to_thirty_days() {
        for (text, seconds) in [
            ("0", 0),
            ("0s", 0),
            ("0m", 0),
            ("45", 45),
            ("90s", 90),
            ("10m", 600),
            ("2h", 7200),
            ("1d", 86_400),
            ("30d", 30 * 86_400),
        ] {
            assert_eq!(parse_grace(text), Ok(seconds), "{text}");
        }
        for bad in ["", "-1", "1y", "0y", "10 m", "31d", "2592001", "m"] {
            assert!(parse_grace(bad).is_err(), "{bad}");
        }
        assert!(parse_grace("31d").unwrap_err().contains("30 days"));
    }
}

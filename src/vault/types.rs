//! Plain data for what was read from Vault: tokens, AppRole roles and
//! secret-ids, identity entities, leases, health. They deserialize from
//! Vault's answers (leniently: times as RFC 3339 strings or Unix seconds,
//! `null` for an empty map or list, `""` for no entity) and serialize for
//! whoever shows them. A token's own secret (`id` in a lookup-self) is never
//! kept.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// `sys/health`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    #[serde(default)]
    pub initialized: bool,
    #[serde(default)]
    pub sealed: bool,
    #[serde(default)]
    pub standby: bool,
    #[serde(default, deserialize_with = "string")]
    pub version: String,
    /// Absent while sealed.
    #[serde(default, deserialize_with = "opt_string")]
    pub cluster_name: Option<String>,
}

/// A token, as `auth/token/lookup-accessor` describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    #[serde(default, deserialize_with = "string")]
    pub accessor: String,
    #[serde(default, deserialize_with = "string")]
    pub display_name: String,
    #[serde(default, deserialize_with = "strings")]
    pub policies: Vec<String>,
    /// Seconds left; 0 for a token that never expires.
    #[serde(default, deserialize_with = "int")]
    pub ttl: i64,
    #[serde(default, deserialize_with = "int")]
    pub creation_ttl: i64,
    #[serde(default, deserialize_with = "int")]
    pub explicit_max_ttl: i64,
    #[serde(default, deserialize_with = "time")]
    pub expire_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub creation_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub issue_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "map")]
    pub meta: BTreeMap<String, String>,
    #[serde(default)]
    pub orphan: bool,
    #[serde(default)]
    pub renewable: bool,
    #[serde(default, deserialize_with = "opt_string")]
    pub entity_id: Option<String>,
    /// Uses left; 0 for unlimited.
    #[serde(default, deserialize_with = "int")]
    pub num_uses: i64,
    /// The path that created it, e.g. `auth/approle/login`.
    #[serde(default, deserialize_with = "string")]
    pub path: String,
    /// `service` or `batch`.
    #[serde(default, rename = "type", deserialize_with = "string")]
    pub token_type: String,
}

impl TokenInfo {
    /// A root token may do anything, forever unless it has a TTL.
    pub fn is_root(&self) -> bool {
        self.policies.iter().any(|p| p == "root")
    }

    /// Never expires: no expiry time, or a TTL of 0.
    pub fn no_expiry(&self) -> bool {
        self.expire_time.is_none() || self.ttl == 0
    }
}

/// An AppRole role's settings (`auth/<mount>/role/<name>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    /// The auth mount, e.g. `approle`; filled in by the reader.
    #[serde(default)]
    pub mount: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "strings")]
    pub token_policies: Vec<String>,
    #[serde(default, deserialize_with = "int")]
    pub token_ttl: i64,
    #[serde(default, deserialize_with = "int")]
    pub token_max_ttl: i64,
    #[serde(default, deserialize_with = "int")]
    pub token_num_uses: i64,
    #[serde(default, deserialize_with = "int")]
    pub token_period: i64,
    #[serde(default, deserialize_with = "string")]
    pub token_type: String,
    #[serde(default, deserialize_with = "strings")]
    pub token_bound_cidrs: Vec<String>,
    #[serde(default)]
    pub bind_secret_id: bool,
    #[serde(default, deserialize_with = "int")]
    pub secret_id_ttl: i64,
    #[serde(default, deserialize_with = "int")]
    pub secret_id_num_uses: i64,
    #[serde(default, deserialize_with = "strings")]
    pub secret_id_bound_cidrs: Vec<String>,
}

/// One AppRole secret-id, by its accessor (the secret-id itself is never
/// readable).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretIdInfo {
    /// Filled in by the reader.
    #[serde(default)]
    pub mount: String,
    /// Filled in by the reader.
    #[serde(default)]
    pub role: String,
    #[serde(default, rename = "secret_id_accessor", deserialize_with = "string")]
    pub accessor: String,
    #[serde(default, deserialize_with = "map")]
    pub metadata: BTreeMap<String, String>,
    /// Seconds it was given at creation; 0 for no expiry.
    #[serde(default, rename = "secret_id_ttl", deserialize_with = "int")]
    pub ttl: i64,
    #[serde(default, rename = "expiration_time", deserialize_with = "time")]
    pub expiration: Option<DateTime<Utc>>,
    /// Logins left; 0 for unlimited.
    #[serde(default, rename = "secret_id_num_uses", deserialize_with = "int")]
    pub num_uses: i64,
    #[serde(default, deserialize_with = "strings")]
    pub cidr_list: Vec<String>,
    #[serde(default, deserialize_with = "strings")]
    pub token_bound_cidrs: Vec<String>,
    #[serde(default, deserialize_with = "time")]
    pub creation_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub last_updated_time: Option<DateTime<Utc>>,
}

/// An identity entity, with the logins (aliases) that map to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(default, deserialize_with = "string")]
    pub id: String,
    #[serde(default, deserialize_with = "string")]
    pub name: String,
    #[serde(default, deserialize_with = "map")]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "strings")]
    pub policies: Vec<String>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default, deserialize_with = "aliases")]
    pub aliases: Vec<EntityAlias>,
    #[serde(default, deserialize_with = "time")]
    pub creation_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub last_update_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityAlias {
    #[serde(default, deserialize_with = "string")]
    pub id: String,
    /// The login's name on its mount, e.g. an AppRole's role-id.
    #[serde(default, deserialize_with = "string")]
    pub name: String,
    /// E.g. `approle`, `userpass`, `jwt`.
    #[serde(default, deserialize_with = "string")]
    pub mount_type: String,
    /// E.g. `auth/approle/`.
    #[serde(default, deserialize_with = "string")]
    pub mount_path: String,
    #[serde(default, deserialize_with = "string")]
    pub mount_accessor: String,
    #[serde(default, deserialize_with = "map")]
    pub metadata: BTreeMap<String, String>,
}

/// A lease (`sys/leases/lookup`): of a token, or of a dynamic secret such
/// as database credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseInfo {
    #[serde(default, deserialize_with = "string")]
    pub id: String,
    #[serde(default, deserialize_with = "time")]
    pub issue_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub expire_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub last_renewal: Option<DateTime<Utc>>,
    /// Seconds left; 0 for none.
    #[serde(default, deserialize_with = "int")]
    pub ttl: i64,
    #[serde(default)]
    pub renewable: bool,
}

/// An auth method's mount (`sys/auth`), e.g. `approle/` of type `approle`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthMount {
    /// Without its trailing `/`.
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub accessor: String,
}

fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// `""` and `null` are none.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

fn aliases<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<EntityAlias>, D::Error> {
    Ok(Option::<Vec<EntityAlias>>::deserialize(d)?.unwrap_or_default())
}

/// A string map; a value that is not a string (a plugin's number) is kept
/// as its JSON text rather than failing the whole record.
fn map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}

/// Seconds, as a number or a string of digits (some plugins send
/// `"3600"`); a float is cut to whole seconds.
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(0),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| D::Error::custom(format!("{n} is not a number of seconds"))),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(0),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| D::Error::custom(format!("{s:?} is not a number of seconds"))),
        Some(other) => Err(D::Error::custom(format!(
            "{other} is not a number of seconds"
        ))),
    }
}

fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    use serde::de::Error;
    let v = Option::<serde_json::Value>::deserialize(d)?;
    parse_time(v.as_ref().unwrap_or(&serde_json::Value::Null)).map_err(D::Error::custom)
}

/// A time as Vault sends it: RFC 3339 (`expire_time`), Unix seconds
/// (`creation_time` of a token), or nothing: `null`, `""`, `0`, and Go's
/// zero time `0001-01-01T00:00:00Z`, which Vault sends for "never".
pub fn parse_time(v: &serde_json::Value) -> Result<Option<DateTime<Utc>>, String> {
    use serde_json::Value;
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => {
            let secs = n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .ok_or_else(|| format!("{n} is not a time"))?;
            if secs <= 0 {
                return Ok(None);
            }
            Utc.timestamp_opt(secs, 0)
                .single()
                .map(Some)
                .ok_or_else(|| format!("{n} is not a time"))
        }
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            if let Ok(secs) = s.parse::<i64>() {
                return parse_time(&Value::from(secs));
            }
            let t = DateTime::parse_from_rfc3339(s)
                .map_err(|e| format!("{s:?} is not an RFC 3339 time: {e}"))?
                .with_timezone(&Utc);
            // Go's zero time, 0001-01-01: "not set".
            Ok((t.timestamp() > 0).then_some(t))
        }
        other => Err(format!("{other} is not a time")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_come_as_strings_numbers_or_nothing() {
        let t = parse_time(&json!("2026-12-03T09:58:40.216287386Z"))
            .unwrap()
            .unwrap();
        assert_eq!(t.timestamp(), 1796291920);
        assert_eq!(
            parse_time(&json!(1796288320)).unwrap().unwrap().timestamp(),
            1796288320
        );
        assert_eq!(
            parse_time(&json!("1796288320"))
                .unwrap()
                .unwrap()
                .timestamp(),
            1796288320
        );
        assert_eq!(
            parse_time(&json!("2026-12-03T10:58:40+01:00"))
                .unwrap()
                .unwrap()
                .timestamp(),
            1796291920
        );
        for none in [
            json!(null),
            json!(""),
            json!(0),
            json!("0001-01-01T00:00:00Z"),
        ] {
            assert_eq!(parse_time(&none).unwrap(), None, "{none}");
        }
        for bad in [json!("yesterday"), json!(true), json!([1])] {
            assert!(parse_time(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_root_token_from_a_real_lookup() {
        // OpenBao 2.7's answer for the dev server's root token.
        let t: TokenInfo = serde_json::from_value(json!({
            "accessor":"EQ39rC2pidpzxKn8UQMKyhxd","creation_time":1796288314,
            "creation_ttl":0,"display_name":"token","entity_id":"","expire_time":null,
            "explicit_max_ttl":0,"id":"","issue_time":"2026-12-03T08:58:34.358357306Z",
            "meta":null,"num_uses":0,"orphan":true,"path":"auth/token/create",
            "policies":["root"],"renewable":false,"ttl":0,"type":"service"
        }))
        .unwrap();
        assert!(t.is_root() && t.no_expiry() && t.orphan);
        assert_eq!(t.entity_id, None);
        assert!(t.meta.is_empty());
        assert_eq!(t.creation_time.unwrap().timestamp(), 1796288314);
        assert_eq!(t.token_type, "service");
        let shown = serde_json::to_string(&t).unwrap();
        assert!(!shown.contains("\"id\""), "{shown}");
    }

    #[test]
    fn an_agent_token_with_meta_expires() {
        let t: TokenInfo = serde_json::from_value(json!({
            "accessor":"itSF","expire_time":"2026-12-03T09:58:40.216287386Z",
            "meta":{"warden_agent":"agt-1"},"policies":["default"],"ttl":3600,
            "entity_id":"e-1","num_uses":"3"
        }))
        .unwrap();
        assert!(!t.is_root() && !t.no_expiry());
        assert_eq!(t.meta["warden_agent"], "agt-1");
        assert_eq!(t.entity_id.as_deref(), Some("e-1"));
        assert_eq!(t.num_uses, 3);
    }

    #[test]
    fn a_secret_id_from_a_real_lookup() {
        let s: SecretIdInfo = serde_json::from_value(json!({
            "cidr_list":["127.0.0.1/32"],"creation_time":"2026-12-03T08:58:54.966943299Z",
            "expiration_time":"2026-12-03T09:58:54.966943299Z",
            "last_updated_time":"2026-12-03T08:58:54.966943299Z",
            "metadata":{"warden_agent":"agt-2","n":7},"secret_id_accessor":"07c9",
            "secret_id_num_uses":0,"secret_id_ttl":3600,"token_bound_cidrs":null
        }))
        .unwrap();
        assert_eq!(s.accessor, "07c9");
        assert_eq!(s.ttl, 3600);
        assert_eq!(s.cidr_list, ["127.0.0.1/32"]);
        assert!(s.token_bound_cidrs.is_empty());
        assert_eq!(s.metadata["n"], "7");
        assert!(s.expiration.is_some());
    }

    #[test]
    fn health_sealed_and_unsealed() {
        // OpenBao 2.7 while sealed: no cluster name.
        let h: Health = serde_json::from_value(json!({
            "initialized":true,"sealed":true,"standby":true,
            "replication_performance_mode":"unknown","server_time_utc":1796288350,
            "version":"2.7.2"
        }))
        .unwrap();
        assert!(h.sealed && h.initialized);
        assert_eq!((h.version.as_str(), h.cluster_name), ("2.7.2", None));
        let h: Health = serde_json::from_value(json!({
            "initialized":true,"sealed":false,"standby":false,"version":"2.7.2",
            "cluster_name":"vault-cluster-e76b9e2c"
        }))
        .unwrap();
        assert!(!h.sealed);
        assert_eq!(h.cluster_name.as_deref(), Some("vault-cluster-e76b9e2c"));
    }

    #[test]
    fn a_lease_without_expiry() {
        let l: LeaseInfo = serde_json::from_value(json!({
            "expire_time":null,"id":"auth/token/create/a260","issue_time":"2026-12-03T08:58:34.358357306Z",
            "last_renewal":null,"path":"auth/token/create","renewable":false,"ttl":0
        }))
        .unwrap();
        assert_eq!(l.id, "auth/token/create/a260");
        assert!(l.expire_time.is_none() && l.last_renewal.is_none() && l.issue_time.is_some());
    }

    #[test]
    fn wrong_types_fail_rather_than_guess() {
        assert!(serde_json::from_value::<TokenInfo>(json!({"ttl": "soon"})).is_err());
        assert!(serde_json::from_value::<TokenInfo>(json!({"policies": "root"})).is_err());
        assert!(serde_json::from_value::<LeaseInfo>(json!({"expire_time": "later"})).is_err());
        assert!(serde_json::from_value::<Entity>(json!({"aliases": null})).is_ok());
    }
}

//! [`VaultCredRef`]: which Vault credential an action is about, and its
//! stable string form (`vault:token:<accessor>`,
//! `vault:secret-id:<mount>/<role>/<accessor>`, `vault:lease:<lease_id>`),
//! which the dashboard and the server can store and hand back.

use std::fmt;
use std::str::FromStr;

/// A credential Vault can revoke, named by what Vault knows it by; never
/// by its secret (a token or a secret-id itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VaultCredRef {
    /// A token, by its accessor.
    Token { accessor: String },
    /// An AppRole secret-id, by its accessor, on `mount` (e.g. `approle`)
    /// for `role`.
    SecretId {
        mount: String,
        role: String,
        accessor: String,
    },
    /// A lease: of dynamic credentials (e.g. `database/creds/ro/…`) or of a
    /// token.
    Lease { lease_id: String },
}

const PREFIX: &str = "vault:";

impl fmt::Display for VaultCredRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultCredRef::Token { accessor } => write!(f, "{PREFIX}token:{accessor}"),
            VaultCredRef::SecretId {
                mount,
                role,
                accessor,
            } => write!(f, "{PREFIX}secret-id:{mount}/{role}/{accessor}"),
            VaultCredRef::Lease { lease_id } => write!(f, "{PREFIX}lease:{lease_id}"),
        }
    }
}

impl FromStr for VaultCredRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            format!(
                "{s:?} is not a Vault credential ({why}); expected vault:token:<accessor>, \
                 vault:secret-id:<mount>/<role>/<accessor> or vault:lease:<lease id>"
            )
        };
        let rest = s
            .strip_prefix(PREFIX)
            .ok_or_else(|| bad("no vault: prefix"))?;
        let (kind, value) = rest.split_once(':').ok_or_else(|| bad("no kind"))?;
        if value.is_empty() {
            return Err(bad("nothing after the kind"));
        }
        match kind {
            "token" if !value.contains('/') => Ok(VaultCredRef::Token {
                accessor: value.to_string(),
            }),
            "token" => Err(bad("an accessor has no /")),
            // The mount may hold `/` (`team/approle`); role and accessor not.
            "secret-id" => {
                let mut parts = value.rsplitn(3, '/');
                let (Some(accessor), Some(role), Some(mount)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad("expected <mount>/<role>/<accessor>"));
                };
                if [accessor, role, mount].iter().any(|p| p.is_empty()) {
                    return Err(bad("an empty part"));
                }
                Ok(VaultCredRef::SecretId {
                    mount: mount.to_string(),
                    role: role.to_string(),
                    accessor: accessor.to_string(),
                })
            }
            "lease" => Ok(VaultCredRef::Lease {
                lease_id: value.to_string(),
            }),
            _ => Err(bad("unknown kind")),
        }
    }
}

impl super::TokenInfo {
    /// What to revoke this token by.
    pub fn cred_ref(&self) -> VaultCredRef {
        VaultCredRef::Token {
            accessor: self.accessor.clone(),
        }
    }
}

impl super::SecretIdInfo {
    pub fn cred_ref(&self) -> VaultCredRef {
        VaultCredRef::SecretId {
            mount: self.mount.clone(),
            role: self.role.clone(),
            accessor: self.accessor.clone(),
        }
    }
}

impl super::LeaseInfo {
    pub fn cred_ref(&self) -> VaultCredRef {
        VaultCredRef::Lease {
            lease_id: self.id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_read_names_what_to_revoke() {
        let t = crate::vault::TokenInfo {
            accessor: "acc".into(),
            ..Default::default()
        };
        assert_eq!(t.cred_ref().to_string(), "vault:token:acc");
        let s = crate::vault::SecretIdInfo {
            mount: "approle".into(),
            role: "r".into(),
            accessor: "a".into(),
            ..Default::default()
        };
        assert_eq!(s.cred_ref().to_string(), "vault:secret-id:approle/r/a");
        let l = crate::vault::LeaseInfo {
            id: "database/creds/ro/x".into(),
            ..Default::default()
        };
        assert_eq!(l.cred_ref().to_string(), "vault:lease:database/creds/ro/x");
    }

    #[test]
    fn every_kind_round_trips() {
        let refs = [
            (
                VaultCredRef::Token {
                    accessor: "itSF54UXrTYdreWsLcO67heo".into(),
                },
                "vault:token:itSF54UXrTYdreWsLcO67heo",
            ),
            (
                VaultCredRef::SecretId {
                    mount: "team/approle".into(),
                    role: "agent-role".into(),
                    accessor: "07c90870-9310".into(),
                },
                "vault:secret-id:team/approle/agent-role/07c90870-9310",
            ),
            (
                VaultCredRef::Lease {
                    lease_id: "database/creds/ro/h2eed4e8:x".into(),
                },
                "vault:lease:database/creds/ro/h2eed4e8:x",
            ),
        ];
        for (r, s) in refs {
            assert_eq!(r.to_string(), s);
            assert_eq!(s.parse::<VaultCredRef>().unwrap(), r);
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<VaultCredRef>(&json).unwrap(), r);
        }
    }

    #[test]
    fn malformed_ids_say_what_is_expected() {
        for bad in [
            "",
            "token:abc",
            "vault:token:",
            "vault:token:a/b",
            "vault:secret-id:approle/acc",
            "vault:secret-id:/role/acc",
            "vault:secret-id:approle//acc",
            "vault:kv:x",
            "vault:lease",
        ] {
            let e = bad.parse::<VaultCredRef>().unwrap_err();
            assert!(e.contains("expected vault:token:"), "{bad}: {e}");
        }
    }
}

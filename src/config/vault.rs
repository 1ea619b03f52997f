//! What a `[[backend]]` of kind `vault` (OpenBao or HashiCorp Vault) adds
//! to a backend: what to read there, and how a Vault identity is linked to
//! a Warden agent ([`LinkRule`]). Both the dashboard and `warden serve`
//! read it.

use serde::Deserialize;

/// The metadata key that names an identity's agent when the config names
/// none: `warden_agent=<agent id or name>` on a token or a secret-id.
pub const DEFAULT_LINK_KEY: &str = "warden_agent";

/// What to read in a Vault and how to link what is read; the flat keys of a
/// vault `[[backend]]`, gathered.
#[derive(Debug, Clone, PartialEq)]
pub struct VaultSettings {
    pub namespace: Option<String>,
    /// Read every token through `auth/token/accessors`.
    pub tokens: bool,
    /// The AppRole mounts to read; `None`: every mount of type `approle`
    /// that `sys/auth` lists.
    pub approle_mounts: Option<Vec<String>>,
    /// Read identity entities and their aliases.
    pub entities: bool,
    /// Prefixes of leases to read under `sys/leases/lookup/`, e.g.
    /// `database/creds/`.
    pub lease_prefixes: Vec<String>,
    pub link_key: String,
    pub links: Vec<LinkRule>,
}

impl Default for VaultSettings {
    fn default() -> Self {
        VaultSettings {
            namespace: None,
            tokens: true,
            approle_mounts: None,
            entities: true,
            lease_prefixes: Vec::new(),
            link_key: DEFAULT_LINK_KEY.into(),
            links: Vec::new(),
        }
    }
}

/// A mapping rule of the config: identities that match it belong to
/// `agent`. Each rule names one thing to match; a `*` in it matches any
/// run of characters.
///
/// ```toml
/// [[backend.link]]
/// display_name = "token-ci-*"   # a token's display name
/// agent = "ci-runner"
/// [[backend.link]]
/// role = "support-bot"          # an AppRole role's secret-ids
/// agent = "support-bot"
/// [[backend.link]]
/// lease_prefix = "database/creds/support"   # dynamic secrets' leases
/// agent = "support-bot"
/// [[backend.link]]
/// entity = "svc-billing"        # an entity, and the tokens it holds
/// agent = "billing-agent"
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawLink")]
pub struct LinkRule {
    pub matches: LinkMatch,
    /// An agent's id or name, as for the metadata key.
    pub agent: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkMatch {
    DisplayName(String),
    Role(String),
    LeasePrefix(String),
    Entity(String),
}

impl LinkRule {
    /// How the link is shown: `display_name = "token-ci-*"`.
    pub fn describe(&self) -> String {
        let (key, value) = match &self.matches {
            LinkMatch::DisplayName(v) => ("display_name", v),
            LinkMatch::Role(v) => ("role", v),
            LinkMatch::LeasePrefix(v) => ("lease_prefix", v),
            LinkMatch::Entity(v) => ("entity", v),
        };
        format!("config {key} = {value:?}")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    display_name: Option<String>,
    role: Option<String>,
    lease_prefix: Option<String>,
    entity: Option<String>,
    agent: Option<String>,
}

impl TryFrom<RawLink> for LinkRule {
    type Error = String;

    fn try_from(raw: RawLink) -> Result<Self, String> {
        let agent = raw
            .agent
            .filter(|a| !a.trim().is_empty())
            .ok_or("a [[backend.link]] needs `agent`: the agent's id or name")?;
        let named = [
            raw.display_name.map(LinkMatch::DisplayName),
            raw.role.map(LinkMatch::Role),
            raw.lease_prefix.map(LinkMatch::LeasePrefix),
            raw.entity.map(LinkMatch::Entity),
        ];
        let mut named = named.into_iter().flatten();
        match (named.next(), named.next()) {
            (Some(matches), None) => Ok(LinkRule { matches, agent }),
            (None, _) => Err(format!(
                "the [[backend.link]] for {agent:?} matches nothing: give one of \
                 display_name, role, lease_prefix or entity"
            )),
            (Some(_), Some(_)) => Err(format!(
                "the [[backend.link]] for {agent:?} names two things to match; \
                 write one rule for each"
            )),
        }
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of
/// characters (including none) and everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(at) => rest = &rest[at + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        for (p, t, want) in [
            ("token-ci-*", "token-ci-42", true),
            ("token-ci-*", "token-cd-42", false),
            ("*", "", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("a*b*c", "a-x-b-y-c", true),
            ("a*b*c", "a-x-c-y-b", false),
            ("*-bot", "support-bot", true),
            ("ab*ba", "aba", false),
        ] {
            assert_eq!(glob(p, t), want, "{p} ~ {t}");
        }
    }

    #[test]
    fn a_link_names_exactly_one_thing_and_an_agent() {
        let ok: LinkRule = toml::from_str("role = \"r\"\nagent = \"a\"").unwrap();
        assert_eq!(ok.matches, LinkMatch::Role("r".into()));
        assert_eq!(ok.describe(), "config role = \"r\"");
        for (bad, says) in [
            ("agent = \"a\"", "matches nothing"),
            ("role = \"r\"\nentity = \"e\"\nagent = \"a\"", "two things"),
            ("role = \"r\"", "needs `agent`"),
            ("role = \"r\"\nagent = \"a\"\nname = \"x\"", "unknown field"),
        ] {
            let e = toml::from_str::<LinkRule>(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}

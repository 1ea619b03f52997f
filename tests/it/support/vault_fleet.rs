//! The fixed fleet merged with a fixed Vault read, for dashboard tests of
//! Vault identities: `prod` is the Warden backend (ids `prod/…`), `bao` the
//! Vault. support-copilot holds a token linked by metadata and an AppRole
//! secret-id linked by a config rule; a root token, a token that never
//! expires and a lease belong to no agent.

use super::fleet::{self, wall};
use chrono::Duration;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use warden::config::vault::{LinkMatch, LinkRule, VaultSettings};
use warden::fleet::origin::Qualify;
use warden::sources::SourceEvent;
use warden::tui::app::{App, BackendKind, Options};
use warden::tui::msg::Msg;
use warden::tui::views::Clock;
use warden::vault::{LeaseInfo, RoleInfo, SecretIdInfo, TokenInfo, VaultSnapshot};

pub fn token(accessor: &str, name: &str, meta: &[(&str, &str)], expires: bool) -> TokenInfo {
    TokenInfo {
        accessor: accessor.into(),
        display_name: name.into(),
        policies: vec!["default".into(), "support-kv".into()],
        ttl: if expires { 3600 } else { 0 },
        creation_ttl: if expires { 3600 } else { 0 },
        expire_time: expires.then(|| wall() + Duration::hours(1)),
        creation_time: Some(wall() - Duration::days(2)),
        issue_time: Some(wall() - Duration::days(2)),
        meta: meta
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        path: "auth/token/create".into(),
        token_type: "service".into(),
        ..TokenInfo::default()
    }
}

/// The Vault read: two identities of support-copilot, three of nobody.
pub fn snapshot() -> VaultSnapshot {
    let mut root = token("acc-root", "root", &[], false);
    root.policies = vec!["root".into()];
    VaultSnapshot {
        tokens: vec![
            token(
                "acc-linked",
                "token-support",
                &[("warden_agent", "support-copilot")],
                true,
            ),
            root,
            token("acc-forever", "token-ci-old", &[("team", "ci")], false),
        ],
        roles: vec![RoleInfo {
            mount: "approle".into(),
            name: "support-role".into(),
            token_policies: vec!["support-db".into()],
            ..RoleInfo::default()
        }],
        secret_ids: vec![SecretIdInfo {
            mount: "approle".into(),
            role: "support-role".into(),
            accessor: "sid-1".into(),
            metadata: BTreeMap::new(),
            expiration: Some(wall() + Duration::days(1)),
            creation_time: Some(wall() - Duration::days(1)),
            cidr_list: vec!["10.0.0.0/8".into()],
            ..SecretIdInfo::default()
        }],
        leases: vec![LeaseInfo {
            id: "database/creds/readonly/lease-1".into(),
            issue_time: Some(wall() - Duration::hours(1)),
            expire_time: Some(wall() + Duration::hours(1)),
            ttl: 3600,
            renewable: true,
            ..LeaseInfo::default()
        }],
        ..VaultSnapshot::default()
    }
}

pub fn settings() -> VaultSettings {
    VaultSettings {
        links: vec![LinkRule {
            matches: LinkMatch::Role("support-*".into()),
            agent: "support-copilot".into(),
        }],
        ..VaultSettings::default()
    }
}

pub fn vault_read(snapshot: VaultSnapshot) -> Msg {
    Msg::Source {
        backend: 1,
        event: SourceEvent::Vault {
            snapshot: Box::new(snapshot),
            settings: Arc::new(settings()),
            latency: std::time::Duration::from_millis(30),
        },
    }
}

/// An app on `prod` and `bao`, before anything has answered.
pub fn empty() -> App {
    let mut app = App::with_backends(
        &[
            ("prod", "http://127.0.0.1:7878"),
            ("bao", "http://127.0.0.1:8200"),
        ],
        Options::default(),
    );
    app.backends[1].kind = BackendKind::Vault;
    app
}

pub fn warden_sync() -> Msg {
    let mut changes = fleet::changes();
    changes.qualify("prod");
    Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency: std::time::Duration::from_millis(12),
        },
    }
}

/// Both backends answered: Warden first, then the Vault.
pub fn app() -> (App, Clock) {
    let mut app = empty();
    let now = Instant::now();
    app.handle_msg(warden_sync());
    app.handle_msg(vault_read(snapshot()));
    for b in &mut app.backends {
        b.last_ok = Some(now);
    }
    (app, Clock { now, wall: wall() })
}

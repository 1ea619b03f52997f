//! Reading a real OpenBao: a snapshot of tokens (metadata, policies, the
//! root token and a token that never expires standing out), AppRole roles
//! and secret-ids with their metadata and CIDRs, entities with aliases,
//! and leases; and what a token with a narrow policy still gets.

use crate::support::bao::Bao;
use serde_json::json;
use warden::vault::{ReadPlan, SnapshotPart, VaultError};

#[tokio::test]
async fn a_snapshot_reads_tokens_secret_ids_entities_and_leases() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let (_, agent) = bao
        .create_token(json!({
            "policies": ["default"], "ttl": "1h", "display_name": "agent-one",
            "meta": { "warden_agent": "agt-1", "owner": "ana" }
        }))
        .await;
    // Only a root token can be without an expiry: Vault gives any other
    // token without a TTL the system's maximum (32 days).
    let (_, forever) = bao
        .create_token(
            json!({ "policies": ["root"], "no_parent": true, "meta": { "warden_agent": "agt-x" } }),
        )
        .await;
    let (_, month) = bao
        .create_token(json!({ "policies": ["default"], "no_parent": true, "ttl": "0" }))
        .await;

    bao.enable_approle("approle").await;
    let role_id = bao
        .create_role(
            "approle",
            "agents",
            json!({ "token_policies": ["default"], "token_ttl": "20m",
                    "secret_id_ttl": "1h", "secret_id_bound_cidrs": ["127.0.0.0/8"] }),
        )
        .await;
    let (secret, sid_acc) = bao
        .create_secret_id(
            "approle",
            "agents",
            json!({ "metadata": "{\"warden_agent\":\"agt-2\"}", "cidr_list": ["127.0.0.1/32"] }),
        )
        .await;
    let mount_acc = bao.auth_accessor("approle").await;
    let entity = bao
        .create_entity(
            "agent-three",
            json!({ "warden_agent": "agt-3" }),
            &["default"],
        )
        .await;
    bao.create_entity_alias(&entity, &role_id, &mount_acc).await;
    // After the alias, or the login would make an entity of its own; it
    // makes a lease under auth/approle/login/.
    bao.login_approle("approle", &role_id, &secret)
        .await
        .expect("login");

    let vault = bao.client();
    let snap = vault
        .snapshot(&ReadPlan {
            token_accessors: true,
            approle_mounts: vec!["approle".into()],
            entities: true,
            lease_prefixes: vec!["auth/approle/".into()],
            concurrency: 4,
        })
        .await
        .unwrap();
    assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
    assert!(!snap.health.sealed);
    assert!(!snap.health.version.is_empty());

    // Root, the agent's, the forever one, the month one, the login's.
    assert_eq!(snap.tokens.len(), 5, "{:#?}", snap.tokens);
    let token = |acc: &str| snap.tokens.iter().find(|t| t.accessor == acc).unwrap();
    let a = token(&agent);
    assert_eq!(a.meta["warden_agent"], "agt-1");
    assert_eq!(a.meta["owner"], "ana");
    assert_eq!(a.display_name, "token-agent-one");
    assert_eq!(a.policies, ["default"]);
    assert!(!a.is_root() && !a.no_expiry() && !a.orphan);
    assert!((3500..=3600).contains(&a.ttl), "{}", a.ttl);
    assert!(a.expire_time.unwrap() > a.issue_time.unwrap());
    let f = token(&forever);
    assert!(f.no_expiry() && f.orphan && f.is_root(), "{f:?}");
    assert_eq!(f.meta["warden_agent"], "agt-x");
    let m = token(&month);
    assert!(!m.no_expiry() && m.orphan && !m.is_root(), "{m:?}");
    assert!(m.ttl > 30 * 86_400, "{m:?}");
    let roots = snap.tokens.iter().filter(|t| t.is_root()).count();
    let forever = snap.tokens.iter().filter(|t| t.no_expiry()).count();
    assert_eq!((roots, forever), (2, 2), "the dev root and the forever one");
    let login = snap
        .tokens
        .iter()
        .find(|t| t.path == "auth/approle/login")
        .unwrap();
    assert_eq!(login.meta["warden_agent"], "agt-2");
    assert_eq!(login.entity_id.as_deref(), Some(entity.as_str()));

    assert_eq!(snap.roles.len(), 1);
    let r = &snap.roles[0];
    assert_eq!((r.mount.as_str(), r.name.as_str()), ("approle", "agents"));
    assert_eq!((r.token_ttl, r.secret_id_ttl), (1200, 3600));
    assert_eq!(r.secret_id_bound_cidrs, ["127.0.0.0/8"]);

    assert_eq!(snap.secret_ids.len(), 1);
    let s = &snap.secret_ids[0];
    assert_eq!(s.accessor, sid_acc);
    assert_eq!((s.mount.as_str(), s.role.as_str()), ("approle", "agents"));
    assert_eq!(s.metadata["warden_agent"], "agt-2");
    assert_eq!(s.cidr_list, ["127.0.0.1/32"]);
    assert_eq!(s.ttl, 3600);
    assert!(s.expiration.is_some() && s.creation_time.is_some());

    assert_eq!(snap.entities.len(), 1, "{:#?}", snap.entities);
    let e = &snap.entities[0];
    assert_eq!(
        (e.id.as_str(), e.name.as_str()),
        (entity.as_str(), "agent-three")
    );
    assert_eq!(e.metadata["warden_agent"], "agt-3");
    assert_eq!(e.aliases.len(), 1);
    assert_eq!(e.aliases[0].mount_type, "approle");
    assert_eq!(e.aliases[0].name, role_id);

    assert_eq!(snap.leases.len(), 1, "{:#?}", snap.leases);
    let l = &snap.leases[0];
    assert!(l.id.starts_with("auth/approle/login/"), "{}", l.id);
    assert!(l.renewable && l.ttl > 0 && l.expire_time.is_some());
    assert_eq!(snap.vanished, 0);

    // The one-at-a-time readers agree with the snapshot.
    assert_eq!(vault.entities().await.unwrap(), snap.entities);
    // By id: a lease's TTL counts down between the two reads.
    let ids = |l: &[warden::vault::LeaseInfo]| l.iter().map(|l| l.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&vault.leases("auth/approle").await.unwrap()),
        ids(&snap.leases)
    );
    let mounts = vault.auth_mounts().await.unwrap();
    assert!(
        mounts
            .iter()
            .any(|m| m.path == "approle" && m.kind == "approle"),
        "{mounts:?}"
    );
}

#[tokio::test]
async fn a_token_that_may_not_list_gets_warnings_and_the_rest() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    bao.enable_approle("approle").await;
    bao.create_role("approle", "agents", json!({})).await;
    bao.create_secret_id("approle", "agents", json!({})).await;
    // May read AppRole, not list tokens nor entities.
    bao.put_policy(
        "approle-reader",
        r#"path "auth/approle/role" { capabilities = ["list"] }
           path "auth/approle/role/*" { capabilities = ["read", "list", "update"] }"#,
    )
    .await;
    let (narrow, _) = bao
        .create_token(json!({ "policies": ["approle-reader"], "no_default_policy": true }))
        .await;
    let vault = bao.client_as(&narrow);

    let e = vault.token_accessors().await.unwrap_err();
    assert_eq!(
        e,
        VaultError::PermissionDenied {
            path: "auth/token/accessors".into(),
            capability: warden::vault::Capability::List,
            sudo: true,
        }
    );
    let shown = e.to_string();
    assert!(
        shown.contains("auth/token/accessors") && shown.contains("\"list\""),
        "{shown}"
    );

    let snap = vault
        .snapshot(&ReadPlan {
            token_accessors: true,
            approle_mounts: vec!["approle".into()],
            entities: true,
            ..ReadPlan::default()
        })
        .await
        .unwrap();
    assert!(snap.tokens.is_empty() && snap.entities.is_empty());
    assert_eq!(snap.secret_ids.len(), 1, "{snap:#?}");
    let parts: Vec<_> = snap.warnings.iter().map(|w| w.part.clone()).collect();
    assert_eq!(parts, [SnapshotPart::Tokens, SnapshotPart::Entities]);
    assert!(
        snap.warnings
            .iter()
            .all(|w| w.permission_denied && w.count == 1)
    );
    assert!(snap.warnings[1].message.contains("identity/entity/id"));

    // A mount that does not exist is a warning too, not an empty mount.
    let snap = bao
        .client()
        .snapshot(&ReadPlan {
            approle_mounts: vec!["no-such-mount".into(), "approle".into()],
            ..ReadPlan::default()
        })
        .await
        .unwrap();
    assert_eq!(snap.secret_ids.len(), 1);
    assert_eq!(snap.warnings.len(), 1, "{:#?}", snap.warnings);
    let w = &snap.warnings[0];
    let missing = SnapshotPart::AppRole {
        mount: "no-such-mount".into(),
    };
    assert_eq!(w.part, missing);
    assert!(!w.permission_denied);
    assert!(w.message.contains("no handler for route"), "{}", w.message);
}

#[tokio::test]
async fn the_namespace_header_scopes_every_read() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    bao.call("POST", "sys/namespaces/team1", serde_json::Value::Null)
        .await;
    let (status, answer) = bao
        .call_with_namespace(
            "team1",
            "POST",
            "auth/token/create",
            json!({ "meta": { "warden_agent": "agt-ns" } }),
        )
        .await;
    assert!(status.is_success(), "{answer}");
    let in_ns = answer["auth"]["accessor"].as_str().unwrap().to_string();

    let vault = warden::vault::VaultClient::new(warden::vault::VaultConfig {
        url: bao.url.clone(),
        token: bao.root_token.clone(),
        namespace: Some("team1".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        vault.token_accessors().await.unwrap(),
        std::slice::from_ref(&in_ns)
    );
    let t = vault.lookup_accessor(&in_ns).await.unwrap().unwrap();
    assert_eq!(t.meta["warden_agent"], "agt-ns");
    let root_ns = bao.client().token_accessors().await.unwrap();
    assert!(!root_ns.contains(&in_ns), "{root_ns:?}");
}

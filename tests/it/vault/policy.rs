//! The policy Warden writes for itself (`policy_hcl`) on a real OpenBao: a
//! token holding only it reads the whole plan without a warning and
//! revokes each kind of credential; without the right to act it revokes
//! nothing; and it reaches nothing outside the plan.

use crate::support::bao::Bao;
use reqwest::StatusCode;
use serde_json::json;
use warden::vault::{ReadPlan, Revocation, VaultCredRef, VaultError, policy_hcl};

#[tokio::test]
async fn a_token_with_wardens_policy_reads_the_plan_and_revokes_but_no_more() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    bao.enable_approle("approle").await;
    let role_id = bao.create_role("approle", "agents", json!({})).await;
    let (secret, sid_acc) = bao.create_secret_id("approle", "agents", json!({})).await;
    let (spare, spare_acc) = bao.create_secret_id("approle", "agents", json!({})).await;
    bao.login_approle("approle", &role_id, &spare)
        .await
        .expect("login");
    let (_, agent_acc) = bao
        .create_token(json!({ "meta": { "warden_agent": "agt-1" } }))
        .await;
    bao.create_entity("agent", json!({}), &[]).await;

    let plan = ReadPlan {
        token_accessors: true,
        approle_mounts: vec!["approle".into()],
        entities: true,
        lease_prefixes: vec!["auth/approle/".into()],
        concurrency: 0,
    };
    bao.put_policy("warden-read", &policy_hcl(&plan, false))
        .await;
    bao.put_policy("warden-act", &policy_hcl(&plan, true)).await;
    let token_with = |policy: &'static str| {
        let bao = &bao;
        async move {
            bao.create_token(json!({ "policies": [policy], "no_default_policy": true }))
                .await
                .0
        }
    };
    let reader = bao.client_as(&token_with("warden-read").await);
    let actor = bao.client_as(&token_with("warden-act").await);

    let snap = reader.snapshot(&plan).await.unwrap();
    assert!(snap.warnings.is_empty(), "{:#?}", snap.warnings);
    assert!(snap.tokens.iter().any(|t| t.accessor == agent_acc));
    assert_eq!(snap.secret_ids.len(), 2);
    assert!(!snap.entities.is_empty());
    assert_eq!(snap.leases.len(), 1);
    let lease_id = snap.leases[0].id.clone();
    // Tokens' and leases' `ttl` count down: two reads a second apart differ
    // there alone, so the comparison is without them.
    let still = |mut s: warden::vault::VaultSnapshot| {
        s.tokens.iter_mut().for_each(|t| t.ttl = 0);
        s.leases.iter_mut().for_each(|l| l.ttl = 0);
        s
    };
    assert_eq!(
        still(actor.snapshot(&plan).await.unwrap()),
        still(snap.clone())
    );

    let creds = [
        VaultCredRef::Token {
            accessor: agent_acc,
        },
        VaultCredRef::SecretId {
            mount: "approle".into(),
            role: "agents".into(),
            accessor: sid_acc,
        },
        VaultCredRef::Lease { lease_id },
    ];
    for cred in &creds {
        let e = reader.revoke(cred).await.unwrap_err();
        assert!(
            matches!(e, VaultError::PermissionDenied { .. }),
            "{cred}: {e:?}"
        );
        assert!(reader.still_valid(cred).await.unwrap(), "{cred}");
    }
    for cred in &creds {
        assert_eq!(
            actor.revoke(cred).await.unwrap(),
            Revocation::Revoked,
            "{cred}"
        );
        assert!(!reader.still_valid(cred).await.unwrap(), "{cred}");
    }
    assert!(
        bao.login_approle("approle", &role_id, &secret)
            .await
            .is_err()
    );
    assert!(
        reader
            .lookup_secret_id_accessor("approle", "agents", &spare_acc)
            .await
            .unwrap()
            .is_some()
    );

    // Nothing outside the plan: not the policies, not a secret engine.
    let (status, _) = bao
        .call_as(
            &token_with("warden-act").await,
            "GET",
            "sys/policies/acl/warden-act",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = bao
        .call_as(
            &token_with("warden-act").await,
            "POST",
            "auth/token/create",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The README shows the policy `warden vault policy --act` prints for the
/// defaults, word for word.
#[test]
fn the_readme_shows_the_policy_that_is_printed() {
    let readme = include_str!("../../../README.md");
    let hcl = warden::vault::policy(&warden::config::vault::VaultSettings::default(), true);
    assert!(
        readme.contains(hcl.trim()),
        "update the README's policy to:\n{hcl}"
    );
}

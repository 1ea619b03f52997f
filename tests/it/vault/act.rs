//! Revoking on a real OpenBao, and checking it took: the revoked token
//! itself is refused afterwards, and so are its children; a destroyed
//! secret-id no longer logs in; doing it again is "already gone".

use crate::support::bao::Bao;
use reqwest::StatusCode;
use serde_json::json;
use warden::vault::{Revocation, VaultCredRef};

#[tokio::test]
async fn revoking_a_token_by_accessor_revokes_it_and_its_children() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    // The parent may mint children, as an agent handing out sub-tokens.
    bao.put_policy(
        "minter",
        r#"path "auth/token/create" { capabilities = ["create", "update"] }"#,
    )
    .await;
    let (parent, parent_acc) = bao
        .create_token(
            json!({ "policies": ["default", "minter"], "meta": { "warden_agent": "agt-1" } }),
        )
        .await;
    let mut children = Vec::new();
    for _ in 0..3 {
        children.push(
            bao.create_token_by(Some(&parent), json!({ "policies": ["default"] }))
                .await,
        );
    }
    // Tokens outside the parent's tree stay.
    let (orphan, orphan_acc) = bao
        .create_token_by(None, json!({ "policies": ["default"], "no_parent": true }))
        .await;
    let (bystander, _) = bao.create_token(json!({ "policies": ["default"] })).await;

    let vault = bao.client();
    let cred = VaultCredRef::Token {
        accessor: parent_acc.clone(),
    };
    assert!(vault.still_valid(&cred).await.unwrap());
    assert_eq!(bao.lookup_self_status(&parent).await, StatusCode::OK);
    let before = vault.token_accessors().await.unwrap().len();

    assert_eq!(vault.revoke(&cred).await.unwrap(), Revocation::Revoked);

    assert_eq!(bao.lookup_self_status(&parent).await, StatusCode::FORBIDDEN);
    assert!(!vault.still_valid(&cred).await.unwrap());
    assert_eq!(vault.lookup_accessor(&parent_acc).await.unwrap(), None);
    let mut children_refused = 0;
    for (token, acc) in &children {
        if bao.lookup_self_status(token).await == StatusCode::FORBIDDEN
            && vault.lookup_accessor(acc).await.unwrap().is_none()
        {
            children_refused += 1;
        }
    }
    assert_eq!(children_refused, 3);
    assert_eq!(vault.token_accessors().await.unwrap().len(), before - 4);
    assert_eq!(bao.lookup_self_status(&orphan).await, StatusCode::OK);
    assert!(vault.lookup_accessor(&orphan_acc).await.unwrap().is_some());
    assert_eq!(bao.lookup_self_status(&bystander).await, StatusCode::OK);

    // Again: already gone, not an error.
    assert_eq!(
        vault.revoke_accessor(&parent_acc).await.unwrap(),
        Revocation::AlreadyGone
    );
    assert_eq!(
        vault.revoke_accessor("no-such-accessor").await.unwrap(),
        Revocation::AlreadyGone
    );
}

#[tokio::test]
async fn a_destroyed_secret_id_no_longer_logs_in() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    bao.enable_approle("agents").await;
    let role_id = bao
        .create_role("agents", "runner", json!({ "token_policies": ["default"] }))
        .await;
    let (secret, acc) = bao
        .create_secret_id(
            "agents",
            "runner",
            json!({ "metadata": "{\"warden_agent\":\"agt-7\"}" }),
        )
        .await;
    let (other_secret, _) = bao.create_secret_id("agents", "runner", json!({})).await;
    bao.login_approle("agents", &role_id, &secret)
        .await
        .expect("the secret-id logs in before");

    let vault = bao.client();
    let cred: VaultCredRef = format!("vault:secret-id:agents/runner/{acc}")
        .parse()
        .unwrap();
    assert!(vault.still_valid(&cred).await.unwrap());
    assert_eq!(vault.revoke(&cred).await.unwrap(), Revocation::Revoked);

    let (status, body) = bao
        .login_approle("agents", &role_id, &secret)
        .await
        .expect_err("a destroyed secret-id must not log in");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(!vault.still_valid(&cred).await.unwrap());
    assert_eq!(
        vault
            .lookup_secret_id_accessor("agents", "runner", &acc)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        vault
            .secret_id_accessors("agents", "runner")
            .await
            .unwrap()
            .len(),
        1
    );
    bao.login_approle("agents", &role_id, &other_secret)
        .await
        .expect("the other secret-id still logs in");

    assert_eq!(vault.revoke(&cred).await.unwrap(), Revocation::AlreadyGone);
    assert_eq!(
        vault
            .destroy_secret_id_accessor("agents", "no-such-role", &acc)
            .await
            .unwrap(),
        Revocation::AlreadyGone
    );
    // A role that is gone has no secret-ids, rather than an error.
    let none = vault.secret_id_accessors("agents", "no-such-role").await;
    assert_eq!(none.unwrap(), Vec::<String>::new());
    let gone = vault
        .lookup_secret_id_accessor("agents", "no-such-role", &acc)
        .await;
    assert_eq!(gone.unwrap(), None);
}

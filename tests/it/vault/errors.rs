//! Each way Vault can fail, as the dashboard will say it: a policy without
//! `list` (the path and the capability named), a sealed Vault, nothing
//! listening, a server answering something that is not JSON, one too slow
//! to answer, and HTTPS with and without the server's CA.

use crate::support::bao::Bao;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use warden::vault::{Capability, ReadPlan, VaultClient, VaultConfig, VaultCredRef, VaultError};

fn client(url: &str, timeout: Duration) -> VaultClient {
    VaultClient::new(VaultConfig {
        url: url.into(),
        token: "s.not-a-real-token".into(),
        timeout: Some(timeout),
        ..VaultConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn permission_denied_names_the_path_and_the_capability() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    // `list` without `sudo` on the accessors: not enough.
    bao.put_policy(
        "lookup-only",
        r#"path "auth/token/lookup-accessor" { capabilities = ["update"] }
           path "auth/token/accessors" { capabilities = ["list"] }"#,
    )
    .await;
    let (token, _) = bao
        .create_token(json!({ "policies": ["lookup-only"], "no_default_policy": true }))
        .await;
    let vault = bao.client_as(&token);
    let e = vault.token_accessors().await.unwrap_err();
    assert_eq!(
        e,
        VaultError::PermissionDenied {
            path: "auth/token/accessors".into(),
            capability: Capability::List,
            sudo: true,
        }
    );
    let shown = e.to_string();
    assert!(
        shown.contains(r#"lacks the "list" and "sudo" capability"#),
        "{shown}"
    );
    assert!(!shown.contains(&token));
    // A read it lacks says "read"; a revoke it lacks says "update".
    let e = vault.lookup_self().await.unwrap_err();
    assert!(
        matches!(&e, VaultError::PermissionDenied { path, capability: Capability::Read, sudo: false } if path == "auth/token/lookup-self"),
        "{e:?}"
    );
    let e = vault.revoke_accessor("whatever").await.unwrap_err();
    assert!(
        matches!(
            &e,
            VaultError::PermissionDenied {
                capability: Capability::Update,
                ..
            }
        ),
        "{e:?}"
    );
    // The lookup it has works.
    assert_eq!(vault.lookup_accessor("no-such").await.unwrap(), None);

    // With `sudo` the listing works too.
    bao.put_policy(
        "lookup-only",
        r#"path "auth/token/accessors" { capabilities = ["list", "sudo"] }"#,
    )
    .await;
    assert!(!vault.token_accessors().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_sealed_vault_is_sealed_for_every_call_and_health_says_so() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let vault = bao.client();
    let (_, acc) = bao.create_token(json!({})).await;
    bao.seal().await;

    let health = vault.health().await.unwrap();
    assert!(health.sealed, "{health:?}");
    for e in [
        vault.token_accessors().await.unwrap_err(),
        vault.lookup_accessor(&acc).await.unwrap_err(),
        vault
            .still_valid(&VaultCredRef::Token {
                accessor: acc.clone(),
            })
            .await
            .unwrap_err(),
        vault.revoke_accessor(&acc).await.unwrap_err(),
        vault
            .snapshot(&ReadPlan {
                token_accessors: true,
                ..ReadPlan::default()
            })
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(e, VaultError::Sealed { .. }), "{e:?}");
        assert!(e.to_string().contains("sealed"), "{e}");
    }
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let vault = client(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5));
    let e = vault.health().await.unwrap_err();
    assert!(matches!(e, VaultError::Unreachable { .. }), "{e:?}");
    assert!(e.is_vault_down());
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

/// A server on loopback that answers every request, after `delay`, with
/// `status` and `body`.
async fn fake_vault(status: u16, body: &'static str, delay: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = conn.read(&mut buf).await;
                tokio::time::sleep(delay).await;
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(reply.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_answer_that_is_not_vaults_json_is_malformed_with_a_preview() {
    let url = fake_vault(200, "<html>\n\x1b[31mnot vault</html>", Duration::ZERO).await;
    let e = client(&url, Duration::from_secs(5))
        .token_accessors()
        .await
        .unwrap_err();
    let VaultError::Malformed { path, preview, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(path, "auth/token/accessors");
    assert!(preview.starts_with("<html>"), "{preview}");
    assert!(!e.to_string().contains(['\n', '\x1b']), "{e}");

    // JSON, but not the shape: keys that are not strings.
    let url = fake_vault(200, r#"{"data":{"keys":[1,2]}}"#, Duration::ZERO).await;
    let e = client(&url, Duration::from_secs(5))
        .token_accessors()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, VaultError::Malformed { preview, .. } if preview.contains("[1,2]")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_a_timeout() {
    let url = fake_vault(200, "{}", Duration::from_secs(30)).await;
    let started = std::time::Instant::now();
    let e = client(&url, Duration::from_millis(500))
        .lookup_accessor("acc")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, VaultError::Timeout { path, .. } if path == "auth/token/lookup-accessor"),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(e.is_vault_down());
}

#[tokio::test]
async fn https_with_the_ca_cert_is_trusted_and_without_it_is_not() {
    let Some(bao) = Bao::start_tls().await else {
        return;
    };
    assert!(bao.url.starts_with("https://"), "{}", bao.url);
    let trusted = bao.client();
    let health = trusted.health().await.unwrap();
    assert!(!health.sealed && health.initialized);
    assert!(!trusted.token_accessors().await.unwrap().is_empty());

    let untrusted = VaultClient::new(VaultConfig {
        url: bao.url.clone(),
        token: bao.root_token.clone(),
        ..VaultConfig::default()
    })
    .unwrap();
    let e = untrusted.health().await.unwrap_err();
    let VaultError::Unreachable { cause, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(cause.to_lowercase().contains("certificate"), "{cause}");
}

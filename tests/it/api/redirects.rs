//! Where Warden's clients (the backend's, Vault's, Alertmanager's) let a
//! redirect take them: never to another host, whose answer would be shown
//! as the one configured; and `localhost.` is asked for as `localhost`.
//! Needs no store: two raw sockets on loopback stand in for the servers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use warden::api::client::{Client, ClientError};

/// A server on `ip` answering every request with `head` (status line and
/// headers) and `body`; answers its URL and how many requests it got.
async fn raw_server(ip: &str, head: String, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(format!("{ip}:0")).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "{head}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = conn.read(&mut buf).await;
                let _ = conn.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, hits)
}

/// Another host (127.0.0.2 is loopback too, but another name) answering
/// what each client would take for success, and a server redirecting every
/// request there, path kept.
async fn redirect_elsewhere() -> (String, String, Arc<AtomicUsize>) {
    let body = r#"{"status":"ok","initialized":true,"sealed":false,"standby":false,"version":"1","data":[]}"#;
    let (other, hits) = raw_server("127.0.0.2", "HTTP/1.1 200 OK".into(), body).await;
    let (first, _) = raw_server(
        "127.0.0.1",
        format!("HTTP/1.1 302 Found\r\nLocation: {other}/v1/health"),
        "",
    )
    .await;
    (first, other, hits)
}

#[tokio::test]
async fn the_backend_client_refuses_a_redirect_to_another_host() {
    let (first, other, hits) = redirect_elsewhere().await;
    let client = Client::new(&first, Some("wdn_pt_secret")).unwrap();
    let e = client.health().await.unwrap_err();
    assert!(matches!(e, ClientError::Redirected { .. }), "{e:?}");
    let msg = e.to_string();
    for want in [
        first.as_str(),
        &format!("{other}/v1/health"),
        "another host",
    ] {
        assert!(msg.contains(want), "{want:?} not in {msg}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the other host was asked");
}

#[tokio::test]
async fn vault_and_alertmanager_clients_refuse_it_too() {
    let (first, other, hits) = redirect_elsewhere().await;
    let vault = warden::vault::VaultClient::new(warden::vault::VaultConfig {
        url: first.clone(),
        token: "s.secret".into(),
        namespace: None,
        ca_cert: None,
        allow_insecure_http: false,
        timeout: Some(Duration::from_secs(5)),
    })
    .unwrap();
    let e = vault.health().await.unwrap_err().to_string();
    assert!(e.contains(&other) && e.contains("another host"), "{e}");

    let am = warden::alertmanager::client::AmClient::new(&first, None).unwrap();
    let e = am.alerts().await.unwrap_err().to_string();
    assert!(e.contains(&other) && e.contains("another host"), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the other host was asked");
}

#[test]
fn a_trailing_dot_is_dropped_before_the_loopback_check() {
    let client = Client::new("http://localhost.:7878", None).unwrap();
    assert_eq!(client.base_url(), "http://localhost:7878");
    let e = Client::new("http://warden.corp.example.:7878", None).unwrap_err();
    assert!(e.to_string().contains("in clear"), "{e}");
    assert!(!warden::api::client::is_local(
        &reqwest::Url::parse("http://localhost.:1").unwrap()
    ));
}

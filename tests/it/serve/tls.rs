//! HTTPS: `warden serve` with a certificate and key (here a self-signed
//! pair made by the test), clients that trust it through `--ca-cert`, the
//! errors for missing, unreadable and mismatched files, and the clients'
//! refusal of plain HTTP to another host.

use crate::support::{cli, server};

use std::path::{Path, PathBuf};
use warden::api::client::{Client, ClientError, ConnectOptions};
use warden::config::ServeConfig;

/// A self-signed certificate for localhost and 127.0.0.1, written as PEM:
/// (cert path, key path, cert PEM).
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    let pair = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("certificate");
    let cert_pem = pair.cert.pem();
    let cert = dir.join(format!("{name}-cert.pem"));
    let key = dir.join(format!("{name}-key.pem"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
    (cert, key, cert_pem)
}

fn tls_config(cert: &Path, key: &Path) -> ServeConfig {
    ServeConfig {
        tls_cert: Some(cert.to_path_buf()),
        tls_key: Some(key.to_path_buf()),
        ..Default::default()
    }
}

#[tokio::test]
async fn serves_https_to_a_client_that_trusts_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_pem) = self_signed(dir.path(), "a");
    let s = server::TestServer::start_with(tls_config(&cert, &key)).await;
    assert!(s.url.starts_with("https://127.0.0.1:"), "{}", s.url);

    // A plain reqwest client given the certificate as a root.
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let resp = http
        .get(format!("{}/v1/health", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // Warden's client with --ca-cert.
    let trusting = ConnectOptions {
        ca_cert: Some(cert.clone()),
        ..Default::default()
    };
    let c = Client::with_options(&s.url, Some(server::ADMIN), &trusting).unwrap();
    c.whoami().await.unwrap();
    let localhost = s.url.replace("127.0.0.1", "localhost");
    let c = Client::with_options(&localhost, Some(server::ADMIN), &trusting).unwrap();
    assert!(c.changes(0, None).await.unwrap().full);

    // Without it, the certificate is not trusted.
    let e = Client::new(&s.url, Some(server::ADMIN))
        .unwrap()
        .health()
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    // Plain HTTP on the TLS port gets no answer.
    let plain = s.url.replace("https://", "http://");
    assert!(
        reqwest::get(format!("{plain}/v1/health")).await.is_err(),
        "plain HTTP was answered on the TLS port"
    );
    s.stop().await;
}

async fn start_error(config: ServeConfig) -> String {
    let store = warden::server::open_store("sqlite::memory:").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    match warden::server::start(store, config, None, listener).await {
        Ok(_) => panic!("started"),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn bad_certificate_files_are_refused_with_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path(), "a");
    let (_, other_key, _) = self_signed(dir.path(), "b");
    let missing = dir.path().join("missing.pem");
    let garbage = cli::write_file(&dir.path().join("garbage.pem"), "hello\n");

    let e = start_error(tls_config(&missing, &key)).await;
    assert!(
        e.contains("cannot read TLS certificate") && e.contains("missing.pem"),
        "{e}"
    );
    let e = start_error(tls_config(&cert, &missing)).await;
    assert!(
        e.contains("cannot read TLS key") && e.contains("missing.pem"),
        "{e}"
    );
    let e = start_error(tls_config(&garbage, &key)).await;
    assert!(e.contains("holds no certificate"), "{e}");
    let e = start_error(tls_config(&cert, &garbage)).await;
    assert!(e.contains("no usable private key"), "{e}");
    let e = start_error(tls_config(&cert, &other_key)).await;
    assert!(
        e.contains("is not the private key of the certificate"),
        "{e}"
    );
    let e = start_error(ServeConfig {
        tls_cert: Some(cert.clone()),
        ..Default::default()
    })
    .await;
    assert!(e.contains("--tls-cert needs --tls-key"), "{e}");
    let e = start_error(ServeConfig {
        tls_key: Some(key.clone()),
        ..Default::default()
    })
    .await;
    assert!(e.contains("--tls-key needs --tls-cert"), "{e}");
}

#[test]
fn the_binary_serves_https_and_the_cli_trusts_it_with_ca_cert() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path(), "a");
    let (cert_s, key_s) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let s = cli::Server::start_with(&["--tls-cert", cert_s, "--tls-key", key_s]);
    assert!(s.url.starts_with("https://127.0.0.1:"), "{}", s.url);

    s.run(&["--ca-cert", cert_s, "agents"]).assert_code(0);
    // WARDEN_CA_CERT does the same.
    let mut cmd = cli::warden(s.dir.path());
    cmd.env("WARDEN_URL", &s.url)
        .env("WARDEN_TOKEN", cli::ADMIN)
        .env("WARDEN_CA_CERT", cert_s)
        .args(["agents"]);
    cli::Run::of(&mut cmd).assert_code(0);
    // Untrusted: the backend cannot be reached, and the error says why.
    let r = s.run(&["agents"]);
    r.assert_code(1);
    assert!(
        r.stderr.to_lowercase().contains("certificate"),
        "{}",
        r.stderr
    );

    // One flag of the pair alone is a usage error.
    let r = cli::Run::of(cli::warden(dir.path()).args(["serve", "--tls-cert", cert_s]));
    r.assert_code(2);
    assert!(r.stderr.contains("--tls-key"), "{}", r.stderr);
}

#[test]
fn the_cli_refuses_plain_http_to_another_host() {
    let home = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = cli::warden(home.path());
        cmd.env("WARDEN_URL", "http://192.0.2.1:7878")
            .env("WARDEN_TOKEN", "t")
            .args(extra)
            .arg("agents");
        cli::Run::of(&mut cmd)
    };
    let r = run(&[]);
    r.assert_code(2);
    r.assert_error("--allow-insecure-http");
    assert!(r.stderr.contains("https://"), "{}", r.stderr);
    // With the flag it is let through, and then cannot connect (nothing
    // answers at that documentation address): exit 1, not 2.
    let r = run(&["--allow-insecure-http"]);
    r.assert_code(1);
    r.assert_error("cannot reach the backend at http://192.0.2.1:7878");

    // Through a [[backend]] of the config, with its own key.
    let cfg = home.path().join("config.toml");
    let port = cli::closed_port();
    std::fs::write(
        &cfg,
        format!(
            "[[backend]]\nname = \"lab\"\nurl = \"http://192.0.2.1:{port}\"\ntoken_env = \"LAB_TOKEN\"\n"
        ),
    )
    .unwrap();
    let mut cmd = cli::warden(home.path());
    cmd.env("WARDEN_CONFIG", &cfg)
        .env("LAB_TOKEN", "t")
        .arg("agents");
    let r = cli::Run::of(&mut cmd);
    r.assert_code(2);
    r.assert_error("allow_insecure_http = true");
    let mut allowed = std::fs::read_to_string(&cfg).unwrap();
    allowed.push_str("allow_insecure_http = true\n");
    std::fs::write(&cfg, allowed).unwrap();
    let mut cmd = cli::warden(home.path());
    cmd.env("WARDEN_CONFIG", &cfg)
        .env("LAB_TOKEN", "t")
        .arg("agents");
    let r = cli::Run::of(&mut cmd);
    r.assert_code(1);
    r.assert_error("cannot reach");
    // Loopback is fine without any flag: refused only by the closed port.
    let mut cmd = cli::warden(home.path());
    cmd.env("WARDEN_URL", format!("http://localhost:{port}"))
        .env("WARDEN_TOKEN", "t")
        .arg("agents");
    cli::Run::of(&mut cmd).assert_code(1);
}

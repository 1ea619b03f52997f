//! Dynamic PostgreSQL credentials on a real OpenBao and a real PostgreSQL:
//! the `database` secrets engine makes a login for a role; Warden sees its
//! lease, revokes it, and PostgreSQL refuses the login afterwards.
//!
//! Needs `WARDEN_TEST_DATABASE_URL` (see `support::server`): skipped
//! without it on a developer's machine, failed in CI.

use crate::support::bao::Bao;
use crate::support::server::{PgDatabase, postgres_available};
use serde_json::json;
use warden::vault::{ReadPlan, Revocation, VaultCredRef};

/// Connects as `user`; the error's text when PostgreSQL refuses.
fn login(host: &str, port: u16, db: &str, user: &str, password: &str) -> Result<String, String> {
    let (host, db, user, password) = (
        host.to_string(),
        db.to_string(),
        user.to_string(),
        password.to_string(),
    );
    std::thread::spawn(move || {
        let mut config = postgres::Config::new();
        config
            .host(&host)
            .port(port)
            .dbname(&db)
            .user(&user)
            .password(&password);
        let mut c = config.connect(postgres::NoTls).map_err(|e| {
            let db = e.as_db_error().map(|d| d.message().to_string());
            db.unwrap_or_else(|| e.to_string())
        })?;
        let row = c
            .query_one("SELECT current_user::text", &[])
            .map_err(|e| e.to_string())?;
        Ok(row.get(0))
    })
    .join()
    .expect("the PostgreSQL thread")
}

#[tokio::test]
async fn a_revoked_database_lease_can_no_longer_log_in() {
    if !postgres_available("the Vault database-credentials test") {
        return;
    }
    let Some(bao) = Bao::start().await else {
        return;
    };
    let db = PgDatabase::create();
    let url = reqwest::Url::parse(&db.url).expect("the database URL");
    let host = url.host_str().expect("a host").to_string();
    let port = url.port().unwrap_or(5432);
    let admin = url.username().to_string();
    // A cluster on `trust` has no password; Vault's plugin wants one.
    let admin_password = url.password().unwrap_or("unused").to_string();

    bao.call("POST", "sys/mounts/database", json!({ "type": "database" }))
        .await;
    bao.call(
        "POST",
        "database/config/pg",
        json!({
            "plugin_name": "postgresql-database-plugin",
            "connection_url": format!(
                "postgresql://{{{{username}}}}:{{{{password}}}}@{host}:{port}/{}?sslmode=disable",
                db.name
            ),
            "username": admin,
            "password": admin_password,
            "allowed_roles": ["agent-ro"],
        }),
    )
    .await;
    bao.call(
        "POST",
        "database/roles/agent-ro",
        json!({
            "db_name": "pg",
            "creation_statements": [
                "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"
            ],
            "default_ttl": "1h",
        }),
    )
    .await;
    let creds = bao
        .call("GET", "database/creds/agent-ro", json!(null))
        .await;
    let lease_id = creds["lease_id"].as_str().expect("a lease").to_string();
    let user = creds["data"]["username"]
        .as_str()
        .expect("username")
        .to_string();
    let password = creds["data"]["password"]
        .as_str()
        .expect("password")
        .to_string();

    assert_eq!(
        login(&host, port, &db.name, &user, &password),
        Ok(user.clone())
    );

    let vault = bao.client();
    let snap = vault
        .snapshot(&ReadPlan {
            lease_prefixes: vec!["database/creds/".into()],
            ..ReadPlan::default()
        })
        .await
        .unwrap();
    assert_eq!(snap.leases.len(), 1, "{snap:#?}");
    assert_eq!(snap.leases[0].id, lease_id);
    assert!(snap.leases[0].renewable && snap.leases[0].ttl > 3000);

    let cred: VaultCredRef = format!("vault:lease:{lease_id}").parse().unwrap();
    assert!(vault.still_valid(&cred).await.unwrap());
    assert_eq!(vault.revoke(&cred).await.unwrap(), Revocation::Revoked);

    let refused = login(&host, port, &db.name, &user, &password)
        .expect_err("a revoked lease's login must be refused");
    assert!(refused.contains(&user), "{refused}");
    let left: i64 = db.with_client(|c| {
        c.query_one("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[&user])
            .unwrap()
            .get(0)
    });
    assert_eq!(left, 0, "Vault dropped the role");
    assert!(!vault.still_valid(&cred).await.unwrap());
    assert_eq!(vault.revoke(&cred).await.unwrap(), Revocation::AlreadyGone);
    assert!(vault.leases("database/creds").await.unwrap().is_empty());
}

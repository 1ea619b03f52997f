//! Person tokens are first-class: listed (never a secret), revoked with a
//! reason and refused at once, expiring when created with a lifetime,
//! role-checked, audited; a new `WARDEN_ADMIN_TOKEN` retires the old
//! bootstrap token; a token for no person is rule R21's finding.

use crate::support::server::*;
use serde_json::{Value, json};
use warden::config::ServeConfig;

/// Creates a token as admin: answers (id, secret).
async fn create(s: &TestServer, body: Value) -> (String, String) {
    let t = s.admin("POST", "/v1/tokens", body).await;
    (txt(&t, "id").to_string(), txt(&t, "token").to_string())
}

async fn whoami(s: &TestServer, token: &str) -> (u16, Value) {
    s.call("GET", "/v1/whoami", Some(token), None).await
}

async fn revoke(s: &TestServer, by: &str, id: &str, reason: &str) -> (u16, Value) {
    s.call(
        "DELETE",
        &format!("/v1/tokens/{id}"),
        Some(by),
        Some(json!({ "reason": reason })),
    )
    .await
}

fn find<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

#[tokio::test]
async fn tokens_are_listed_with_their_facts_and_never_a_secret() {
    let s = TestServer::start().await;
    s.person("Ada", "ada@corp.example").await;
    let (ada_id, ada_secret) = create(
        &s,
        json!({"name": "ada-laptop", "role": "responder", "person": "ada@corp.example", "ttl_seconds": 86400}),
    )
    .await;
    let (ci_id, ci_secret) = create(&s, json!({"name": "ci", "role": "viewer"})).await;

    let (status, list) = s.call("GET", "/v1/tokens", Some(ADMIN), None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list.as_array().unwrap().len(),
        3,
        "bootstrap, ada, ci: {list}"
    );
    let ada = find(&list, &ada_id);
    assert_eq!(ada["name"], "ada-laptop");
    assert_eq!(ada["role"], "responder");
    assert_eq!(ada["person_email"], "ada@corp.example");
    assert_eq!(ada["origin"], "api");
    assert_eq!(ada["status"], "active");
    assert_eq!(ada["current"], false);
    assert!(ada["expires_at"].is_string(), "{ada}");
    assert_eq!(ada["created_by"], "token:bootstrap-admin");
    let ci = find(&list, &ci_id);
    assert!(ci["person"].is_null() && ci["expires_at"].is_null(), "{ci}");
    let boot = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["origin"] == "bootstrap")
        .expect("the bootstrap token");
    assert_eq!(
        (boot["role"].clone(), boot["current"].clone()),
        (json!("admin"), json!(true))
    );

    // Neither a secret nor its hash, nor any field that could hold them.
    let text = list.to_string();
    for secret in [ADMIN, ada_secret.as_str(), ci_secret.as_str()] {
        assert!(!text.contains(secret), "a secret is listed: {text}");
        assert!(
            !text.contains(&sha256_hex(secret)),
            "a hash is listed: {text}"
        );
    }
    for t in list.as_array().unwrap() {
        for field in ["token", "hash", "secret", "prefix"] {
            assert!(t.get(field).is_none(), "{field} in {t}");
        }
    }
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_and_the_audit_says_who_and_why() {
    let s = TestServer::start().await;
    let (id, secret) = create(&s, json!({"name": "grafana", "role": "viewer"})).await;
    assert_eq!(whoami(&s, &secret).await.0, 200);

    // A reason is required.
    let answer = revoke(&s, ADMIN, &id, "  ").await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(whoami(&s, &secret).await.0, 200);

    let (status, t) = revoke(&s, ADMIN, &id, "INC-7: pasted in a chat").await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["status"], "revoked");
    assert_eq!(t["revoked_by"], "token:bootstrap-admin");
    assert_eq!(t["revoked_reason"], "INC-7: pasted in a chat");

    let refused = whoami(&s, &secret).await;
    assert_error(&refused, 401, "token_revoked");
    let message = refused.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("INC-7: pasted in a chat"), "{message}");
    // Every route, not only whoami.
    let answer = s.call("GET", "/v1/agents", Some(&secret), None).await;
    assert_error(&answer, 401, "token_revoked");

    // Again: nothing changes, nothing more is audited.
    let before = s.audit_len().await;
    let (status, again) = revoke(&s, ADMIN, &id, "once more").await;
    assert_eq!(
        (status, again["revoked_reason"].clone()),
        (200, json!("INC-7: pasted in a chat"))
    );
    assert_eq!(s.audit_len().await, before);

    let audit = s.audit().await;
    let e = audit
        .iter()
        .find(|e| e["action"] == "token.revoke")
        .expect("a token.revoke entry");
    assert_eq!(e["actor"], "token:bootstrap-admin");
    assert_eq!(e["reason"], "INC-7: pasted in a chat");
    assert!(txt(e, "target").contains(&id), "{e}");
    let created = audit
        .iter()
        .find(|e| e["action"] == "token.create")
        .expect("a token.create entry");
    assert!(txt(created, "target").contains(&id), "{created}");
    assert_eq!(s.verify().await["ok"], true);

    let missing = revoke(&s, ADMIN, "tok_nope", "x").await;
    assert_error(&missing, 404, "not_found");
}

#[tokio::test]
async fn a_token_with_a_lifetime_expires_and_is_refused_with_its_own_code() {
    let s = TestServer::start().await;
    let t = s
        .admin(
            "POST",
            "/v1/tokens",
            json!({"name": "short", "role": "viewer", "ttl_seconds": 1}),
        )
        .await;
    assert!(t["expires_at"].is_string(), "{t}");
    let secret = txt(&t, "token").to_string();
    assert_eq!(whoami(&s, &secret).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let refused = whoami(&s, &secret).await;
    assert_error(&refused, 401, "token_expired");
    let list = s.get("/v1/tokens").await;
    assert_eq!(find(&list, txt(&t, "id"))["status"], "expired");

    for bad in [json!(0), json!(400 * 366 * 24 * 3600_u64)] {
        let answer = s
            .call(
                "POST",
                "/v1/tokens",
                Some(ADMIN),
                Some(json!({"name": "bad", "role": "viewer", "ttl_seconds": bad})),
            )
            .await;
        assert_error(&answer, 422, "unprocessable");
    }
}

#[tokio::test]
async fn without_admin_a_token_sees_and_revokes_only_its_own() {
    let s = TestServer::start().await;
    s.person("Ada", "ada@corp.example").await;
    s.person("Bob", "bob@corp.example").await;
    let (laptop_id, laptop) = create(
        &s,
        json!({"name": "ada-laptop", "role": "viewer", "person": "ada@corp.example"}),
    )
    .await;
    let (phone_id, phone) = create(
        &s,
        json!({"name": "ada-phone", "role": "responder", "person": "ada@corp.example"}),
    )
    .await;
    let (bob_id, bob) = create(
        &s,
        json!({"name": "bob", "role": "responder", "person": "bob@corp.example"}),
    )
    .await;
    let (ci_id, ci) = create(&s, json!({"name": "ci", "role": "responder"})).await;

    // Ada's laptop sees Ada's two tokens, the one in use marked.
    let (status, list) = s.call("GET", "/v1/tokens", Some(&laptop), None).await;
    assert_eq!(status, 200, "{list}");
    let mut ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| txt(t, "id"))
        .collect();
    ids.sort();
    let mut want = vec![laptop_id.as_str(), phone_id.as_str()];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(find(&list, &laptop_id)["current"], true);
    // A token for no person sees itself only.
    let (_, list) = s.call("GET", "/v1/tokens", Some(&ci), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], ci_id.as_str());

    // Someone else's token, or an unknown id, is 403 and changes nothing.
    let before = s.dump();
    for (by, id) in [(&bob, &laptop_id), (&laptop, &bob_id), (&ci, &bob_id)] {
        assert_error(&revoke(&s, by, id, "mine now").await, 403, "forbidden");
    }
    assert_error(&revoke(&s, &bob, "tok_nope", "x").await, 403, "forbidden");
    // An agent credential may not list or revoke.
    s.agent("bot").await;
    let (_, agent_secret) = s.credential("bot").await;
    let before_agent = s.dump();
    assert_error(
        &s.call("GET", "/v1/tokens", Some(&agent_secret), None).await,
        403,
        "forbidden",
    );
    assert_error(
        &revoke(&s, &agent_secret, &ci_id, "x").await,
        403,
        "forbidden",
    );
    assert_eq!(s.dump(), before_agent);
    let _ = before;

    // The lost phone, from the laptop: the same person.
    let (status, t) = revoke(&s, &laptop, &phone_id, "phone lost").await;
    assert_eq!(
        (status, t["status"].clone()),
        (200, json!("revoked")),
        "{t}"
    );
    assert_error(&whoami(&s, &phone).await, 401, "token_revoked");
    let e = s
        .audit()
        .await
        .into_iter()
        .find(|e| e["action"] == "token.revoke")
        .unwrap();
    assert_eq!(e["actor"], "ada@corp.example (token ada-laptop)");
    // And itself.
    assert_eq!(revoke(&s, &ci, &ci_id, "job retired").await.0, 200);
    assert_error(&whoami(&s, &ci).await, 401, "token_revoked");
    // An admin revokes anyone's.
    assert_eq!(revoke(&s, ADMIN, &bob_id, "left the team").await.0, 200);
    assert_error(&whoami(&s, &bob).await, 401, "token_revoked");
    assert_eq!(whoami(&s, &laptop).await.0, 200);
}

const NEW_ADMIN: &str = "test-admin-token-rotated-9876543210";

#[tokio::test]
async fn a_new_admin_token_at_start_revokes_the_old_bootstrap_token() {
    let s = TestServer::start().await;
    assert_eq!(whoami(&s, ADMIN).await.0, 200);
    let s = s
        .restart_with_admin(ServeConfig::default(), NEW_ADMIN)
        .await;
    let (status, me) = whoami(&s, NEW_ADMIN).await;
    assert_eq!((status, me["role"].clone()), (200, json!("admin")), "{me}");
    let refused = whoami(&s, ADMIN).await;
    assert_error(&refused, 401, "token_revoked");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("WARDEN_ADMIN_TOKEN changed"),
        "{refused:?}"
    );
    let (_, audit) = s.call("GET", "/v1/audit", Some(NEW_ADMIN), None).await;
    let revoked: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "token.revoke")
        .collect();
    assert_eq!(revoked.len(), 1, "{audit}");
    assert_eq!(revoked[0]["actor"], "system");
    assert!(txt(revoked[0], "reason").contains("WARDEN_ADMIN_TOKEN changed"));
    let (_, list) = s.call("GET", "/v1/tokens", Some(NEW_ADMIN), None).await;
    let states: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (txt(t, "origin"), txt(t, "status")))
        .collect();
    assert_eq!(states, [("bootstrap", "revoked"), ("bootstrap", "active")]);

    // The same value again changes nothing; the old one stays revoked even
    // when it comes back.
    let s = s
        .restart_with_admin(ServeConfig::default(), NEW_ADMIN)
        .await;
    assert_eq!(whoami(&s, NEW_ADMIN).await.0, 200);
    let s = s.restart(ServeConfig::default()).await;
    assert_error(&whoami(&s, ADMIN).await, 401, "token_revoked");
    assert_eq!(whoami(&s, NEW_ADMIN).await.0, 200);
    let (_, audit) = s.call("GET", "/v1/audit", Some(NEW_ADMIN), None).await;
    let n = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "token.revoke")
        .count();
    assert_eq!(n, 1, "{audit}");
}

fn r21(alerts: &Value) -> Vec<&Value> {
    alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == "R21")
        .collect()
}

#[tokio::test]
async fn a_token_for_no_person_is_flagged_until_it_is_revoked_or_expires() {
    let s = TestServer::start().await;
    s.person("Ada", "ada@corp.example").await;
    create(
        &s,
        json!({"name": "ada", "role": "admin", "person": "ada@corp.example"}),
    )
    .await;
    let (ci_id, _) = create(&s, json!({"name": "ci-deploy", "role": "admin"})).await;
    let (short_id, _) = create(
        &s,
        json!({"name": "short", "role": "viewer", "ttl_seconds": 1}),
    )
    .await;
    let now = chrono::Utc::now();
    s.sweep_at(now).await;
    let alerts = s.get("/v1/alerts").await;
    let found = r21(&alerts);
    // Not the bootstrap token, nor the one for Ada.
    assert_eq!(found.len(), 2, "{alerts}");
    let ci = found
        .iter()
        .find(|a| txt(a, "evidence").contains(&ci_id))
        .expect("ci-deploy flagged");
    assert!(ci["agent_id"].is_null(), "{ci}");
    assert_eq!(ci["severity"], "high");
    assert_eq!(ci["status"], "open");
    assert!(txt(ci, "evidence").contains("ci-deploy"), "{ci}");
    assert!(txt(ci, "summary").contains("no person"), "{ci}");
    assert_eq!(ci["mapping"], json!(["NHI1"]));
    let short = found
        .iter()
        .find(|a| txt(a, "evidence").contains(&short_id))
        .expect("short flagged");
    assert_eq!(short["severity"], "medium");

    // Revoked: resolved at once, saying by whom and why.
    assert_eq!(revoke(&s, ADMIN, &ci_id, "CI moved to OIDC").await.0, 200);
    let alerts = s.get("/v1/alerts").await;
    let ci = r21(&alerts)
        .into_iter()
        .find(|a| txt(a, "evidence").contains(&ci_id))
        .unwrap()
        .clone();
    assert_eq!(ci["status"], "resolved", "{ci}");
    assert!(
        txt(&ci, "evidence").starts_with("resolved: token")
            && txt(&ci, "evidence").contains("CI moved to OIDC"),
        "{ci}"
    );

    // Expired: the next sweep resolves it.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    s.sweep_at(chrono::Utc::now()).await;
    let alerts = s.get("/v1/alerts").await;
    assert!(
        r21(&alerts).iter().all(|a| a["status"] == "resolved"),
        "{alerts}"
    );
    let audit = s.audit().await;
    assert!(
        audit
            .iter()
            .any(|e| e["actor"] == "rule:R21" && e["action"] == "alert.open")
    );
}

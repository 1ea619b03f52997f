//! The inventory side of API v1 against a real server: agents (create,
//! pages, detail by id and by name), credentials (shown once, stored
//! hashed, with and without expiry), grants and delegations.

use crate::support::server::*;
use serde_json::{Value, json};

#[tokio::test]
async fn create_agent_answers_201_with_the_agent() {
    let s = TestServer::start().await;
    let owner = s.person("Olga", "olga@corp.example").await;
    let (status, a) = s
        .post(
            "/v1/agents",
            ADMIN,
            json!({
                "name": "invoice-bot", "kind": "api-connector", "environment": "prod",
                "owner": "olga@corp.example", "description": "reads invoices",
                "runtime": "k8s:prod/invoice-bot", "labels": {"team": "finance"}
            }),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    assert!(txt(&a, "id").starts_with("agt_"), "{a}");
    assert_eq!(a["name"], "invoice-bot");
    assert_eq!(a["kind"], "api-connector");
    assert_eq!(a["environment"], "prod");
    assert_eq!(a["owner"], owner["id"], "the owner is stored by id");
    assert_eq!(a["description"], "reads invoices");
    assert_eq!(a["runtime"], "k8s:prod/invoice-bot");
    assert_eq!(a["labels"], json!({"team": "finance"}));
    assert_eq!(a["status"], "active");
    assert_eq!(a["created_by"], "token:bootstrap-admin");
    assert!(a["last_seen_at"].is_null());

    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "agent.register");
    assert!(txt(&last, "target").contains(txt(&a, "id")));
}

#[tokio::test]
async fn every_kind_is_accepted() {
    let s = TestServer::start().await;
    for kind in [
        "chatbot",
        "api-connector",
        "copilot",
        "mcp-server",
        "autonomous",
    ] {
        let a = s
            .agent_with(json!({"name": format!("a-{kind}"), "kind": kind, "environment": "dev"}))
            .await;
        assert_eq!(a["kind"], kind);
    }
    assert_eq!(s.agent_count().await, 5);
}

#[tokio::test]
async fn duplicate_agent_name_is_a_conflict() {
    let s = TestServer::start().await;
    s.agent("dup").await;
    let before = s.dump();
    let answer = s
        .post(
            "/v1/agents",
            ADMIN,
            json!({"name": "dup", "kind": "copilot", "environment": "dev"}),
        )
        .await;
    assert_error(&answer, 409, "conflict");
    assert_eq!(s.dump(), before);
    assert_eq!(s.agent_count().await, 1);
}

#[tokio::test]
async fn agent_with_unknown_owner_is_refused() {
    let s = TestServer::start().await;
    let before = s.dump();
    let answer = s
        .post("/v1/agents", ADMIN, json!({"name": "orphan", "kind": "chatbot", "environment": "prod", "owner": "ghost@corp.example"}))
        .await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn a_name_that_reads_as_an_id_is_refused_naming_the_field() {
    let s = TestServer::start().await;
    let real = s.agent("payments-bot").await;
    let id = txt(&real, "id").to_string();
    let before = s.dump();
    for name in [
        id.clone(),
        format!("copy of {id}"),
        "crd_0123456789abcd".into(),
        "per_alice".into(),
        "TOK_x".into(),
        "op_1".into(),
    ] {
        let answer = s
            .post(
                "/v1/agents",
                ADMIN,
                json!({"name": name, "kind": "chatbot", "environment": "prod"}),
            )
            .await;
        assert_error(&answer, 422, "unprocessable");
        let message = answer.1["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("name") && message.contains("reads as an id"),
            "{name}: {message}"
        );
    }
    assert_eq!(s.dump(), before);
    // What merely starts like one is still a name.
    for name in ["agt-runner", "agent_x", "op", "per_alice-bot"] {
        s.agent(name).await;
    }
}

async fn page(s: &TestServer, query: &str) -> Value {
    s.get(&format!("/v1/agents?{query}")).await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| txt(a, "name").to_string())
        .collect()
}

#[tokio::test]
async fn agents_are_paged_with_limit_and_cursor() {
    let s = TestServer::start().await;
    for i in 0..5 {
        s.agent(&format!("bot-{i}")).await;
    }
    let p1 = page(&s, "limit=2").await;
    assert_eq!(names(&p1), ["bot-0", "bot-1"]);
    let c1 = txt(&p1, "next_cursor").to_string();
    let p2 = page(&s, &format!("limit=2&cursor={c1}")).await;
    assert_eq!(names(&p2), ["bot-2", "bot-3"]);
    let c2 = txt(&p2, "next_cursor").to_string();
    let p3 = page(&s, &format!("limit=2&cursor={c2}")).await;
    assert_eq!(names(&p3), ["bot-4"]);
    assert!(
        p3["next_cursor"].is_null(),
        "a last page has no next_cursor: {p3}"
    );

    // Without a limit, one page holds them all.
    let all = page(&s, "").await;
    assert_eq!(names(&all).len(), 5);
    assert!(all["next_cursor"].is_null());
}

#[tokio::test]
async fn a_full_last_page_has_no_cursor() {
    let s = TestServer::start().await;
    for i in 0..4 {
        s.agent(&format!("bot-{i}")).await;
    }
    let p1 = page(&s, "limit=2").await;
    let p2 = page(&s, &format!("limit=2&cursor={}", txt(&p1, "next_cursor"))).await;
    assert_eq!(names(&p2), ["bot-2", "bot-3"]);
    assert!(
        p2["next_cursor"].is_null(),
        "no empty page after a full last one: {p2}"
    );
}

#[tokio::test]
async fn bad_page_parameters_are_400() {
    let s = TestServer::start().await;
    s.agent("x").await;
    for q in ["limit=0", "limit=5001", "limit=two", "cursor=not-a-cursor"] {
        let answer = s
            .call("GET", &format!("/v1/agents?{q}"), Some(ADMIN), None)
            .await;
        assert_error(&answer, 400, "bad_request");
    }
}

#[tokio::test]
async fn detail_by_id_and_by_name_has_everything_attached() {
    let s = TestServer::start().await;
    let owner = s.person("Pat", "pat@corp.example").await;
    let a = s
        .agent_with(json!({"name": "helper", "kind": "copilot", "environment": "prod", "owner": "pat@corp.example"}))
        .await;
    let id = txt(&a, "id").to_string();
    let (cred, _) = s.credential("helper").await;
    let grant = s
        .admin(
            "POST",
            "/v1/agents/helper/grants",
            json!({"resource": "crm", "scope": "crm:read", "level": "read"}),
        )
        .await;
    let d = s
        .admin(
            "POST",
            "/v1/delegations",
            json!({"parent_person": "pat@corp.example", "child_agent": "helper", "scopes": ["crm:read"]}),
        )
        .await;

    let by_id = s.detail(&id).await;
    let by_name = s.detail("helper").await;
    assert_eq!(by_id, by_name);
    assert_eq!(by_id["id"], a["id"]);
    assert_eq!(by_id["name"], "helper");
    assert_eq!(by_id["owner_person"], owner);
    assert_eq!(by_id["credentials"].as_array().unwrap().len(), 1);
    assert_eq!(by_id["credentials"][0]["id"], cred.as_str());
    assert_eq!(by_id["grants"], json!([grant]));
    assert_eq!(by_id["delegations"], json!([d]));
    assert_eq!(by_id["alerts"], json!([]));

    let answer = s
        .call("GET", "/v1/agents/no-such-agent", Some(ADMIN), None)
        .await;
    assert_error(&answer, 404, "not_found");
}

#[tokio::test]
async fn detail_without_owner_has_null_owner_person() {
    let s = TestServer::start().await;
    s.agent("lonely").await;
    let d = s.detail("lonely").await;
    assert!(d["owner"].is_null() && d["owner_person"].is_null(), "{d}");
}

#[tokio::test]
async fn credential_secret_is_shown_once_and_stored_as_its_sha256() {
    let s = TestServer::start().await;
    let a = s.agent("keeper").await;
    let (status, issued) = s
        .post(
            &format!("/v1/agents/{}/credentials", txt(&a, "id")),
            ADMIN,
            json!({"scopes": ["tickets:read", "tickets:write"]}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let secret = txt(&issued, "secret").to_string();
    let id = txt(&issued, "id").to_string();
    assert!(id.starts_with("crd_"));
    assert!(secret.len() >= 32, "a short secret: {secret}");
    assert_eq!(issued["agent_id"], a["id"]);
    assert_eq!(issued["scopes"], json!(["tickets:read", "tickets:write"]));
    assert_eq!(issued["status"], "active");
    assert!(
        secret.starts_with(txt(&issued, "prefix")),
        "the prefix is the secret's start"
    );
    assert!(
        txt(&issued, "prefix").len() < secret.len() / 2,
        "the prefix gives away the secret"
    );

    // The secret works.
    assert_eq!(s.heartbeat(&secret).await.0, 204);

    // Never again: not in the detail, the changes, the audit, the alerts.
    let detail = s.detail("keeper").await;
    assert!(detail["credentials"][0].get("secret").is_none(), "{detail}");
    assert_eq!(detail["credentials"][0]["id"], id.as_str());
    for (what, v) in [
        ("detail", detail),
        ("changes", s.get("/v1/changes?since=0").await),
        ("audit", Value::Array(s.audit().await)),
        ("alerts", s.get("/v1/alerts").await),
        ("list", s.get("/v1/agents").await),
    ] {
        assert!(
            !v.to_string().contains(&secret),
            "the secret is in the {what}: {v}"
        );
    }

    // The credentials table holds the SHA-256 hex of the secret; no table
    // holds the secret, and neither does the file.
    let db = s.sql();
    let stored: String = db
        .query_row("SELECT hash FROM credentials WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, sha256_hex(&secret));
    assert_eq!(stored.len(), 64);
    assert!(stored.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(!s.dump().contains(&secret), "the secret is stored in clear");
    drop(db);
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", s.db_path.display());
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the secret is in {path}"
            );
        }
    }
}

#[tokio::test]
async fn credential_with_ttl_expires_and_without_does_not() {
    let s = TestServer::start().await;
    s.agent("timed").await;
    let before = chrono::Utc::now();
    let with_ttl = s
        .credential_with("timed", json!({"scopes": ["a:read"], "ttl_seconds": 3600}))
        .await;
    let expires: chrono::DateTime<chrono::Utc> = txt(&with_ttl, "expires_at").parse().unwrap();
    let delta = (expires - before).num_seconds();
    assert!(
        (3595..=3605).contains(&delta),
        "expires {delta}s after issue, not 3600"
    );

    let forever = s
        .credential_with("timed", json!({"scopes": ["a:read"]}))
        .await;
    assert!(
        forever.get("expires_at").is_some(),
        "expires_at must be present: {forever}"
    );
    assert!(forever["expires_at"].is_null(), "{forever}");

    // Introspection says the same.
    let i = s
        .admin(
            "POST",
            "/v1/introspect",
            json!({"token": txt(&with_ttl, "secret")}),
        )
        .await;
    assert_eq!(i["active"], true);
    assert_eq!(i["exp"], json!(expires.timestamp()));
    let i = s
        .admin(
            "POST",
            "/v1/introspect",
            json!({"token": txt(&forever, "secret")}),
        )
        .await;
    assert_eq!(i["active"], true);
    assert!(i["exp"].is_null(), "{i}");

    let audit = s.audit().await;
    let issues: Vec<&Value> = audit
        .iter()
        .filter(|e| e["action"] == "credential.issue")
        .collect();
    assert_eq!(issues.len(), 2);
    assert!(
        txt(issues[1], "result").contains("never expires"),
        "{}",
        issues[1]
    );
}

#[tokio::test]
async fn bad_credential_requests_are_refused() {
    let s = TestServer::start().await;
    s.agent("picky").await;
    let before = s.dump();
    for body in [
        json!({"scopes": []}),
        json!({"scopes": ["has space"]}),
        json!({"scopes": ["a:read"], "ttl_seconds": 0}),
        json!({"scopes": ["a:read"], "ttl_seconds": 400_000_000u64}),
        json!({"scopes": ["a:read"], "ttl_seconds": -5}),
    ] {
        let answer = s
            .post("/v1/agents/picky/credentials", ADMIN, body.clone())
            .await;
        assert_error(&answer, 422, "unprocessable");
    }
    let answer = s
        .post(
            "/v1/agents/nobody/credentials",
            ADMIN,
            json!({"scopes": ["a:read"]}),
        )
        .await;
    assert_error(&answer, 404, "not_found");
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn grants_are_added_with_their_level() {
    let s = TestServer::start().await;
    let a = s.agent("granted").await;
    let (status, g) = s
        .post(
            "/v1/agents/granted/grants",
            ADMIN,
            json!({"resource": "s3://reports", "scope": "reports:write", "level": "write"}),
        )
        .await;
    assert_eq!(status, 201, "{g}");
    assert!(txt(&g, "id").starts_with("grt_"));
    assert_eq!(g["agent_id"], a["id"]);
    assert_eq!(g["resource"], "s3://reports");
    assert_eq!(g["scope"], "reports:write");
    assert_eq!(g["level"], "write");
    assert!(g["last_used_at"].is_null());
    assert_eq!(s.detail("granted").await["grants"], json!([g]));

    let before = s.dump();
    let answer = s
        .post(
            "/v1/agents/granted/grants",
            ADMIN,
            json!({"resource": "x", "scope": "y", "level": "owner"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            "/v1/agents/granted/grants",
            ADMIN,
            json!({"resource": "", "scope": "y", "level": "read"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            "/v1/agents/ghost/grants",
            ADMIN,
            json!({"resource": "x", "scope": "y", "level": "read"}),
        )
        .await;
    assert_error(&answer, 404, "not_found");
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn a_killed_agent_gets_no_new_credentials_or_grants() {
    let s = TestServer::start().await;
    s.agent("gone").await;
    s.kill("gone", json!({"reason": "compromised"})).await;
    let before = s.dump();
    let answer = s
        .post(
            "/v1/agents/gone/credentials",
            ADMIN,
            json!({"scopes": ["a:read"]}),
        )
        .await;
    assert_error(&answer, 409, "conflict");
    let answer = s
        .post(
            "/v1/agents/gone/grants",
            ADMIN,
            json!({"resource": "x", "scope": "y", "level": "read"}),
        )
        .await;
    assert_error(&answer, 409, "conflict");
    assert_eq!(s.dump(), before);
}

async fn delegation(s: &TestServer, body: Value) -> (u16, Value) {
    s.post("/v1/delegations", ADMIN, body).await
}

#[tokio::test]
async fn person_to_agent_delegation() {
    let s = TestServer::start().await;
    let pat = s.person("Pat", "pat@corp.example").await;
    let a = s.agent("assistant").await;
    let (status, d) = delegation(
        &s,
        json!({"parent_person": "pat@corp.example", "child_agent": "assistant", "scopes": ["mail:read", "mail:send"]}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert!(txt(&d, "id").starts_with("dlg_"));
    assert_eq!(d["parent_person"], pat["id"]);
    assert!(d["parent_agent"].is_null());
    assert_eq!(d["child_agent"], a["id"]);
    assert_eq!(
        d["on_behalf_of"], pat["id"],
        "a person delegating acts for themself"
    );
    assert_eq!(d["scopes"], json!(["mail:read", "mail:send"]));
    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "delegation.add");
}

#[tokio::test]
async fn agent_to_agent_delegation_with_on_behalf_of() {
    let s = TestServer::start().await;
    let pat = s.person("Pat", "pat@corp.example").await;
    let parent = s.agent("planner").await;
    let child = s.agent("executor").await;
    delegation(&s, json!({"parent_person": pat["id"], "child_agent": "planner", "scopes": ["repo:read", "repo:write"]})).await;
    let (status, d) = delegation(
        &s,
        json!({"parent_agent": "planner", "child_agent": "executor", "on_behalf_of": "pat@corp.example", "scopes": ["repo:read"]}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["parent_agent"], parent["id"]);
    assert!(d["parent_person"].is_null());
    assert_eq!(d["child_agent"], child["id"]);
    assert_eq!(d["on_behalf_of"], pat["id"]);

    // Both ends see it.
    let ids = |v: Value| {
        v["delegations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].clone())
            .collect::<Vec<_>>()
    };
    assert!(ids(s.detail("planner").await).contains(&d["id"]));
    assert_eq!(ids(s.detail("executor").await), [d["id"].clone()]);
}

#[tokio::test]
async fn delegation_beyond_the_parents_scopes_is_422() {
    let s = TestServer::start().await;
    s.person("Pat", "pat@corp.example").await;
    s.agent("planner").await;
    s.agent("executor").await;
    delegation(&s, json!({"parent_person": "pat@corp.example", "child_agent": "planner", "scopes": ["repo:read"]})).await;
    let before = s.dump();
    let answer = delegation(
        &s,
        json!({"parent_agent": "planner", "child_agent": "executor", "on_behalf_of": "pat@corp.example", "scopes": ["repo:read", "repo:admin"]}),
    )
    .await;
    assert_error(&answer, 422, "unprocessable");
    assert!(
        txt(&answer.1["error"], "message").contains("repo:admin"),
        "{answer:?}"
    );
    assert_eq!(
        s.dump(),
        before,
        "a refused delegation changed the database"
    );
}

#[tokio::test]
async fn delegation_cycle_is_422() {
    let s = TestServer::start().await;
    for n in ["a", "b", "c"] {
        s.agent(n).await;
    }
    assert_eq!(
        delegation(
            &s,
            json!({"parent_agent": "a", "child_agent": "b", "scopes": ["x"]})
        )
        .await
        .0,
        201
    );
    assert_eq!(
        delegation(
            &s,
            json!({"parent_agent": "b", "child_agent": "c", "scopes": ["x"]})
        )
        .await
        .0,
        201
    );
    let before = s.dump();
    let answer = delegation(
        &s,
        json!({"parent_agent": "c", "child_agent": "a", "scopes": ["x"]}),
    )
    .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = delegation(
        &s,
        json!({"parent_agent": "b", "child_agent": "a", "scopes": ["x"]}),
    )
    .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = delegation(
        &s,
        json!({"parent_agent": "a", "child_agent": "a", "scopes": ["x"]}),
    )
    .await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn delegation_needs_exactly_one_parent_and_known_parties() {
    let s = TestServer::start().await;
    s.person("Pat", "pat@corp.example").await;
    s.agent("a").await;
    s.agent("b").await;
    let before = s.dump();
    for body in [
        json!({"child_agent": "b", "scopes": ["x"]}),
        json!({"parent_agent": "a", "parent_person": "pat@corp.example", "child_agent": "b", "scopes": ["x"]}),
        json!({"parent_agent": "ghost", "child_agent": "b", "scopes": ["x"]}),
        json!({"parent_agent": "a", "child_agent": "ghost", "scopes": ["x"]}),
        json!({"parent_person": "ghost@corp.example", "child_agent": "b", "scopes": ["x"]}),
        json!({"parent_agent": "a", "child_agent": "b", "on_behalf_of": "ghost@corp.example", "scopes": ["x"]}),
        json!({"parent_agent": "a", "child_agent": "b", "scopes": []}),
    ] {
        let answer = delegation(&s, body.clone()).await;
        assert_eq!(answer.0, 422, "{body}: {answer:?}");
        assert_error(&answer, 422, "unprocessable");
    }
    assert_eq!(s.dump(), before);
}

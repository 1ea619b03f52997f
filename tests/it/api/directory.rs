//! The directory side of API v1 against a real server: health, whoami,
//! person tokens, and people (create, list, offboard by id and by email).

use crate::support::server::*;
use serde_json::json;

#[tokio::test]
async fn health_needs_no_token() {
    let s = TestServer::start().await;
    let (status, body) = s.call("GET", "/v1/health", None, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    // A bad token does not break it either.
    let (status, _) = s.call("GET", "/v1/health", Some(UNKNOWN_TOKEN), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn whoami_answers_the_admin_token() {
    let s = TestServer::start().await;
    let me = s.get("/v1/whoami").await;
    assert_eq!(me["kind"], "person");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["name"], "bootstrap-admin");
    assert!(
        me["agent_id"].is_null() && me["credential_id"].is_null(),
        "{me}"
    );
}

#[tokio::test]
async fn whoami_answers_a_person_token_with_its_person() {
    let s = TestServer::start().await;
    let alice = s.person("Alice", "alice@corp.example").await;
    let token = s
        .token_for("responder", "alice-laptop", "alice@corp.example")
        .await;
    let (status, me) = s.call("GET", "/v1/whoami", Some(&token), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["kind"], "person");
    assert_eq!(me["role"], "responder");
    assert_eq!(me["name"], "alice-laptop");
    assert_eq!(me["person"]["id"], alice["id"]);
    assert_eq!(me["person"]["email"], "alice@corp.example");
}

#[tokio::test]
async fn whoami_answers_an_agent_credential() {
    let s = TestServer::start().await;
    let agent = s.agent("support-bot").await;
    let (cred, secret) = s.credential("support-bot").await;
    let (status, me) = s.call("GET", "/v1/whoami", Some(&secret), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["kind"], "agent");
    assert_eq!(me["name"], "support-bot");
    assert_eq!(me["agent_id"], agent["id"]);
    assert_eq!(me["credential_id"], cred.as_str());
    assert!(me["role"].is_null(), "an agent has no role: {me}");
}

#[tokio::test]
async fn tokens_are_shown_once_and_stored_hashed() {
    let s = TestServer::start().await;
    let person = s.person("Bob", "bob@corp.example").await;
    let (status, t) = s
        .post(
            "/v1/tokens",
            ADMIN,
            json!({"name": "bob-ci", "role": "viewer", "person": "bob@corp.example"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let token = txt(&t, "token").to_string();
    assert!(txt(&t, "id").starts_with("tok_"), "{t}");
    assert_eq!(t["role"], "viewer");
    assert_eq!(t["name"], "bob-ci");
    assert_eq!(t["person"], person["id"]);

    // It works, with its role.
    let (status, me) = s.call("GET", "/v1/whoami", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "viewer");
    assert!(
        !me.to_string().contains(&token),
        "whoami echoes the token: {me}"
    );

    // The database keeps the SHA-256 of it, never the token.
    let stored: String = s
        .sql()
        .query_row(
            "SELECT hash FROM tokens WHERE id = ?1",
            [txt(&t, "id")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, sha256_hex(&token));
    assert!(!s.dump().contains(&token), "the token is stored in clear");
    assert!(
        !serde_json::to_string(&s.audit().await)
            .unwrap()
            .contains(&token)
    );
}

#[tokio::test]
async fn token_without_person_and_with_unknown_person() {
    let s = TestServer::start().await;
    let (status, t) = s
        .post("/v1/tokens", ADMIN, json!({"name": "ops", "role": "admin"}))
        .await;
    assert_eq!(status, 201, "{t}");
    assert!(t["person"].is_null());
    let (status, me) = s
        .call("GET", "/v1/whoami", Some(txt(&t, "token")), None)
        .await;
    assert_eq!((status, me["role"].clone()), (200, json!("admin")));

    let before = s.dump();
    let answer = s
        .post(
            "/v1/tokens",
            ADMIN,
            json!({"name": "x", "role": "viewer", "person": "ghost@corp.example"}),
        )
        .await;
    // A person named in a body who does not exist is the body's fault.
    assert_error(&answer, 422, "unprocessable");
    assert!(
        txt(&answer.1["error"], "message").contains("ghost@corp.example"),
        "{answer:?}"
    );
    assert_eq!(s.dump(), before, "a refused token changed the database");
    let answer = s
        .post("/v1/tokens", ADMIN, json!({"name": "x", "role": "root"}))
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post("/v1/tokens", ADMIN, json!({"name": "  ", "role": "viewer"}))
        .await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn people_are_created_and_listed() {
    let s = TestServer::start().await;
    let (status, carol) = s
        .post(
            "/v1/people",
            ADMIN,
            json!({"name": "Carol", "email": "carol@corp.example", "team": "platform"}),
        )
        .await;
    assert_eq!(status, 201, "{carol}");
    assert!(txt(&carol, "id").starts_with("per_"));
    assert_eq!(carol["status"], "active");
    assert_eq!(carol["team"], "platform");
    assert!(carol["departed_at"].is_null());

    let (status, dave) = s
        .post(
            "/v1/people",
            ADMIN,
            json!({"name": "Dave", "email": "dave@corp.example", "manager": "carol@corp.example"}),
        )
        .await;
    assert_eq!(status, 201, "{dave}");
    assert_eq!(dave["manager"], carol["id"], "the manager is stored by id");

    let people = s.get("/v1/people").await;
    let people = people.as_array().unwrap();
    assert_eq!(people.len(), 2);
    let emails: Vec<&str> = people.iter().map(|p| txt(p, "email")).collect();
    assert_eq!(emails, ["carol@corp.example", "dave@corp.example"]);
    assert_eq!(people[0], carol);

    // A viewer reads the directory too.
    let viewer = s.token("viewer").await;
    let (status, listed) = s.call("GET", "/v1/people", Some(&viewer), None).await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_whatever_the_case() {
    let s = TestServer::start().await;
    s.person("Erin", "erin@corp.example").await;
    let before = s.dump();
    let answer = s
        .post(
            "/v1/people",
            ADMIN,
            json!({"name": "Erin 2", "email": "erin@corp.example"}),
        )
        .await;
    assert_error(&answer, 409, "conflict");
    let answer = s
        .post(
            "/v1/people",
            ADMIN,
            json!({"name": "Erin 3", "email": "ERIN@corp.example"}),
        )
        .await;
    assert_error(&answer, 409, "conflict");
    assert_eq!(s.dump(), before, "a refused person changed the database");
    assert_eq!(s.get("/v1/people").await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_people_are_refused() {
    let s = TestServer::start().await;
    let before = s.dump();
    for body in [
        json!({"name": "No At", "email": "not-an-email"}),
        json!({"name": "", "email": "empty@corp.example"}),
        json!({"name": "Ghost boss", "email": "g@corp.example", "manager": "nobody@corp.example"}),
    ] {
        let answer = s.post("/v1/people", ADMIN, body.clone()).await;
        assert_error(&answer, 422, "unprocessable");
    }
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn offboard_by_id_marks_departed_and_is_audited() {
    let s = TestServer::start().await;
    let frank = s.person("Frank", "frank@corp.example").await;
    let id = txt(&frank, "id");
    let (status, p) = s
        .post(
            &format!("/v1/people/{id}/offboard"),
            ADMIN,
            json!({"reason": "left on 1 May"}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["id"], frank["id"]);
    assert_eq!(p["status"], "departed");
    assert!(p["departed_at"].is_string(), "{p}");

    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "person.offboard");
    assert_eq!(last["actor"], "token:bootstrap-admin");
    assert_eq!(last["reason"], "left on 1 May");
    assert!(txt(&last, "target").contains(id), "{last}");

    let listed = s.get("/v1/people").await;
    assert_eq!(listed[0]["status"], "departed");
}

#[tokio::test]
async fn offboard_by_email_in_the_path() {
    let s = TestServer::start().await;
    let gina = s.person("Gina", "gina@corp.example").await;
    let (status, p) = s
        .post(
            "/v1/people/gina@corp.example/offboard",
            ADMIN,
            json!({"reason": "contract ended"}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["id"], gina["id"]);
    assert_eq!(p["status"], "departed");
    // Case does not matter in an email; offboarding again changes nothing.
    let audit = s.audit_len().await;
    let (status, again) = s
        .post(
            "/v1/people/GINA@corp.example/offboard",
            ADMIN,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, p);
    assert_eq!(
        s.audit_len().await,
        audit,
        "a second offboard was audited as a change"
    );
}

#[tokio::test]
async fn offboard_needs_a_reason_and_a_known_person() {
    let s = TestServer::start().await;
    s.person("Hank", "hank@corp.example").await;
    let before = s.dump();
    let answer = s
        .post(
            "/v1/people/hank@corp.example/offboard",
            ADMIN,
            json!({"reason": "   "}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post("/v1/people/hank@corp.example/offboard", ADMIN, json!({}))
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            "/v1/people/nobody@corp.example/offboard",
            ADMIN,
            json!({"reason": "x"}),
        )
        .await;
    assert_error(&answer, 404, "not_found");
    assert_eq!(s.dump(), before);
    assert_eq!(s.get("/v1/people").await[0]["status"], "active");
}

#[tokio::test]
async fn openapi_is_an_openapi_3_1_document_covering_every_route() {
    let s = TestServer::start().await;
    let viewer = s.token("viewer").await;
    let (status, doc) = s.call("GET", "/v1/openapi.json", Some(&viewer), None).await;
    assert_eq!(status, 200, "{doc}");
    let version = txt(&doc, "openapi");
    assert!(version.starts_with("3.1."), "openapi is {version}");
    assert!(doc["info"]["title"].is_string(), "no info.title");
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path) in routes() {
        let op = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not documented"))[method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not documented");
    }
}

//! RFC 8693 token exchange (issue #17): a person's token becomes a
//! delegated JWT for an agent, and that JWT a narrower one for the next
//! agent; scopes are intersected, expiry bounded, the chain carried in
//! `act`; asking for more or going too deep is refused with RFC 6749
//! errors and raises R14; revoking, suspending or killing any link ends
//! every derived token at once, for introspection and the agent API.

use crate::support::oauth::*;
use crate::support::server::*;
use serde_json::{Value, json};

struct Chain {
    pat: String,
    planner: String,
    planner_id: String,
    worker: String,
    worker_id: String,
    worker_credential: String,
    person_id: String,
}

/// Pat delegates tickets:read and crm:read to planner; planner passes
/// crm:read on to worker, for Pat.
async fn chain(s: &TestServer) -> Chain {
    let person = s.person("Pat", "pat@corp.example").await;
    let planner = s.agent("planner").await;
    let worker = s.agent("worker").await;
    let pat = s
        .token_for("viewer", "pat-laptop", "pat@corp.example")
        .await;
    let d = s
        .post(
            "/v1/delegations",
            &pat,
            json!({"parent_person": "pat@corp.example", "child_agent": "planner", "scopes": ["tickets:read", "crm:read"]}),
        )
        .await;
    assert_eq!(d.0, 201, "{}", d.1);
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_agent": "planner", "child_agent": "worker", "on_behalf_of": "pat@corp.example", "scopes": ["crm:read"]}),
    )
    .await;
    let p = s
        .credential_with("planner", json!({"scopes": ["tickets:read", "crm:read"]}))
        .await;
    let w = s
        .credential_with("worker", json!({"scopes": ["crm:read"]}))
        .await;
    Chain {
        pat,
        planner: txt(&p, "secret").to_string(),
        planner_id: txt(&planner, "id").to_string(),
        worker: txt(&w, "secret").to_string(),
        worker_id: txt(&worker, "id").to_string(),
        worker_credential: txt(&w, "id").to_string(),
        person_id: txt(&person, "id").to_string(),
    }
}

async fn two_hops(s: &TestServer, c: &Chain) -> (String, String) {
    let (status, first) = exchange(s, &c.pat, &c.planner, None).await;
    assert_eq!(status, 200, "{first}");
    let first = txt(&first, "access_token").to_string();
    let (status, second) = exchange(s, &first, &c.worker, Some("crm:read")).await;
    assert_eq!(status, 200, "{second}");
    (first, txt(&second, "access_token").to_string())
}

async fn introspect(s: &TestServer, token: &str) -> Value {
    let resource = s.token("resource").await;
    let (status, body) = s
        .post("/v1/introspect", &resource, json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn a_person_token_is_exchanged_down_a_chain_with_act_and_intersected_scopes() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (status, answer) = exchange(&s, &c.pat, &c.planner, None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["issued_token_type"], ACCESS);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["scope"], "crm:read tickets:read");
    let expires_in = answer["expires_in"].as_i64().unwrap();
    assert!(
        (890..=900).contains(&expires_in),
        "15 minutes by default: {expires_in}"
    );
    let first = txt(&answer, "access_token");
    assert_eq!(header(first)["typ"], "at+jwt");
    assert_eq!(header(first)["alg"], "EdDSA");
    let one = claims(first);
    assert_eq!(one["sub"], c.person_id.as_str());
    assert_eq!(one["act"], json!({"sub": c.planner_id}));
    assert_eq!(one["aud"], json!(["crm"]));
    assert_eq!(one["client_id"], c.planner_id.as_str());
    assert!(one["jti"].as_str().unwrap().starts_with("tkx_"));

    // The second hop: planner's token, presented by worker, for less.
    let (status, answer) = exchange(&s, first, &c.worker, Some("crm:read")).await;
    assert_eq!(status, 200, "{answer}");
    let second = txt(&answer, "access_token");
    let two = claims(second);
    assert_eq!(two["sub"], c.person_id.as_str(), "sub stays who started it");
    assert_eq!(
        two["act"],
        json!({"sub": c.worker_id, "act": {"sub": c.planner_id}}),
        "the current actor outermost (RFC 8693 §4.1)"
    );
    assert_eq!(two["scope"], "crm:read");
    assert!(
        two["exp"].as_i64() <= one["exp"].as_i64(),
        "never outlives its subject"
    );

    // A resource server introspects it with a credential of its own.
    let i = introspect(&s, second).await;
    assert_eq!(i["active"], true, "{i}");
    assert_eq!(i["sub"], c.person_id.as_str());
    assert_eq!(i["act"], two["act"]);
    assert_eq!(i["scope"], "crm:read");
    assert_eq!(i["aud"], json!(["crm"]));
    assert_eq!(i["client_id"], c.worker_id.as_str());
    assert_eq!(i["exp"], two["exp"]);
    // The agent API takes it as worker's.
    assert_eq!(s.heartbeat(second).await.0, 204);
    // A resource token reads nothing else.
    let resource = s.token("resource").await;
    assert_error(
        &s.call("GET", "/v1/agents", Some(&resource), None).await,
        403,
        "forbidden",
    );
    // Every exchange is in the audit chain with its path.
    let audit = s.audit().await;
    let exchanges: Vec<&Value> = audit
        .iter()
        .filter(|e| e["action"] == "token.exchange")
        .collect();
    assert_eq!(exchanges.len(), 2);
    assert!(txt(exchanges[1], "target").contains(&format!("{} -> {}", c.planner_id, c.worker_id)));
}

#[tokio::test]
async fn asking_for_more_is_invalid_scope_and_raises_r14_with_the_chain() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (first, _) = two_hops(&s, &c).await;
    let before = s.audit_len().await;
    // worker was delegated crm:read only: tickets:read is an escalation.
    let (status, err) = exchange(&s, &first, &c.worker, Some("crm:read tickets:read")).await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"], "invalid_scope");
    assert!(
        txt(&err, "error_description").contains("tickets:read"),
        "{err}"
    );
    let alerts = s.get("/v1/alerts").await;
    let r14 = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "R14")
        .unwrap_or_else(|| panic!("no R14: {alerts}"));
    assert_eq!(r14["agent_id"], c.worker_id.as_str());
    let evidence = txt(r14, "evidence");
    assert!(
        evidence.contains("pat@corp.example") || evidence.contains(&c.person_id),
        "{evidence}"
    );
    assert!(
        evidence.contains(&c.planner_id) && evidence.contains(&c.worker_id),
        "{evidence}"
    );
    // Nothing was issued: only the alert's own entry was added.
    let added: Vec<Value> = s.audit().await.split_off(before);
    assert!(
        added.iter().all(|e| e["action"] != "token.exchange"),
        "{added:?}"
    );
    // Straight from Pat's token, worker holds nothing: no delegation from Pat.
    let (status, err) = exchange(&s, &c.pat, &c.worker, None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request")),
        "{err}"
    );
}

#[tokio::test]
async fn a_chain_deeper_than_the_limit_is_refused_and_raises_r14() {
    let mut config = warden::config::ServeConfig::default();
    config.rules.max_chain_depth = 1;
    let s = TestServer::start_with(config).await;
    let c = chain(&s).await;
    let (status, first) = exchange(&s, &c.pat, &c.planner, None).await;
    assert_eq!(status, 200, "one agent is within the limit: {first}");
    let (status, err) = exchange(&s, txt(&first, "access_token"), &c.worker, None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request")),
        "{err}"
    );
    assert!(
        txt(&err, "error_description").contains("2 agents deep"),
        "{err}"
    );
    let alerts = s.get("/v1/alerts").await;
    assert!(
        alerts.as_array().unwrap().iter().any(|a| a["rule"] == "R14"
            && a["agent_id"] == c.worker_id.as_str()
            && txt(a, "evidence").contains("limit 1")),
        "{alerts}"
    );
}

#[tokio::test]
async fn revoking_suspending_or_killing_a_link_ends_every_derived_token_at_once() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    // Suspending planner (the middle of the chain) ends worker's token…
    let (_, second) = two_hops(&s, &c).await;
    s.admin(
        "POST",
        "/v1/agents/planner/suspend",
        json!({"reason": "incident"}),
    )
    .await;
    assert_eq!(introspect(&s, &second).await["reason"], "agent_suspended");
    assert_error(&s.heartbeat(&second).await, 401, "token_revoked");
    // …and a suspended agent cannot exchange either.
    let (status, err) = exchange(&s, &c.pat, &c.planner, None).await;
    assert_eq!(status, 400, "{err}");
    assert!(
        txt(&err, "error_description").contains("suspended"),
        "{err}"
    );
    s.admin(
        "POST",
        "/v1/agents/planner/resume",
        json!({"reason": "cleared"}),
    )
    .await;
    assert_eq!(
        introspect(&s, &second).await["active"],
        true,
        "live again with its links"
    );

    // Revoking worker's own credential ends it.
    s.admin(
        "POST",
        &format!("/v1/credentials/{}/revoke", c.worker_credential),
        json!({"reason": "leaked"}),
    )
    .await;
    assert_eq!(introspect(&s, &second).await["reason"], "revoked");

    // Revoking Pat's token ends the whole chain she started.
    let c2 = Chain {
        worker: s
            .credential_with("worker", json!({"scopes": ["crm:read"]}))
            .await["secret"]
            .as_str()
            .unwrap()
            .to_string(),
        ..c
    };
    let (first, second) = two_hops(&s, &c2).await;
    let tokens = s.get("/v1/tokens").await;
    let pat_token = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "pat-laptop")
        .unwrap();
    s.admin(
        "DELETE",
        &format!("/v1/tokens/{}", txt(pat_token, "id")),
        json!({"reason": "laptop stolen"}),
    )
    .await;
    for t in [&first, &second] {
        assert_eq!(introspect(&s, t).await["reason"], "revoked");
        assert_error(&s.heartbeat(t).await, 401, "token_revoked");
    }
}

#[tokio::test]
async fn killing_an_agent_ends_the_tokens_below_it_and_it_exchanges_nothing() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (_, second) = two_hops(&s, &c).await;
    s.kill("planner", json!({"reason": "compromised"})).await;
    assert_eq!(introspect(&s, &second).await["reason"], "agent_killed");
    assert_error(&s.heartbeat(&second).await, 401, "token_revoked");
}

#[tokio::test]
async fn a_token_never_outlives_its_subject() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    // An agent credential as the subject, expiring in a minute; planner
    // acting for itself needs a delegation of its own (the one "for Pat"
    // does not count).
    let (status, err) = exchange(&s, &c.planner, &c.worker, None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request")),
        "{err}"
    );
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_agent": "planner", "child_agent": "worker", "scopes": ["crm:read"]}),
    )
    .await;
    let short = s
        .credential_with(
            "planner",
            json!({"scopes": ["crm:read"], "ttl_seconds": 60}),
        )
        .await;
    let (status, answer) = exchange(&s, txt(&short, "secret"), &c.worker, None).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["expires_in"].as_i64().unwrap() <= 60, "{answer}");
    let t = claims(txt(&answer, "access_token"));
    assert_eq!(
        t["sub"],
        c.planner_id.as_str(),
        "an agent started this chain"
    );
    assert_eq!(t["act"], json!({"sub": c.worker_id}));
}

#[tokio::test]
async fn errors_follow_rfc_6749() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (status, err) = post_form(&s, &form(&[("grant_type", "client_credentials")])).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("unsupported_grant_type")),
        "{err}"
    );
    let (status, err) = post_form(&s, &form(&[("grant_type", GRANT)])).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request")),
        "{err}"
    );
    assert!(txt(&err, "error_description").contains("subject_token"));
    // JSON is not a form.
    let (status, err) = s
        .call_raw(
            "POST",
            "/v1/oauth/token",
            None,
            Some("application/json"),
            json!({"grant_type": GRANT}).to_string(),
        )
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request")),
        "{err}"
    );
    // No actor: impersonation is not offered.
    let (status, err) = post_form(
        &s,
        &form(&[
            ("grant_type", GRANT),
            ("subject_token", &c.pat),
            ("subject_token_type", ACCESS),
        ]),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        txt(&err, "error_description").contains("actor_token"),
        "{err}"
    );
    // A client_id that is not the actor's agent.
    let (status, err) = post_form(
        &s,
        &form(&[
            ("grant_type", GRANT),
            ("subject_token", &c.pat),
            ("subject_token_type", ACCESS),
            ("actor_token", &c.planner),
            ("actor_token_type", ACCESS),
            ("client_id", "someone-else"),
        ]),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_client")),
        "{err}"
    );
    // Answers are never cached.
    let resp = s
        .http
        .post(format!("{}/v1/oauth/token", s.url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form(&[("grant_type", "password")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_rotated_key_stays_published_until_its_tokens_expire() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (status, answer) = exchange(&s, &c.pat, &c.planner, None).await;
    assert_eq!(status, 200, "{answer}");
    let before = txt(&answer, "access_token").to_string();
    let (status, jwks) = s.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], header(&before)["kid"]);
    let rotated = s
        .admin(
            "POST",
            "/v1/oauth/keys/rotate",
            json!({"reason": "yearly rotation"}),
        )
        .await;
    let (_, jwks) = s.call("GET", "/.well-known/jwks.json", None, None).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| txt(k, "kid"))
        .collect();
    assert_eq!(kids, [txt(&rotated, "kid"), txt(&rotated, "retired_kid")]);
    assert_eq!(
        introspect(&s, &before).await["active"],
        true,
        "the old key still verifies"
    );
    let (_, after) = exchange(&s, &c.pat, &c.planner, None).await;
    assert_eq!(
        header(txt(&after, "access_token"))["kid"],
        txt(&rotated, "kid")
    );
    let audit = s.audit().await;
    let entry = audit
        .iter()
        .find(|e| e["action"] == "token.keys.rotate")
        .expect("the rotation is in the audit chain");
    assert_eq!(entry["target"], txt(&rotated, "kid"));
    assert_eq!(entry["reason"], "yearly rotation");
    assert_eq!(
        entry["result"],
        format!("ok, retired {}", txt(&rotated, "retired_kid"))
    );
    assert!(
        entry["actor"].as_str().unwrap().contains("admin"),
        "{entry}"
    );
}

#[tokio::test]
async fn the_detail_lists_live_tokens_through_an_agent_and_a_kill_plan_counts_them() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (first, second) = two_hops(&s, &c).await;
    let planner = s.detail("planner").await;
    let tokens = planner["exchanged_tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "both pass through planner: {planner}");
    assert_eq!(tokens[0]["jti"], claims(&second)["jti"], "newest first");
    assert_eq!(tokens[0]["act"], json!([c.planner_id, c.worker_id]));
    assert_eq!(tokens[0]["sub"], c.person_id.as_str());
    assert_eq!(tokens[1]["jti"], claims(&first)["jti"]);
    assert_eq!(
        s.detail("worker").await["exchanged_tokens"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let plan = s
        .kill("planner", json!({"reason": "what if", "dry_run": true}))
        .await;
    let revoke = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|st| st["name"] == "revoke_credentials")
        .unwrap();
    assert!(
        txt(revoke, "detail").ends_with("; 2 live exchanged token(s) through it refused at once"),
        "{revoke}"
    );
    // A dead link: no longer live, no longer listed.
    s.admin(
        "POST",
        "/v1/agents/worker/suspend",
        json!({"reason": "incident"}),
    )
    .await;
    let planner = s.detail("planner").await;
    assert_eq!(
        planner["exchanged_tokens"].as_array().unwrap().len(),
        1,
        "{planner}"
    );
    s.admin(
        "POST",
        "/v1/agents/planner/suspend",
        json!({"reason": "incident"}),
    )
    .await;
    assert!(s.detail("planner").await.get("exchanged_tokens").is_none());
}

#[tokio::test]
async fn the_r14_of_a_refused_exchange_resolves_once_the_agent_stops_trying() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (first, _) = two_hops(&s, &c).await;
    let (status, _) = exchange(&s, &first, &c.worker, Some("tickets:read")).await;
    assert_eq!(status, 400);
    let r14 = |alerts: Value| {
        alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["rule"] == "R14")
            .cloned()
            .unwrap()
    };
    assert_eq!(r14(s.get("/v1/alerts").await)["status"], "open");
    // Quiet for less than quiet_minutes (60): still open.
    s.sweep_at(chrono::Utc::now() + chrono::Duration::minutes(30))
        .await;
    assert_eq!(r14(s.get("/v1/alerts").await)["status"], "open");
    s.sweep_at(chrono::Utc::now() + chrono::Duration::minutes(61))
        .await;
    let resolved = r14(s.get("/v1/alerts").await);
    assert_eq!(resolved["status"], "resolved", "{resolved}");
}

#[tokio::test]
async fn offboarding_the_person_who_started_a_chain_ends_it() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (first, second) = two_hops(&s, &c).await;
    s.admin(
        "POST",
        &format!("/v1/people/{}/offboard", c.person_id),
        json!({"reason": "left the company"}),
    )
    .await;
    for t in [&first, &second] {
        assert_eq!(introspect(&s, t).await["reason"], "person_departed");
    }
    // Her token cannot start a new chain either.
    let (status, err) = exchange(&s, &c.pat, &c.planner, None).await;
    assert_eq!(status, 400, "{err}");
}

#[tokio::test]
async fn rfc7009_revokes_one_token_and_those_exchanged_from_it_and_audits_it() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (first, second) = two_hops(&s, &c).await;
    // Another token of the same chain, not derived from `first`, stays.
    let (_, other) = exchange(&s, &c.pat, &c.planner, None).await;
    let other = txt(&other, "access_token").to_string();
    let responder = s.token("responder").await;
    let (status, answer) = revoke(
        &s,
        Some(&responder),
        &[
            ("token", &first),
            ("token_type_hint", "access_token"),
            ("reason", "INC-9: leaked in a log"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (one, two) = (
        claims(&first)["jti"].clone(),
        claims(&second)["jti"].clone(),
    );
    assert_eq!(
        answer["revoked"],
        json!([one, two]),
        "the token, then what was exchanged from it"
    );
    for token in [&first, &second] {
        let i = introspect(&s, token).await;
        assert_eq!(i["active"], false, "{i}");
        assert_eq!(i["reason"], "revoked", "{i}");
    }
    assert_eq!(introspect(&s, &other).await["active"], true);
    assert_eq!(
        s.heartbeat(&second).await.0,
        401,
        "the agent API refuses it too"
    );
    let (status, refused) = exchange(&s, &first, &c.worker, Some("crm:read")).await;
    assert_eq!(
        status, 400,
        "nothing is exchanged from a revoked token: {refused}"
    );
    // Audited once, with who and why; a second request changes nothing.
    let audited = |audit: Vec<Value>| -> Vec<Value> {
        audit
            .into_iter()
            .filter(|e| e["action"] == "token.exchange.revoke")
            .collect()
    };
    let entries = audited(s.audit().await);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["target"], one);
    assert_eq!(entries[0]["reason"], "INC-9: leaked in a log");
    assert!(
        entries[0]["result"]
            .as_str()
            .unwrap()
            .contains(two.as_str().unwrap())
    );
    let (status, again) = revoke(&s, Some(&responder), &[("token", &first)]).await;
    assert_eq!((status, again["revoked"].clone()), (200, json!([])));
    assert_eq!(audited(s.audit().await).len(), 1);
    // RFC 7009 §2.2: a token that is not ours is answered 200, nothing done.
    let forged = format!("{}.e30.AAAA", first.split('.').next().unwrap());
    let (status, none) = revoke(&s, Some(&responder), &[("token", &forged)]).await;
    assert_eq!((status, none["revoked"].clone()), (200, json!([])));
}

#[tokio::test]
async fn rfc7009_lets_an_agent_revoke_only_tokens_that_name_it_and_refuses_in_oauth_shape() {
    let s = TestServer::start().await;
    let c = chain(&s).await;
    let (first, second) = two_hops(&s, &c).await;
    let outsider = s.agent("outsider").await;
    let outsider = s
        .credential_with(txt(&outsider, "name"), json!({"scopes": ["crm:read"]}))
        .await;
    let (status, e) = revoke(&s, Some(txt(&outsider, "secret")), &[("token", &second)]).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (403, Some("unauthorized_client")),
        "{e}"
    );
    let viewer = s.token("viewer").await;
    let (status, e) = revoke(&s, Some(&viewer), &[("token", &second)]).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (403, Some("unauthorized_client")),
        "{e}"
    );
    let (status, e) = revoke(&s, None, &[("token", &second)]).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (401, Some("invalid_client")),
        "{e}"
    );
    let (status, e) = revoke(&s, Some(&c.worker), &[("token", &c.planner)]).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unsupported_token_type")),
        "an agent credential is revoked at its own endpoint: {e}"
    );
    let (status, e) = revoke(
        &s,
        Some(&c.worker),
        &[("token", &second), ("token_type_hint", "refresh_token")],
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unsupported_token_type")),
        "{e}"
    );
    assert_eq!(
        s.call_raw(
            "POST",
            "/v1/oauth/revoke",
            Some(&c.worker),
            Some("application/x-www-form-urlencoded"),
            String::new()
        )
        .await
        .0,
        400
    );
    // Worker holds `second`: it may give it up, with its own credential.
    let (status, answer) = revoke(&s, Some(&c.worker), &[("token", &second)]).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["revoked"], json!([claims(&second)["jti"]]));
    assert_eq!(
        introspect(&s, &first).await["active"],
        true,
        "its parent stays"
    );
    let entry = s
        .audit()
        .await
        .into_iter()
        .find(|e| e["action"] == "token.exchange.revoke")
        .unwrap();
    assert!(
        entry["actor"].as_str().unwrap().contains(&c.worker_id),
        "{entry}"
    );
    assert_eq!(
        entry["reason"],
        "RFC 7009 revocation request (no reason given)"
    );
}

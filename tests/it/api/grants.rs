//! Removing a grant: `DELETE /v1/agents/{id}/grants/{grant}` takes the
//! admin role (as granting does) and a reason, answers the grant as it
//! was, writes who and why to the audit chain, and reaches a dashboard's
//! copy through the changes feed. Unknown agents and grants are 404, and
//! refusals change nothing.

use crate::support::server::*;
use serde_json::{Value, json};
use warden::api::Changes;
use warden::fleet::state::Fleet;

async fn grant(s: &TestServer, agent: &str, scope: &str) -> Value {
    s.admin(
        "POST",
        &format!("/v1/agents/{agent}/grants"),
        json!({"resource": "crm", "scope": scope, "level": "write"}),
    )
    .await
}

fn path(agent: &str, grant: &Value) -> String {
    format!("/v1/agents/{agent}/grants/{}", txt(grant, "id"))
}

async fn changes(s: &TestServer, since: i64) -> Changes {
    serde_json::from_value(s.get(&format!("/v1/changes?since={since}")).await).expect("changes")
}

#[tokio::test]
async fn a_grant_is_removed_with_who_and_why_and_the_feed_says_so() {
    let s = TestServer::start().await;
    let agent = s.agent("helper").await;
    let kept = grant(&s, "helper", "tickets:read").await;
    let gone = grant(&s, "helper", "tickets:write").await;

    let mut fleet = Fleet::new();
    let first = changes(&s, 0).await;
    let cursor = first.cursor;
    fleet.apply(first);
    let agent_id = txt(&agent, "id");
    assert_eq!(fleet.grants_of(agent_id).len(), 2);

    s.person("Rita", "rita@corp.example").await;
    let admin = s
        .token_for("admin", "rita-laptop", "rita@corp.example")
        .await;
    let (status, answer) = s
        .call(
            "DELETE",
            &path("helper", &gone),
            Some(&admin),
            Some(json!({"reason": "R09: write never used"})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["id"], gone["id"]);
    assert_eq!(answer["scope"], "tickets:write");
    assert_eq!(s.detail("helper").await["grants"], json!([kept]));

    let e = s.audit().await.into_iter().last().expect("an entry");
    assert_eq!(e["action"], "grant.remove");
    assert_eq!(e["actor"], "rita@corp.example (token rita-laptop)");
    assert_eq!(e["reason"], "R09: write never used");
    assert!(txt(&e, "target").starts_with(txt(&gone, "id")), "{e}");
    assert!(txt(&e, "target").contains(agent_id), "{e}");
    assert_eq!(e["result"], "write tickets:write on crm");
    assert_eq!(s.verify().await["ok"], true);

    // A dashboard following the feed drops it on its next poll.
    let next = changes(&s, cursor).await;
    assert!(!next.full);
    assert_eq!(next.removed.len(), 1, "{next:?}");
    assert_eq!(next.removed[0].kind, "grant");
    assert_eq!(next.removed[0].id, txt(&gone, "id"));
    fleet.apply(next);
    let left: Vec<&str> = fleet
        .grants_of(agent_id)
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(left, [txt(&kept, "id")]);
    // By name or by id, and a full sync no longer has it.
    let full = changes(&s, 0).await;
    assert_eq!(full.grants.len(), 1);
    assert!(full.removed.is_empty());
}

#[tokio::test]
async fn unknown_grants_and_agents_are_404_and_a_reason_is_required() {
    let s = TestServer::start().await;
    let a = s.agent("one").await;
    s.agent("two").await;
    let g = grant(&s, "one", "x:read").await;
    let viewer = s.token("viewer").await;
    let responder = s.token("responder").await;
    let before = s.dump();
    let reason = Some(json!({"reason": "cleanup"}));

    let answer = s
        .call(
            "DELETE",
            "/v1/agents/one/grants/grt_nope",
            Some(ADMIN),
            reason.clone(),
        )
        .await;
    assert_error(&answer, 404, "not_found");
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("grt_nope")
    );
    // Another agent's grant is not this one's to remove.
    let answer = s
        .call("DELETE", &path("two", &g), Some(ADMIN), reason.clone())
        .await;
    assert_error(&answer, 404, "not_found");
    let answer = s
        .call("DELETE", &path("ghost", &g), Some(ADMIN), reason.clone())
        .await;
    assert_error(&answer, 404, "not_found");
    for body in [json!({"reason": "  "}), json!({})] {
        let answer = s
            .call("DELETE", &path("one", &g), Some(ADMIN), Some(body))
            .await;
        assert_error(&answer, 422, "unprocessable");
    }
    let answer = s.call("DELETE", &path("one", &g), Some(ADMIN), None).await;
    assert_error(&answer, 400, "bad_request");
    for t in [&viewer, &responder] {
        let answer = s
            .call("DELETE", &path("one", &g), Some(t), reason.clone())
            .await;
        assert_error(&answer, 403, "forbidden");
    }
    assert_eq!(s.dump(), before, "a refused removal changed the database");

    // Removed once; the second time there is nothing to remove.
    let id = txt(&a, "id");
    let by_id = format!("/v1/agents/{id}/grants/{}", txt(&g, "id"));
    let (status, _) = s.call("DELETE", &by_id, Some(ADMIN), reason.clone()).await;
    assert_eq!(status, 200);
    let answer = s.call("DELETE", &by_id, Some(ADMIN), reason).await;
    assert_error(&answer, 404, "not_found");
}

#[tokio::test]
async fn a_killed_agents_grants_can_still_be_removed() {
    let s = TestServer::start().await;
    s.agent("gone").await;
    let g = grant(&s, "gone", "x:admin").await;
    s.kill("gone", json!({"reason": "compromised"})).await;
    let (status, answer) = s
        .call(
            "DELETE",
            &path("gone", &g),
            Some(ADMIN),
            Some(json!({"reason": "tidy up after INC-9"})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(s.detail("gone").await["grants"], json!([]));
}

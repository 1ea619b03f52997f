//! What ends access and what a kill makes final: a departed person's tokens,
//! and a killed agent's record.

use crate::support::server::*;
use serde_json::json;

#[tokio::test]
async fn a_departed_persons_token_stops_working() {
    let s = TestServer::start().await;
    s.person("Ada Lovelace", "ada@corp.example").await;
    let token = s
        .token_for("responder", "ada-laptop", "ada@corp.example")
        .await;
    let (status, _) = s.call("GET", "/v1/whoami", Some(&token), None).await;
    assert_eq!(status, 200);
    s.admin(
        "POST",
        "/v1/people/ada@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    let answer = s.call("GET", "/v1/whoami", Some(&token), None).await;
    assert_error(&answer, 401, "unauthorized");
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("left the company")
    );
    let answer = s.call("GET", "/v1/agents", Some(&token), None).await;
    assert_error(&answer, 401, "unauthorized");
}

#[tokio::test]
async fn a_killed_agents_record_is_final() {
    let s = TestServer::start().await;
    s.person("Ada Lovelace", "ada@corp.example").await;
    s.agent("parent-bot").await;
    s.agent("child-bot").await;
    s.kill("child-bot", json!({"reason": "INC-1"})).await;
    let answer = s
        .call(
            "POST",
            "/v1/agents/child-bot/owner",
            Some(ADMIN),
            Some(json!({"owner": "ada@corp.example", "reason": "r"})),
        )
        .await;
    assert_error(&answer, 409, "conflict");
    let answer = s
        .call(
            "POST",
            "/v1/delegations",
            Some(ADMIN),
            Some(json!({"parent_agent": "parent-bot", "child_agent": "child-bot", "scopes": ["a:read"]})),
        )
        .await;
    assert_error(&answer, 409, "conflict");
}

#[tokio::test]
async fn the_last_page_has_no_next_cursor_key() {
    let s = TestServer::start().await;
    s.agent("only-bot").await;
    let page = s.get("/v1/agents?limit=5").await;
    assert!(page.get("next_cursor").is_none(), "{page}");
}

#[tokio::test]
async fn names_that_would_deceive_are_refused() {
    let s = TestServer::start().await;
    for name in [
        "..",
        ".",
        " padded",
        "bot\u{200b}",
        "evil\u{1b}[2J",
        "rtl\u{202e}fdp",
    ] {
        let answer = s
            .call(
                "POST",
                "/v1/agents",
                Some(ADMIN),
                Some(json!({"name": name, "kind": "chatbot", "environment": "prod"})),
            )
            .await;
        assert_error(&answer, 422, "unprocessable");
    }
    // Ordinary non-ASCII names are fine.
    s.agent("assistant-café-東京").await;
}

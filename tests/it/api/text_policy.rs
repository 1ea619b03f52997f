//! One text policy at the API boundary: hostile strings in any field a
//! client writes are refused with a 422 naming the field, before anything
//! is stored; a name that looks like another agent's is refused with a 409;
//! ordinary text in any script goes through.

use crate::support::server::{ADMIN, TestServer};
use serde_json::{Value, json};

const HOSTILE: [&str; 6] = [
    "evil\u{1b}]0;PWNED\u{7}",
    "exe.\u{202e}txt",
    "rev\u{ad}me",
    "zw\u{200b}j",
    "\u{1d42b}\u{1d41e}v",
    "pua\u{e000}",
];

async fn post(s: &TestServer, path: &str, body: Value) -> (u16, Value) {
    s.call("POST", path, Some(ADMIN), Some(body)).await
}

#[track_caller]
fn refused(answer: &(u16, Value), field: &str) {
    let message = answer.1["error"]["message"].as_str().unwrap_or_default();
    assert_eq!(answer.0, 422, "{field}: {}", answer.1);
    assert!(
        message.starts_with(&format!("{field} holds U+")),
        "{message}"
    );
}

#[tokio::test]
async fn hostile_text_is_refused_in_every_field_naming_it() {
    let s = TestServer::start().await;
    for bad in HOSTILE {
        let agent = |field: &str| {
            let mut body = json!({"name": "ok-bot", "kind": "chatbot", "environment": "prod"});
            body[field] = json!(bad);
            body
        };
        for field in ["name", "environment", "runtime", "description"] {
            refused(&post(&s, "/v1/agents", agent(field)).await, field);
        }
        let labels = json!({"name": "ok-bot", "kind": "chatbot", "environment": "prod",
                            "labels": {"team": bad}});
        refused(&post(&s, "/v1/agents", labels).await, "label \"team\"");
        let person = |name: &str, email: &str| json!({"name": name, "email": email});
        refused(
            &post(&s, "/v1/people", person(bad, "a@x.example")).await,
            "name",
        );
        let email = format!("{bad}@x.example");
        refused(
            &post(&s, "/v1/people", person("Ann", &email)).await,
            "email",
        );
        let token = json!({"name": bad, "role": "viewer"});
        refused(&post(&s, "/v1/tokens", token).await, "name");
    }
    // Nothing of it was stored.
    let agents = s.get("/v1/agents").await;
    assert_eq!(
        agents["items"].as_array().map(Vec::len),
        Some(0),
        "{agents}"
    );
    // A reason is text: lines are fine, a bidi override is not.
    let a = s.agent("reasoned").await;
    let id = a["id"].as_str().unwrap();
    let path = format!("/v1/agents/{id}/suspend");
    refused(
        &post(&s, &path, json!({"reason": "INC-1\u{202e}"})).await,
        "reason",
    );
    let ok = post(&s, &path, json!({"reason": "INC-1\nsee the ticket"})).await;
    assert_eq!(ok.0, 200, "{}", ok.1);
}

#[tokio::test]
async fn a_name_that_looks_like_another_agents_is_refused() {
    let s = TestServer::start().await;
    s.agent("paypal-sync").await;
    // Cyrillic р, а and у in place of the Latin letters.
    let lookalike = "\u{440}\u{430}\u{443}\u{440}\u{430}l-sync";
    let (status, body) = post(
        &s,
        "/v1/agents",
        json!({"name": lookalike, "kind": "chatbot", "environment": "prod"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("paypal-sync")
    );
    // A name from before the skeleton column (or a bulk import) has none
    // yet: it gets one the first time a registration needs it.
    s.sql()
        .execute("UPDATE agents SET skeleton = NULL", [])
        .expect("clear the skeletons");
    let (status, body) = post(
        &s,
        "/v1/agents",
        json!({"name": "PAYPAL-sync", "kind": "chatbot", "environment": "prod"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    // Other scripts on their own are names like any.
    for name in ["Ольга-бот", "李雷-bot", "café-bot"] {
        let (status, body) = post(
            &s,
            "/v1/agents",
            json!({"name": name, "kind": "chatbot", "environment": "prod"}),
        )
        .await;
        assert_eq!(status, 201, "{name}: {body}");
    }
}

/// People and tokens are picked by name too (an owner in the reassign
/// dialog, the actor in the audit trail): a look-alike of an existing one
/// is refused the same way, and a different name in another script is not.
#[tokio::test]
async fn people_and_tokens_that_look_like_others_are_refused() {
    let s = TestServer::start().await;
    let bob = json!({"name": "Bob Stone", "email": "bob@example.com"});
    assert_eq!(post(&s, "/v1/people", bob).await.0, 201);
    // Cyrillic о in the email, then in the name.
    let (status, body) = post(
        &s,
        "/v1/people",
        json!({"name": "Robert Stone", "email": "b\u{43e}b@example.com"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("bob@example.com")
    );
    let (status, body) = post(
        &s,
        "/v1/people",
        json!({"name": "B\u{43e}b Stone", "email": "bob.stone@example.com"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let olga = json!({"name": "Ольга", "email": "olga@example.com"});
    assert_eq!(post(&s, "/v1/people", olga).await.0, 201);

    let token = json!({"name": "ci-deploy", "role": "responder"});
    assert_eq!(post(&s, "/v1/tokens", token).await.0, 201);
    let (status, body) = post(
        &s,
        "/v1/tokens",
        json!({"name": "c\u{456}-deploy", "role": "admin"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ci-deploy")
    );
}

#[tokio::test]
async fn grants_scopes_and_an_agents_own_events_are_held_to_it_too() {
    let s = TestServer::start().await;
    s.agent("worker").await;
    let (_, secret) = s.credential("worker").await;
    for bad in HOSTILE {
        // Scopes have no spaces; every entry of the corpus is one word.
        let word: String = bad.chars().filter(|c| !c.is_whitespace()).collect();
        let grant = |field: &str| {
            let mut g = json!({"resource": "crm", "scope": "crm:read", "level": "read"});
            g[field] = json!(word);
            g
        };
        for field in ["resource", "scope"] {
            refused(
                &post(&s, "/v1/agents/worker/grants", grant(field)).await,
                field,
            );
        }
        let creds = json!({"scopes": [word]});
        refused(
            &post(&s, "/v1/agents/worker/credentials", creds).await,
            "scope",
        );
        for field in ["action", "target", "scope", "result"] {
            let mut event = json!({"action": "call", "target": "crm"});
            event[field] = json!(word);
            let answer = s.post("/v1/agent/events", &secret, json!([event])).await;
            refused(&answer, field);
        }
    }
    let agent = s.detail("worker").await;
    assert_eq!(agent["grants"].as_array().map(Vec::len), Some(0), "{agent}");
    assert_eq!(
        agent["credentials"].as_array().map(Vec::len),
        Some(1),
        "{agent}"
    );
}

//! `GET /v1/audit` as a stream of lines (`Accept: application/x-ndjson` or
//! `?format=jsonl|ocsf|cef`) and its filters (`actor`, `action`, `since`,
//! `until`): the same entries as the JSON array, across database pages,
//! with the head it runs to and the cursor to go on from; the JSON array
//! without those asks is what it always was.

use crate::support::server::*;
use serde_json::{Value, json};

/// Status, headers and body of a GET as admin.
async fn raw(
    s: &TestServer,
    path: &str,
    accept: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = s.http.get(format!("{}{path}", s.url)).bearer_auth(ADMIN);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn ndjson_streams_every_entry_across_pages_to_the_head() {
    let s = TestServer::start().await;
    // More than one database page (1000) of entries, registered a few at
    // a time: one after another they were most of this suite's time on
    // PostgreSQL (a commit each).
    let names: Vec<String> = (0..1010).map(|i| format!("bot-{i}")).collect();
    for some in names.chunks(16) {
        futures_util::future::join_all(some.iter().map(|n| s.agent(n))).await;
    }
    let all: Vec<Value> = {
        let mut v = Vec::new();
        let mut after = 0;
        loop {
            let page = s.get(&format!("/v1/audit?after={after}&limit=10000")).await;
            let page = page.as_array().unwrap().clone();
            let Some(last) = page.last() else { break };
            after = last["seq"].as_i64().unwrap();
            v.extend(page);
        }
        v
    };
    assert!(all.len() > 1010);
    let (status, headers, body) = raw(&s, "/v1/audit", Some("application/x-ndjson")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-ndjson");
    let head = all.last().unwrap()["seq"].as_i64().unwrap();
    assert_eq!(headers["x-warden-audit-head"], head.to_string().as_str());
    assert_eq!(lines(&body), all);
    // ?format= does the same without the header, and pages with a cursor.
    let (_, _, body) = raw(&s, "/v1/audit?format=ndjson&after=1000&limit=5", None).await;
    let page = lines(&body);
    assert_eq!(page, all[1000..1005]);
    let (_, _, body) = raw(&s, "/v1/audit?format=jsonl&after=1005&limit=5", None).await;
    assert_eq!(lines(&body), all[1005..1010]);
    // The JSON array is unchanged: 1000 by default.
    let (status, headers, body) = raw(&s, "/v1/audit", None).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!(all[..1000])
    );
}

#[tokio::test]
async fn ocsf_and_cef_streams_carry_the_cursor() {
    let s = TestServer::start().await;
    s.agent("bot").await;
    s.credential("bot").await;
    let all = s.audit().await;
    let (status, headers, body) = raw(&s, "/v1/audit?format=ocsf", None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-ndjson");
    let events = lines(&body);
    assert_eq!(events.len(), all.len());
    for (ev, e) in events.iter().zip(&all) {
        assert_eq!(ev["metadata"]["sequence"], e["seq"]);
        assert_eq!(ev["metadata"]["version"], "1.5.0");
    }
    let (_, headers, body) = raw(&s, "/v1/audit?format=cef&tail=1", None).await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let last = all.last().unwrap();
    assert_eq!(body.lines().count(), 1);
    assert!(
        body.contains(&format!("externalId={}", last["seq"])),
        "{body}"
    );
    let (status, _, body) = raw(&s, "/v1/audit?format=xml", None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("jsonl"), "{body}");
}

#[tokio::test]
async fn actor_action_and_time_filters() {
    let s = TestServer::start().await;
    s.person("Rita", "rita@corp.example").await;
    let rita = s
        .token_for("responder", "laptop", "rita@corp.example")
        .await;
    s.agent("bot").await;
    let (status, v) = s
        .post("/v1/agents/bot/suspend", &rita, json!({"reason": "r"}))
        .await;
    assert_eq!(status, 200, "{v}");
    let by_rita = s.get("/v1/audit?actor=rita@corp.example").await;
    let by_rita = by_rita.as_array().unwrap();
    assert_eq!(by_rita.len(), 1, "{by_rita:?}");
    assert_eq!(by_rita[0]["action"], "agent.suspend");
    let exact = by_rita[0]["actor"].as_str().unwrap().to_string();
    let same = s
        .get(&format!("/v1/audit?actor={}", urlencode(&exact)))
        .await;
    assert_eq!(same.as_array().unwrap(), by_rita);
    assert_eq!(s.get("/v1/audit?actor=rita").await, json!([]));

    let agents = s.get("/v1/audit?action=agent.").await;
    let actions: Vec<&str> = agents
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["agent.register", "agent.suspend"]);
    assert_eq!(s.get("/v1/audit?action=agent.*").await, agents);
    assert_eq!(s.get("/v1/audit?action=agent").await, json!([]));

    let all = s.audit().await;
    let at = all[1]["at"].as_str().unwrap().to_string();
    let since = s.get(&format!("/v1/audit?since={}", urlencode(&at))).await;
    assert!(
        since
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["at"].as_str().unwrap() >= at.as_str())
    );
    let until = s.get(&format!("/v1/audit?until={}", urlencode(&at))).await;
    assert!(
        until
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["at"].as_str().unwrap() < at.as_str())
    );
    assert_eq!(
        since.as_array().unwrap().len() + until.as_array().unwrap().len(),
        all.len()
    );
    for bad in [
        "since=yesterday",
        "actor=",
        "since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
    ] {
        let (status, v) = s
            .call("GET", &format!("/v1/audit?{bad}"), Some(ADMIN), None)
            .await;
        assert_eq!(status, 400, "{bad}: {v}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

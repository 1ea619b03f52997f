//! The changes feed's summary form (issue 18): the first answer counts
//! each agent's credentials and grants instead of listing them, later
//! answers keep the counts current, an agent's detail brings its
//! credentials and grants in full, and `GET /v1/credentials` lists them all.

use crate::support::server::*;
use serde_json::{Value, json};
use warden::api::Changes;
use warden::fleet::state::Fleet;
use warden::model::{AgentDetail, CredentialStatus, GrantLevel};

async fn summary(s: &TestServer, since: i64) -> Changes {
    let raw = s
        .get(&format!("/v1/changes?since={since}&form=summary"))
        .await;
    serde_json::from_value(raw).expect("changes")
}

async fn detail(s: &TestServer, agent: &str) -> AgentDetail {
    serde_json::from_value(s.detail(agent).await).expect("an agent's detail")
}

fn txt<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[tokio::test]
async fn the_first_answer_counts_credentials_and_grants_and_carries_none() {
    let s = TestServer::start().await;
    let bot = s.agent("bot").await;
    s.agent("idle").await;
    let (first_cred, _) = s.credential("bot").await;
    s.credential("bot").await;
    let grant = s
        .admin(
            "POST",
            "/v1/agents/bot/grants",
            json!({"resource": "crm", "scope": "tickets:write", "level": "write"}),
        )
        .await;

    let raw = s.get("/v1/changes?since=0&form=summary").await;
    assert_eq!(raw["summary"], true, "{raw}");
    assert_eq!(raw["credentials"], json!([]), "no credential body is sent");
    assert_eq!(raw["grants"], json!([]));
    assert!(!raw.to_string().contains(&first_cred), "{raw}");
    let first: Changes = serde_json::from_value(raw).unwrap();
    assert!(first.full);
    assert_eq!(first.agents.len(), 2);
    let bot_id = txt(&bot, "id");
    assert_eq!(first.summaries.len(), 1, "only agents holding something");
    let h = &first.summaries[0];
    assert_eq!(h.agent_id, bot_id);
    assert_eq!((h.credentials, h.live_credentials, h.grants), (2, 2, 1));
    assert_eq!(h.highest_level, Some(GrantLevel::Write));

    // The full form is unchanged for scripts.
    let full = s.get("/v1/changes?since=0").await;
    assert_eq!(full["credentials"].as_array().map(Vec::len), Some(2));
    assert!(full.get("summary").is_none() && full.get("summaries").is_none());

    // The dashboard's copy: the counts, and no credential it could list.
    let mut fleet = Fleet::new();
    let cursor = first.cursor;
    fleet.apply(first);
    let i = fleet.position(bot_id).unwrap();
    let sum = fleet.summary(i);
    assert_eq!((sum.credentials, sum.live_credentials), (2, 2));
    assert_eq!(sum.highest_level, Some(GrantLevel::Write));
    assert_eq!(fleet.credentials().count(), 0);
    assert!(!fleet.holds_all_of(bot_id));
    assert!(!fleet.credentials_complete());

    // Opening the agent reads its detail: everything it holds, in full.
    assert!(fleet.load_detail(&detail(&s, "bot").await));
    assert!(fleet.holds_all_of(bot_id));
    assert_eq!(fleet.credentials_of(bot_id).len(), 2);
    assert_eq!(fleet.grants_of(bot_id).len(), 1);
    assert_eq!(fleet.summary(i).credentials, 2, "not counted twice");

    // A revoke: the next answer lists the credential and the new counts;
    // the open agent's credential shows revoked.
    s.admin(
        "POST",
        &format!("/v1/credentials/{first_cred}/revoke"),
        json!({"reason": "leaked"}),
    )
    .await;
    let next = summary(&s, cursor).await;
    assert!(!next.full && next.summary);
    assert_eq!(next.credentials.len(), 1);
    assert_eq!(next.summaries.len(), 1);
    assert_eq!(next.summaries[0].live_credentials, 1);
    let cursor = next.cursor;
    fleet.apply(next);
    assert_eq!(fleet.summary(i).live_credentials, 1);
    assert_eq!(fleet.summary(i).credentials, 2);
    let revoked = fleet
        .credential(&first_cred)
        .expect("held: its agent is open");
    assert_eq!(revoked.status, CredentialStatus::Revoked);

    // A removed grant leaves no row behind: its agent is counted again.
    s.admin(
        "DELETE",
        &format!("/v1/agents/bot/grants/{}", txt(&grant, "id")),
        json!({"reason": "never used"}),
    )
    .await;
    let next = summary(&s, cursor).await;
    assert_eq!(next.removed.len(), 1);
    let h = next
        .summaries
        .iter()
        .find(|h| h.agent_id == bot_id)
        .expect("the agent counted again");
    assert_eq!((h.grants, h.highest_level), (0, None));
    fleet.apply(next);
    assert_eq!(fleet.summary(i).highest_level, None);
    assert!(fleet.grants_of(bot_id).is_empty());
}

#[tokio::test]
async fn a_credential_of_an_agent_not_opened_changes_its_counts_only() {
    let s = TestServer::start().await;
    let bot = s.agent("bot").await;
    let (cred, _) = s.credential("bot").await;
    let first = summary(&s, 0).await;
    let cursor = first.cursor;
    let mut fleet = Fleet::new();
    fleet.apply(first);
    s.admin(
        "POST",
        &format!("/v1/credentials/{cred}/revoke"),
        json!({"reason": "rotated by hand"}),
    )
    .await;
    fleet.apply(summary(&s, cursor).await);
    let i = fleet.position(txt(&bot, "id")).unwrap();
    assert_eq!(fleet.summary(i).live_credentials, 0);
    assert_eq!(fleet.summary(i).credentials, 1);
    // Not held: a list of one agent's credentials is not shown as whole.
    assert_eq!(fleet.credentials().count(), 0);
}

#[tokio::test]
async fn every_credential_is_listed_and_an_unknown_form_is_refused() {
    let s = TestServer::start().await;
    s.agent("a").await;
    s.agent("b").await;
    let (c1, _) = s.credential("a").await;
    let (c2, _) = s.credential("b").await;
    let (c3, _) = s.credential("b").await;
    let all = s.get("/v1/credentials").await;
    let mut ids: Vec<&str> = all
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| txt(c, "id"))
        .collect();
    ids.sort();
    let mut want = vec![c1.as_str(), c2.as_str(), c3.as_str()];
    want.sort();
    assert_eq!(ids, want);
    assert!(!all.to_string().contains("\"secret\""));

    let (status, answer) = s
        .call("GET", "/v1/changes?since=0&form=short", Some(ADMIN), None)
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("summary")),
        "{answer}"
    );
    // Viewers read it; nobody without a token does.
    let (status, _) = s.call("GET", "/v1/credentials", None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_kept_first_answer_is_rebuilt_after_a_change() {
    let s = TestServer::start().await;
    s.agent("one").await;
    let a = summary(&s, 0).await;
    let b = summary(&s, 0).await;
    assert_eq!(a, b, "the same answer while nothing changed");
    s.agent("two").await;
    let c = summary(&s, 0).await;
    assert!(c.cursor > a.cursor);
    assert_eq!(c.agents.len(), 2, "what was written before it asked");
}

#[tokio::test]
async fn the_kept_first_answer_is_sent_gzipped_once_compressed() {
    let s = TestServer::start().await;
    for i in 0..20 {
        s.agent(&format!("padding-{i}")).await;
        s.credential(&format!("padding-{i}")).await;
    }
    // A client that does not decode, to see the bytes on the wire.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |encoding: Option<&'static str>| {
        let mut req = raw
            .get(format!("{}/v1/changes?since=0&form=summary", s.url))
            .bearer_auth(ADMIN);
        if let Some(e) = encoding {
            req = req.header(reqwest::header::ACCEPT_ENCODING, e);
        }
        req.send()
    };
    let plain = get(None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain: Value = serde_json::from_slice(&plain.bytes().await.unwrap()).unwrap();
    let zipped = get(Some("br, gzip")).await.unwrap();
    assert_eq!(zipped.headers().get("content-encoding").unwrap(), "gzip");
    let zipped = zipped.bytes().await.unwrap();
    assert_eq!(&zipped[..2], &[0x1f, 0x8b], "not a gzip stream");
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut json).unwrap();
    let unzipped: Value = serde_json::from_slice(&json).expect("gzip of the same JSON");
    assert_eq!(unzipped, plain);
    assert_eq!(plain["summaries"].as_array().map(Vec::len), Some(20));
}

#[tokio::test]
async fn credentials_come_in_keyset_pages_by_id() {
    let s = TestServer::start().await;
    s.agent("a").await;
    s.agent("b").await;
    let mut want = Vec::new();
    for owner in ["a", "b", "a", "b", "a"] {
        want.push(s.credential(owner).await.0);
    }
    want.sort();
    // The whole list, as before paging, for scripts that read it at once.
    let all = s.get("/v1/credentials").await;
    assert_eq!(all.as_array().map(Vec::len), Some(5));

    let ids = |page: &Value| -> Vec<String> {
        page.as_array()
            .expect("a list")
            .iter()
            .map(|c| txt(c, "id").to_string())
            .collect()
    };
    let mut read = Vec::new();
    let mut sizes = Vec::new();
    let mut after = String::new();
    loop {
        let page = s
            .get(&format!("/v1/credentials?limit=2&after={after}"))
            .await;
        let page = ids(&page);
        sizes.push(page.len());
        read.extend(page.iter().cloned());
        match page.last() {
            Some(last) if page.len() == 2 => after = last.clone(),
            _ => break,
        }
    }
    assert_eq!(sizes, [2, 2, 1], "a short page is the last");
    assert_eq!(read, want, "every credential once, by id");
    // `after` alone: the rest of them.
    let rest = s.get(&format!("/v1/credentials?after={}", want[1])).await;
    assert_eq!(ids(&rest), want[2..]);

    for bad in ["limit=0", "limit=50001", "limit=many"] {
        let (status, answer) = s
            .call("GET", &format!("/v1/credentials?{bad}"), Some(ADMIN), None)
            .await;
        assert_eq!(status, 400, "{bad}: {answer}");
        if bad != "limit=many" {
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("between 1 and 50000")),
                "{answer}"
            );
        }
    }
}

//! The lean form of the first sync (issue 18): agents with their counts
//! inside, labels as places in `label_sets`, times in milliseconds, nulls
//! left out, alerts without their evidence; `GET /v1/alerts/{id}` answers
//! the whole alert; Warden's client reads the form back into the summary
//! form's types, so the dashboard's copy is the same either way.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};
use warden::api::Changes;
use warden::api::client::Client;
use warden::fleet::state::Fleet;

fn txt<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// An agent with two labels, two credentials and a grant; one with none
/// of them, suspended, with an alert.
async fn two_agents(s: &TestServer) -> (Value, Value) {
    s.person("Pat", "pat@corp.example").await;
    let bot = s
        .agent_with(
            json!({"name": "bot", "kind": "chatbot", "environment": "prod",
            "owner": "pat@corp.example", "labels": {"team": "pay", "cc": "7"}}),
        )
        .await;
    s.credential("bot").await;
    s.credential("bot").await;
    s.admin(
        "POST",
        "/v1/agents/bot/grants",
        json!({"resource": "crm", "scope": "tickets:write", "level": "write"}),
    )
    .await;
    let idle = s.agent("idle").await;
    // A suspended agent that still knocks: an alert, with its evidence.
    let (_, secret) = s.credential("idle").await;
    s.admin(
        "POST",
        "/v1/agents/idle/suspend",
        json!({"reason": "setup"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 403);
    let alerts = s.get("/v1/alerts").await;
    assert!(alerts.as_array().is_some_and(|a| !a.is_empty()), "{alerts}");
    (bot, idle)
}

#[tokio::test]
async fn the_lean_first_answer_carries_counts_inside_and_alerts_without_evidence() {
    let s = TestServer::start_with(eager_r18()).await;
    let (bot, idle) = two_agents(&s).await;

    let resp = reqwest::Client::new()
        .get(format!("{}/v1/changes?since=0&form=lean", s.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-warden-form"], "lean");
    let raw: Value = resp.json().await.unwrap();
    assert_eq!(
        (raw["form"].as_str(), raw["full"].as_bool()),
        (Some("lean"), Some(true))
    );
    for gone in ["credentials", "grants", "summaries", "removed", "summary"] {
        assert!(raw.get(gone).is_none(), "{gone} in {raw}");
    }
    let agents = raw["agents"].as_array().unwrap();
    let by_name = |n: &str| agents.iter().find(|a| a["name"] == n).unwrap().clone();
    let b = by_name("bot");
    assert_eq!(
        (b["credentials"].as_u64(), b["live_credentials"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        (b["grants"].as_u64(), b["highest_level"].as_str()),
        (Some(1), Some("write"))
    );
    assert_eq!(
        raw["label_sets"][b["labels"].as_u64().unwrap() as usize],
        json!({"cc": "7", "team": "pay"})
    );
    let created: chrono::DateTime<chrono::Utc> = txt(&bot, "created_at").parse().unwrap();
    assert_eq!(
        b["created_at"].as_i64(),
        Some(created.timestamp_millis()),
        "milliseconds"
    );
    assert!(
        b.get("updated_at").is_none(),
        "updated_at equal to created_at is left out: {b}"
    );
    let i = by_name("idle");
    for gone in [
        "owner",
        "labels",
        "grants",
        "highest_level",
        "description",
        "runtime",
    ] {
        assert!(i.get(gone).is_none(), "{gone} in {i}");
    }
    // The suspended agent's alert: what the list shows, not the evidence.
    let alert = raw["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent_id"] == idle["id"])
        .expect("an alert on the suspended agent")
        .clone();
    for gone in ["evidence", "mapping", "ack_reason", "source", "resolved_at"] {
        assert!(alert.get(gone).is_none(), "{gone} in {alert}");
    }
    assert!(
        alert["created_at"].is_i64() && alert["summary"].is_string(),
        "{alert}"
    );

    // The whole alert, when it is opened.
    let full = s.get(&format!("/v1/alerts/{}", txt(&alert, "id"))).await;
    assert!(!txt(&full, "evidence").is_empty(), "{full}");
    assert_eq!(full["rule"], alert["rule"]);
    let (status, body) = s
        .call("GET", "/v1/alerts/alr_nope", Some(ADMIN), None)
        .await;
    assert_error(&(status, body), 404, "not_found");
}

#[tokio::test]
async fn only_a_first_answer_is_lean() {
    let s = TestServer::start().await;
    s.agent("bot").await;
    let cursor = s.get("/v1/changes?since=0").await["cursor"]
        .as_i64()
        .unwrap();
    let answer = s
        .call(
            "GET",
            &format!("/v1/changes?since={cursor}&form=lean"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_error(&answer, 400, "bad_request");
    assert!(
        answer.1.to_string().contains("form=summary"),
        "{}",
        answer.1
    );
    let answer = s
        .call("GET", "/v1/changes?since=0&form=skinny", Some(ADMIN), None)
        .await;
    assert_error(&answer, 400, "bad_request");
    assert!(answer.1.to_string().contains("lean"), "{}", answer.1);
}

/// `lean` (read back by the client) holds what `summary` does: the same
/// rows to the millisecond, in any order; alerts as their list shows them.
fn assert_same(lean: &Changes, summary: &Changes) {
    assert!(lean.full && lean.summary);
    assert_eq!(lean.cursor, summary.cursor);
    let ms = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
    let by_id = |mut v: Vec<Value>| {
        v.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        v
    };
    let values = |v: &[warden::model::Person]| by_id(v.iter().map(|x| json!(x)).collect());
    assert_eq!(values(&lean.people), values(&summary.people));
    let mut da = lean.delegations.clone();
    let mut db = summary.delegations.clone();
    da.sort_by(|x, y| x.id.cmp(&y.id));
    db.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(da, db);
    let mut a = lean.agents.clone();
    let mut b = summary.agents.clone();
    a.sort_by(|x, y| x.id.cmp(&y.id));
    b.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(a.len(), b.len());
    // To the millisecond: the lean form's times are whole milliseconds.
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        assert_eq!(ms(x.created_at), ms(y.created_at));
        assert_eq!(ms(x.updated_at), ms(y.updated_at));
        assert_eq!(x.last_seen_at.map(ms), y.last_seen_at.map(ms));
        (x.created_at, x.updated_at, x.last_seen_at) = (y.created_at, y.updated_at, y.last_seen_at);
    }
    assert_eq!(a, b);
    let mut sa = lean.summaries.clone();
    let mut sb = summary.summaries.clone();
    for h in sa.iter_mut().chain(sb.iter_mut()) {
        h.next_expiry = h
            .next_expiry
            .map(|t| chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap());
    }
    sa.sort_by(|x, y| x.agent_id.cmp(&y.agent_id));
    sb.sort_by(|x, y| x.agent_id.cmp(&y.agent_id));
    assert_eq!(sa, sb);
    let mut la = lean.alerts.clone();
    let mut fa = summary.alerts.clone();
    la.sort_by(|x, y| x.id.cmp(&y.id));
    fa.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(la.len(), fa.len());
    for (l, f) in la.iter().zip(&fa) {
        assert_eq!(
            (&l.id, &l.rule, l.severity, l.status, l.rev),
            (&f.id, &f.rule, f.severity, f.status, f.rev)
        );
        assert_eq!(
            (&l.summary, &l.source, &l.agent_id, &l.acknowledged_by),
            (&f.summary, &f.source, &f.agent_id, &f.acknowledged_by)
        );
        assert_eq!(ms(l.updated_at), ms(f.updated_at));
    }
}

#[tokio::test]
async fn the_client_reads_the_lean_form_as_the_summary_form() {
    let s = TestServer::start_with(eager_r18()).await;
    let (bot, _) = two_agents(&s).await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let lean = client.changes_first().await.unwrap();
    let summary = client.changes_summary(0).await.unwrap();
    assert_same(&lean, &summary);
    for (l, f) in lean.alerts.iter().zip(&summary.alerts) {
        assert!(l.evidence.is_empty() && !f.evidence.is_empty());
    }

    // The dashboard's copy counts the same from either.
    let (mut from_lean, mut from_summary) = (Fleet::new(), Fleet::new());
    from_lean.apply(lean);
    from_summary.apply(summary);
    let id = txt(&bot, "id");
    let at = |f: &Fleet| f.summary(f.position(id).unwrap());
    assert_eq!(at(&from_lean), at(&from_summary));
    assert_eq!(from_lean.counts(), from_summary.counts());
}

#[tokio::test]
async fn the_kept_lean_answer_is_gzipped_once_asked_and_the_same_json() {
    let s = TestServer::start_with(eager_r18()).await;
    two_agents(&s).await;
    // A client that does not decode, to see the bytes on the wire.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |gzip: bool| {
        let mut req = raw
            .get(format!("{}/v1/changes?since=0&form=lean", s.url))
            .bearer_auth(ADMIN);
        if gzip {
            req = req.header(reqwest::header::ACCEPT_ENCODING, "gzip");
        }
        req.send()
    };
    let plain = get(false).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    for _ in 0..2 {
        let zipped = get(true).await.unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        assert_eq!(zipped.headers()["x-warden-form"], "lean");
        let zipped = zipped.bytes().await.unwrap();
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut json)
            .unwrap();
        assert_eq!(json, plain, "the same answer, compressed");
    }
}

#[tokio::test]
async fn a_first_answer_after_changes_is_the_kept_one_caught_up_and_the_same_as_a_whole_read() {
    let s = TestServer::start_with(eager_r18()).await;
    let (bot, _) = two_agents(&s).await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let before = client.changes_first().await.unwrap();
    // Every kind of change the feed carries after the kept answer.
    s.agent("newcomer").await;
    s.credential("bot").await;
    let grant = before
        .summaries
        .iter()
        .find(|h| h.agent_id == txt(&bot, "id"))
        .map(|h| h.grants);
    assert_eq!(grant, Some(1));
    let detail = s.detail("bot").await;
    let grant_id = txt(&detail["grants"][0], "id").to_string();
    s.admin(
        "DELETE",
        &format!("/v1/agents/bot/grants/{grant_id}"),
        json!({"reason": "not needed"}),
    )
    .await;
    let alert = txt(&s.get("/v1/alerts").await[0], "id").to_string();
    s.admin(
        "POST",
        &format!("/v1/alerts/{alert}/ack"),
        json!({"reason": "seen"}),
    )
    .await;
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;

    let caught_up = client.changes_first().await.unwrap();
    assert!(caught_up.cursor > before.cursor);
    // The summary form's first answer was never asked: read whole.
    let whole = client.changes_summary(0).await.unwrap();
    assert_same(&caught_up, &whole);
    let bot_counts = caught_up
        .summaries
        .iter()
        .find(|h| h.agent_id == txt(&bot, "id"))
        .unwrap();
    assert_eq!((bot_counts.credentials, bot_counts.grants), (3, 0));
    assert!(caught_up.agents.iter().any(|a| a.name == "newcomer"));
    let names: Vec<&str> = caught_up.agents.iter().map(|a| a.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "still in name order");
}

/// A backend from before the lean form, in front of a real one: it
/// refuses `form=lean` with 400 as that backend did, or (`ignores`) reads
/// past `form` and answers the full form, without the lean form's header.
async fn older_backend(real: &str, ignores: bool) -> String {
    use axum::http::{HeaderMap, StatusCode, Uri};
    use axum::response::IntoResponse;
    let real = real.to_string();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let real = real.clone();
        async move {
            let query = uri.query().unwrap_or("");
            let lean = query.split('&').any(|p| p == "form=lean");
            if lean && !ignores {
                let refused = json!({"error": {"code": "bad_request",
                    "message": "form \"lean\" is not known: `full` or `summary`"}});
                return (StatusCode::BAD_REQUEST, axum::Json(refused)).into_response();
            }
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !(lean && p.starts_with("form=")))
                .collect();
            let url = format!("{real}{}?{}", uri.path(), kept.join("&"));
            let mut ask = reqwest::Client::new().get(url);
            if let Some(auth) = headers.get("authorization") {
                ask = ask.header("authorization", auth.clone());
            }
            let answer = ask.send().await.unwrap();
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
            let body = answer.bytes().await.unwrap();
            (status, [("content-type", "application/json")], body).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_backend_from_before_the_lean_form_is_read_in_the_form_it_answers() {
    let s = TestServer::start_with(eager_r18()).await;
    two_agents(&s).await;
    let summary = Client::new(&s.url, Some(ADMIN))
        .unwrap()
        .changes_summary(0)
        .await
        .unwrap();

    // Refused (400): asked again in the summary form, evidence and all.
    let refusing = older_backend(&s.url, false).await;
    let first = Client::new(&refusing, Some(ADMIN))
        .unwrap()
        .changes_first()
        .await
        .unwrap();
    assert!(first.summary, "the summary form");
    assert_same(&first, &summary);
    assert!(first.alerts.iter().all(|a| !a.evidence.is_empty()));

    // `form` read past: the full form, read as it is.
    let ignoring = older_backend(&s.url, true).await;
    let first = Client::new(&ignoring, Some(ADMIN))
        .unwrap()
        .changes_first()
        .await
        .unwrap();
    assert!(first.full && !first.summary, "the full form");
    assert_eq!(first.cursor, summary.cursor);
    assert_eq!(first.credentials.len(), 3, "every credential listed");
    assert_eq!(first.agents.len(), summary.agents.len());
    assert!(first.alerts.iter().all(|a| !a.evidence.is_empty()));
}

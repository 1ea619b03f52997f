//! Guardrails against a real server: a policy plans an action on the alert
//! it matches, acts after its grace period as `guardrail:NAME` (an audited
//! operation, in the alert's timeline), stands down when a person acted
//! first, is stopped or run at once by a responder, and holds past its
//! `max_per_hour`; a dangerous or mistyped policy is refused at start.

use crate::support::server::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use warden::config::{GuardAction, GuardrailConfig, RuleThresholds, ServeConfig};

fn policy(name: &str, rule: &str, action: GuardAction, grace: u64) -> GuardrailConfig {
    GuardrailConfig {
        name: name.into(),
        rule: vec![rule.into()],
        severity: None,
        environment: vec![],
        kind: vec![],
        labels: Default::default(),
        filter: None,
        action,
        grace_seconds: grace,
        max_per_hour: 10,
    }
}

/// Rules in real time (so an API action raises its alert at once), and
/// `policies`.
fn config(policies: Vec<GuardrailConfig>) -> ServeConfig {
    ServeConfig {
        rules: RuleThresholds {
            sweep_interval_seconds: 3600,
            ..RuleThresholds::default()
        },
        guardrails: policies,
        ..ServeConfig::default()
    }
}

/// An owned agent given a credential that never expires: rule R04 opens
/// on it at once. Answers its id.
async fn r04_agent(s: &TestServer, name: &str, env: &str) -> String {
    let a = s
        .agent_with(
            json!({"name": name, "kind": "autonomous", "environment": env,
                           "owner": "pat@corp.example"}),
        )
        .await;
    s.credential(name).await;
    txt(&a, "id").to_string()
}

/// The action on `agent` once `done(action)` holds; fails after 5 s.
async fn action_on(s: &TestServer, agent: &str, done: impl Fn(&Value) -> bool) -> Value {
    let t0 = Instant::now();
    loop {
        let all = s.get("/v1/guardrails").await;
        if let Some(a) = all["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .find(|a| a["agent_id"] == agent && done(a))
        {
            return a.clone();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "no such action: {all:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn status(want: &'static str) -> impl Fn(&Value) -> bool {
    move |a| a["status"] == want
}

#[tokio::test]
async fn a_freeze_policy_suspends_the_agent_after_its_grace_and_says_so_in_the_audit() {
    let s = TestServer::start_with(config(vec![policy(
        "freeze-keys",
        "R04",
        GuardAction::Freeze,
        1,
    )]))
    .await;
    s.person("Pat", "pat@corp.example").await;
    let listed = s.get("/v1/guardrails").await;
    assert_eq!(listed["policies"][0]["name"], "freeze-keys", "{listed}");
    assert_eq!(listed["policies"][0]["grace_seconds"], 1);

    let agent = r04_agent(&s, "keeper", "staging").await;
    let pending = action_on(&s, &agent, status("pending")).await;
    assert_eq!(pending["action"], "freeze");
    assert_eq!(pending["rule"], "R04");
    assert_eq!(s.detail(&agent).await["status"], "active");
    // Once the evaluation that planned it has been counted (well inside
    // the 1 s grace), the freeze itself must be judged like any action.
    let mut evaluated = s.detector().evaluations();
    loop {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let now = s.detector().evaluations();
        if now == evaluated {
            break;
        }
        evaluated = now;
    }

    let done = action_on(&s, &agent, status("done")).await;
    let t0 = Instant::now();
    while s.detector().evaluations() == evaluated {
        assert!(
            t0.elapsed() < Duration::from_secs(2),
            "the guardrail's freeze was not judged"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        txt(&done, "outcome").contains("warden resume keeper"),
        "{done}"
    );
    assert_eq!(s.detail(&agent).await["status"], "suspended");
    let audit = s.audit().await;
    let by_policy: Vec<&Value> = audit
        .iter()
        .filter(|e| e["actor"] == "guardrail:freeze-keys")
        .collect();
    let actions: Vec<&str> = by_policy.iter().map(|e| txt(e, "action")).collect();
    assert_eq!(
        actions,
        ["guardrail.pending", "agent.suspend", "guardrail.done"],
        "{by_policy:#?}"
    );
    // The alert's timeline is its entries: pending and done name it.
    let alert = txt(&done, "alert_id");
    assert!(
        by_policy
            .iter()
            .filter(|e| txt(e, "target").starts_with(alert))
            .count()
            == 2
    );
    // Reversible: a responder resumes it.
    let (code, body) = s
        .post(
            &format!("/v1/agents/{agent}/resume"),
            ADMIN,
            json!({"reason": "checked, the key is fine"}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
}

#[tokio::test]
async fn a_guardrail_never_acts_on_an_agent_a_person_acted_on_and_a_responder_stops_or_runs_it() {
    let s = TestServer::start_with(config(vec![policy(
        "freeze-keys",
        "R04",
        GuardAction::Freeze,
        2,
    )]))
    .await;
    s.person("Pat", "pat@corp.example").await;
    let responder = s.token("responder").await;

    // A person acts on the agent in the grace window: the guardrail stands down.
    let handled = r04_agent(&s, "handled", "staging").await;
    let a = action_on(&s, &handled, status("pending")).await;
    let (code, _) = s
        .post(
            &format!("/v1/alerts/{}/ack", txt(&a, "alert_id")),
            &responder,
            json!({"reason": "rotating it"}),
        )
        .await;
    assert_eq!(code, 200);
    let skipped = action_on(&s, &handled, status("skipped")).await;
    assert!(
        txt(&skipped, "outcome").contains("acted first"),
        "{skipped}"
    );
    assert_eq!(s.detail(&handled).await["status"], "active");

    // Stopped with a reason, audited; a second stop is refused.
    let stopped = r04_agent(&s, "stopped", "staging").await;
    let a = action_on(&s, &stopped, status("pending")).await;
    // Neither a stop nor a run costs a whole-fleet sweep: a stop changes
    // nothing a rule reads, a run is judged on its agent.
    let t0 = Instant::now();
    while s.detector().sweeps() == 0 {
        assert!(t0.elapsed() < Duration::from_secs(3), "no first sweep");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let swept = s.detector().sweeps();
    let path = format!("/v1/guardrails/{}/stop", txt(&a, "id"));
    assert_error(
        &s.post(&path, &responder, json!({"reason": " "})).await,
        422,
        "unprocessable",
    );
    let (code, body) = s
        .post(&path, &responder, json!({"reason": "known test key"}))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "stopped");
    assert!(
        txt(&body, "decided_by").contains("known test key"),
        "{body}"
    );
    assert_error(
        &s.post(&path, &responder, json!({"reason": "again"})).await,
        409,
        "conflict",
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(s.detail(&stopped).await["status"], "active");
    assert!(
        s.audit()
            .await
            .iter()
            .any(|e| e["action"] == "guardrail.stop"
                && txt(e, "target").starts_with(txt(&a, "alert_id"))
                && e["reason"] == "known test key")
    );

    // Run at once by a responder: acts before its grace is over.
    let rushed = r04_agent(&s, "rushed", "staging").await;
    let a = action_on(&s, &rushed, status("pending")).await;
    let evaluated = s.detector().evaluations();
    let (code, body) = s
        .post(
            &format!("/v1/guardrails/{}/run", txt(&a, "id")),
            &responder,
            json!({"reason": "confirmed leak"}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "done", "{body}");
    assert_eq!(s.detail(&rushed).await["status"], "suspended");
    let t0 = Instant::now();
    while s.detector().evaluations() == evaluated {
        assert!(
            t0.elapsed() < Duration::from_secs(1),
            "the run was not judged"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        s.detector().sweeps(),
        swept,
        "a stop or a run swept the fleet"
    );
    assert!(
        s.audit()
            .await
            .iter()
            .any(|e| e["action"] == "guardrail.run" && e["reason"] == "confirmed leak")
    );
}

#[tokio::test]
async fn past_max_per_hour_a_policy_holds_its_actions_for_a_person() {
    let mut p = policy("freeze-keys", "R04", GuardAction::Freeze, 0);
    p.max_per_hour = 1;
    let s = TestServer::start_with(config(vec![p])).await;
    s.person("Pat", "pat@corp.example").await;
    let first = r04_agent(&s, "first", "staging").await;
    action_on(&s, &first, status("done")).await;
    let second = r04_agent(&s, "second", "staging").await;
    let held = action_on(&s, &second, status("held")).await;
    assert!(txt(&held, "outcome").contains("circuit breaker"), "{held}");
    assert_eq!(s.detail(&second).await["status"], "active");
}

#[tokio::test]
async fn a_revoke_policy_revokes_the_credential_the_alert_names_and_policies_filter_agents() {
    let mut p = policy("revoke-keys", "R04", GuardAction::Revoke, 0);
    p.environment = vec!["staging".into()];
    p.filter = Some("!label:tier=critical".into());
    let s = TestServer::start_with(config(vec![p])).await;
    s.person("Pat", "pat@corp.example").await;
    let prod = r04_agent(&s, "in-prod", "prod").await;
    let staging = r04_agent(&s, "in-staging", "staging").await;
    let done = action_on(&s, &staging, status("done")).await;
    let revoked = done["credentials"][0]
        .as_str()
        .expect("a credential")
        .to_string();
    let c = s.detail(&staging).await;
    let cred = c["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == revoked.as_str())
        .expect("the credential");
    assert_eq!(cred["status"], "revoked", "{c}");
    // Not its environment: nothing planned.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = s.get("/v1/guardrails").await;
    assert!(
        all["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["agent_id"] != prod.as_str()),
        "{all}"
    );
}

#[tokio::test]
async fn a_misconfigured_policy_is_refused_at_start_with_what_to_change() {
    let refused = |policies: Vec<GuardrailConfig>| async move {
        let store = warden::server::open_store("sqlite::memory:").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        match warden::server::start(store, config(policies), None, listener).await {
            Ok(_) => panic!("the server started"),
            Err(e) => e.to_string(),
        }
    };
    let e = refused(vec![policy("typo", "R99", GuardAction::Freeze, 30)]).await;
    assert!(
        e.contains("\"typo\"") && e.contains("unknown rule \"R99\""),
        "{e}"
    );
    let e = refused(vec![policy("hasty", "R11", GuardAction::Kill, 0)]).await;
    assert!(
        e.contains("grace_seconds = 0") && e.contains("production"),
        "{e}"
    );
}

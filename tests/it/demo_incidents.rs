//! The demo's incidents against its real backend, with time compressed:
//! every incident of the first round plays (over HTTP, as its actors), and
//! the rule engine raises each scenario's rules on the agents it acted on,
//! as `GET /v1/alerts` shows; the seeded fleet raises the rest. And the
//! simulator leaves a claimed agent alone, and reports its keys'
//! fingerprints.

use crate::support::server::*;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use warden::api::KillRequest;
use warden::api::client::Client;
use warden::config::RuleThresholds;
use warden::demo::fleet::{DemoAgent, key_fingerprint};
use warden::demo::incidents::Played;
use warden::demo::schedule::{FROM_THE_FLEET, Scenario, Step, Tempo};
use warden::demo::simulator::{self, Claims};
use warden::demo::{Demo, DemoOptions};
use warden::model::{AgentStatus, Alert, AlertStatus};

/// What an incident should have raised, and did not yet.
fn missing(played: &[Played], alerts: &[Alert]) -> Vec<String> {
    // R17 is on the shadow entry the server made, naming the relay that
    // played it.
    let raised = |rule: &str, agent: &str| {
        alerts.iter().any(|a| {
            a.rule == rule
                && (a.agent_id.as_deref() == Some(agent)
                    || (rule == "R17" && a.evidence.contains(&format!("({agent})"))))
                && a.status != AlertStatus::Resolved
                && a.source == "warden"
        })
    };
    let mut out = Vec::new();
    for scenario in Scenario::ALL {
        let Some(p) = played
            .iter()
            .find(|p| p.round == 0 && p.scenario == scenario && p.step == Step::Strike)
        else {
            out.push(format!("{scenario:?} has not played"));
            continue;
        };
        for rule in scenario.rules() {
            for (id, name) in &p.agents {
                if !raised(rule, id) {
                    out.push(format!("{scenario:?}: no {rule} on {name}"));
                }
            }
        }
    }
    for rule in FROM_THE_FLEET {
        if !alerts.iter().any(|a| a.rule == *rule) {
            out.push(format!("the fleet raised no {rule}"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_round_of_incidents_fires_every_rule_on_the_agents_it_acts_on() {
    let demo = Demo::start(DemoOptions {
        incidents: Some(Tempo {
            first: Duration::from_millis(300),
            gap: Duration::from_millis(600),
        }),
        rules: RuleThresholds {
            sweep_interval_seconds: 1,
            learning_minutes: 0,
            // The killed agent's retries right after the kill are
            // forgiven; those after this count.
            refused_grace_seconds: 1,
            ..RuleThresholds::default()
        },
        ..DemoOptions::new(200, 11, "127.0.0.1:0".parse().unwrap())
    })
    .await
    .expect("the demo starts");
    let client = Client::new(&demo.url, Some(&demo.token)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let (played, alerts) = loop {
        let played = demo.incidents();
        let alerts = client.alerts().await.expect("alerts");
        let failed: Vec<&Played> = played.iter().filter(|p| p.error.is_some()).collect();
        assert!(failed.is_empty(), "incidents failed: {failed:#?}");
        let left = missing(&played, &alerts);
        if left.is_empty() {
            break (played, alerts);
        }
        assert!(
            Instant::now() < deadline,
            "after 15 s: {left:#?}\nplayed: {played:#?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };

    let every: BTreeSet<&str> = warden::server::rules::CATALOG
        .iter()
        .map(|r| r.id)
        .collect();
    let raised: BTreeSet<&str> = alerts.iter().map(|a| a.rule.as_str()).collect();
    assert!(raised.is_superset(&every), "{raised:?}");

    // The evidence is the story each incident told.
    let on = |scenario: Scenario, rule: &str| {
        let p = played
            .iter()
            .find(|p| p.round == 0 && p.scenario == scenario)
            .unwrap();
        alerts
            .iter()
            .find(|a| a.rule == rule && a.agent_id.as_deref() == Some(p.agents[0].0.as_str()))
            .unwrap()
            .evidence
            .clone()
    };
    let burst = on(Scenario::BurstToNewHost, "R11");
    assert!(burst.contains("new host "), "{burst}");
    let reuse = on(Scenario::CredentialReuse, "R07");
    assert!(reuse.contains("presented to "), "{reuse}");
    let killed = on(Scenario::KilledStillTrying, "R18");
    assert!(killed.starts_with("3 refused attempts since "), "{killed}");
    assert!(
        killed.contains("(agent killed at ")
            && killed.contains("the 1 s after that are not counted"),
        "{killed}"
    );
    demo.shutdown().await;
}

#[tokio::test]
async fn the_simulator_leaves_a_claimed_agent_alone_and_reports_its_keys() {
    let s = TestServer::start().await;
    let mut agents = Vec::new();
    for name in ["busy", "claimed"] {
        let id = txt(&s.agent(name).await, "id").to_string();
        let (_, secret) = s.credential(name).await;
        agents.push(DemoAgent {
            agent_id: id,
            name: name.to_string(),
            secret,
            scopes: vec!["tickets:read".into()],
            targets: vec!["api.stripe.com", "docs.corp.example"],
        });
    }
    let claims = Claims::default();
    claims.claim(&agents[1].agent_id);
    let sim = tokio::spawn(simulator::run(s.url.clone(), agents.clone(), 5, claims));
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.detail("busy").await["last_seen_at"].is_null() {
        assert!(Instant::now() < deadline, "the simulator never drove busy");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Both agents fall in the same tick; the next comes a second later.
    tokio::time::sleep(Duration::from_millis(300)).await;
    sim.abort();
    assert!(
        s.detail("claimed").await["last_seen_at"].is_null(),
        "the simulator drove a claimed agent"
    );
    // Its first call was a report naming both usual targets (not a
    // heartbeat, not a random pick): the keyed one with the fingerprint of
    // its own key, the other with none.
    let targets: Vec<String> = s
        .db()
        .prepare("SELECT DISTINCT target FROM events WHERE agent_id = ?1 ORDER BY 1")
        .unwrap()
        .query_map([&agents[0].agent_id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(targets, ["api.stripe.com", "docs.corp.example"]);
    let rows: Vec<(String, String)> = s
        .db()
        .prepare("SELECT destination, fingerprint FROM presented_secrets")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = key_fingerprint(5, &agents[0].agent_id, "api.stripe.com").unwrap();
    assert_eq!(rows, [("api.stripe.com".to_string(), key)]);
}

/// The demo's responder suspends one agent and kills another while the
/// simulator drives them: the agents' refused calls right after are how
/// they learn it, and page nobody. The same run with R18 on the first
/// refusal (the old behaviour) does page: the setup reaches the rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_does_not_page_on_the_responders_own_freeze_or_kill() {
    let eager = RuleThresholds {
        refused_attempts: 1,
        refused_grace_seconds: 0,
        ..warden::demo::thresholds()
    };
    for (rules, pages) in [(warden::demo::thresholds(), false), (eager, true)] {
        let demo = Demo::start(DemoOptions {
            incidents: None,
            rules,
            ..DemoOptions::new(30, 5, "127.0.0.1:0".parse().unwrap())
        })
        .await
        .expect("the demo starts");
        let client = Client::new(&demo.url, Some(&demo.token)).unwrap();
        // Two agents the simulator is driving.
        let deadline = Instant::now() + Duration::from_secs(15);
        let driven = loop {
            let page = client.agents_page(500, None).await.expect("agents");
            let driven: Vec<String> = page
                .items
                .iter()
                .filter(|a| a.last_seen_at.is_some() && a.status == AgentStatus::Active)
                .map(|a| a.id.clone())
                .collect();
            if driven.len() >= 2 {
                break driven;
            }
            assert!(Instant::now() < deadline, "the simulator drove nobody");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        client
            .suspend(&driven[0], "looks odd")
            .await
            .expect("suspend");
        let kill = KillRequest {
            reason: "compromised".into(),
            cascade: false,
            dry_run: false,
        };
        client.kill(&driven[1], &kill).await.expect("kill");
        // 30 agents, 40 calls a second: each is called again within one.
        let r18 = || async {
            client
                .alerts()
                .await
                .expect("alerts")
                .into_iter()
                .filter(|a| a.rule == "R18")
                .count()
        };
        let deadline = Instant::now() + Duration::from_secs(4);
        while Instant::now() < deadline && r18().await == 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(r18().await > 0, pages, "R18 paged: {}", r18().await);
        demo.shutdown().await;
    }
}

//! Alertmanager as a second kind of backend, against a real Alertmanager
//! (Debian's `prometheus-alertmanager`, started and stopped by each test;
//! see `support::alertmanager`): its alerts read and matched to a Warden
//! backend's agents in the dashboard, the silence an acknowledgement makes,
//! an Alertmanager that is down, `warden alerts` and `warden ack` on the
//! command line, and `warden serve --alertmanager` pushing Warden's own
//! alerts there.

use crate::support::server;

use crate::support::alertmanager::{Alertmanager, fingerprint};
use crate::support::server::TestServer;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;
use warden::alertmanager::Settings;
use warden::api::client::Client;
use warden::config::{RuleThresholds, ServeConfig};
use warden::model::{AlertStatus, Severity};
use warden::sources::{self, Origin, SourceHandle};
use warden::tui::app::{App, Health, Level, Options};
use warden::tui::effects::am_route::{self, AmTarget, Responder};
use warden::tui::effects::runner::{Route, Runner};
use warden::tui::msg::Msg;

const REFRESH: Duration = Duration::from_millis(150);

/// A server whose rules fire only when a test sweeps.
async fn quiet_server(alertmanager: Vec<String>) -> TestServer {
    TestServer::start_with(ServeConfig {
        rules: RuleThresholds {
            sweep_interval_seconds: 0,
            ..Default::default()
        },
        alertmanager,
        ..Default::default()
    })
    .await
}

/// The dashboard's state, runner and sources over one Warden backend
/// (`prod`, with `token`) and one Alertmanager (`alerts`), as `warden`
/// starts them.
struct Dash {
    app: App,
    runner: Runner,
    rx: mpsc::Receiver<Msg>,
    _sources: Vec<SourceHandle>,
}

impl Dash {
    fn start(prod: &TestServer, token: &str, am_url: &str) -> Dash {
        let (tx, rx) = mpsc::channel(256);
        let client = Client::new(&prod.url, Some(token)).unwrap();
        let origin = Origin {
            index: 0,
            scope: Some("prod".into()),
        };
        let warden = sources::warden::spawn(client.clone(), REFRESH, tx.clone(), origin);
        let routes = vec![Route {
            client: client.clone(),
            poker: warden.poker(),
            scope: Some("prod".into()),
        }];
        let targets = [AmTarget {
            name: "alerts".into(),
            url: am_url.into(),
            token: None,
            settings: Settings::default(),
        }];
        let responder = Responder::new(vec![client]);
        let (mut sources, am_routes) =
            am_route::start(&targets, 1, true, REFRESH, &tx, &responder).unwrap();
        sources.push(warden);
        Dash {
            app: App::with_backends(
                &[("prod", &prod.url), ("alerts", am_url)],
                Options::default(),
            ),
            runner: Runner::routed(routes, tx).with_alertmanagers(am_routes),
            rx,
            _sources: sources,
        }
    }

    /// Feeds messages to the app (and its effects to the runner) until
    /// `done` holds; fails after ten seconds.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(&self.app) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("timed out waiting for {what}; flash {:?}", self.app.flash)
                })
                .expect("the channel stays open");
            for effect in self.app.handle_msg(msg) {
                self.runner.handle(effect);
            }
        }
    }

    fn key(&mut self, code: KeyCode) {
        for effect in self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE)) {
            self.runner.handle(effect);
        }
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn alert(&self, id: &str) -> warden::model::Alert {
        self.app
            .fleet
            .alert(id)
            .unwrap_or_else(|| panic!("no alert {id}"))
            .clone()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn alerts_are_read_and_matched_to_agents_by_id_and_by_name() {
    let Some(am) = Alertmanager::start().await else {
        return;
    };
    let prod = quiet_server(vec![]).await;
    let support = id(&prod.agent("support-bot").await);
    let billing = id(&prod.agent("billing-bot").await);
    am.fire(
        json!({"alertname": "TokenLeak", "severity": "critical", "agent_id": support}),
        json!({"summary": "a token was posted in #general", "description": "seen twice"}),
    )
    .await;
    am.fire(
        json!({"alertname": "HighSpend", "severity": "warning", "agent": "billing-bot"}),
        json!({"description": "spend is 4x the usual"}),
    )
    .await;
    am.fire(
        json!({"alertname": "Orphan", "agent_id": "agt_ghost"}),
        json!({}),
    )
    .await;
    am.fire(
        json!({"alertname": "DiskFull", "severity": "sev9"}),
        json!({}),
    )
    .await;
    let raw = am.alerts_until("four alerts", |a| a.len() == 4).await;

    let token = prod.token("viewer").await;
    let mut d = Dash::start(&prod, &token, &am.url);
    // An Alertmanager poll may come before the agents: the next one
    // matches them.
    let leak_id = format!("alerts/{}", fingerprint(&raw, "TokenLeak"));
    let spend_id = format!("alerts/{}", fingerprint(&raw, "HighSpend"));
    d.until("four Alertmanager alerts matched to two agents", |a| {
        let on = |id: &str| a.fleet.alert(id).and_then(|x| x.agent_id.clone());
        a.fleet.alerts().count() == 4
            && on(&leak_id).is_some_and(|x| x.starts_with("prod/"))
            && on(&spend_id).is_some_and(|x| x.starts_with("prod/"))
    })
    .await;

    let leak = d.alert(&leak_id);
    assert_eq!(leak.agent_id, Some(format!("prod/{support}")), "by id");
    assert_eq!(leak.severity, Severity::Critical);
    assert_eq!(leak.source, "alertmanager");
    assert_eq!(leak.status, AlertStatus::Open);
    assert_eq!(leak.summary, "a token was posted in #general");
    assert!(
        leak.evidence.starts_with("seen twice · labels: "),
        "{}",
        leak.evidence
    );

    let spend = d.alert(&spend_id);
    assert_eq!(spend.agent_id, Some(format!("prod/{billing}")), "by name");
    assert_eq!(spend.severity, Severity::Medium);
    assert_eq!(spend.summary, "spend is 4x the usual");

    let orphan = d.alert(&format!("alerts/{}", fingerprint(&raw, "Orphan")));
    assert_eq!(
        orphan.agent_id.as_deref(),
        Some("agt_ghost"),
        "kept as the label said"
    );
    let disk = d.alert(&format!("alerts/{}", fingerprint(&raw, "DiskFull")));
    assert_eq!(disk.agent_id, None);
    assert_eq!(disk.severity, Severity::Medium, "an unknown word is medium");

    // They count towards their agents' risk like Warden's own.
    let i = d.app.fleet.position(&format!("prod/{support}")).unwrap();
    let s = d.app.fleet.summary(i);
    assert_eq!((s.open_alerts, s.risk), (1, Some(Severity::Critical)));
    assert_eq!(d.app.backends[1].health, Health::Ok);
    assert!(
        d.app.backends[1].identity.is_none(),
        "Alertmanager has no whoami"
    );

    // Resolved in Alertmanager: gone from the dashboard on a later poll.
    am.push(json!([{
        "labels": {"alertname": "HighSpend", "severity": "warning", "agent": "billing-bot"},
        "endsAt": (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339(),
    }]))
    .await;
    let gone = spend.id.clone();
    d.until("the resolved alert to go", |a| {
        a.fleet.alert(&gone).is_none()
    })
    .await;
    let j = d.app.fleet.position(&format!("prod/{billing}")).unwrap();
    assert_eq!(d.app.fleet.summary(j).open_alerts, 0);
}

#[tokio::test]
async fn acknowledging_makes_a_silence_under_the_responders_name() {
    let Some(am) = Alertmanager::start().await else {
        return;
    };
    let prod = quiet_server(vec![]).await;
    let support = id(&prod.agent("support-bot").await);
    am.fire(
        json!({"alertname": "TokenLeak", "severity": "critical", "agent_id": support}),
        json!({"summary": "a token was posted"}),
    )
    .await;
    let raw = am.alerts_until("the alert", |a| a.len() == 1).await;
    let alert_id = format!("alerts/{}", fingerprint(&raw, "TokenLeak"));

    let token = prod.token("responder").await;
    let mut d = Dash::start(&prod, &token, &am.url);
    d.until("the alert on its agent", |a| {
        a.fleet
            .alert(&alert_id)
            .is_some_and(|x| x.agent_id == Some(format!("prod/{support}")))
    })
    .await;
    d.key(KeyCode::Char(':'));
    d.typed("alerts");
    d.key(KeyCode::Enter);
    assert_eq!(
        d.app.selected_alert().map(|a| a.id.clone()),
        Some(alert_id.clone())
    );
    d.key(KeyCode::Char('a'));
    // The dialog opens on Cancel: to the button, then the reason.
    d.key(KeyCode::Right);
    d.key(KeyCode::Tab);
    d.typed("rotating the token now");
    d.key(KeyCode::Tab);
    d.key(KeyCode::Tab);
    d.key(KeyCode::Enter);
    // Nothing is done before Alertmanager answers.
    let f = d.app.flash.clone().unwrap();
    assert_eq!(f.level, Level::Pending, "{}", f.text);

    d.until("the silence", |a| {
        a.flash.as_ref().is_some_and(|f| f.level != Level::Pending)
    })
    .await;
    let f = d.app.flash.clone().unwrap();
    assert_eq!(f.level, Level::Success, "{}", f.text);
    let silences = am.silences().await;
    assert_eq!(silences.len(), 1, "{silences:#?}");
    let s = &silences[0];
    let silence_id = s["id"].as_str().unwrap();
    assert!(
        f.text
            .contains(&format!("Alertmanager silence {silence_id}"))
            && f.text.contains("support-bot"),
        "{}",
        f.text
    );
    // The name Warden knows the token by (a person token without a person).
    assert_eq!(s["createdBy"], "responder-token");
    assert_eq!(s["comment"], "rotating the token now");
    assert_eq!(s["status"]["state"], "active");
    let mut matchers: Vec<(String, String)> = s["matchers"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|m| assert!(m["isEqual"] == true && m["isRegex"] == false, "{m}"))
        .map(|m| {
            (
                m["name"].as_str().unwrap().into(),
                m["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    matchers.sort();
    assert_eq!(
        matchers,
        [
            ("agent_id".to_string(), support.clone()),
            ("alertname".into(), "TokenLeak".into()),
            ("severity".into(), "critical".into()),
        ]
    );
    let hours = (chrono::DateTime::parse_from_rfc3339(s["endsAt"].as_str().unwrap()).unwrap()
        - chrono::DateTime::parse_from_rfc3339(s["startsAt"].as_str().unwrap()).unwrap())
    .num_minutes();
    assert!(
        (239..=240).contains(&hours),
        "four hours by default, got {hours} min"
    );

    // The next poll shows it acknowledged, by whom and why.
    d.until("the alert acknowledged", |a| {
        a.fleet
            .alert(&alert_id)
            .is_some_and(|x| x.status == AlertStatus::Acknowledged)
    })
    .await;
    let acked = d.alert(&alert_id);
    assert_eq!(acked.acknowledged_by.as_deref(), Some("responder-token"));
    assert_eq!(acked.ack_reason.as_deref(), Some("rotating the token now"));
    assert!(
        acked
            .evidence
            .contains(&format!("silenced by {silence_id}"))
    );
    let raw = am.alerts().await;
    assert_eq!(raw[0]["status"]["state"], "suppressed");

    // The dialog said what Alertmanager did; closed, a second `a` says
    // it is done already, and makes nothing.
    match &d.app.overlay {
        warden::tui::app::Overlay::Confirm(c) => match &c.phase {
            warden::tui::popups::confirm::Phase::Done { ok, message, .. } => {
                assert!(*ok);
                assert_eq!(message, &format!("Alertmanager made silence {silence_id}"));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    d.key(KeyCode::Esc);
    assert_eq!(d.app.overlay, warden::tui::app::Overlay::None);
    d.key(KeyCode::Char('a'));
    let f = d.app.flash.clone().unwrap();
    assert!(
        f.text.contains("already acknowledged by responder-token"),
        "{}",
        f.text
    );
    assert_eq!(am.silences().await.len(), 1);

    // `f` on it freezes its agent, on the agent's own Warden backend.
    d.key(KeyCode::Char('f'));
    let agent = format!("prod/{support}");
    d.until("the agent frozen", |a| {
        a.fleet
            .agent(&agent)
            .is_some_and(|x| x.status == warden::model::AgentStatus::Suspended)
    })
    .await;
    assert_eq!(prod.detail(&support).await["status"], "suspended");
}

#[tokio::test]
async fn an_alertmanager_that_is_down_is_shown_down_and_the_rest_works() {
    let Some(mut am) = Alertmanager::start().await else {
        return;
    };
    let prod = quiet_server(vec![]).await;
    prod.agent("support-bot").await;
    am.fire(
        json!({"alertname": "Before", "agent": "support-bot"}),
        json!({}),
    )
    .await;
    am.alerts_until("the alert", |a| a.len() == 1).await;
    let token = prod.token("viewer").await;
    let mut d = Dash::start(&prod, &token, &am.url);
    d.until("the alert", |a| a.fleet.alerts().count() == 1)
        .await;

    am.stop();
    d.until("the Alertmanager down", |a| {
        a.backends[1].health == Health::Down
    })
    .await;
    let err = d.app.backends[1].last_error.clone().unwrap();
    assert!(err.contains("cannot reach the Alertmanager"), "{err}");
    assert_eq!(d.app.backends[0].health, Health::Ok);
    // Its last answer stays on screen, marked stale.
    let kept = d.app.fleet.alerts().next().unwrap().id.clone();
    assert!(d.app.stale(&kept));
    prod.agent("billing-bot").await;
    d.until("the Warden backend still polled", |a| a.fleet.len() == 2)
        .await;
}

#[tokio::test]
async fn warden_serve_pushes_its_alerts_and_resolves_them_there() {
    let Some(am) = Alertmanager::start().await else {
        return;
    };
    let prod = quiet_server(vec![am.url.clone()]).await;
    let bot = id(&prod.agent("orphan-bot").await);
    prod.sweep_at(chrono::Utc::now()).await;
    let (_, alerts) = prod
        .call("GET", "/v1/alerts", Some(server::ADMIN), None)
        .await;
    let r01 = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "R01")
        .expect("R01 fired")
        .clone();

    let pushed = am
        .alerts_until("Warden's R01", |a| {
            a.iter()
                .any(|x| x["labels"]["warden_alert_id"] == r01["id"])
        })
        .await;
    let a = pushed
        .iter()
        .find(|x| x["labels"]["warden_alert_id"] == r01["id"])
        .unwrap();
    assert_eq!(a["labels"]["alertname"], "R01");
    assert_eq!(a["labels"]["source"], "warden");
    assert_eq!(a["labels"]["severity"], "high");
    assert_eq!(a["labels"]["agent_id"], bot.as_str());
    assert_eq!(a["labels"]["agent"], "orphan-bot");
    assert_eq!(a["annotations"]["summary"], r01["summary"]);
    assert_eq!(a["annotations"]["evidence"], r01["evidence"]);
    assert_eq!(a["annotations"]["status"], "open");

    // Acknowledged in Warden: still firing there, saying so.
    prod.admin(
        "POST",
        &format!("/v1/alerts/{}/ack", id(&r01)),
        json!({"reason": "finding an owner"}),
    )
    .await;
    am.alerts_until("the acknowledgement", |a| {
        a.iter().any(|x| {
            x["labels"]["warden_alert_id"] == r01["id"]
                && x["annotations"]["status"] == "acknowledged"
                && x["annotations"]["ack_reason"] == "finding an owner"
        })
    })
    .await;

    // The cause goes away: resolved in Warden, and so in Alertmanager.
    prod.person("Ada", "ada@example.com").await;
    prod.admin(
        "POST",
        &format!("/v1/agents/{bot}/owner"),
        json!({"owner": "ada@example.com", "reason": "hers now"}),
    )
    .await;
    prod.sweep_at(chrono::Utc::now()).await;
    am.alerts_until("R01 resolved", |a| {
        !a.iter()
            .any(|x| x["labels"]["warden_alert_id"] == r01["id"])
    })
    .await;
}

/// The command line: `warden serve --alertmanager`, `warden alerts` and
/// `warden ack`, all as the real binary.
mod cli {
    use super::*;
    use crate::support::cli::{ADMIN, Server, closed_port, write_file};

    fn config(dir: &std::path::Path, am_url: &str) -> String {
        let path = dir.join("am.toml");
        write_file(
            &path,
            &format!(
                "[serve.rules]\nsweep_interval_seconds = 1\n\n\
                 [[backend]]\nname = \"alerts\"\nkind = \"alertmanager\"\nurl = \"{am_url}\"\n"
            ),
        );
        path.display().to_string()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn serve_pushes_and_alerts_lists_and_ack_silences() {
        let Some(am) = Alertmanager::start().await else {
            return;
        };
        let home = tempfile::tempdir().unwrap();
        let cfg = config(home.path(), &am.url);
        let s = tokio::task::spawn_blocking({
            let (cfg, url) = (cfg.clone(), am.url.clone());
            move || Server::start_with(&["--config", &cfg, "--alertmanager", &url])
        })
        .await
        .unwrap();
        let bot = s.json(&[
            "register",
            "orphan-bot",
            "--kind",
            "chatbot",
            "--env",
            "prod",
        ]);
        let bot_id = id(&bot);
        // The sweep (every second here) fires R01; the pusher sends it on.
        am.alerts_until("Warden's R01 pushed by warden serve", |a| {
            a.iter().any(|x| x["labels"]["agent_id"] == bot_id.as_str())
        })
        .await;
        am.fire(
            json!({"alertname": "TokenLeak", "severity": "critical", "agent": "orphan-bot"}),
            json!({"summary": "a token was posted\u{1b}[2J"}),
        )
        .await;
        let raw = am.alerts_until("both", |a| a.len() == 2).await;
        let leak = fingerprint(&raw, "TokenLeak");

        let run = |args: Vec<String>| {
            let s = &s;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            s.run(&args)
        };
        let listed = run(vec![
            "--config".into(),
            cfg.clone(),
            "alerts".into(),
            "--json".into(),
        ]);
        listed.assert_code(0);
        let all: Vec<Value> = serde_json::from_str(&listed.stdout).unwrap();
        let mine: Vec<&Value> = all.iter().filter(|a| a["source"] == "warden").collect();
        assert_eq!(mine.len(), 1, "{all:#?}");
        assert_eq!(mine[0]["rule"], "R01");
        let theirs: Vec<&Value> = all
            .iter()
            .filter(|a| a["source"] == "alertmanager")
            .collect();
        assert_eq!(theirs.len(), 2, "{all:#?}");
        let l = theirs
            .iter()
            .find(|a| a["id"] == format!("alerts/{leak}").as_str())
            .expect("the leak, qualified");
        assert_eq!(l["agent_id"], bot_id.as_str(), "matched by name");
        assert_eq!(l["severity"], "critical");
        assert_eq!(l["status"], "open");
        // Warden's own R01, back from Alertmanager, names the agent by id.
        let echo = theirs.iter().find(|a| a["rule"] == "R01").unwrap();
        assert_eq!(echo["agent_id"], bot_id.as_str());

        let text = run(vec!["--config".into(), cfg.clone(), "alerts".into()]);
        text.assert_code(0);
        assert!(text.stdout.contains("SOURCE"), "{}", text.stdout);
        assert!(
            text.stdout.contains(&format!("alerts/{leak}")),
            "{}",
            text.stdout
        );
        assert!(!text.stdout.contains('\u{1b}'), "escaped: {}", text.stdout);
        assert!(text.stdout.contains("\\x1b[2J"), "{}", text.stdout);

        let acked = run(vec![
            "--config".into(),
            cfg.clone(),
            "ack".into(),
            format!("alerts/{leak}"),
            "--reason".into(),
            "revoking it".into(),
        ]);
        acked.assert_code(0);
        let silences = am.silences().await;
        assert_eq!(silences.len(), 1, "{silences:#?}");
        let sid = silences[0]["id"].as_str().unwrap();
        assert!(
            acked.stdout.contains(&format!("Silence {sid}.")),
            "{}",
            acked.stdout
        );
        assert_eq!(silences[0]["comment"], "revoking it");
        let whoami: Value = {
            let r = reqwest::Client::new()
                .get(format!("{}/v1/whoami", s.url))
                .bearer_auth(ADMIN)
                .send()
                .await
                .unwrap();
            r.json().await.unwrap()
        };
        assert_eq!(silences[0]["createdBy"], whoami["name"]);

        // Again: already silenced, nothing new made.
        let again = run(vec![
            "--config".into(),
            cfg.clone(),
            "ack".into(),
            format!("alerts/{leak}"),
            "--reason".into(),
            "again".into(),
            "--json".into(),
        ]);
        again.assert_code(0);
        let v: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(v["already_silenced"], true);
        assert_eq!(v["silence_id"], sid);
        assert_eq!(v["alert"]["status"], "acknowledged");
        assert_eq!(v["alert"]["id"], format!("alerts/{leak}").as_str());
        assert_eq!(am.silences().await.len(), 1);

        let missing = run(vec![
            "--config".into(),
            cfg.clone(),
            "ack".into(),
            "alerts/0000".into(),
            "--reason".into(),
            "x".into(),
        ]);
        missing.assert_code(3).assert_error("no alert 0000");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn alerts_warns_of_an_alertmanager_that_is_down_and_still_lists_wardens() {
        let home = tempfile::tempdir().unwrap();
        let down = format!("http://127.0.0.1:{}", closed_port());
        let cfg = config(home.path(), &down);
        let s = tokio::task::spawn_blocking({
            let cfg = cfg.clone();
            move || Server::start_with(&["--config", &cfg])
        })
        .await
        .unwrap();
        let bot = s.json(&[
            "register",
            "orphan-bot",
            "--kind",
            "chatbot",
            "--env",
            "prod",
        ]);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let listed = loop {
            let r = s.run(&["--config", &cfg, "alerts", "--json"]);
            let all: Vec<Value> = serde_json::from_str(&r.stdout).unwrap_or_default();
            if !all.is_empty() || std::time::Instant::now() > deadline {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        listed.assert_code(1);
        let all: Vec<Value> = serde_json::from_str(&listed.stdout).unwrap();
        assert_eq!(all.len(), 1, "Warden's alert is not hidden: {all:#?}");
        assert_eq!(all[0]["agent_id"], bot["id"]);
        assert!(
            listed
                .stderr
                .starts_with("warden: warning: backend \"alerts\": cannot reach the Alertmanager"),
            "{}",
            listed.stderr
        );
        assert!(
            listed.stderr.contains("its alerts are not listed"),
            "{}",
            listed.stderr
        );

        let ack = s.run(&["--config", &cfg, "ack", "alerts/abc", "--reason", "x"]);
        ack.assert_code(1)
            .assert_error("cannot reach the Alertmanager");
    }
}

/// Without an Alertmanager: what the app makes of a silence's answer, and
/// of a failure, given the same keys.
#[test]
fn the_flash_names_the_silence_only_once_alertmanager_answered() {
    use warden::sources::SourceEvent;
    use warden::tui::msg::{Action, Effect, Outcome};
    let mut app = App::with_backends(
        &[("prod", "http://p:1"), ("alerts", "http://a:9093")],
        Options::default(),
    );
    let mut alert = warden::model::Alert {
        id: "alerts/fp1".into(),
        agent_id: Some("ghost".into()),
        rule: "TokenLeak".into(),
        severity: Severity::Critical,
        summary: "a token was posted".into(),
        evidence: String::new(),
        mapping: Vec::new(),
        status: AlertStatus::Open,
        source: "alertmanager".into(),
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        acknowledged_by: None,
        ack_reason: None,
        resolved_at: None,
        snoozed_until: None,
        snoozed_by: None,
        snooze_reason: None,
        rev: 0,
    };
    app.handle_msg(Msg::Source {
        backend: 1,
        event: SourceEvent::Alerts {
            alerts: vec![alert.clone()],
            latency: Duration::from_millis(3),
        },
    });
    let press = |app: &mut App, code| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    for c in ":alerts".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    for ack in [true, false] {
        press(&mut app, KeyCode::Char('a'));
        let warden::tui::app::Overlay::Confirm(d) = &app.overlay else {
            panic!("no dialog: {:?}", app.flash);
        };
        assert!(
            d.blast.iter().any(|l| l.contains("a silence")),
            "{:?}",
            d.blast
        );
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        for c in "on it".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        let effects = press(&mut app, KeyCode::Enter);
        let [Effect::Run { id, action }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(
            action,
            &Action::Ack {
                alert_id: "alerts/fp1".into(),
                reason: "on it".into()
            }
        );
        assert_eq!(app.flash.as_ref().unwrap().level, Level::Pending);
        let result = if ack {
            alert.status = AlertStatus::Acknowledged;
            alert.acknowledged_by = Some("Ada".into());
            Ok(Outcome::Silenced {
                alert: alert.clone(),
                silence_id: "sil-1\u{1b}".into(),
            })
        } else {
            Err("the Alertmanager at http://a:9093 refused: bad matcher (HTTP 400)".into())
        };
        app.handle_msg(Msg::Action { id: *id, result });
        let f = app.flash.clone().unwrap();
        if ack {
            assert_eq!(f.level, Level::Success);
            assert_eq!(
                f.text,
                "acknowledged TokenLeak on ghost: Alertmanager silence sil-1\\x1b, by Ada"
            );
        } else {
            assert_eq!(f.level, Level::Error);
            assert!(f.text.contains("bad matcher"), "{}", f.text);
        }
        press(&mut app, KeyCode::Esc);
    }
}

//! The reads the dashboard makes beside the changes feed: the audit tail
//! and its verification, one agent's detail and audit trail, one alert in
//! full (its evidence, which the lean first sync leaves out). Each runs on
//! its own task and answers with a [`Msg`]; the app keeps at most one of
//! each kind in flight, so a slow backend is never asked twice over.

use crate::api::AuditQuery;
use crate::api::client::Client;
use crate::fleet::origin::{self, Qualify};
use crate::tui::msg::{Effect, Msg};
use crate::tui::screens::audit::state::PAGE;
use tokio::sync::mpsc;

/// Whether `effect` is one of the reads this module carries out.
pub fn is_read(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::FetchAudit { .. }
            | Effect::VerifyAudit { .. }
            | Effect::FetchDetail { .. }
            | Effect::FetchTrail { .. }
            | Effect::FetchAlert { .. }
    )
}

/// Starts the read `effect` asks for and returns at once; its answer goes
/// to `tx`. Any other effect is not a read and is ignored. `scope` is the
/// backend's name when the dashboard merges several: `effect` then names
/// the agent as its backend does, and the answer is qualified again.
pub fn spawn(client: &Client, tx: &mpsc::Sender<Msg>, effect: Effect, scope: Option<String>) {
    if !is_read(&effect) {
        return;
    }
    let (client, tx) = (client.clone(), tx.clone());
    tokio::spawn(async move {
        let msg = read(&client, effect).await.map(|m| match &scope {
            Some(s) => qualified(m, s),
            None => m,
        });
        if let Some(msg) = msg {
            // The dashboard may have quit meanwhile; nobody to tell.
            let _ = tx.send(msg).await;
        }
    });
}

/// An answer about an agent, with its ids as the merged fleet has them.
fn qualified(msg: Msg, scope: &str) -> Msg {
    let q = |id: String| format!("{scope}{}{id}", origin::SEPARATOR);
    match msg {
        Msg::Detail { agent_id, result } => Msg::Detail {
            agent_id: q(agent_id),
            result: result.map(|mut d| {
                d.qualify(scope);
                d
            }),
        },
        Msg::Trail { agent_id, result } => Msg::Trail {
            agent_id: q(agent_id),
            result,
        },
        Msg::AlertRead { alert_id, result } => Msg::AlertRead {
            alert_id: q(alert_id),
            result: result.map(|mut a| {
                a.qualify(scope);
                a
            }),
        },
        other => other,
    }
}

async fn read(client: &Client, effect: Effect) -> Option<Msg> {
    let text = |e: crate::api::client::ClientError| e.to_string();
    Some(match effect {
        Effect::FetchAudit { after, tail, .. } => {
            let query = AuditQuery {
                after,
                // A page at a time after the tail: the app asks again
                // while pages come back full.
                limit: tail.is_none().then_some(PAGE),
                tail,
                ..AuditQuery::default()
            };
            Msg::Audit(client.audit_query(&query).await.map_err(text))
        }
        Effect::VerifyAudit { .. } => Msg::AuditVerified(client.audit_verify().await.map_err(text)),
        Effect::FetchDetail { agent_id } => {
            let result = client.get_agent(&agent_id).await;
            Msg::Detail {
                agent_id,
                result: result.map(Box::new).map_err(text),
            }
        }
        Effect::FetchAlert { alert_id } => {
            let result = client.alert(&alert_id).await;
            Msg::AlertRead {
                alert_id,
                result: result.map(Box::new).map_err(text),
            }
        }
        Effect::FetchTrail { agent_id, tail } => {
            let query = AuditQuery {
                tail: Some(tail),
                agent: Some(agent_id.clone()),
                ..AuditQuery::default()
            };
            Msg::Trail {
                agent_id,
                result: client.audit_query(&query).await.map_err(text),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{NewAgent, NewCredential};
    use crate::config::ServeConfig;
    use crate::model::AgentKind;
    use crate::server;
    use std::time::Duration;

    const ADMIN: &str = "wdn_pt_fetch-test-admin-0123456789";

    async fn next(rx: &mut mpsc::Receiver<Msg>) -> Msg {
        tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("an answer in time")
            .expect("the channel is open")
    }

    #[tokio::test]
    async fn each_read_answers_with_its_message() {
        let store = server::open_store("sqlite::memory:").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let srv = server::start(
            store,
            // No rules: the trail read below is the registration's alone.
            ServeConfig {
                rules: crate::config::RuleThresholds {
                    sweep_interval_seconds: 0,
                    ..Default::default()
                },
                ..Default::default()
            },
            Some(ADMIN),
            listener,
        )
        .await
        .unwrap();
        let client = Client::new(&srv.url, Some(ADMIN)).unwrap();
        for name in ["bot", "other"] {
            let agent = NewAgent {
                name: name.into(),
                kind: AgentKind::Chatbot,
                environment: "prod".into(),
                owner: None,
                description: None,
                runtime: None,
                labels: Default::default(),
            };
            client.create_agent(&agent).await.unwrap();
        }
        let cred = NewCredential {
            scopes: vec!["a:read".into()],
            ttl_seconds: None,
        };
        client.issue_credential("bot", &cred).await.unwrap();
        let (tx, mut rx) = mpsc::channel(8);

        spawn(
            &client,
            &tx,
            Effect::FetchAudit {
                backend: 0,
                after: 0,
                tail: Some(2),
            },
            None,
        );
        let Msg::Audit(Ok(tail)) = next(&mut rx).await else {
            panic!("expected the audit tail");
        };
        assert_eq!(tail.len(), 2, "the newest two");
        assert_eq!(tail[1].action, "credential.issue");
        let last = tail[1].seq;
        spawn(
            &client,
            &tx,
            Effect::FetchAudit {
                backend: 0,
                after: last - 1,
                tail: None,
            },
            None,
        );
        match next(&mut rx).await {
            Msg::Audit(Ok(page)) => assert_eq!(page.len(), 1),
            other => panic!("{other:?}"),
        }

        spawn(&client, &tx, Effect::VerifyAudit { backend: 0 }, None);
        match next(&mut rx).await {
            Msg::AuditVerified(Ok(v)) => assert!(v.ok && v.entries >= last, "{v:?}"),
            other => panic!("{other:?}"),
        }

        spawn(
            &client,
            &tx,
            Effect::FetchDetail {
                agent_id: "bot".into(),
            },
            None,
        );
        match next(&mut rx).await {
            Msg::Detail {
                agent_id,
                result: Ok(d),
            } => {
                assert_eq!((agent_id.as_str(), d.agent.name.as_str()), ("bot", "bot"));
                assert_eq!(d.activity.len(), 60, "a value per minute of the hour");
            }
            other => panic!("{other:?}"),
        }

        spawn(
            &client,
            &tx,
            Effect::FetchTrail {
                agent_id: "bot".into(),
                tail: 10,
            },
            None,
        );
        match next(&mut rx).await {
            Msg::Trail {
                result: Ok(trail), ..
            } => {
                let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
                assert_eq!(actions, ["agent.register", "credential.issue"]);
            }
            other => panic!("{other:?}"),
        }

        // An error comes back as the message's error, never as silence.
        spawn(
            &client,
            &tx,
            Effect::FetchDetail {
                agent_id: "nobody".into(),
            },
            None,
        );
        match next(&mut rx).await {
            Msg::Detail { result: Err(e), .. } => assert!(e.contains("404"), "{e}"),
            other => panic!("{other:?}"),
        }
        // Not a read: nothing is started.
        spawn(&client, &tx, Effect::PollNow, None);
        assert!(
            tokio::time::timeout(Duration::from_millis(200), rx.recv())
                .await
                .is_err()
        );
    }
}

//! The dashboard on the summary form (issue 18), against a real server
//! holding a generated fleet of 10,000 agents: the first sync carries no
//! credential, the credentials view reads every one and shows their true
//! count (and says so while it reads), and opening an agent reads its own.

use crate::support::dashboard::{command, filter, render};
use crate::support::server::*;
use std::time::Instant;
use warden::api::client::Client;
use warden::config::ServeConfig;
use warden::model::CredentialStatus;
use warden::sources::SourceEvent;
use warden::tui::app::{App, Options};
use warden::tui::msg::{Effect, Msg};
use warden::tui::screens::Screen;
use warden::tui::views::Clock;

const AGENTS: usize = 10_000;

async fn fleet_server() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("warden.db");
    {
        let store = warden::server::open_store(&format!("sqlite:{}", db.display())).unwrap();
        let fleet = warden::demo::fleet::generate(AGENTS, 7, chrono::Utc::now());
        store
            .import(&warden::server::store::Actor::new("test"), fleet.import)
            .await
            .unwrap();
    }
    TestServer::start_on(dir, db, ServeConfig::default()).await
}

fn synced(changes: warden::api::Changes) -> App {
    let mut app = App::new("test", "http://127.0.0.1:1", Options::default());
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency: std::time::Duration::from_millis(5),
        },
    });
    app
}

#[tokio::test]
async fn the_credentials_view_reads_every_credential_and_shows_the_true_count() {
    let s = fleet_server().await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let first = client.changes_summary(0).await.unwrap();
    assert!(first.summary && first.credentials.is_empty() && first.grants.is_empty());
    let mut app = synced(first);
    assert_eq!(app.fleet.len(), AGENTS);
    let all = client.list_credentials().await.unwrap();
    let total = all.len();
    assert!(total >= AGENTS, "{total}");
    assert_eq!(
        app.fleet.credentials().count(),
        0,
        "no credential body synced"
    );
    assert_eq!(
        app.fleet.credentials_counted(),
        total,
        "but every one counted"
    );

    // `:creds` asks for them all, and says what it holds meanwhile.
    let effects = command(&mut app, "creds");
    assert!(
        effects.contains(&Effect::FetchCredentials { backend: 0 }),
        "{effects:?}"
    );
    let clock = Clock::now();
    let screen = render(&mut app, clock, 200, 20);
    assert!(
        screen.contains(&format!("0 of {total} held; reading every credential")),
        "{screen}"
    );
    // Asked once, not on every poll while the answer is on its way.
    assert!(command(&mut app, "creds").is_empty());

    let revoked = all
        .iter()
        .filter(|c| c.status == CredentialStatus::Revoked)
        .count();
    let t = Instant::now();
    app.handle_msg(Msg::Credentials {
        backend: 0,
        result: Ok(all),
    });
    let screen = render(&mut app, clock, 200, 20);
    let took = t.elapsed();
    assert!(
        screen.contains(&format!("credentials ({total})")),
        "{screen}"
    );
    assert!(!screen.contains("reading every credential"), "{screen}");
    assert_eq!(app.panes.creds.order.len(), total);
    // A debug build on a shared machine: generous, but not quadratic.
    assert!(took.as_secs() < 20, "{took:?}");

    filter(&mut app, "status:revoked");
    render(&mut app, clock, 200, 20);
    assert_eq!(app.panes.creds.order.len(), revoked);
}

#[tokio::test]
async fn a_failed_read_says_the_list_is_not_whole() {
    let s = fleet_server().await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let mut app = synced(client.changes_summary(0).await.unwrap());
    command(&mut app, "creds");
    app.handle_msg(Msg::Credentials {
        backend: 0,
        result: Err("the backend is down".into()),
    });
    let screen = render(&mut app, Clock::now(), 200, 20);
    assert!(screen.contains("only 0 of"), "{screen}");
    assert!(screen.contains("the backend is down"), "{screen}");
}

#[tokio::test]
async fn opening_an_agent_reads_its_credentials_and_grants() {
    let s = fleet_server().await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let mut app = synced(client.changes_summary(0).await.unwrap());
    // An agent holding both.
    let all = client.list_credentials().await.unwrap();
    let agent_id = all[0].agent_id.clone();
    let held = all.iter().filter(|c| c.agent_id == agent_id).count();
    let i = app.fleet.position(&agent_id).unwrap();
    assert_eq!(app.fleet.summary(i).credentials as usize, held);

    app.screens.push(Screen::Detail {
        agent_id: agent_id.clone(),
    });
    let clock = Clock::now();
    let screen = render(&mut app, clock, 200, 50);
    assert!(
        screen.contains(&format!("credentials ({held}) · reading them")),
        "{screen}"
    );
    let detail = client.get_agent(&agent_id).await.unwrap();
    let grants = detail.grants.len();
    app.handle_msg(Msg::Detail {
        agent_id: agent_id.clone(),
        result: Ok(Box::new(detail)),
    });
    let screen = render(&mut app, clock, 200, 50);
    assert!(!screen.contains("reading them"), "{screen}");
    assert_eq!(app.fleet.credentials_of(&agent_id).len(), held);
    assert_eq!(app.fleet.grants_of(&agent_id).len(), grants);
    assert!(screen.contains(&format!("grants ({grants}")), "{screen}");
}

/// What `read_pages` sent, in order.
async fn pages_of(s: &TestServer, size: usize) -> Vec<Msg> {
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(warden::tui::effects::credentials::read_pages(
        client, None, 0, size, tx,
    ));
    let mut msgs = Vec::new();
    while let Some(m) = rx.recv().await {
        msgs.push(m);
    }
    msgs
}

#[tokio::test]
async fn the_credentials_view_reads_pages_and_says_how_many_it_holds() {
    let s = fleet_server().await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let total = client.list_credentials().await.unwrap().len();
    let size = total / 3 + 1;
    let msgs = pages_of(&s, size).await;
    assert_eq!(msgs.len(), 3, "two full pages, then the last");

    let mut app = synced(client.changes_summary(0).await.unwrap());
    let effects = command(&mut app, "creds");
    assert!(effects.contains(&Effect::FetchCredentials { backend: 0 }));
    let clock = Clock::now();
    let mut read = 0;
    for (i, m) in msgs.into_iter().enumerate() {
        match &m {
            Msg::CredentialsPage { backend: 0, page } if i < 2 => read += page.len(),
            Msg::Credentials {
                backend: 0,
                result: Ok(page),
            } if i == 2 => read += page.len(),
            _ => panic!("page {i} is not what it should be"),
        }
        app.handle_msg(m);
        let screen = render(&mut app, clock, 200, 20);
        if i < 2 {
            // The view is usable meanwhile and says how far the read is.
            assert!(
                screen.contains(&format!("{read} of {total} held; reading every credential")),
                "{screen}"
            );
            assert!(!app.panes.creds.order.is_empty());
        } else {
            assert!(!screen.contains("reading"), "{screen}");
            assert!(
                screen.contains(&format!("credentials ({total})")),
                "{screen}"
            );
        }
    }
    assert_eq!(read, total);
    assert_eq!(app.panes.creds.order.len(), total);
    // The same server, to keep the suite quick.
    a_change_while_the_pages_come_in_is_kept_and_a_full_answer_reads_again(&client).await;
}

async fn a_change_while_the_pages_come_in_is_kept_and_a_full_answer_reads_again(client: &Client) {
    let first = client.changes_summary(0).await.unwrap();
    let all = client.list_credentials().await.unwrap();
    let (head, tail) = all.split_at(all.len() / 2);
    let mut app = synced(first.clone());
    command(&mut app, "creds");
    app.handle_msg(Msg::CredentialsPage {
        backend: 0,
        page: head.to_vec(),
    });
    // A poll revokes a credential the pages have not brought yet.
    let mut revoked = tail[0].clone();
    revoked.status = CredentialStatus::Revoked;
    revoked.rev += 1;
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: first.cursor + 1,
                summary: true,
                credentials: vec![revoked.clone()],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(5),
        },
    });
    app.handle_msg(Msg::Credentials {
        backend: 0,
        result: Ok(tail.to_vec()),
    });
    assert_eq!(
        app.fleet.credential(&revoked.id).map(|c| c.status),
        Some(CredentialStatus::Revoked),
        "the older copy in the page does not undo the poll"
    );
    assert!(app.fleet.credentials_complete());

    // A full answer while a read is under way: its pages are dropped and
    // the read is done again once it ends.
    let mut app = synced(first.clone());
    command(&mut app, "creds");
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(first),
            latency: std::time::Duration::from_millis(5),
        },
    });
    app.handle_msg(Msg::CredentialsPage {
        backend: 0,
        page: head.to_vec(),
    });
    assert_eq!(app.fleet.credentials_held(), 0, "a page of the old fleet");
    let effects = app.handle_msg(Msg::Credentials {
        backend: 0,
        result: Ok(tail.to_vec()),
    });
    assert!(
        effects.contains(&Effect::FetchCredentials { backend: 0 }),
        "{effects:?}"
    );
    assert!(!app.fleet.credentials_complete());
}

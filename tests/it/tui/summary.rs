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

//! One sweeper among servers sharing one PostgreSQL database: two real
//! `warden serve` processes, of which only the lease holder runs the
//! scheduled rules (counted by `warden_rule_sweeps_total`), and the other
//! takes over within seconds of the holder's SIGKILL.

use crate::support::serve::{ADMIN, ServeProcess};
use crate::support::server;
use std::time::{Duration, Instant};

/// A value of `GET /metrics`.
async fn metric(url: &str, name: &str) -> u64 {
    let text = reqwest::Client::new()
        .get(format!("{url}/metrics"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics body");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
        .parse()
        .expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_run_the_scheduled_rules_once_and_hand_over_when_one_dies() {
    if !server::postgres_available("two server processes sharing the rules' lease") {
        return;
    }
    let pg = server::PgDatabase::create();
    let home = tempfile::tempdir().expect("tempdir");
    let config = "[serve.rules]\nsweep_interval_seconds = 1\nsweep_lease_seconds = 2\n";
    let one = ServeProcess::start(home.path(), &pg.url, config);
    let two = ServeProcess::start(home.path(), &pg.url, config);
    tokio::time::sleep(Duration::from_secs(4)).await;

    let leads = [
        metric(&one.url, "warden_rule_sweeper").await,
        metric(&two.url, "warden_rule_sweeper").await,
    ];
    assert_eq!(leads.iter().sum::<u64>(), 1, "one holder: {leads:?}");
    let (leader, other) = if leads[0] == 1 {
        (one, two)
    } else {
        (two, one)
    };
    let led = metric(&leader.url, "warden_rule_sweeps_total").await;
    let followed = metric(&other.url, "warden_rule_sweeps_total").await;
    assert_eq!(followed, 0, "the server without the lease swept too");
    assert!(
        (2..=7).contains(&led),
        "a sweep a second for about 4 s, not {led}"
    );

    let died = Instant::now();
    leader.sigkill();
    loop {
        if metric(&other.url, "warden_rule_sweeper").await == 1 {
            break;
        }
        assert!(
            died.elapsed() < Duration::from_secs(6),
            "no handover 6 s after the holder died"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let handover = died.elapsed();
    // The lease (2 s) runs out, and the survivor tries every third of it.
    assert!(
        handover <= Duration::from_secs(4),
        "handover took {handover:?}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        metric(&other.url, "warden_rule_sweeps_total").await >= 1,
        "the survivor took the lease and did not sweep"
    );
}

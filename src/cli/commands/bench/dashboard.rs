//! The dashboard side, run in a child process so that its resident memory
//! is its own: a first sync over HTTP with the dashboard's client and app,
//! then frames, filter keystrokes, sorts and polls of 1,000 changes drawn
//! on a `TestBackend`.

use super::report::{median, ms, peak_mb, rss_mb};
use super::{ClientFigures, HEIGHT, TYPED, TYPED_FIELD, WIDTH};
use crate::api::client::Client;
use crate::api::lean;
use crate::api::{Changes, Holdings};
use crate::model::{AgentStatus, Credential, CredentialStatus};
use crate::sources::SourceEvent;
use crate::tui::app::{App, Options};
use crate::tui::msg::Msg;
use crate::tui::screens::agents::state::SortKey;
use crate::tui::theme::Theme;
use crate::tui::views::{self, Clock};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

pub(super) async fn client_side(url: &str, token: Option<&str>) -> anyhow::Result<ClientFigures> {
    let client = Client::new(url, token)?;
    let mut app = App::new("bench", url, Options::default());
    app.resize(WIDTH, HEIGHT);
    let theme = Theme::dark();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    let mut frame = |app: &App| -> anyhow::Result<()> {
        terminal.draw(|f| views::draw(f, app, &theme, Clock::now()))?;
        Ok(())
    };
    frame(&app)?;

    // The first sync: what the Warden source does, then what the app does
    // with its message, then the frame that shows it.
    let started = Instant::now();
    // The lean form, as the dashboard's source asks (issue 18).
    let changes = client.changes_first().await?;
    let fetched = started.elapsed();
    let latency = fetched;
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency,
        },
    });
    frame(&app)?;
    let synced = started.elapsed();
    let client_rss_mb = rss_mb();
    let agents_synced = app.fleet.len();

    let mut render = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        frame(&app)?;
        render.push(ms(t.elapsed()));
    }

    // A filter typed one key at a time into `/`, then erased: each key to
    // its frame.
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    app.handle_key(key(KeyCode::Char('/')));
    let mut typed = |text: &str, times: usize| -> anyhow::Result<Vec<f64>> {
        let mut took = Vec::new();
        for _ in 0..times {
            let keys = text
                .chars()
                .map(KeyCode::Char)
                .chain(std::iter::repeat_n(KeyCode::Backspace, text.len()));
            for code in keys {
                let t = Instant::now();
                app.handle_key(key(code));
                frame(&app)?;
                took.push(ms(t.elapsed()));
            }
        }
        Ok(took)
    };
    let filter = typed(TYPED, 3)?;
    let filter_field = typed(TYPED_FIELD, 2)?;
    app.handle_key(key(KeyCode::Esc));
    frame(&app)?;

    let mut sort = Vec::new();
    for _ in 0..2 {
        for k in [
            SortKey::Owner,
            SortKey::Status,
            SortKey::Risk,
            SortKey::LastSeen,
            SortKey::Alerts,
            SortKey::Name,
        ] {
            let t = Instant::now();
            app.panes.agents.sort_by(k);
            app.prepare();
            frame(&app)?;
            sort.push(ms(t.elapsed()));
        }
    }

    // Credentials the polls revoke, as the backend would list them (read
    // here, not held by the app: the dashboard holds none after its sync).
    let revocable: Vec<Credential> = client.list_credentials_page(None, 300 * 12).await?;
    let mut apply = Vec::new();
    for round in 0..7 {
        let changes = thousand_changes(&app, &revocable, round);
        let t = Instant::now();
        app.handle_msg(Msg::Source {
            backend: 0,
            event: SourceEvent::Synced {
                changes: Box::new(changes),
                latency: Duration::from_millis(1),
            },
        });
        apply.push(ms(t.elapsed()));
        frame(&app)?;
    }

    // The same, in its two parts (told on stderr, not in the figures):
    // the fleet taking the poll, then the views catching up with it.
    let (mut fleet_ms, mut views_ms) = (Vec::new(), Vec::new());
    for round in 7..12 {
        let changes = thousand_changes(&app, &revocable, round);
        let t = Instant::now();
        app.fleet.apply(changes);
        fleet_ms.push(ms(t.elapsed()));
        let t = Instant::now();
        app.prepare();
        views_ms.push(ms(t.elapsed()));
    }
    eprintln!(
        "warden bench: a poll of 1,000 changes: the fleet {:.2} ms, the views {:.2} ms (medians); \
         the dashboard's peak memory {:.0} MiB",
        median(fleet_ms),
        median(views_ms),
        peak_mb().unwrap_or(f64::NAN)
    );

    // The credentials view: every credential read from the backend a page
    // at a time, as `:creds` reads them, each page held, sorted and drawn;
    // the first page's frame is when the view is usable.
    let t = Instant::now();
    app.screens.push(crate::tui::screens::Screen::Creds);
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let reader = tokio::spawn(crate::tui::effects::credentials::read_pages(
        client.clone(),
        None,
        0,
        crate::tui::effects::credentials::PAGE,
        tx,
    ));
    let (mut credentials_read, mut creds_first_page_s) = (0, f64::NAN);
    while let Some(msg) = rx.recv().await {
        let last = match &msg {
            Msg::CredentialsPage { page, .. } => {
                credentials_read += page.len();
                false
            }
            Msg::Credentials { result, .. } => {
                credentials_read += result.as_ref().map_or(0, Vec::len);
                if let Err(e) = result {
                    anyhow::bail!("reading the credentials: {e}");
                }
                true
            }
            _ => false,
        };
        app.handle_msg(msg);
        app.prepare();
        frame(&app)?;
        if creds_first_page_s.is_nan() {
            creds_first_page_s = t.elapsed().as_secs_f64();
        }
        if last {
            break;
        }
    }
    let _ = reader.await;
    let creds_view_s = t.elapsed().as_secs_f64();
    app.screens.truncate(1);
    app.prepare();
    frame(&app)?;

    // The floor under the first sync: the same answer's bytes, parsed into
    // its wire types with serde_json and not applied (fetched again last,
    // so its copy is in none of the figures above).
    let body = client.changes_body(0, Some(lean::FORM)).await?;
    drop(revocable);
    let sync_bytes = body.len();
    let t = Instant::now();
    let parsed: lean::LeanChanges = serde_json::from_slice(&body)?;
    let raw_parse_s = t.elapsed().as_secs_f64();
    drop(parsed);

    Ok(ClientFigures {
        raw_parse_s,
        sync_bytes,
        full_sync_s: synced.as_secs_f64(),
        fetch_s: fetched.as_secs_f64(),
        apply_s: (synced - fetched).as_secs_f64(),
        render_ms: median(render),
        filter_max_ms: filter.iter().copied().fold(0.0, f64::max),
        filter_field_max_ms: filter_field.iter().copied().fold(0.0, f64::max),
        filter_field_ms: median(filter_field),
        filter_ms: median(filter),
        sort_ms: median(sort),
        apply_changes_ms: median(apply),
        client_rss_mb,
        agents_synced,
        creds_view_s,
        creds_first_page_s,
        credentials_read,
    })
}

/// A poll of 1,000 changes as the backend would send them in the summary
/// form: 700 agents seen again (one in ten changing status too) and 300
/// credentials revoked, with the new counts of their agents; a different
/// slice of the fleet each round. `benches/dashboard.rs` applies the same.
pub fn thousand_changes(app: &App, revocable: &[Credential], round: usize) -> Changes {
    let agents = app.fleet.agents();
    let now = chrono::Utc::now();
    let step = (agents.len() / 700).max(1);
    let changed = (0..700.min(agents.len()))
        .map(|k| {
            let mut a = agents[(k * step + round) % agents.len()].clone();
            a.last_seen_at = Some(now);
            a.updated_at = now;
            if k % 10 == 0 {
                a.status = match a.status {
                    AgentStatus::Active => AgentStatus::Dormant,
                    _ => AgentStatus::Active,
                };
            }
            a
        })
        .collect();
    let credentials: Vec<Credential> = revocable
        .iter()
        .skip(round * 300)
        .take(300)
        .cloned()
        .map(|mut c| {
            c.status = CredentialStatus::Revoked;
            c.revoked_at = Some(now);
            c.revoked_reason = Some("bench".into());
            c.rev += 1;
            c
        })
        .collect();
    let summaries = credentials
        .iter()
        .filter_map(|c| {
            let i = app.fleet.position(&c.agent_id)?;
            let r = app.fleet.remote(i)?;
            Some(Holdings {
                agent_id: c.agent_id.clone(),
                credentials: r.credentials,
                live_credentials: r.live_credentials.saturating_sub(1),
                next_expiry: None,
                grants: r.grants,
                highest_level: r.highest_level,
            })
        })
        .collect();
    Changes {
        cursor: app.fleet.cursor + 1,
        full: false,
        agents: changed,
        credentials,
        summary: true,
        summaries,
        ..Changes::default()
    }
}

/// Runs this binary again as the dashboard side; answers its figures.
pub(super) async fn dashboard_child(url: &str, token: &str) -> anyhow::Result<ClientFigures> {
    use anyhow::Context as _;
    // The running binary itself, even if its file was replaced since it
    // started (a rebuild): Linux keeps it reachable as /proc/self/exe.
    let proc_exe = std::path::Path::new("/proc/self/exe");
    let exe = if proc_exe.exists() {
        proc_exe.to_path_buf()
    } else {
        std::env::current_exe()?
    };
    let out = tokio::process::Command::new(&exe)
        .args(["bench", "--client-only"])
        .env("WARDEN_URL", url)
        .env("WARDEN_TOKEN", token)
        .env_remove("WARDEN_CONFIG")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .await
        .with_context(|| format!("cannot run {} for the dashboard side", exe.display()))?;
    let said = String::from_utf8_lossy(&out.stderr);
    eprint!("{said}");
    if !out.status.success() {
        // Its own words name what failed (the last `error:` line).
        let why = said
            .lines()
            .rev()
            .find_map(|l| l.split_once("error: ").map(|(_, e)| e.trim()))
            .unwrap_or("no reason given");
        anyhow::bail!("the dashboard side failed ({}): {why}", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .ok_or_else(|| anyhow::anyhow!("the dashboard side printed nothing"))?;
    Ok(serde_json::from_str(line)?)
}

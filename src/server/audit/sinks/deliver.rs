//! The loop of one sink: read after the cursor, send, move the cursor only
//! once the send succeeded, back off and retry when it fails, and raise an
//! alert when it has failed for too long.

use super::{Line, Sink};
use crate::api::AuditCheckpoint;
use crate::model::Severity;
use crate::server::audit::checkpoint::CheckpointFile;
use crate::server::audit::export;
use crate::server::store::{AlertInput, Store};
use crate::sources::Backoff;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

/// What was sent this long before a broken connection is sent again on a
/// transport with no acknowledgement.
const RESEND_WINDOW: Duration = Duration::from_secs(5);
/// How long a woken sink waits for more commits before reading.
const COALESCE: Duration = Duration::from_millis(100);
/// The rule of the alert a sink that stays down raises.
pub const SINK_ALERT_RULE: &str = "audit-sink";

/// How far a sink got: the last entry it delivered, and how many lines of
/// the checkpoint file.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cursor {
    seq: i64,
    checkpoints: usize,
}

impl Cursor {
    fn load(path: &Path) -> Cursor {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut parts = text.split_whitespace();
        Cursor {
            seq: parts.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            checkpoints: parts.next().and_then(|s| s.parse().ok()).unwrap_or(0),
        }
    }

    /// Written beside and renamed over: a crash leaves the old cursor or
    /// the new one, and either only sends again, never skips.
    fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("cursor.tmp");
        let _ = std::fs::remove_file(&tmp);
        {
            let (mut f, _) = crate::dirs::open_private_append(&tmp)?;
            use std::io::Write;
            writeln!(f, "{} {}", self.seq, self.checkpoints)?;
            f.sync_data()?;
        }
        std::fs::rename(&tmp, path)
    }
}

/// The checkpoint file, read again only when it grew.
struct Checkpoints {
    file: CheckpointFile,
    signed: broadcast::Receiver<AuditCheckpoint>,
    len: u64,
    all: Vec<AuditCheckpoint>,
}

impl Checkpoints {
    fn refresh(&mut self) {
        let len = std::fs::metadata(&self.file.path).map_or(0, |m| m.len());
        if len != self.len
            && let Ok((all, _)) = self.file.read()
        {
            self.all = all;
            self.len = len;
        }
    }
}

pub async fn run(
    mut sink: Sink,
    store: Arc<dyn Store>,
    checkpoints: Option<(CheckpointFile, broadcast::Receiver<AuditCheckpoint>)>,
    mut stop: watch::Receiver<bool>,
) {
    let mut cps = checkpoints.map(|(file, signed)| Checkpoints {
        file,
        signed,
        len: u64::MAX,
        all: Vec::new(),
    });
    let mut cursor = Cursor::load(&sink.cursor_file);
    let mut changes = store.subscribe();
    let mut backoff = Backoff::default();
    let mut recent: VecDeque<(Instant, Cursor)> = VecDeque::new();
    let mut alerted = false;
    let state = sink.state.clone();
    tracing::info!(sink = %state.name, kind = state.kind, from = cursor.seq, "audit sink started");
    loop {
        if *stop.borrow() {
            return;
        }
        let lines = match next_lines(&sink, store.as_ref(), cursor, cps.as_mut()).await {
            Ok(lines) => lines,
            Err(e) => {
                tracing::warn!(sink = %state.name, error = %e, "audit sink: cannot read the chain");
                if wait(&mut stop, Duration::from_secs(1)).await {
                    return;
                }
                continue;
            }
        };
        if lines.is_empty() {
            state.lag.store(0, Ordering::Relaxed);
            tokio::select! {
                // Then a moment for the rest of a burst: one read for many
                // commits (event ingest commits often and audits nothing).
                _ = changes.changed() => tokio::time::sleep(COALESCE).await,
                _ = async {
                    match cps.as_mut() {
                        Some(c) => { let _ = c.signed.recv().await; }
                        None => std::future::pending::<()>().await,
                    }
                } => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => return,
            }
            continue;
        }
        match sink.transport.send(&lines).await {
            Ok(()) => {
                if sink.transport.unacknowledged() {
                    recent.push_back((Instant::now(), cursor));
                    while recent
                        .front()
                        .is_some_and(|(t, _)| t.elapsed() > RESEND_WINDOW)
                    {
                        recent.pop_front();
                    }
                }
                for l in &lines {
                    if l.checkpoint {
                        cursor.checkpoints += 1;
                    } else {
                        cursor.seq = l.seq;
                    }
                }
                if let Err(e) = cursor.save(&sink.cursor_file) {
                    tracing::warn!(sink = %state.name, error = %e,
                        file = %sink.cursor_file.display(),
                        "audit sink: cannot save its cursor; a restart sends again from the last one saved");
                }
                state
                    .delivered
                    .fetch_add(lines.len() as u64, Ordering::Relaxed);
                if !state.is_up() {
                    tracing::info!(sink = %state.name, "audit sink delivering again");
                }
                state.up.store(true, Ordering::Relaxed);
                if let Ok(mut f) = state.failing_since.lock() {
                    *f = None;
                }
                alerted = false;
                backoff.reset();
                if let Ok(head) = store.audit_head().await {
                    state
                        .lag
                        .store((head.seq - cursor.seq).max(0), Ordering::Relaxed);
                }
            }
            Err(e) => {
                state.failures.fetch_add(1, Ordering::Relaxed);
                if state.is_up() {
                    tracing::warn!(sink = %state.name, error = %e,
                        "audit sink failing; retrying with back-off");
                }
                state.up.store(false, Ordering::Relaxed);
                if let Ok(mut last) = state.last_error.lock() {
                    *last = Some(e.clone());
                }
                let since = state
                    .failing_since
                    .lock()
                    .map(|mut f| *f.get_or_insert_with(chrono::Utc::now))
                    .unwrap_or_else(|_| chrono::Utc::now());
                if let Some((_, before)) = recent.front() {
                    // Sent, but maybe never read: again, as duplicates.
                    cursor = *before;
                    let _ = cursor.save(&sink.cursor_file);
                }
                recent.clear();
                if let Ok(head) = store.audit_head().await {
                    state
                        .lag
                        .store((head.seq - cursor.seq).max(0), Ordering::Relaxed);
                }
                let down = (chrono::Utc::now() - since).to_std().unwrap_or_default();
                if !alerted && down >= sink.alert_after {
                    alerted = raise(store.as_ref(), &state.name, down, &e).await;
                }
                if wait(&mut stop, backoff.next_delay()).await {
                    return;
                }
            }
        }
    }
}

/// Sleeps; answers whether the server is stopping.
async fn wait(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

async fn raise(store: &dyn Store, name: &str, down: Duration, error: &str) -> bool {
    let alert = AlertInput {
        agent_id: None,
        rule: SINK_ALERT_RULE.into(),
        cause: format!("audit_sink:{name}"),
        severity: Severity::High,
        summary: format!(
            "audit sink {name} has not taken the audit trail for {} s",
            down.as_secs()
        ),
        evidence: error.to_string(),
    };
    match store.raise_alert(&alert).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(sink = name, error = %e, "cannot raise the audit sink alert");
            false
        }
    }
}

/// The next batch: entries after the cursor, each signed checkpoint right
/// after the entry it pins.
async fn next_lines(
    sink: &Sink,
    store: &dyn Store,
    cursor: Cursor,
    cps: Option<&mut Checkpoints>,
) -> Result<Vec<Line>, String> {
    let entries = store
        .audit_after(cursor.seq, sink.batch)
        .await
        .map_err(|e| e.to_string())?;
    let upto = entries.last().map_or(cursor.seq, |e| e.seq);
    let mut pending: VecDeque<&AuditCheckpoint> = VecDeque::new();
    let holder;
    if let Some(c) = cps {
        c.refresh();
        holder = &*c;
        pending.extend(
            holder
                .all
                .iter()
                .skip(cursor.checkpoints)
                .take_while(|cp| cp.seq <= upto),
        );
    }
    let mut lines = Vec::with_capacity(entries.len() + pending.len());
    let mut take_checkpoints = |upto: i64, lines: &mut Vec<Line>| {
        while pending.front().is_some_and(|cp| cp.seq <= upto) {
            if let Some(cp) = pending.pop_front() {
                lines.push(Line {
                    seq: cp.seq,
                    at: cp.at,
                    severity: 1,
                    checkpoint: true,
                    text: sink.format.checkpoint_line(cp),
                });
            }
        }
    };
    take_checkpoints(cursor.seq, &mut lines);
    for e in &entries {
        lines.push(Line {
            seq: e.seq,
            at: e.at,
            severity: export::severity(e),
            checkpoint: false,
            text: sink.format.line(e),
        });
        take_checkpoints(e.seq, &mut lines);
    }
    Ok(lines)
}

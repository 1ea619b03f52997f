//! The task that signs checkpoints of the audit chain as it grows: after
//! every N new entries, or T seconds after the last checkpoint when there
//! are new ones, and once more at shutdown. A checkpoint is signed only
//! after the entries since the previous one are checked to extend it, so a
//! chain rewritten behind the server's back is never signed over.
//!
//! Every server on a shared database runs one, with its own key and file:
//! each is a witness of the one chain, none has to be elected, and
//! checkpoints from two servers that disagree are a fork (see
//! [`super::verify`]).

use super::checkpoint::{CheckpointFile, SigningKey};
use super::{GENESIS, recomputed};
use crate::api::AuditCheckpoint;
use crate::config::ServeConfig;
use crate::server::store::{AuditHead, Store};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DEFAULT_ENTRIES: u64 = 100;
const DEFAULT_SECONDS: u64 = 10;
const PAGE: usize = 1000;

/// This server's checkpoint key, file and schedule.
#[derive(Debug)]
pub struct Checkpoints {
    pub key: SigningKey,
    pub file: CheckpointFile,
    /// Keys whose checkpoints verify trusts: this server's and the
    /// configured ones.
    pub trusted: Vec<String>,
    every_entries: i64,
    every: Duration,
    /// The last checkpoint this server signed or found in its file.
    last: Mutex<Option<AuditCheckpoint>>,
    /// Everything signed goes here too (the audit sinks listen).
    pub signed: tokio::sync::broadcast::Sender<AuditCheckpoint>,
}

/// The key and file paths the config names, filling one from the other's
/// directory; neither: no checkpoints.
pub fn paths(config: &ServeConfig) -> Option<(PathBuf, PathBuf)> {
    let beside = |p: &PathBuf, name: &str| {
        p.parent()
            .map(|d| d.join(name))
            .unwrap_or_else(|| PathBuf::from(name))
    };
    match (&config.audit_key, &config.audit_checkpoints) {
        (None, None) => None,
        (Some(k), None) => Some((k.clone(), beside(k, "audit-checkpoints.jsonl"))),
        (None, Some(f)) => Some((beside(f, "audit.key"), f.clone())),
        (Some(k), Some(f)) => Some((k.clone(), f.clone())),
    }
}

impl Checkpoints {
    /// Loads (or creates) the key and reads the last checkpoint it signed.
    pub fn open(config: &ServeConfig) -> anyhow::Result<Option<Checkpoints>> {
        let Some((key_path, file_path)) = paths(config) else {
            return Ok(None);
        };
        let every_entries = config.audit_checkpoint_entries.unwrap_or(DEFAULT_ENTRIES);
        let seconds = config.audit_checkpoint_seconds.unwrap_or(DEFAULT_SECONDS);
        if every_entries == 0 || seconds == 0 {
            anyhow::bail!(
                "[serve] audit_checkpoint_entries and audit_checkpoint_seconds must be at least 1"
            );
        }
        for k in &config.audit_trusted_keys {
            if hex::decode(k).map(|b| b.len()) != Ok(32) {
                anyhow::bail!(
                    "[serve] audit_trusted_keys: {k:?} is not an Ed25519 public key (64 hex digits)"
                );
            }
        }
        let key = SigningKey::load_or_create(&key_path)?;
        let file = CheckpointFile { path: file_path };
        let (mine, bad) = file
            .read()
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.path.display()))?;
        if let Some(b) = bad.first() {
            tracing::error!(file = %file.path.display(), line = b.line, why = %b.why,
                "the audit checkpoint file has a line that is not a checkpoint");
        }
        let last = mine
            .into_iter()
            .filter(|c| c.key == key.public_hex())
            .max_by_key(|c| c.seq);
        let mut trusted = vec![key.public_hex().to_string()];
        trusted.extend(
            config
                .audit_trusted_keys
                .iter()
                .map(|k| k.to_ascii_lowercase()),
        );
        Ok(Some(Checkpoints {
            key,
            file,
            trusted,
            every_entries: every_entries as i64,
            every: Duration::from_secs(seconds),
            last: Mutex::new(last),
            signed: tokio::sync::broadcast::channel(64).0,
        }))
    }

    pub fn last(&self) -> Option<AuditCheckpoint> {
        self.last.lock().ok().and_then(|l| l.clone())
    }

    fn set_last(&self, cp: AuditCheckpoint) {
        if let Ok(mut l) = self.last.lock() {
            *l = Some(cp);
        }
    }

    /// Signs the head now if it moved since the last checkpoint and the
    /// chain still extends that checkpoint. Answers the new checkpoint.
    pub async fn checkpoint_now(
        &self,
        store: &dyn Store,
    ) -> Result<Option<AuditCheckpoint>, String> {
        let head = store.audit_head().await.map_err(|e| e.to_string())?;
        let last = self.last();
        if last.as_ref().map_or(0, |l| l.seq) == head.seq {
            return Ok(None);
        }
        let hash = extends(store, last.as_ref(), &head).await?;
        let cp = self.key.sign(head.seq, &hash, head.rev, chrono::Utc::now());
        self.file
            .append(&cp)
            .map_err(|e| format!("cannot write {}: {e}", self.file.path.display()))?;
        self.set_last(cp.clone());
        let _ = self.signed.send(cp.clone());
        Ok(Some(cp))
    }

    fn due(&self, head_seq: i64, since_last: Duration) -> bool {
        let last = self.last().map_or(0, |l| l.seq);
        head_seq - last >= self.every_entries || (head_seq > last && since_last >= self.every)
    }
}

/// Checks that the entries after `last` link up to `head` and answers the
/// hash of entry `head.seq` as read.
async fn extends(
    store: &dyn Store,
    last: Option<&AuditCheckpoint>,
    head: &AuditHead,
) -> Result<String, String> {
    let (mut expected, mut prev) = match last {
        Some(l) => {
            if head.seq < l.seq {
                return Err(format!(
                    "the chain ends at entry {}, before entry {} that the last checkpoint signed: \
                     cut or rolled back",
                    head.seq, l.seq
                ));
            }
            let at = store
                .audit_after(l.seq - 1, 1)
                .await
                .map_err(|e| e.to_string())?;
            match at.first() {
                Some(e) if e.seq == l.seq && e.hash == l.hash => {}
                _ => {
                    return Err(format!(
                        "entry {} is not the one the last checkpoint signed: the chain was \
                         rewritten or the database rolled back",
                        l.seq
                    ));
                }
            }
            (l.seq + 1, l.hash.clone())
        }
        None => (1, GENESIS.to_string()),
    };
    while expected <= head.seq {
        let page = store
            .audit_after(expected - 1, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        if page.is_empty() {
            return Err(format!("entry {expected} is missing"));
        }
        for e in page.iter().take_while(|e| e.seq <= head.seq) {
            if e.seq != expected || e.prev_hash != prev || recomputed(e) != e.hash {
                return Err(format!("entry {expected} is missing, changed or unlinked"));
            }
            prev = e.hash.clone();
            expected += 1;
        }
        if page.len() < PAGE && expected <= head.seq {
            return Err(format!("entry {expected} is missing"));
        }
    }
    Ok(prev)
}

/// Runs until `stop` fires, then signs the tail one last time.
pub fn spawn(
    store: Arc<dyn Store>,
    cps: Arc<Checkpoints>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut since = tokio::time::Instant::now();
        let mut last_problem: Option<String> = None;
        let mut tick = tokio::time::interval(Duration::from_millis(500).min(cps.every));
        loop {
            // A tick, not every commit: a burst of ingest commits must not
            // cost a read of the chain's head each.
            let stopping = tokio::select! {
                _ = &mut stop => true,
                _ = tick.tick() => false,
            };
            let head = match store.audit_head().await {
                Ok(h) => h,
                Err(e) => {
                    tracing::warn!(error = %e, "audit checkpoint: cannot read the chain's head");
                    continue;
                }
            };
            if stopping || cps.due(head.seq, since.elapsed()) {
                match cps.checkpoint_now(store.as_ref()).await {
                    Ok(signed) => {
                        if signed.is_some() {
                            since = tokio::time::Instant::now();
                        }
                        last_problem = None;
                    }
                    Err(why) => {
                        // Once per distinct problem: it stays until someone
                        // looks, and a log line a second would bury it.
                        if last_problem.as_deref() != Some(why.as_str()) {
                            tracing::error!(problem = %why,
                                "audit checkpoint refused: the chain no longer extends the last \
                                 signed checkpoint; run `warden audit verify`");
                            last_problem = Some(why);
                        }
                    }
                }
            }
            if stopping {
                return;
            }
        }
    })
}

//! Signed checkpoints of the audit chain: the Ed25519 key that signs them
//! (kept outside the database), the text a signature covers, and the
//! append-only file they are written to, one JSON object a line. A
//! checkpoint says "the chain held N entries ending in this hash at this
//! time", and someone who can rewrite the database cannot sign a new one.

use crate::api::AuditCheckpoint;
use chrono::{DateTime, TimeZone, Utc};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// The variable that may hold the key itself (64 hex digits, the Ed25519
/// seed), for deployments that hand secrets in through the environment;
/// it wins over the key file.
pub const KEY_ENV: &str = "WARDEN_AUDIT_KEY";

/// The signing key of this server.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    public_hex: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public_hex)
    }
}

impl SigningKey {
    /// The key of a 32-byte Ed25519 seed (the access-token keys of
    /// [`crate::server::oauth`] are the same kind of key).
    pub(crate) fn from_seed(seed: &[u8]) -> anyhow::Result<SigningKey> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| anyhow::anyhow!("not an Ed25519 seed (32 bytes, 64 hex digits)"))?;
        let public_hex = hex::encode(pair.public_key().as_ref());
        Ok(SigningKey { pair, public_hex })
    }

    /// `WARDEN_AUDIT_KEY` if set, else the key in `path`, created (0600, in
    /// a 0700 directory when it has to make one) when there is none yet.
    pub fn load_or_create(path: &Path) -> anyhow::Result<SigningKey> {
        if let Ok(text) = std::env::var(KEY_ENV)
            && !text.trim().is_empty()
        {
            return Self::parse(&text).map_err(|e| anyhow::anyhow!("{KEY_ENV}: {e}"));
        }
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(e) => anyhow::bail!("cannot read the audit key {}: {e}", path.display()),
        }
    }

    fn parse(text: &str) -> anyhow::Result<SigningKey> {
        let hex_seed = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        let seed = hex::decode(hex_seed)
            .map_err(|_| anyhow::anyhow!("the audit key must be 64 hex digits"))?;
        if seed.len() != 32 {
            anyhow::bail!("the audit key must be 64 hex digits (an Ed25519 seed)");
        }
        Self::from_seed(&seed)
    }

    fn create(path: &Path) -> anyhow::Result<SigningKey> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::dirs::create_private_dir(dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
        let key = Self::from_seed(&seed)?;
        let mut options = std::fs::OpenOptions::new();
        // create_new: two servers starting together never overwrite each
        // other's key; the loser reads the winner's.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut f) => {
                writeln!(
                    f,
                    "# Warden audit checkpoint signing key (Ed25519 seed). Keep it private and \
                     off the database host's backups of the database.\n# public key: {}\n{}",
                    key.public_hex,
                    hex::encode(seed)
                )
                .and_then(|()| f.sync_all())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), key = %key.public_hex,
                    "created the audit checkpoint signing key");
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path)?;
                Self::parse(&text)
            }
            Err(e) => anyhow::bail!("cannot create the audit key {}: {e}", path.display()),
        }
    }

    #[cfg(test)]
    pub(crate) fn from_seed_for_tests(n: u8) -> SigningKey {
        Self::from_seed(&[n; 32]).expect("a 32-byte seed")
    }

    pub fn public_hex(&self) -> &str {
        &self.public_hex
    }

    /// The raw 32-byte public key.
    pub fn public_bytes(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// An Ed25519 signature of `message` (64 bytes).
    pub fn sign_bytes(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }

    /// A checkpoint of `seq`/`hash` at `rev`, signed now.
    pub fn sign(&self, seq: i64, hash: &str, rev: i64, at: DateTime<Utc>) -> AuditCheckpoint {
        let at = whole_ms(at);
        let mut cp = AuditCheckpoint {
            seq,
            hash: hash.to_string(),
            at,
            rev,
            key: self.public_hex.clone(),
            sig: String::new(),
        };
        cp.sig = hex::encode(self.pair.sign(signed_text(&cp).as_bytes()).as_ref());
        cp
    }
}

fn whole_ms(at: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(at.timestamp_millis())
        .single()
        .unwrap_or(at)
}

/// What a signature covers: every field but the signature, in a fixed
/// order, the time as milliseconds.
pub fn signed_text(cp: &AuditCheckpoint) -> String {
    format!(
        "warden-audit-checkpoint/1 seq={} hash={} at_ms={} rev={} key={}",
        cp.seq,
        cp.hash,
        cp.at.timestamp_millis(),
        cp.rev,
        cp.key
    )
}

/// Whether `cp` carries a valid signature by the key it names.
pub fn signature_holds(cp: &AuditCheckpoint) -> bool {
    let (Ok(key), Ok(sig)) = (hex::decode(&cp.key), hex::decode(&cp.sig)) else {
        return false;
    };
    UnparsedPublicKey::new(&ED25519, key)
        .verify(signed_text(cp).as_bytes(), &sig)
        .is_ok()
}

/// The append-only file of checkpoints.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    pub path: PathBuf,
}

/// A line of a checkpoint file that is not a checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLine {
    pub line: usize,
    pub why: String,
}

impl CheckpointFile {
    /// Appends one line, 0600, flushed to disk before it counts as written.
    pub fn append(&self, cp: &AuditCheckpoint) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::dirs::create_private_dir(dir)?;
        }
        let (mut f, _) = crate::dirs::open_private_append(&self.path)?;
        let mut line = serde_json::to_vec(cp).map_err(std::io::Error::other)?;
        line.push(b'\n');
        // One write of the whole line on an O_APPEND file: two servers on
        // one host appending at once never interleave inside a line.
        f.write_all(&line)?;
        f.sync_data()
    }

    /// Every checkpoint in the file, oldest first; a missing file has none.
    pub fn read(&self) -> std::io::Result<(Vec<AuditCheckpoint>, Vec<BadLine>)> {
        match std::fs::File::open(&self.path) {
            Ok(f) => parse_lines(std::io::BufReader::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Vec::new(), Vec::new())),
            Err(e) => Err(e),
        }
    }
}

/// Checkpoints from NDJSON text; lines that are not one are named.
pub fn parse_lines(reader: impl BufRead) -> std::io::Result<(Vec<AuditCheckpoint>, Vec<BadLine>)> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<AuditCheckpoint>(&line) {
            Ok(cp) => good.push(cp),
            Err(e) => bad.push(BadLine {
                line: i + 1,
                why: e.to_string(),
            }),
        }
    }
    Ok((good, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_checkpoint_verifies_and_an_edited_one_does_not() {
        let key = SigningKey::from_seed(&[7u8; 32]).unwrap();
        let cp = key.sign(5, "abc", 9, Utc::now());
        assert!(signature_holds(&cp));
        let mut forged = cp.clone();
        forged.seq = 4;
        assert!(!signature_holds(&forged));
        let mut other = cp;
        other.key = SigningKey::from_seed(&[8u8; 32]).unwrap().public_hex;
        assert!(!signature_holds(&other));
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/audit.key");
        let a = SigningKey::load_or_create(&path).unwrap();
        let b = SigningKey::load_or_create(&path).unwrap();
        assert_eq!(a.public_hex(), b.public_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").unwrap();
        let e = SigningKey::load_or_create(&path).unwrap_err().to_string();
        assert!(e.contains("64 hex digits"), "{e}");
    }

    #[test]
    fn the_file_round_trips_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = CheckpointFile {
            path: dir.path().join("cp.jsonl"),
        };
        let key = SigningKey::from_seed(&[1u8; 32]).unwrap();
        file.append(&key.sign(1, "h1", 1, Utc::now())).unwrap();
        file.append(&key.sign(2, "h2", 2, Utc::now())).unwrap();
        let mut raw = std::fs::read_to_string(&file.path).unwrap();
        raw.push_str("garbage\n");
        std::fs::write(&file.path, raw).unwrap();
        let (good, bad) = file.read().unwrap();
        assert_eq!(good.len(), 2);
        assert!(good.iter().all(signature_holds));
        assert_eq!(bad[0].line, 3);
    }
}

//! The keys that sign exchanged access tokens: Ed25519, kept outside the
//! database (a file in the state dir, or `WARDEN_TOKEN_KEYS`), published
//! at `/.well-known/jwks.json`. A rotation makes a new key the signer and
//! keeps publishing the old one until every token it signed has expired
//! (the overlap), so verifiers that cache the JWKS never see a token they
//! cannot check.

use crate::server::audit::checkpoint::SigningKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Seeds (64 hex digits each, comma-separated, the signer first) handed in
/// through the environment; it wins over the key file, and rotation is
/// then the deployment's job.
pub const KEYS_ENV: &str = "WARDEN_TOKEN_KEYS";

/// One key: the signer has no retirement time; a retired key verifies and
/// is published until `retired_at` plus the overlap.
struct TokenKey {
    key: SigningKey,
    seed_hex: String,
    kid: String,
    retired_at: Option<i64>,
}

impl TokenKey {
    fn new(seed: &[u8], retired_at: Option<i64>) -> anyhow::Result<TokenKey> {
        let key = SigningKey::from_seed(seed)?;
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(key.public_bytes())[..12]);
        Ok(TokenKey {
            key,
            seed_hex: hex::encode(seed),
            kid,
            retired_at,
        })
    }
}

/// Where the keys come from, which decides whether the server may rotate.
enum Source {
    File(PathBuf),
    Env,
    /// A server started in-process with no key file: a key for its life.
    Memory,
}

pub struct TokenKeys {
    keys: RwLock<Vec<TokenKey>>,
    source: Source,
    /// How long a retired key stays published: the longest token life
    /// plus a minute of clock skew.
    overlap_seconds: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenKeys({})", self.signer_kid())
    }
}

fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    Ok(seed)
}

fn seed_of(text: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(text.trim())
        .ok()
        .filter(|s| s.len() == 32)
        .ok_or_else(|| anyhow::anyhow!("a token key must be 64 hex digits (an Ed25519 seed)"))
}

/// The key file: one key a line, `SEED` for the signer and `SEED retired
/// UNIX_SECONDS` for keys still published; `#` starts a comment.
fn parse_file(text: &str) -> anyhow::Result<Vec<TokenKey>> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let seed = seed_of(words.next().unwrap_or_default())
            .map_err(|e| anyhow::anyhow!("line {}: {e}", n + 1))?;
        let retired_at = match (words.next(), words.next()) {
            (None, _) => None,
            (Some("retired"), Some(at)) => Some(
                at.parse::<i64>()
                    .map_err(|_| anyhow::anyhow!("line {}: `retired` takes Unix seconds", n + 1))?,
            ),
            _ => anyhow::bail!(
                "line {}: expected `SEED` or `SEED retired UNIX_SECONDS`",
                n + 1
            ),
        };
        keys.push(TokenKey::new(&seed, retired_at)?);
    }
    if keys.iter().filter(|k| k.retired_at.is_none()).count() != 1 {
        anyhow::bail!("exactly one key must be unretired (the signer)");
    }
    Ok(keys)
}

fn write_file(path: &Path, keys: &[TokenKey]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::dirs::create_private_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    // A temporary file (0600) renamed over the old one: a crash mid-write
    // never leaves a file without a signer.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    writeln!(
        tmp,
        "# Warden access-token signing keys (Ed25519 seeds): the unretired one signs, retired \
         ones are still published in the JWKS. Keep this file private and out of the database's \
         backups."
    )?;
    for k in keys {
        match k.retired_at {
            None => writeln!(tmp, "{}", k.seed_hex)?,
            Some(at) => writeln!(tmp, "{} retired {at}", k.seed_hex)?,
        }
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

impl TokenKeys {
    /// `WARDEN_TOKEN_KEYS` if set, else the key file (created with a first
    /// key when missing), else a key in memory for this process only.
    pub fn open(path: Option<&Path>, max_ttl_seconds: u64) -> anyhow::Result<TokenKeys> {
        let overlap_seconds = max_ttl_seconds as i64 + 60;
        if let Ok(text) = std::env::var(KEYS_ENV)
            && !text.trim().is_empty()
        {
            let mut keys = Vec::new();
            for (i, seed) in text.split(',').enumerate() {
                let seed = seed_of(seed).map_err(|e| anyhow::anyhow!("{KEYS_ENV}: {e}"))?;
                // Earlier keys are published only; when they were retired
                // is the deployment's knowledge, so they stay until removed.
                keys.push(TokenKey::new(&seed, (i > 0).then_some(i64::MAX / 2))?);
            }
            return Ok(TokenKeys {
                keys: RwLock::new(keys),
                source: Source::Env,
                overlap_seconds,
            });
        }
        let Some(path) = path else {
            return Ok(TokenKeys {
                keys: RwLock::new(vec![TokenKey::new(&random_seed()?, None)?]),
                source: Source::Memory,
                overlap_seconds,
            });
        };
        let keys = match std::fs::read_to_string(path) {
            Ok(text) => {
                parse_file(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let keys = vec![TokenKey::new(&random_seed()?, None)?];
                write_file(path, &keys)?;
                tracing::info!(path = %path.display(), kid = %keys[0].kid,
                    "created the access-token signing key");
                keys
            }
            Err(e) => anyhow::bail!("cannot read the token keys {}: {e}", path.display()),
        };
        Ok(TokenKeys {
            keys: RwLock::new(keys),
            source: Source::File(path.to_path_buf()),
            overlap_seconds,
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<TokenKey>> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn signer_kid(&self) -> String {
        self.read()
            .iter()
            .find(|k| k.retired_at.is_none())
            .map(|k| k.kid.clone())
            .unwrap_or_default()
    }

    /// Signs `signing_input` with the current key: (kid, signature).
    pub fn sign(&self, header_of: impl FnOnce(&str) -> String) -> (String, Vec<u8>) {
        let keys = self.read();
        // parse_file and rotate keep exactly one signer.
        let signer = keys.iter().find(|k| k.retired_at.is_none());
        match signer {
            Some(k) => {
                let input = header_of(&k.kid);
                let sig = k.key.sign_bytes(input.as_bytes());
                (input, sig)
            }
            None => (header_of(""), Vec::new()),
        }
    }

    /// Whether `signature` over `input` is by the published key `kid`.
    pub fn verify(&self, kid: &str, input: &[u8], signature: &[u8]) -> bool {
        let now = Utc::now().timestamp();
        self.read()
            .iter()
            .filter(|k| self.published(k, now))
            .find(|k| k.kid == kid)
            .is_some_and(|k| {
                ring::signature::UnparsedPublicKey::new(
                    &ring::signature::ED25519,
                    k.key.public_bytes(),
                )
                .verify(input, signature)
                .is_ok()
            })
    }

    fn published(&self, k: &TokenKey, now: i64) -> bool {
        k.retired_at
            .is_none_or(|at| at.saturating_add(self.overlap_seconds) > now)
    }

    /// The JWK Set (RFC 7517) of every published key, the signer first.
    pub fn jwks(&self) -> Value {
        let now = Utc::now().timestamp();
        let keys = self.read();
        let mut published: Vec<&TokenKey> =
            keys.iter().filter(|k| self.published(k, now)).collect();
        published.sort_by_key(|k| k.retired_at.is_some());
        json!({"keys": published.iter().map(|k| json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(k.key.public_bytes()),
            "kid": k.kid,
            "use": "sig",
            "alg": "EdDSA",
        })).collect::<Vec<_>>()})
    }

    /// Makes a new key the signer; the old signer stays published for the
    /// overlap, and keys whose overlap is over are dropped. Answers the
    /// new key's id and the retired one's.
    pub fn rotate(&self) -> Result<(String, String), String> {
        let path = match &self.source {
            Source::Env => {
                return Err(format!(
                    "the token keys come from {KEYS_ENV}; rotate them there (put the new seed \
                     first, keep the old one after it until its tokens have expired)"
                ));
            }
            Source::File(p) => Some(p.clone()),
            Source::Memory => None,
        };
        let now = Utc::now().timestamp();
        let fresh = random_seed()
            .and_then(|s| TokenKey::new(&s, None))
            .map_err(|e| e.to_string())?;
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let mut next: Vec<TokenKey> = Vec::with_capacity(keys.len() + 1);
        let mut retired = String::new();
        for k in keys.iter() {
            let retired_at = k.retired_at.unwrap_or_else(|| {
                retired = k.kid.clone();
                now
            });
            let kept = TokenKey::new(&k.key_seed(), Some(retired_at)).map_err(|e| e.to_string())?;
            if self.published(&kept, now) {
                next.push(kept);
            }
        }
        let kid = fresh.kid.clone();
        next.insert(0, fresh);
        if let Some(path) = path {
            write_file(&path, &next).map_err(|e| format!("{e:#}"))?;
        }
        *keys = next;
        Ok((kid, retired))
    }
}

impl TokenKey {
    fn key_seed(&self) -> Vec<u8> {
        hex::decode(&self.seed_hex).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_kept_and_rotated_with_overlap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/token-keys");
        let first = TokenKeys::open(Some(&path), 900).unwrap();
        let kid = first.signer_kid();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A restart signs with the same key.
        assert_eq!(TokenKeys::open(Some(&path), 900).unwrap().signer_kid(), kid);
        let (new, retired) = first.rotate().unwrap();
        assert_eq!(retired, kid);
        let again = TokenKeys::open(Some(&path), 900).unwrap();
        assert_eq!(again.signer_kid(), new, "the rotation is on disk");
        let kids: Vec<String> = again.jwks()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kids, [new, kid]);
    }

    #[test]
    fn a_retired_key_is_dropped_after_the_overlap_and_bad_files_say_where() {
        let seed = "11".repeat(32);
        let old = "22".repeat(32);
        let keys = parse_file(&format!("# c\n{seed}\n{old} retired 1000\n")).unwrap();
        let set = TokenKeys {
            keys: RwLock::new(keys),
            source: Source::Memory,
            overlap_seconds: 960,
        };
        assert_eq!(
            set.jwks()["keys"].as_array().unwrap().len(),
            1,
            "retired long ago"
        );
        let err = parse_file(&format!("{seed}\nnot-hex\n"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        let err = parse_file(&format!("{seed}\n{old}\n"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("exactly one key must be unretired"), "{err}");
    }
}

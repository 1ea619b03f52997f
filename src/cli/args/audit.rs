//! The grammar of `warden audit`: verify the chain (against the server's
//! checkpoints, or against checkpoint files and public keys you hold).

use clap::Args;
use std::path::PathBuf;

pub const VERIFY_HELP: &str = "\
Without --checkpoints the server verifies its chain against the signed
checkpoints it keeps outside the database, and names the attack when they
disagree: truncation (entries cut from the end), rewrite (entries changed and
their hashes recomputed), fork (two servers signed two histories), rollback
(the database was restored from an older copy).

With --checkpoints this command verifies by itself, trusting the server for
nothing: it reads the whole chain over the API and checks it against the
checkpoint files (copies of each server's file, or what your SIEM received),
signed by the --public-key keys (without one, the key the server names).

Examples:
  warden audit verify
  warden audit verify --checkpoints a.jsonl --checkpoints b.jsonl \\
      --public-key 3b6a27bc… --public-key 8f0e41d2…";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A checkpoint file to verify against (NDJSON, one signed checkpoint a line); repeat for several servers
    #[arg(long = "checkpoints", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
    /// A public key (64 hex digits, or a file holding one) whose checkpoints are trusted; repeat
    #[arg(long = "public-key", value_name = "KEY")]
    pub public_keys: Vec<String>,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

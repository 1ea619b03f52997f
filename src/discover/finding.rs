//! What discovery reports: findings (an agent nobody registered, with
//! where it was found and why it matters) and warnings (what could not be
//! read, and why). A finding carries no secret: only each secret's kind,
//! field and fingerprint.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An agent found outside the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable across runs for the same server in the same place: how the
    /// backend tells a new finding from one it already has.
    pub key: String,
    /// `mcp-server` (from a client's config, or probed) or `a2a-agent`.
    pub kind: String,
    /// The server's name in its config, or the agent card's name.
    pub name: String,
    /// The client whose config names it (`claude-code`, `cursor`, …), or
    /// `a2a` for an agent card.
    pub client: String,
    /// `user`, `project`, `local` (one user's entry for one project), or
    /// `network` for a card.
    pub scope: String,
    /// The machine it was found on.
    pub host: String,
    /// The config file, or the card's URL.
    pub location: String,
    /// The project of a per-project entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// `stdio`, `http`, `sse`, or `a2a`.
    pub transport: String,
    /// The command a stdio server runs, secrets blanked out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The endpoint, secrets blanked out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Names of the environment variables it is given (values never).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Names of the HTTP headers it is sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Switched off in its config.
    #[serde(default)]
    pub disabled: bool,
    /// Plaintext secrets in its config, by fingerprint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretFound>,
    /// What a reviewer should look at: `plaintext-secret`, `plain-http`,
    /// `no-auth`, `runs-command`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// What it can do: tools from `--probe`, skills from an agent card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Anything else worth reading (a card's provider and version, the
    /// client's own objections to the file).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// How to start a stdio server, for `--probe-stdio` alone: the command
    /// as the config has it, secrets included, so it is never serialized.
    #[serde(skip)]
    #[schemars(skip)]
    pub launch: Option<Launch>,
}

/// A stdio server's command line and environment as its config gives
/// them. Held in memory only; its `Debug` shows the program alone.
#[derive(Clone, PartialEq, Default)]
pub struct Launch {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl std::fmt::Debug for Launch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launch")
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

/// A plaintext secret, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SecretFound {
    /// `github`, `openai`, `anthropic`, `slack`, `aws`, `stripe`, `google`,
    /// `gitlab`, `hugging-face`, `warden`, `bearer`, `url-password`,
    /// `generic`.
    pub kind: String,
    /// Where in the server's settings: `env.GITHUB_TOKEN`, `args[2]`,
    /// `headers.Authorization`, `url`.
    pub field: String,
    /// SHA-256 of the secret, 64 lowercase hex digits: the fingerprint
    /// rule R07 matches across agents.
    pub fingerprint: String,
}

/// Something that could not be read; the scan went on without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// The file, directory or URL.
    pub location: String,
    pub message: String,
}

impl Warning {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            location: location.into(),
            message: message.into(),
        }
    }
}

/// Everything one run found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub host: String,
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
    /// Config files read (found and parsed or warned about).
    pub files_read: usize,
    /// Files looked at under `--root`.
    pub files_walked: usize,
}

/// A short stable key from the parts that name a finding's place.
pub fn key(parts: &[&str]) -> String {
    let joined = parts.join("\u{0}");
    let hash = crate::secrets::hash(&joined);
    hash[..24].to_string()
}

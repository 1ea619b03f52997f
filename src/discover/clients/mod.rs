//! The MCP clients Warden knows, where each keeps its configuration, and
//! how to read each format into [`Entry`] values: one per configured
//! server, with its settings as JSON whatever the file's syntax.

mod claude_code;
mod codex;
mod continue_dev;
mod mcp_servers;
mod vscode;
mod zed;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// An MCP client (an editor, a desktop app, a coding CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    Vscode,
    Windsurf,
    Zed,
    Codex,
    Gemini,
    Continue,
    /// The Cline extension, in VS Code or an editor built on it.
    Cline,
    /// The Roo Code extension (a fork of Cline).
    RooCode,
    /// GitHub Copilot CLI.
    CopilotCli,
}

impl Client {
    pub fn as_str(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::ClaudeCode => "claude-code",
            Client::Cursor => "cursor",
            Client::Vscode => "vscode",
            Client::Windsurf => "windsurf",
            Client::Zed => "zed",
            Client::Codex => "codex",
            Client::Gemini => "gemini",
            Client::Continue => "continue",
            Client::Cline => "cline",
            Client::RooCode => "roo-code",
            Client::CopilotCli => "copilot-cli",
        }
    }
}

/// Whose configuration a file is: one user's, a repository's, or (Claude
/// Code's per-project entries in the user's file) one user's for one
/// project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    User,
    Project,
    Local,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Project => "project",
            Scope::Local => "local",
        }
    }
}

/// The layout of a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"mcpServers": {NAME: {…}}}`: Claude Desktop, Cursor, Windsurf,
    /// Gemini CLI, Claude Code's `.mcp.json`. `jsonc`: the client reads
    /// comments and trailing commas.
    McpServers { jsonc: bool },
    /// `~/.claude.json`: `mcpServers`, and `projects.PATH.mcpServers`.
    ClaudeUser,
    /// VS Code's `mcp.json`: `servers` and `inputs`.
    VscodeMcp,
    /// VS Code's `settings.json`: `"mcp": {"servers": …}` (before mcp.json).
    VscodeSettings,
    /// Zed's `settings.json`: `context_servers`.
    Zed,
    /// Codex CLI's `config.toml`: `[mcp_servers.NAME]`.
    CodexToml,
    /// Continue's `config.yaml`: a `mcpServers` list.
    ContinueYaml,
    /// Continue's older `config.json`:
    /// `experimental.modelContextProtocolServers`.
    ContinueJson,
    /// A file in Continue's `.continue/mcpServers/`: a YAML block, or a
    /// JSON file in Claude Desktop's layout.
    ContinueBlock,
}

/// A configuration file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub client: Client,
    pub scope: Scope,
    pub format: Format,
    pub path: PathBuf,
}

/// One configured server, before it is judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    /// The project a per-project entry belongs to.
    pub project: Option<String>,
    /// The server's settings as the file has them.
    pub value: serde_json::Value,
}

/// What a file held: its servers, and what the client itself would object
/// to, without stopping the scan.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    /// What the client would refuse in the file: warnings.
    pub notes: Vec<String>,
    /// What a reader of each finding should know (VS Code's prompted
    /// inputs): kept in the findings' details.
    pub info: Vec<String>,
}

/// Reads `text`, a file of `format`.
pub fn parse(format: Format, path: &Path, text: &str) -> Result<Parsed, String> {
    match format {
        Format::McpServers { jsonc } => {
            let (doc, notes) = json(text, jsonc)?;
            Ok(Parsed {
                entries: mcp_servers::entries(&doc, "mcpServers", None),
                notes,
                info: Vec::new(),
            })
        }
        Format::ClaudeUser => claude_code::user_file(text),
        Format::VscodeMcp => vscode::mcp_file(text),
        Format::VscodeSettings => vscode::settings_file(text),
        Format::Zed => zed::settings_file(text),
        Format::CodexToml => codex::config_file(text),
        Format::ContinueYaml => continue_dev::yaml_file(text),
        Format::ContinueJson => continue_dev::json_file(text),
        Format::ContinueBlock => continue_dev::block_file(path, text),
    }
}

/// Parses JSON; where the client is strict, JSON it would refuse is still
/// read, with a note saying the client would not load it.
pub(crate) fn json(text: &str, jsonc: bool) -> Result<(serde_json::Value, Vec<String>), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if jsonc {
        return super::jsonc::parse(text)
            .map(|v| (v, Vec::new()))
            .map_err(|e| format!("not valid JSON: {e}"));
    }
    match serde_json::from_str(text) {
        Ok(v) => Ok((v, Vec::new())),
        Err(strict) => match super::jsonc::parse(text) {
            Ok(v) => Ok((
                v,
                vec![format!(
                    "has comments or trailing commas, which this client refuses ({strict}); \
                     the servers below are what it would load once fixed"
                )],
            )),
            Err(_) => Err(format!("not valid JSON: {strict}")),
        },
    }
}

/// Where each system keeps applications' settings under a home: Linux,
/// macOS, Windows.
const APP_DIRS: [&str; 3] = [".config", "Library/Application Support", "AppData/Roaming"];

/// VS Code's builds, each with its own settings folder.
const VSCODES: [&str; 3] = ["Code", "Code - Insiders", "VSCodium"];

/// Editors that run VS Code's extensions, each keeping their data under
/// its own settings folder's `User/globalStorage`.
const EXTENSION_HOSTS: [&str; 5] = ["Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"];

/// The MCP settings the Cline and Roo Code extensions keep in their
/// global storage (`{"mcpServers": …}`, read with `JSON.parse`).
const EXTENSION_FILES: [(Client, &str); 2] = [
    (
        Client::Cline,
        "saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    ),
    (
        Client::RooCode,
        "rooveterinaryinc.roo-cline/settings/mcp_settings.json",
    ),
];

/// The user-level files of every client under one home directory, in the
/// layouts of Linux, macOS and Windows alike (a home copied or mounted from
/// another system is read all the same).
pub fn user_files(home: &Path) -> Vec<ConfigFile> {
    use Client::*;
    use Format::*;
    let mut files = Vec::new();
    let mut add = |client, format, rel: &str| {
        files.push(ConfigFile {
            client,
            scope: Scope::User,
            format,
            path: home.join(rel),
        });
    };
    for base in APP_DIRS {
        add(
            ClaudeDesktop,
            McpServers { jsonc: false },
            &format!("{base}/Claude/claude_desktop_config.json"),
        );
        for code in VSCODES {
            add(Vscode, VscodeMcp, &format!("{base}/{code}/User/mcp.json"));
            add(
                Vscode,
                VscodeSettings,
                &format!("{base}/{code}/User/settings.json"),
            );
        }
    }
    for base in APP_DIRS {
        for host in EXTENSION_HOSTS {
            for (client, rel) in EXTENSION_FILES {
                add(
                    client,
                    McpServers { jsonc: false },
                    &format!("{base}/{host}/User/globalStorage/{rel}"),
                );
            }
        }
    }
    add(
        CopilotCli,
        McpServers { jsonc: false },
        ".copilot/mcp-config.json",
    );
    add(ClaudeCode, ClaudeUser, ".claude.json");
    add(Cursor, McpServers { jsonc: true }, ".cursor/mcp.json");
    add(
        Windsurf,
        McpServers { jsonc: false },
        ".codeium/windsurf/mcp_config.json",
    );
    add(Client::Zed, Format::Zed, ".config/zed/settings.json");
    add(
        Client::Zed,
        Format::Zed,
        "AppData/Roaming/Zed/settings.json",
    );
    add(Codex, CodexToml, ".codex/config.toml");
    add(Gemini, McpServers { jsonc: true }, ".gemini/settings.json");
    add(Continue, ContinueYaml, ".continue/config.yaml");
    add(Continue, ContinueJson, ".continue/config.json");
    files
}

/// The user configs of VS Code's other profiles: each profile keeps its own
/// `mcp.json` and `settings.json` under `User/profiles/ID/`, so servers
/// added while a work or a personal profile was active live there.
pub fn vscode_profiles(home: &Path) -> Vec<ConfigFile> {
    let mut files = Vec::new();
    for base in APP_DIRS {
        for code in VSCODES {
            let dir = home.join(format!("{base}/{code}/User/profiles"));
            let Ok(read) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut profiles: Vec<_> = read
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect();
            profiles.sort();
            for profile in profiles {
                for (name, format) in [
                    ("mcp.json", Format::VscodeMcp),
                    ("settings.json", Format::VscodeSettings),
                ] {
                    files.push(ConfigFile {
                        client: Client::Vscode,
                        scope: Scope::User,
                        format,
                        path: profile.join(name),
                    });
                }
            }
        }
    }
    files
}

/// The client and format of a project-level file, from its path inside a
/// repository; `None` for every other file.
pub fn project_file(path: &Path) -> Option<ConfigFile> {
    use Client::*;
    use Format::*;
    let name = path.file_name()?.to_str()?;
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|p| p.to_str());
    let (client, format) = match (name, parent) {
        (".mcp.json", _) => (ClaudeCode, McpServers { jsonc: false }),
        ("mcp.json", Some(".cursor")) => (Cursor, McpServers { jsonc: true }),
        ("mcp.json", Some(".vscode")) => (Vscode, VscodeMcp),
        ("settings.json", Some(".vscode")) => (Vscode, VscodeSettings),
        ("settings.json", Some(".gemini")) => (Gemini, McpServers { jsonc: true }),
        ("settings.json", Some(".zed")) => (Client::Zed, Format::Zed),
        ("config.toml", Some(".codex")) => (Codex, CodexToml),
        ("mcp.json", Some(".roo")) => (RooCode, McpServers { jsonc: false }),
        (_, Some("mcpServers")) if continue_dev::block_name(path) => (Continue, ContinueBlock),
        _ => return None,
    };
    Some(ConfigFile {
        client,
        scope: Scope::Project,
        format,
        path: path.to_path_buf(),
    })
}

/// The files of a directory of Continue blocks (`~/.continue/mcpServers`).
pub fn continue_blocks(dir: &Path, scope: Scope) -> Vec<ConfigFile> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<ConfigFile> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| continue_dev::block_name(p))
        .map(|path| ConfigFile {
            client: Client::Continue,
            scope,
            format: Format::ContinueBlock,
            path,
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[cfg(test)]
mod tests;

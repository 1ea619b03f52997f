//! Discovery of agents nobody registered (`warden discover`): MCP servers
//! in the configs of the clients people run (Claude Desktop and Code,
//! Cursor, VS Code, Windsurf, Zed, Codex CLI, Gemini CLI, Continue), under
//! home directories and in repositories; plaintext secrets in them, kept
//! only as fingerprints. Nothing here talks to a Warden backend.
//!
//! - [`clients`]: which files, and each client's format.
//! - [`secrets`]: what is a secret, and its fingerprint.
//! - [`judge`]: a configured server to a [`Finding`].
//! - [`walk`]: `--root`, the way ripgrep walks.

pub mod a2a;
pub mod clients;
pub mod finding;
pub mod homes;
pub mod jsonc;
pub mod judge;
pub mod probe;
pub mod probe_stdio;
pub mod read;
pub mod sarif;
pub mod secrets;
pub mod walk;

pub use finding::{Finding, Report, SecretFound, Warning};

use clients::{ConfigFile, Scope};
use std::path::PathBuf;

/// Where to look.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Home directories whose user-level configs to read.
    pub homes: Vec<PathBuf>,
    /// Directories to walk for project-level configs.
    pub roots: Vec<PathBuf>,
    /// The name findings record as their host.
    pub host: String,
}

/// Reads every config under the homes and roots.
pub fn scan(options: &Options) -> Report {
    let mut report = Report {
        host: options.host.clone(),
        ..Report::default()
    };
    let mut files: Vec<ConfigFile> = Vec::new();
    for home in &options.homes {
        if !home.is_dir() {
            report.warnings.push(Warning::new(
                home.display().to_string(),
                "is not a directory that can be read",
            ));
            continue;
        }
        files.extend(clients::user_files(home));
        files.extend(clients::vscode_profiles(home));
        files.extend(clients::continue_blocks(
            &home.join(".continue/mcpServers"),
            Scope::User,
        ));
    }
    let walked = walk::walk(&options.roots);
    report.files_walked = walked.seen;
    report.warnings.extend(walked.warnings);
    files.extend(walked.files);
    // A root inside a home finds the home's files again.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert((f.path.clone(), f.client)));
    for file in &files {
        read_file(&options.host, file, &mut report);
    }
    report.findings.sort_by(|a, b| {
        (&a.location, &a.project, &a.name).cmp(&(&b.location, &b.project, &b.name))
    });
    report
}

fn read_file(host: &str, file: &ConfigFile, report: &mut Report) {
    let location = file.path.display().to_string();
    let text = match read::config_text(&file.path) {
        Ok(Some(text)) => text,
        Ok(None) => return,
        Err(w) => {
            report.files_read += 1;
            report.warnings.push(w);
            return;
        }
    };
    report.files_read += 1;
    match clients::parse(file.format, &file.path, &text) {
        Ok(parsed) => {
            for note in &parsed.notes {
                report
                    .warnings
                    .push(Warning::new(location.clone(), note.clone()));
            }
            for entry in &parsed.entries {
                report
                    .findings
                    .push(judge::judge(host, file, entry, &parsed));
            }
        }
        Err(message) => report.warnings.push(Warning::new(
            location,
            format!("{message} ({} config); skipped", file.client.as_str()),
        )),
    }
}

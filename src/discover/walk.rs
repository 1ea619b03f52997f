//! `--root DIR`: walking repositories for project-level configs
//! (`.mcp.json`, `.cursor/mcp.json`, `.vscode/mcp.json`, …) the way
//! ripgrep walks: `.gitignore`, `.ignore` and git's excludes honoured
//! (inside a git repository or not), hidden directories searched (every
//! project config sits in one) but `.git` skipped, symbolic links followed
//! with loops detected, several threads. An unreadable directory or a link
//! loop is a warning; the walk goes on.

use super::clients::{self, ConfigFile};
use super::finding::Warning;
use ignore::{WalkBuilder, WalkState};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a walk found: the config files, the warnings, and how many files
/// it looked at.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<ConfigFile>,
    pub warnings: Vec<Warning>,
    pub seen: usize,
}

/// Walks every root. The order of the answer does not depend on the
/// threads: files are sorted by path.
pub fn walk(roots: &[PathBuf]) -> Walked {
    let mut out = Walked::default();
    let (first, rest) = match roots.split_first() {
        Some(split) => split,
        None => return out,
    };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .hidden(false)
        .follow_links(true)
        .require_git(false)
        .git_global(true)
        .git_exclude(true)
        .filter_entry(|e| e.file_name() != ".git");
    let found = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let seen = AtomicUsize::new(0);
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        seen.fetch_add(1, Ordering::Relaxed);
                        if let Some(file) = clients::project_file(e.path()) {
                            lock(&found).push(file);
                        }
                    }
                }
                Err(err) => lock(&warnings).push(warning(&err)),
            }
            WalkState::Continue
        })
    });
    for root in roots {
        if !root.is_dir() {
            lock(&warnings).push(Warning::new(
                root.display().to_string(),
                "is not a directory that can be read",
            ));
        }
    }
    out.files = found.into_inner().unwrap_or_else(|p| p.into_inner());
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.warnings = warnings.into_inner().unwrap_or_else(|p| p.into_inner());
    out.warnings.sort_by(|a, b| a.location.cmp(&b.location));
    out.warnings.dedup();
    out.seen = seen.into_inner();
    out
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The path an error is about, and what went wrong in words.
fn warning(err: &ignore::Error) -> Warning {
    match innermost(err) {
        (Some(path), ignore::Error::Loop { ancestor, .. }) => Warning::new(
            path,
            format!(
                "is a symbolic link back to {}: a loop, not followed",
                ancestor.display()
            ),
        ),
        (Some(path), ignore::Error::Io(io)) => Warning::new(path, format!("cannot be read: {io}")),
        (path, other) => Warning::new(path.unwrap_or_default(), other.to_string()),
    }
}

/// Unwraps the layers of path, line and depth around an error.
fn innermost(err: &ignore::Error) -> (Option<String>, &ignore::Error) {
    let mut path = None;
    let mut e = err;
    loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.display().to_string());
                e = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                e = err
            }
            ignore::Error::Loop { child, .. } => return (Some(child.display().to_string()), e),
            other => return (path, other),
        }
    }
}

//! The tests' Python venv: independent clients and servers from PyPI that
//! `.ci/run` installs (its `test_py_packages` list) into the venv named by
//! `WARDEN_TEST_VENV` (default `~/.cache/warden-ci/venv`, where `.ci/run`
//! keeps it). A suite asks for the package it needs; without it, the test
//! says why and passes when run by hand, and fails in CI (`CI` set), so a
//! missing install cannot hide the suite.

use std::path::PathBuf;
use std::process::Command;

/// The venv's directory, whether or not it exists.
pub fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WARDEN_TEST_VENV").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("warden-ci/venv")
}

/// The venv's `python`, when `module` imports in it; else `None` after
/// saying why on a developer's machine, and a panic in CI.
pub fn with_module(module: &str, pip_package: &str) -> Option<PathBuf> {
    let python = venv_dir().join("bin/python");
    let imports = python.is_file()
        && Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
    if imports {
        return Some(python);
    }
    let why = format!(
        "Python module `{module}` is not in the test venv {} (python3 -m venv DIR && \
         DIR/bin/pip install {pip_package}, then WARDEN_TEST_VENV=DIR; .ci/run does this)",
        venv_dir().display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{why}");
    }
    use std::io::Write;
    // Straight to stderr: the harness captures eprintln!.
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
    None
}

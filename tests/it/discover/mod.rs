//! `warden discover` through the real binary: every client's config
//! format from its fixture, secrets kept out of every output, the walk of
//! `--root`, and bad input that warns and goes on.

mod bad_input;
mod configs;
mod network;
mod output;
mod register;
mod vault;

use crate::support::cli::{Run, warden};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The fixtures: a home with every client's user config, and a repository
/// with every project config.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discover")
}

/// Every plaintext secret written in the fixtures: none may ever be
/// printed.
pub const FIXTURE_SECRETS: &[&str] = &[
    "ghp_FAKE0fixture0token0for0warden0tests1",
    "Sup3rS3cretPw",
    "lin_api_FAKEfixture0123456789abcdef",
    "sk_live_FAKEfixture0123456789ab",
    "sk-proj-FAKEfixture0123456789abcdefABCDEF",
    "xoxb-000000000000-FAKEfixtureToken",
    "BSAfakeFixtureKey0123456789xyz",
    "ZedDbPassw0rd",
    "sk-ant-api03-FAKEfixture0123456789abcdefABCDEF",
    "wx9Fq2LmZ0vPa7Wd3Kt",
    "AKIA2FAKEFIXTURE7Q3Z",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYfakeFIXTURE1",
    "wdn_ac_FAKEfixture0123456789abcdefghijABCDEFGHI",
    "glpat-FAKEfixture0123456789ab",
    "AIzaFAKEfixture0123456789abcdefghijklmn",
    "hf_FAKEfixture0123456789abcdefABCDEFGH",
    "sk_test_FAKEfixture0123456789ab",
    "xoxb-000000000001-FAKEprofileToken",
    "ghp_FAKE1cline0token0for0warden0tests01",
    "R00PgPassw0rd",
    "lin_api_FAKEcopilot0123456789abcdef",
];

/// `warden discover ARGS` in a clean environment.
pub fn discover(args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = warden(home.path());
    Run::of(cmd.arg("discover").args(args))
}

/// `warden discover ARGS --json`, parsed; it must exit 0.
pub fn discover_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let r = discover(&all);
    r.assert_code(0);
    serde_json::from_str(&r.stdout).unwrap()
}

/// The finding named `name`, panicking with the names found otherwise.
pub fn finding<'a>(report: &'a Value, name: &str) -> &'a Value {
    let findings = report["findings"].as_array().unwrap();
    findings
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| {
            let names: Vec<&Value> = findings.iter().map(|f| &f["name"]).collect();
            panic!("no finding {name:?} in {names:?}")
        })
}

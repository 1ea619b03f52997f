//! What `warden discover` prints: no secret in any format, the table's
//! fingerprints, and SARIF that code-scanning tools accept.

use super::{FIXTURE_SECRETS, discover, fixtures};
use serde_json::Value;

fn all_args() -> Vec<String> {
    let f = fixtures();
    vec![
        "--home".into(),
        f.join("home").display().to_string(),
        "--root".into(),
        f.join("repo").display().to_string(),
    ]
}

#[test]
fn no_format_ever_prints_a_secret() {
    for format in ["table", "json", "sarif"] {
        let mut args: Vec<String> = all_args();
        args.extend(["--format".into(), format.into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = discover(&args);
        r.assert_code(0);
        for secret in FIXTURE_SECRETS {
            assert!(!r.stdout.contains(secret), "{format} printed {secret}");
            assert!(!r.stderr.contains(secret), "{format} warned {secret}");
        }
    }
}

#[test]
fn the_table_lists_findings_then_each_secret_by_fingerprint() {
    let args = all_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = discover(&args);
    r.assert_code(0);
    assert!(r.stdout.starts_with("Agents found (39)"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Plaintext secrets (never shown; SHA-256 fingerprints) (21)"),
        "{}",
        r.stdout
    );
    // The GitHub token's fingerprint, in full.
    assert!(
        r.stdout
            .contains("5752b971115e6ae67bfd2a1aa0096893c27723fe75510773764a55c46cae1dad")
    );
    assert!(r.stdout.contains("--api-key=[redacted stripe]"));
}

#[test]
fn sarif_has_a_result_per_agent_secret_and_plain_http_endpoint() {
    let repo = fixtures().join("repo");
    let r = discover(&["--root", repo.to_str().unwrap(), "--format", "sarif"]);
    r.assert_code(0);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "unregistered-agent",
            "plaintext-secret",
            "plain-http",
            "no-auth"
        ]
    );
    let results = run["results"].as_array().unwrap();
    let count = |rule: &str| results.iter().filter(|r| r["ruleId"] == rule).count();
    assert_eq!(count("unregistered-agent"), 9);
    assert_eq!(count("plaintext-secret"), 5);
    for result in results {
        assert!(rules.contains(&result["ruleId"].as_str().unwrap()));
        assert!(result["partialFingerprints"]["wardenFinding/v1"].is_string());
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        // Relative to the root, as a repository's scan should point.
        assert!(!uri.starts_with('/') && !uri.starts_with("file:"), "{uri}");
    }
    let secret = results
        .iter()
        .find(|r| r["ruleId"] == "plaintext-secret")
        .unwrap();
    assert_eq!(secret["level"], "error");
}

#[test]
fn json_and_format_json_are_one_thing_and_conflict_with_another_format() {
    let repo = fixtures().join("repo");
    let a = discover(&["--root", repo.to_str().unwrap(), "--json"]);
    let b = discover(&["--root", repo.to_str().unwrap(), "--format", "json"]);
    a.assert_code(0);
    b.assert_code(0);
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert_eq!(parse(&a.stdout), parse(&b.stdout));
    let r = discover(&["--json", "--format", "sarif"]);
    r.assert_code(2);
}

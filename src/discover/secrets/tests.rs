use super::*;

fn kinds(key: Option<&str>, value: &str) -> Vec<SecretKind> {
    find(key, value).into_iter().map(|s| s.kind).collect()
}

#[test]
fn vendor_shapes_are_found_anywhere_in_a_value() {
    let gh = "ghp_ABCdef0123456789ABCdef0123456789wxyz";
    assert_eq!(kinds(None, gh), [SecretKind::Github]);
    assert_eq!(kinds(None, &format!("--token={gh}")), [SecretKind::Github]);
    assert_eq!(
        kinds(None, "sk-ant-api03-AbCdEf0123456789AbCdEf0123456789"),
        [SecretKind::Anthropic]
    );
    assert_eq!(
        kinds(None, "sk-proj-AbCdEf0123456789AbCdEf01"),
        [SecretKind::Openai]
    );
    assert_eq!(
        kinds(None, "xoxb-1234567890-abcdefABCDEF"),
        [SecretKind::Slack]
    );
    assert_eq!(kinds(None, "AKIA2E0A8F3B244C9986"), [SecretKind::Aws]);
    assert_eq!(
        kinds(None, "sk_live_51Hx0123456789abcdefGH"),
        [SecretKind::Stripe]
    );
    assert_eq!(
        kinds(None, "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
        [SecretKind::Google]
    );
    assert_eq!(
        kinds(None, "wdn_ac_0123456789abcdefghijABCDEFGHIJ0123456789"),
        [SecretKind::Warden]
    );
}

#[test]
fn words_that_merely_contain_a_prefix_are_not_secrets() {
    assert!(kinds(None, "task-sk-is-not-a-key-at-all-really").is_empty());
    assert!(kinds(None, "@modelcontextprotocol/server-github").is_empty());
    assert!(kinds(None, "ghp_YOUR_TOKEN_HERE_xxxxxxxxxxxxxxxxxxxxxxxx").is_empty());
    assert!(kinds(None, "AKIAIOSFODNN7EXAMPLE").is_empty());
}

#[test]
fn key_like_names_make_long_varied_values_secrets() {
    assert_eq!(
        kinds(Some("API_KEY"), "q8Zr2LmX0vPa7Wd"),
        [SecretKind::Generic]
    );
    assert_eq!(
        kinds(Some("x-api-key"), "q8Zr2LmX0vPa7Wd"),
        [SecretKind::Generic]
    );
    assert_eq!(
        kinds(Some("--password"), "hunter2hunter2!"),
        [SecretKind::Generic]
    );
    assert_eq!(
        kinds(
            Some("AWS_SECRET_ACCESS_KEY"),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9KEYzz"
        ),
        [SecretKind::Aws]
    );
    assert_eq!(
        kinds(Some("Authorization"), "Bearer q8Zr2LmX0vPa7Wd9"),
        [SecretKind::Bearer]
    );
    // Not secrets: other names, short or plain values, paths.
    assert!(kinds(Some("LOG_LEVEL"), "q8Zr2LmX0vPa7Wd").is_empty());
    assert!(kinds(Some("API_KEY"), "short").is_empty());
    assert!(kinds(Some("TOKEN_FILE"), "q8Zr2LmX0vPa7Wd").is_empty());
    assert!(kinds(Some("KEY"), "/home/ada/.secrets/key").is_empty());
    assert!(kinds(Some("API_KEY"), "YOUR_API_KEY").is_empty());
    assert!(kinds(Some("API_KEY"), "<your-key>").is_empty());
}

#[test]
fn references_are_not_secrets() {
    for value in [
        "${env:GITHUB_TOKEN}",
        "${input:github-token}",
        "$GITHUB_TOKEN",
        "${GITHUB_TOKEN}",
        "{env:TOKEN}",
        "${{ secrets.GITHUB_TOKEN }}",
        "%GITHUB_TOKEN%",
    ] {
        assert!(kinds(Some("GITHUB_TOKEN"), value).is_empty(), "{value}");
    }
    assert!(kinds(Some("Authorization"), "Bearer ${env:TOKEN}").is_empty());
    assert!(kinds(Some("Authorization"), "Bearer ${input:pat}").is_empty());
}

#[test]
fn urls_give_up_passwords_and_key_like_parameters() {
    let url = "postgres://app:S3cretPassw0rd@db.internal:5432/app";
    let spans = find(None, url);
    assert_eq!(spans.len(), 1);
    assert_eq!(&url[spans[0].range.clone()], "S3cretPassw0rd");
    let url = "https://mcp.example.com/sse?api_key=q8Zr2LmX0vPa7Wd&mode=x";
    let spans = find(None, url);
    assert_eq!(spans.len(), 1);
    assert_eq!(&url[spans[0].range.clone()], "q8Zr2LmX0vPa7Wd");
    assert!(find(None, "https://mcp.example.com/sse?mode=q8Zr2LmX0vPa7Wd").is_empty());
}

#[test]
fn redaction_replaces_only_the_secret() {
    let v = "--token=ghp_ABCdef0123456789ABCdef0123456789wxyz --verbose";
    let shown = redact(v, &find(None, v));
    assert_eq!(shown, "--token=[redacted github] --verbose");
    assert!(!shown.contains("ghp_A"));
}

#[test]
fn fingerprints_are_the_sha256_the_server_keeps() {
    assert_eq!(fingerprint("wdn_ac_x"), crate::secrets::hash("wdn_ac_x"));
    assert_eq!(fingerprint("abc").len(), 64);
}

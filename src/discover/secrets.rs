//! Plaintext secrets in MCP client configs: which values are secrets, of
//! what kind, and their fingerprints. A secret's text never leaves this
//! module except as its SHA-256 (the fingerprint rule R07 matches, the same
//! hash the server keeps of a Warden secret) and as the span to blank out
//! wherever the value is shown.
//!
//! Two ways a value is a secret: it carries a vendor's token shape (GitHub,
//! OpenAI, Anthropic, Slack, AWS, Stripe, Google, Warden…), found anywhere
//! in the value; or it sits under a key-like name (`API_KEY`,
//! `Authorization`, `--token`, `?access_token=`) and looks like one: long
//! enough, varied enough, not a placeholder. References the client
//! resolves at start (`${env:X}`, `${input:x}`, `$X`, `${{ secrets.X }}`)
//! are not secrets.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What a secret is, by its shape or where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretKind {
    Github,
    Openai,
    Anthropic,
    Slack,
    Aws,
    Stripe,
    Google,
    Gitlab,
    HuggingFace,
    Warden,
    /// `Authorization: Bearer …` with a literal token.
    Bearer,
    /// A password inside a URL (`https://user:pass@host`).
    UrlPassword,
    /// A long, varied value under a key-like name.
    Generic,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Github => "github",
            SecretKind::Openai => "openai",
            SecretKind::Anthropic => "anthropic",
            SecretKind::Slack => "slack",
            SecretKind::Aws => "aws",
            SecretKind::Stripe => "stripe",
            SecretKind::Google => "google",
            SecretKind::Gitlab => "gitlab",
            SecretKind::HuggingFace => "hugging-face",
            SecretKind::Warden => "warden",
            SecretKind::Bearer => "bearer",
            SecretKind::UrlPassword => "url-password",
            SecretKind::Generic => "generic",
        }
    }
}

impl std::fmt::Display for SecretKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token shape: a prefix, the characters after it, and how many.
struct Shape {
    kind: SecretKind,
    prefix: &'static str,
    charset: fn(u8) -> bool,
    min: usize,
    max: usize,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_under(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}
fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn slack_path(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/'
}
fn dotted(b: u8) -> bool {
    alnum_dash(b) || b == b'.'
}

/// The vendors' documented prefixes. Longer prefixes first: `sk-ant-` is
/// Anthropic's, not OpenAI's.
const SHAPES: &[Shape] = &[
    Shape {
        kind: SecretKind::Github,
        prefix: "github_pat_",
        charset: alnum_under,
        min: 40,
        max: 255,
    },
    Shape {
        kind: SecretKind::Github,
        prefix: "ghp_",
        charset: alnum,
        min: 30,
        max: 255,
    },
    Shape {
        kind: SecretKind::Github,
        prefix: "gho_",
        charset: alnum,
        min: 30,
        max: 255,
    },
    Shape {
        kind: SecretKind::Github,
        prefix: "ghu_",
        charset: alnum,
        min: 30,
        max: 255,
    },
    Shape {
        kind: SecretKind::Github,
        prefix: "ghs_",
        charset: alnum,
        min: 30,
        max: 255,
    },
    Shape {
        kind: SecretKind::Github,
        prefix: "ghr_",
        charset: alnum,
        min: 30,
        max: 255,
    },
    Shape {
        kind: SecretKind::Anthropic,
        prefix: "sk-ant-",
        charset: alnum_dash,
        min: 20,
        max: 255,
    },
    Shape {
        kind: SecretKind::Openai,
        prefix: "sk-",
        charset: alnum_dash,
        min: 20,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "https://hooks.slack.com/services/",
        charset: slack_path,
        min: 20,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xoxb-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xoxp-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xoxa-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xoxe-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xoxr-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xoxs-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Slack,
        prefix: "xapp-",
        charset: alnum_dash,
        min: 10,
        max: 255,
    },
    Shape {
        kind: SecretKind::Aws,
        prefix: "AKIA",
        charset: upper_digit,
        min: 16,
        max: 16,
    },
    Shape {
        kind: SecretKind::Aws,
        prefix: "ASIA",
        charset: upper_digit,
        min: 16,
        max: 16,
    },
    Shape {
        kind: SecretKind::Stripe,
        prefix: "sk_live_",
        charset: alnum,
        min: 16,
        max: 255,
    },
    Shape {
        kind: SecretKind::Stripe,
        prefix: "sk_test_",
        charset: alnum,
        min: 16,
        max: 255,
    },
    Shape {
        kind: SecretKind::Stripe,
        prefix: "rk_live_",
        charset: alnum,
        min: 16,
        max: 255,
    },
    Shape {
        kind: SecretKind::Stripe,
        prefix: "rk_test_",
        charset: alnum,
        min: 16,
        max: 255,
    },
    Shape {
        kind: SecretKind::Stripe,
        prefix: "whsec_",
        charset: alnum,
        min: 16,
        max: 255,
    },
    Shape {
        kind: SecretKind::Google,
        prefix: "AIza",
        charset: alnum_dash,
        min: 35,
        max: 35,
    },
    Shape {
        kind: SecretKind::Google,
        prefix: "GOCSPX-",
        charset: alnum_dash,
        min: 20,
        max: 255,
    },
    Shape {
        kind: SecretKind::Google,
        prefix: "ya29.",
        charset: dotted,
        min: 20,
        max: 2048,
    },
    Shape {
        kind: SecretKind::Gitlab,
        prefix: "glpat-",
        charset: alnum_dash,
        min: 20,
        max: 255,
    },
    Shape {
        kind: SecretKind::HuggingFace,
        prefix: "hf_",
        charset: alnum,
        min: 30,
        max: 255,
    },
    Shape {
        kind: SecretKind::Warden,
        prefix: crate::secrets::AGENT_SECRET_PREFIX,
        charset: alnum,
        min: 40,
        max: 40,
    },
    Shape {
        kind: SecretKind::Warden,
        prefix: crate::secrets::PERSON_TOKEN_PREFIX,
        charset: alnum,
        min: 40,
        max: 40,
    },
];

/// One secret inside a value: its kind and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: SecretKind,
    pub range: Range<usize>,
}

/// The secrets in `value`, which sits under `key` (an env var, header,
/// JSON key, command-line flag or query parameter) when it has one.
pub fn find(key: Option<&str>, value: &str) -> Vec<Span> {
    let mut spans = shaped(value);
    if !spans.is_empty() {
        return spans;
    }
    if let Some(span) = url_secrets(value) {
        spans.extend(span);
        return spans;
    }
    if let Some(span) = under_key(key, value) {
        spans.push(span);
    }
    spans
}

/// Every vendor-shaped token in `value`, on word boundaries.
fn shaped(value: &str) -> Vec<Span> {
    let bytes = value.as_bytes();
    let mut found: Vec<Span> = Vec::new();
    let mut i = 0;
    'scan: while i < bytes.len() {
        let boundary = i == 0 || !alnum_dash(bytes[i - 1]);
        if boundary {
            for shape in SHAPES {
                if !value[i..].starts_with(shape.prefix) {
                    continue;
                }
                let body = i + shape.prefix.len();
                let end = bytes[body..]
                    .iter()
                    .position(|&b| !(shape.charset)(b))
                    .map_or(bytes.len(), |n| body + n);
                let len = end - body;
                // Longer runs than the shape allows belong to something else.
                if len >= shape.min && len <= shape.max && !placeholder(&value[body..end]) {
                    found.push(Span {
                        kind: shape.kind,
                        range: i..end,
                    });
                    i = end;
                    continue 'scan;
                }
            }
        }
        i += value[i..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// A password in a URL's user info, or a key-like query parameter.
fn url_secrets(value: &str) -> Option<Vec<Span>> {
    let scheme_end = value.find("://")?;
    if !value[..scheme_end]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+')
    {
        return None;
    }
    let rest = scheme_end + 3;
    let authority_end = value[rest..]
        .find(['/', '?', '#'])
        .map_or(value.len(), |n| rest + n);
    let mut spans = Vec::new();
    if let Some(at) = value[rest..authority_end].rfind('@') {
        let userinfo = &value[rest..rest + at];
        if let Some(colon) = userinfo.find(':') {
            let range = rest + colon + 1..rest + at;
            if !range.is_empty() && !reference(&value[range.clone()]) {
                spans.push(Span {
                    kind: SecretKind::UrlPassword,
                    range,
                });
            }
        }
    }
    if let Some(q) = value[authority_end..].find('?') {
        let mut at = authority_end + q + 1;
        let query_end = value[at..].find('#').map_or(value.len(), |n| at + n);
        for pair in value[at..query_end].split('&') {
            if let Some((k, v)) = pair.split_once('=') {
                let start = at + k.len() + 1;
                if let Some(span) = under_key(Some(k), v) {
                    spans.push(Span {
                        kind: span.kind,
                        range: start + span.range.start..start + span.range.end,
                    });
                }
            }
            at += pair.len() + 1;
        }
    }
    Some(spans)
}

/// A literal secret-looking value under a key-like name.
fn under_key(key: Option<&str>, value: &str) -> Option<Span> {
    let key = key?;
    let lower = key.to_ascii_lowercase();
    let value_start = value.len() - value.trim_start().len();
    let trimmed = value.trim();
    if lower == "authorization" || lower == "proxy-authorization" {
        let (scheme, token) = trimmed.split_once(' ')?;
        let token = token.trim();
        let start = value_start + trimmed.len() - token.len();
        let kind = if scheme.eq_ignore_ascii_case("bearer") {
            SecretKind::Bearer
        } else {
            SecretKind::Generic
        };
        return looks_secret(token).then(|| Span {
            kind,
            range: start..start + token.len(),
        });
    }
    if !key_like(&lower) {
        return None;
    }
    let kind = if lower.contains("aws") {
        SecretKind::Aws
    } else {
        SecretKind::Generic
    };
    looks_secret(trimmed).then(|| Span {
        kind,
        range: value_start..value_start + trimmed.len(),
    })
}

/// Names under which a value is a credential: `GITHUB_TOKEN`, `x-api-key`,
/// `--password`; not `TOKEN_FILE` or `KEY_PATH`, which name where one is.
pub fn key_like(lower: &str) -> bool {
    let name = lower.trim_start_matches('-');
    const WORDS: [&str; 11] = [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "auth",
        "credential",
        "cookie",
        "session",
        "private",
    ];
    const NOT: [&str; 9] = [
        "file", "path", "dir", "url", "name", "id", "env", "var", "type",
    ];
    let last = name.rsplit(['_', '-', '.']).next().unwrap_or(name);
    WORDS.iter().any(|w| name.contains(w)) && !NOT.contains(&last) && !name.contains("keyboard")
}

/// Long and varied enough to be a credential, and neither a reference, a
/// placeholder, a path nor a plain word.
fn looks_secret(value: &str) -> bool {
    if value.len() < 8 || reference(value) || placeholder(value) {
        return false;
    }
    if value.starts_with(['/', '~', '.']) || value.contains("://") || value.contains(' ') {
        return false;
    }
    if matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "none"
    ) {
        return false;
    }
    let mut distinct = [false; 256];
    value.bytes().for_each(|b| distinct[b as usize] = true);
    distinct.iter().filter(|d| **d).count() >= 6
}

/// A value the client fills in at start: `${env:X}`, `${input:x}`,
/// `${X}`, `$X`, `{env:X}`, `${{ secrets.X }}`, `%X%`.
pub fn reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('$')
        || (v.starts_with("{env:") && v.ends_with('}'))
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
        || v.contains("${")
}

/// Text that stands in for a secret in documentation: `YOUR_API_KEY`,
/// `<token>`, `xxxx…`, `changeme`.
fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const WORDS: [&str; 9] = [
        "your",
        "xxxx",
        "****",
        "<",
        "changeme",
        "placeholder",
        "example",
        "redacted",
        "replace",
    ];
    WORDS.iter().any(|w| lower.contains(w))
        || value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b == b'-')
        || value.bytes().all(|b| b == value.as_bytes()[0])
}

/// SHA-256 of a secret, hex: the fingerprint R07 compares.
pub fn fingerprint(secret: &str) -> String {
    crate::secrets::hash(secret)
}

/// `value` with every span replaced by `[redacted KIND]`.
pub fn redact(value: &str, spans: &[Span]) -> String {
    let mut spans: Vec<&Span> = spans.iter().collect();
    spans.sort_by_key(|s| s.range.start);
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    for s in spans {
        if s.range.start < at {
            continue;
        }
        out.push_str(&value[at..s.range.start]);
        out.push_str(&format!("[redacted {}]", s.kind));
        at = s.range.end;
    }
    out.push_str(&value[at..]);
    out
}

#[cfg(test)]
mod tests;

//! What went wrong talking to Vault, as [`VaultError`]: one variant per
//! thing the dashboard says differently (down, slow, sealed, not allowed,
//! not there, not Vault, refused), and the mapping from an HTTP answer's
//! status and `{"errors": […]}` body to it. Every message is one line, names
//! the Vault path, and never holds the token.

use crate::api::client::preview;
use reqwest::StatusCode;

/// What a token must hold on a path for a request: Vault's ACL capability
/// that the request's method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    Read,
    List,
    /// POST and PUT: Vault checks `update` for the endpoints Warden writes
    /// to (lookups by accessor, revocations), none of which create.
    Update,
    Delete,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Read => "read",
            Capability::List => "list",
            Capability::Update => "update",
            Capability::Delete => "delete",
        }
    }
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The URL, CA file or an argument cannot be used; nothing was sent.
    #[error("Vault: {0}")]
    Invalid(String),
    #[error("cannot reach Vault at {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("Vault at {url} did not answer {path} within {seconds} s")]
    Timeout {
        url: String,
        path: String,
        seconds: u64,
    },
    /// Every path but `sys/health` answers 503 while sealed.
    #[error("Vault at {url} is sealed: nothing can be read or revoked until it is unsealed")]
    Sealed { url: String },
    /// 403: the token lacks `capability` on `path` (and `sudo` too, when
    /// `sudo`: Vault and OpenBao want it besides `list` on the token
    /// accessors and the lease listings). Vault answers the same to a token
    /// that has expired or was revoked, so the message says so.
    #[error(
        "permission denied on {path}: the Vault token's policy lacks the \"{capability}\"{} \
         capability there (or the token expired or was revoked)",
        if *sudo { " and \"sudo\"" } else { "" }
    )]
    PermissionDenied {
        path: String,
        capability: Capability,
        sudo: bool,
    },
    #[error("Vault has nothing at {path}")]
    NotFound { path: String },
    /// A 2xx answer that is not the JSON expected there.
    #[error("malformed answer from Vault for {path}: {cause}; the answer began {preview:?}")]
    Malformed {
        path: String,
        cause: String,
        preview: String,
    },
    /// Any other refusal, with Vault's own error lines.
    #[error("Vault refused {path} (HTTP {status}): {}", shown_errors(errors))]
    Http {
        status: u16,
        path: String,
        errors: Vec<String>,
    },
}

impl VaultError {
    /// Whether the whole Vault is out of reach for now (down, slow or
    /// sealed), as opposed to one path being refused: a snapshot stops on
    /// these, and skips or reports the others.
    pub fn is_vault_down(&self) -> bool {
        matches!(
            self,
            VaultError::Unreachable { .. } | VaultError::Timeout { .. } | VaultError::Sealed { .. }
        )
    }

    /// Whether one of Vault's error lines contains `needle`.
    pub(crate) fn says(&self, status: u16, needle: &str) -> bool {
        match self {
            VaultError::Http {
                status: s, errors, ..
            } => *s == status && errors.iter().any(|e| e.contains(needle)),
            _ => false,
        }
    }
}

/// Whether Vault also wants `sudo` for `capability` on `path`: its
/// root-protected paths among those Warden uses.
fn needs_sudo(path: &str, capability: Capability) -> bool {
    capability == Capability::List
        && (path == "auth/token/accessors" || path.starts_with("sys/leases/lookup/"))
}

fn shown_errors(errors: &[String]) -> String {
    if errors.is_empty() {
        "no reason given".to_string()
    } else {
        errors.join("; ")
    }
}

/// The error for a non-2xx answer to `capability` on `path`.
pub(crate) fn from_status(
    url: &str,
    path: &str,
    capability: Capability,
    status: StatusCode,
    body: &[u8],
) -> VaultError {
    let errors = error_lines(body);
    let path = path.to_string();
    match status.as_u16() {
        403 => VaultError::PermissionDenied {
            sudo: needs_sudo(&path, capability),
            path,
            capability,
        },
        // A mount or namespace that does not exist is a mistake to show,
        // not an empty listing.
        404 if !errors
            .iter()
            .any(|e| e.contains("no handler for route") || e.contains("namespace not found")) =>
        {
            VaultError::NotFound { path }
        }
        503 if errors.iter().any(|e| e.contains("sealed")) => VaultError::Sealed {
            url: url.to_string(),
        },
        status => VaultError::Http {
            status,
            path,
            errors,
        },
    }
}

/// Vault's error lines, each made one line: its body is
/// `{"errors": ["1 error occurred:\n\t* invalid accessor\n\n"]}` (a Go
/// multierror), `{"errors": ["permission denied"]}`, or, from some plugins,
/// `{"data": {"error": "…"}}`. Anything else is quoted as a preview.
fn error_lines(body: &[u8]) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        errors: Option<Vec<String>>,
        #[serde(default)]
        data: Option<DataError>,
    }
    #[derive(serde::Deserialize)]
    struct DataError {
        error: Option<String>,
    }
    let raw = match serde_json::from_slice::<Body>(body) {
        Ok(b) => {
            let mut lines = b.errors.unwrap_or_default();
            lines.extend(b.data.and_then(|d| d.error));
            lines
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            if text.trim().is_empty() {
                return Vec::new();
            }
            vec![preview(text.trim().as_bytes())]
        }
    };
    raw.iter().flat_map(|e| one_line(e)).collect()
}

/// A multierror's items, or the text with its whitespace and control
/// characters collapsed, bounded like any preview.
fn one_line(text: &str) -> Vec<String> {
    let items: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("* "))
        .collect();
    let parts = if items.is_empty() { vec![text] } else { items };
    parts
        .into_iter()
        .map(|p| {
            let flat: String = p
                .split(|c: char| c.is_whitespace() || c.is_control())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            preview(flat.as_bytes())
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, cap: Capability, body: &str) -> VaultError {
        from_status(
            "http://127.0.0.1:8200",
            "auth/token/accessors",
            cap,
            StatusCode::from_u16(status).unwrap(),
            body.as_bytes(),
        )
    }

    #[test]
    fn a_403_names_the_path_and_the_capability() {
        let e = err(
            403,
            Capability::List,
            r#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#,
        );
        assert_eq!(
            e,
            VaultError::PermissionDenied {
                path: "auth/token/accessors".into(),
                capability: Capability::List,
                sudo: true,
            }
        );
        let shown = e.to_string();
        assert!(shown.contains("auth/token/accessors"), "{shown}");
        assert!(
            shown.contains("lacks the \"list\" and \"sudo\" capability"),
            "{shown}"
        );
        assert!(!shown.contains('\n'));
        let e = from_status(
            "u",
            "identity/entity/id",
            Capability::List,
            StatusCode::FORBIDDEN,
            b"",
        );
        assert_eq!(
            e.to_string(),
            "permission denied on identity/entity/id: the Vault token's policy lacks the \
             \"list\" capability there (or the token expired or was revoked)"
        );
    }

    #[test]
    fn a_503_that_says_sealed_is_sealed_and_another_503_is_not() {
        let e = err(503, Capability::Read, r#"{"errors":["Vault is sealed"]}"#);
        assert!(matches!(e, VaultError::Sealed { .. }), "{e:?}");
        assert!(e.is_vault_down());
        let e = err(503, Capability::Read, r#"{"errors":["standby"]}"#);
        assert!(matches!(e, VaultError::Http { status: 503, .. }), "{e:?}");
    }

    #[test]
    fn a_404_is_not_found_whatever_its_body() {
        for body in [
            r#"{"errors":[]}"#,
            "",
            "<html>",
            r#"{"data":{"error":"failed to find accessor entry"}}"#,
        ] {
            assert_eq!(
                err(404, Capability::Read, body),
                VaultError::NotFound {
                    path: "auth/token/accessors".into()
                }
            );
        }
    }

    #[test]
    fn a_404_for_a_missing_mount_or_namespace_is_a_refusal() {
        let e = err(
            404,
            Capability::List,
            r#"{"errors":["no handler for route \"nope/role\". route entry not found."]}"#,
        );
        assert!(matches!(e, VaultError::Http { status: 404, .. }), "{e:?}");
        assert!(e.to_string().contains("no handler for route"), "{e}");
        let e = err(
            404,
            Capability::List,
            r#"{"errors":["namespace not found"]}"#,
        );
        assert!(matches!(e, VaultError::Http { status: 404, .. }), "{e:?}");
    }

    #[test]
    fn a_400_keeps_vaults_lines_one_line_each() {
        let e = err(
            400,
            Capability::Update,
            r#"{"errors":["1 error occurred:\n\t* invalid accessor\n\n"]}"#,
        );
        assert_eq!(
            e,
            VaultError::Http {
                status: 400,
                path: "auth/token/accessors".into(),
                errors: vec!["invalid accessor".into()]
            }
        );
        assert!(e.says(400, "invalid accessor"));
        assert!(!e.says(404, "invalid accessor"));
        assert_eq!(
            e.to_string(),
            "Vault refused auth/token/accessors (HTTP 400): invalid accessor"
        );
        let e = err(
            404,
            Capability::Update,
            r#"{"data":{"error":"failed to find accessor entry"}}"#,
        );
        assert!(matches!(e, VaultError::NotFound { .. }));
        let e = err(
            500,
            Capability::Update,
            r#"{"data":{"error":"failed\nto find"}}"#,
        );
        assert!(e.says(500, "failed to find"), "{e:?}");
    }

    #[test]
    fn a_body_that_is_not_vaults_is_quoted_short_and_flat() {
        let body = format!("<html>\n{}\x1b[31m", "x".repeat(1000));
        let e = err(502, Capability::Read, &body);
        let VaultError::Http { errors, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(errors.len(), 1);
        assert!(errors[0].chars().count() <= 201, "{}", errors[0]);
        assert!(!e.to_string().contains(['\n', '\x1b']), "{e}");
        assert!(
            matches!(err(500, Capability::Read, ""), VaultError::Http { ref errors, .. } if errors.is_empty())
        );
    }

    #[test]
    fn malformed_escapes_its_preview() {
        let e = VaultError::Malformed {
            path: "sys/health".into(),
            cause: "expected value".into(),
            preview: "a\nb\x1b".into(),
        };
        let shown = e.to_string();
        assert!(shown.contains(r#""a\nb\u{1b}""#), "{shown}");
        assert!(!shown.contains(['\n', '\x1b']));
    }
}

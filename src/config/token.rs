//! Reading a token that the config names by `token_env` or `token_file`,
//! with the same rules wherever it is read (a dashboard's `[[backend]]`, a
//! `[[serve.provider]]`): the variable must be set and not blank; the file
//! must be readable by its owner only, and not empty. Messages name the
//! variable or file, never the token.

use std::path::Path;

/// The token in environment variable `var`, trimmed.
pub fn from_env(var: &str) -> Result<String, String> {
    match std::env::var(var) {
        Ok(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(format!(
            "the environment variable {var} (its token_env) is not set"
        )),
    }
}

/// The token in file `path`, trimmed; refused when group or others could
/// read the file: a token there is as good as leaked.
pub fn from_file(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read token_file {shown}: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "token_file {shown} is readable by group or others (mode {mode:04o}); \
                 refusing to use it. Run: chmod 600 {shown}"
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read token_file {shown}: {e}"))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("token_file {shown} is empty"));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_token_file_must_be_private_and_not_empty() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "  s.abc\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = from_file(&file).unwrap_err();
        assert!(e.contains("chmod 600") && !e.contains("s.abc"), "{e}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(from_file(&file).unwrap(), "s.abc");
        std::fs::write(&file, "\n").unwrap();
        assert!(from_file(&file).unwrap_err().contains("is empty"));
        let e = from_file(&dir.path().join("absent")).unwrap_err();
        assert!(e.contains("cannot read token_file"), "{e}");
        let e = from_env("WARDEN_TEST_SURELY_UNSET_VARIABLE").unwrap_err();
        assert!(e.contains("WARDEN_TEST_SURELY_UNSET_VARIABLE"), "{e}");
    }
}

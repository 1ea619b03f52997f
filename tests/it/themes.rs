//! Themes from the outside: a user's broken theme file in the config dir
//! is refused with its path and the bad key, and the dashboard's theme
//! falls back to the default.

use std::process::Command;
use warden::tui::theme::{Theme, ThemeError};

#[test]
fn an_invalid_user_theme_names_its_path_and_key_and_the_default_is_used() {
    let config_dir = tempfile::tempdir().unwrap();
    let themes = config_dir.path().join("themes");
    std::fs::create_dir_all(&themes).unwrap();
    let path = themes.join("midnight.toml");
    std::fs::write(
        &path,
        "# a theme with one typo\n\
         text = { fg = \"#c0c0c0\" }\n\
         selection = { fg = \"white\", bg = \"#28405g\", bold = true }\n",
    )
    .unwrap();

    let resolved = Theme::resolve(Some("midnight"), Some(&themes), false);
    assert_eq!(resolved.theme, Theme::dark());
    let error = resolved.error.expect("the broken theme is refused");
    match &error {
        ThemeError::Invalid { file, key, .. } => {
            assert_eq!(file.as_deref(), Some(path.as_path()));
            assert_eq!(key.as_deref(), Some("selection.bg"));
        }
        other => panic!("{other:?}"),
    }
    let line = error.to_string();
    assert!(line.contains(&path.display().to_string()), "{line}");
    assert!(line.contains("selection.bg"), "{line}");
    assert!(line.contains("\"#28405g\""), "{line}");
    assert!(!line.contains('\n'), "{line}");

    // Fixed, the same file loads and overrides nothing it does not name.
    std::fs::write(&path, "selection = { fg = \"white\", bg = \"#28405a\" }\n").unwrap();
    let resolved = Theme::resolve(Some("midnight"), Some(&themes), false);
    assert!(resolved.error.is_none());
    assert_eq!(resolved.name, "midnight");
    assert_eq!(resolved.theme.text, Theme::dark().text);
    assert_ne!(resolved.theme.selection, Theme::dark().selection);
}

#[test]
fn theme_is_refused_outside_the_dashboard() {
    let out = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["--theme", "light", "agents"])
        .env("WARDEN_URL", "http://127.0.0.1:9")
        .env("WARDEN_TOKEN", "wdn_pt_test")
        .env("WARDEN_CONFIG", "/nonexistent/warden-config.toml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--theme is for the dashboard"), "{stderr}");
}

//! What the dashboard says before and around its screens: the welcome of an
//! empty local registry, why a theme cannot be used, and why the log file
//! cannot be opened.

use crate::tui::theme::ThemeError;
use std::fmt;
use std::path::Path;

/// What the empty local registry says: how to fill it, or see a demo.
/// `database` is the file the dashboard opened.
pub fn welcome(database: &Path) -> String {
    format!(
        "This is your local registry, and it is empty. Its database:\n  \
         {}\n\
         \n\
         Fill it from another terminal: `warden serve` uses the same file,\n\
         and what you add shows up here within seconds.\n  \
         export WARDEN_ADMIN_TOKEN=\"wdn_pt_$(openssl rand -hex 20)\"\n  \
         warden serve &\n  \
         export WARDEN_URL=http://127.0.0.1:7878\n  \
         export WARDEN_TOKEN=\"$WARDEN_ADMIN_TOKEN\"\n  \
         warden person add \"Ada Lovelace\" ada@example.com\n  \
         warden register support-bot --kind chatbot --env prod \\\n      \
         --owner ada@example.com\n\
         \n\
         Or look around a simulated live fleet first:  warden demo\n\
         \n\
         ? shows the keys · q quits",
        database.display()
    )
}

// Themes: one line each, naming the file and the key, so the flash line
// can show it whole.

impl fmt::Display for ThemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThemeError::Unknown { name, known, dir } => {
                write!(f, "no theme named {name:?}; there are {}", known.join(", "))?;
                if let Some(d) = dir {
                    write!(f, " (or add {})", d.join(format!("{name}.toml")).display())?;
                }
                Ok(())
            }
            ThemeError::BadName(name) => {
                write!(f, "theme name {name:?}: use letters, digits, '-' and '_'")
            }
            ThemeError::Unreadable { path, why } => {
                write!(f, "cannot read the theme file {}: {why}", path.display())
            }
            ThemeError::Invalid { file, key, why } => {
                write!(f, "invalid theme")?;
                if let Some(file) = file {
                    write!(f, " file {}", file.display())?;
                }
                write!(f, ": ")?;
                if let Some(key) = key {
                    write!(f, "`{key}`: ")?;
                }
                write!(f, "{why}")
            }
        }
    }
}

impl std::error::Error for ThemeError {}

/// `:theme NAME` while `NO_COLOR` is set.
pub const THEME_NO_COLOR: &str =
    "NO_COLOR is set: the dashboard stays without colour (NO_COLOR wins over themes)";

/// `:theme NAME` failed; the theme on screen stays.
pub fn theme_kept(e: ThemeError) -> String {
    format!("{e}; keeping the current theme")
}

pub fn theme_unknown_role(roles: &[&str]) -> String {
    format!("unknown role; the roles are {}", roles.join(", "))
}

pub fn theme_syntax(line: usize, column: usize, message: &str) -> String {
    format!("line {line}, column {column}: {message}")
}

pub fn theme_not_a_table(found: &str) -> String {
    format!("expected a table such as {{ fg = \"#c0c0c0\", bold = true }}, found a {found}")
}

pub fn theme_unknown_option(modifiers: &[&str]) -> String {
    format!("unknown option; use fg, bg, {}", modifiers.join(", "))
}

pub fn theme_not_a_bool(found: &str) -> String {
    format!("expected true or false, found a {found}")
}

/// `what` is the value as written, or "a TYPE" when it is not a string.
pub fn theme_not_a_colour(what: &str) -> String {
    format!(
        "{what} is not a colour (use \"#rrggbb\", a name like \"light red\" or \"0\" to \"255\")"
    )
}

// The log file.

pub const NO_STATE_DIR: &str = "cannot find the platform state directory";

pub fn cannot_create_dir(dir: &Path, e: impl fmt::Display) -> String {
    format!("cannot create {}: {e}", dir.display())
}

pub fn cannot_open_log(path: &Path, e: impl fmt::Display) -> String {
    format!("cannot open {}: {e}", path.display())
}

pub fn cannot_start_logging(e: impl fmt::Display) -> String {
    format!("cannot start logging: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_fits_its_box() {
        // The welcome box is 76 wide with borders; longer lines are cut.
        let text = welcome(Path::new("/home/u/.local/share/warden/warden.db"));
        for line in text.lines() {
            assert!(line.chars().count() <= 74, "{line:?}");
        }
        assert!(text.contains("warden serve") && text.contains("warden demo"));
    }
}

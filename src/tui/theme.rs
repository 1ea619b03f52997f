//! Colours by meaning, not by widget: views ask for `theme.killed` or
//! `theme.critical`, never for red.
//!
//! A theme is a TOML file of roles (see `themes/default.toml` for the
//! shape). Four are built into the binary from `themes/`: `default` (dark),
//! `light`, `high-contrast` and `colorblind`. A user theme,
//! `themes/NAME.toml` in the config dir, overrides a built-in of the same
//! name, and a role it leaves out is taken from the default.
//!
//! Which theme: `--theme NAME`, else the config's `theme`, else `default`;
//! `:theme NAME` switches while the dashboard runs. `NO_COLOR` wins over
//! all of them: with it set the dashboard has no colour at all, whatever
//! was asked for, because that is what no-color.org promises the user.
//! A theme that cannot be loaded (unknown name, unreadable or invalid
//! file) never stops the dashboard: it starts with the default and says
//! why, naming the file and the bad key.

use crate::model::{AgentStatus, Severity};
use crate::tui::strings;
use ratatui::style::{Color, Modifier, Style};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The theme used when none is asked for, and the fallback.
pub const DEFAULT: &str = "default";

/// The built-in themes, in the order completion and messages list them.
const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// The style modifiers a role may switch on, by their names in a file.
const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
    ("crossed_out", Modifier::CROSSED_OUT),
];

/// Declares the roles once, so the struct, the list of names a file may
/// use and the lookup by name cannot disagree.
macro_rules! roles {
    ($($(#[$doc:meta])* $role:ident,)*) => {
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            $($(#[$doc])* pub $role: Style,)*
        }

        /// Every role a theme file may name.
        pub const ROLES: &[&str] = &[$(stringify!($role)),*];

        impl Theme {
            /// Every role unstyled: what a built-in is parsed onto, so a
            /// role one forgets shows up in the test, not as the default's.
            fn blank() -> Self {
                Theme { $($role: Style::new(),)* }
            }

            #[cfg(test)]
            fn role(&self, name: &str) -> Option<Style> {
                match name {
                    $(stringify!($role) => Some(self.$role),)*
                    _ => None,
                }
            }

            fn role_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $(stringify!($role) => Some(&mut self.$role),)*
                    _ => None,
                }
            }
        }
    };
}

roles! {
    /// Ordinary text.
    text,
    /// Text that matters less: ages, ids, hints.
    muted,
    /// Keys in the hint bar and help, links between things.
    accent,
    border,
    title,
    /// The row under the cursor.
    selection,
    /// Rows marked for a bulk action.
    marked,
    /// Column headers and section headings.
    header,
    error,
    success,
    /// Something waiting on the backend.
    pending,
    active,
    dormant,
    suspended,
    killed,
    info,
    low,
    medium,
    high,
    critical,
}

/// Why a theme cannot be used. One line, naming the file and the key, so
/// the dashboard's flash line can show it whole.
/// Its words are in [`crate::tui::strings`].
#[derive(Debug, Clone, PartialEq)]
pub enum ThemeError {
    Unknown {
        name: String,
        known: Vec<String>,
        /// The user themes dir, to say where a theme of that name would go.
        dir: Option<PathBuf>,
    },
    /// A name that is not a plain file name: `:theme ../x` must not read
    /// files outside the themes dir.
    BadName(String),
    Unreadable {
        path: PathBuf,
        why: String,
    },
    Invalid {
        /// None until the text is known to come from a file.
        file: Option<PathBuf>,
        /// The bad key, e.g. `selection.bg`; None for a TOML syntax error,
        /// whose line and column are in `why`.
        key: Option<String>,
        why: String,
    },
}

impl ThemeError {
    fn at(key: impl Into<String>, why: impl Into<String>) -> Self {
        ThemeError::Invalid {
            file: None,
            key: Some(key.into()),
            why: why.into(),
        }
    }

    /// The same error, said of `path`.
    fn in_file(self, path: &Path) -> Self {
        match self {
            ThemeError::Invalid { key, why, .. } => ThemeError::Invalid {
                file: Some(path.to_path_buf()),
                key,
                why,
            },
            other => other,
        }
    }
}

/// The theme the dashboard starts with, and what went wrong on the way.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub theme: Theme,
    /// The theme's name; `NO_COLOR` when that environment variable won.
    pub name: String,
    /// Why the asked-for theme was not used; the theme is then the default.
    pub error: Option<ThemeError>,
}

static DEFAULT_THEME: LazyLock<Theme> = LazyLock::new(|| {
    match builtin(DEFAULT) {
        Some(Ok(theme)) => theme,
        // A unit test parses every built-in, so this cannot ship.
        other => panic!("the built-in default theme does not parse: {other:?}"),
    }
});

impl Theme {
    /// The built-in default (dark) theme, `themes/default.toml`.
    pub fn dark() -> Self {
        DEFAULT_THEME.clone()
    }

    /// For `NO_COLOR`: no colour, emphasis only.
    pub fn monochrome() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            text: plain,
            muted: plain.add_modifier(Modifier::DIM),
            accent: bold,
            border: plain,
            title: bold,
            selection: Style::new().add_modifier(Modifier::REVERSED),
            marked: bold.add_modifier(Modifier::UNDERLINED),
            header: bold,
            error: bold,
            success: plain,
            pending: plain,
            active: plain,
            dormant: plain.add_modifier(Modifier::DIM),
            suspended: bold,
            killed: plain.add_modifier(Modifier::CROSSED_OUT),
            info: plain,
            low: plain,
            medium: plain,
            high: bold,
            critical: bold.add_modifier(Modifier::REVERSED),
        }
    }

    /// The default theme, or monochrome when `NO_COLOR` is set.
    pub fn from_env() -> Self {
        if no_color() {
            Self::monochrome()
        } else {
            Self::dark()
        }
    }

    /// A theme from the text of a theme file. A role the text leaves out
    /// is the default's; an unknown role, option or colour is refused with
    /// its key.
    pub fn parse(text: &str) -> Result<Theme, ThemeError> {
        parse_onto(Theme::dark(), text)
    }

    /// The theme called `name`: `NAME.toml` in `user_dir` if there is one
    /// (it overrides a built-in of the same name), else the built-in.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        check_name(name)?;
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            match std::fs::read_to_string(&path) {
                Ok(text) => return Theme::parse(&text).map_err(|e| e.in_file(&path)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ThemeError::Unreadable {
                        path,
                        why: e.to_string(),
                    });
                }
            }
        }
        match builtin(name) {
            Some(theme) => theme,
            None => Err(ThemeError::Unknown {
                name: name.to_string(),
                known: Theme::names(user_dir),
                dir: user_dir.map(Path::to_path_buf),
            }),
        }
    }

    /// Every theme name `load` knows: the built-ins, then the user's.
    pub fn names(user_dir: Option<&Path>) -> Vec<String> {
        let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        let mut mine: Vec<String> = user_dir
            .and_then(|d| std::fs::read_dir(d).ok())
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                if path.extension()? != "toml" {
                    return None;
                }
                let name = path.file_stem()?.to_str()?.to_string();
                check_name(&name).ok().map(|()| name)
            })
            .filter(|n| !names.contains(n))
            .collect();
        mine.sort();
        names.append(&mut mine);
        names
    }

    /// The theme to start with: `requested` (the `--theme` flag, else the
    /// config's `theme`; None or blank is the default), unless `no_color`,
    /// which wins. When the requested theme cannot be loaded, the default
    /// with the reason.
    pub fn resolve(requested: Option<&str>, user_dir: Option<&Path>, no_color: bool) -> Resolved {
        if no_color {
            return Resolved {
                theme: Theme::monochrome(),
                name: "NO_COLOR".into(),
                error: None,
            };
        }
        let name = requested
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(DEFAULT);
        match Theme::load(name, user_dir) {
            Ok(theme) => Resolved {
                theme,
                name: name.to_string(),
                error: None,
            },
            Err(error) => Resolved {
                // The user's own `default.toml` may be the broken one, so
                // the built-in is the last resort.
                theme: Theme::load(DEFAULT, user_dir).unwrap_or_else(|_| Theme::dark()),
                name: DEFAULT.into(),
                error: Some(error),
            },
        }
    }

    /// The answer to `:theme NAME`: the theme to draw with from now on, or
    /// a one-line reason to keep the current one.
    pub fn switch(name: &str, user_dir: Option<&Path>, no_color: bool) -> Result<Theme, String> {
        if no_color {
            return Err(strings::THEME_NO_COLOR.into());
        }
        Theme::load(name.trim(), user_dir).map_err(strings::theme_kept)
    }

    pub fn status(&self, s: AgentStatus) -> Style {
        match s {
            AgentStatus::Active => self.active,
            AgentStatus::Dormant => self.dormant,
            AgentStatus::Suspended => self.suspended,
            AgentStatus::Killed => self.killed,
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Info => self.info,
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }
}

/// Where user themes live: `themes/` in the platform config dir
/// (`~/.config/warden/themes` on Linux).
pub fn user_dir() -> Option<PathBuf> {
    crate::dirs::project().map(|d| d.config_dir().join("themes"))
}

/// Whether `NO_COLOR` asks for no colour: set to anything but the empty
/// string, as no-color.org says.
pub fn no_color() -> bool {
    no_color_in(std::env::var_os("NO_COLOR"))
}

fn no_color_in(value: Option<std::ffi::OsString>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// Tab completion after `:theme `: the one theme name `prefix` starts.
pub fn complete<'a>(prefix: &str, names: &'a [String]) -> Option<&'a str> {
    let mut hits = names.iter().filter(|n| n.starts_with(prefix));
    match (hits.next(), hits.next()) {
        (Some(name), None) => Some(name),
        _ => None,
    }
}

fn builtin(name: &str) -> Option<Result<Theme, ThemeError>> {
    let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
    Some(parse_onto(Theme::blank(), text).map_err(|e| e.in_file(&builtin_path(name))))
}

fn builtin_path(name: &str) -> PathBuf {
    PathBuf::from(format!("themes/{name}.toml (built in)"))
}

fn check_name(name: &str) -> Result<(), ThemeError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ThemeError::BadName(name.to_string()))
    }
}

fn parse_onto(mut theme: Theme, text: &str) -> Result<Theme, ThemeError> {
    let table: toml::Table = text.parse().map_err(|e| syntax_error(text, &e))?;
    for (role, value) in &table {
        let Some(slot) = theme.role_mut(role) else {
            return Err(ThemeError::at(role, strings::theme_unknown_role(ROLES)));
        };
        *slot = style(role, value)?;
    }
    Ok(theme)
}

/// A TOML syntax error on one line, with where it is.
fn syntax_error(text: &str, e: &toml::de::Error) -> ThemeError {
    let message = e.message().trim().replace('\n', "; ");
    let why = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            strings::theme_syntax(line, column, &message)
        }
        None => message,
    };
    ThemeError::Invalid {
        file: None,
        key: None,
        why,
    }
}

fn style(role: &str, value: &toml::Value) -> Result<Style, ThemeError> {
    let toml::Value::Table(options) = value else {
        return Err(ThemeError::at(
            role,
            strings::theme_not_a_table(value.type_str()),
        ));
    };
    let mut style = Style::new();
    for (option, value) in options {
        let key = format!("{role}.{option}");
        match option.as_str() {
            "fg" => style = style.fg(colour(&key, value)?),
            "bg" => style = style.bg(colour(&key, value)?),
            _ => {
                let Some((_, modifier)) = MODIFIERS.iter().find(|(n, _)| n == option) else {
                    let known: Vec<&str> = MODIFIERS.iter().map(|(n, _)| *n).collect();
                    return Err(ThemeError::at(key, strings::theme_unknown_option(&known)));
                };
                match value.as_bool() {
                    Some(true) => style = style.add_modifier(*modifier),
                    Some(false) => {}
                    None => {
                        return Err(ThemeError::at(
                            key,
                            strings::theme_not_a_bool(value.type_str()),
                        ));
                    }
                }
            }
        }
    }
    Ok(style)
}

fn colour(key: &str, value: &toml::Value) -> Result<Color, ThemeError> {
    let refused = |what: String| ThemeError::at(key, strings::theme_not_a_colour(&what));
    let Some(text) = value.as_str() else {
        return Err(refused(format!("a {}", value.type_str())));
    };
    text.parse::<Color>()
        .map_err(|_| refused(format!("{text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Theme::dark()` was before themes were files: the default
    /// file must keep the dashboard looking the same.
    fn old_dark() -> Theme {
        let fg = |c| Style::new().fg(c);
        Theme {
            text: fg(Color::Gray),
            muted: fg(Color::DarkGray),
            accent: fg(Color::Cyan),
            border: fg(Color::DarkGray),
            title: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selection: Style::new()
                .bg(Color::Rgb(40, 60, 90))
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            marked: fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            header: fg(Color::White).add_modifier(Modifier::BOLD),
            error: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            success: fg(Color::LightGreen),
            pending: fg(Color::Yellow),
            active: fg(Color::Green),
            dormant: fg(Color::DarkGray),
            suspended: fg(Color::Yellow),
            killed: fg(Color::Red).add_modifier(Modifier::CROSSED_OUT),
            info: fg(Color::Blue),
            low: fg(Color::Cyan),
            medium: fg(Color::Yellow),
            high: fg(Color::LightRed),
            critical: fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    fn temp_themes() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn every_built_in_parses_and_names_every_role() {
        assert!(BUILT_IN.len() >= 4);
        for (name, text) in BUILT_IN {
            let table: toml::Table = text.parse().unwrap();
            for role in ROLES {
                assert!(table.contains_key(*role), "{name} does not name {role}");
            }
            let theme = builtin(name).unwrap().unwrap_or_else(|e| panic!("{e}"));
            // Every role has a colour of its own choosing, not the terminal's.
            for role in ROLES {
                let style = theme.role(role).unwrap();
                assert!(style.fg.is_some(), "{name}: {role} has no fg");
            }
            assert_eq!(Theme::load(name, None).unwrap(), theme);
        }
    }

    #[test]
    fn the_default_is_the_old_dark_theme() {
        assert_eq!(Theme::dark(), old_dark());
        assert_eq!(Theme::load(DEFAULT, None).unwrap(), old_dark());
    }

    #[test]
    fn the_colour_blind_theme_avoids_red_against_green() {
        let t = builtin("colorblind").unwrap().unwrap();
        let greenish = |s: Style| matches!(s.fg, Some(Color::Green | Color::LightGreen));
        for role in ROLES {
            let style = t.role(role).unwrap();
            assert!(!greenish(style), "{role} is green");
        }
        // The states a responder acts on differ in more than hue.
        assert_ne!(t.killed.add_modifier, t.active.add_modifier);
        assert!(t.critical.bg.is_some() && t.high.bg.is_none());
    }

    #[test]
    fn parses_colours_and_modifiers() {
        let t = Theme::parse(
            r##"
            text = { fg = "#c0c0c0" }
            selection = { fg = "white", bg = "#28405a", bold = true, underlined = false }
            [critical]
            fg = "light red"
            bg = "17"
            italic = true
            reversed = true
            "##,
        )
        .unwrap();
        assert_eq!(t.text, Style::new().fg(Color::Rgb(0xc0, 0xc0, 0xc0)));
        assert_eq!(
            t.selection,
            Style::new()
                .fg(Color::White)
                .bg(Color::Rgb(0x28, 0x40, 0x5a))
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(
            t.critical,
            Style::new()
                .fg(Color::LightRed)
                .bg(Color::Indexed(17))
                .add_modifier(Modifier::ITALIC | Modifier::REVERSED)
        );
        // What the text leaves out is the default's.
        assert_eq!(t.killed, Theme::dark().killed);
    }

    #[test]
    fn an_invalid_theme_names_the_key() {
        let key_of = |text: &str| match Theme::parse(text) {
            Err(ThemeError::Invalid { key, why, .. }) => (key, why),
            other => panic!("{other:?}"),
        };
        let (key, why) = key_of(r#"selection = { bg = "blurple" }"#);
        assert_eq!(key.as_deref(), Some("selection.bg"));
        assert!(why.contains("\"blurple\" is not a colour"), "{why}");
        let (key, why) = key_of(r#"txt = { fg = "red" }"#);
        assert_eq!(key.as_deref(), Some("txt"));
        assert!(why.contains("unknown role"), "{why}");
        let (key, _) = key_of(r#"killed = { fg = "red", strike = true }"#);
        assert_eq!(key.as_deref(), Some("killed.strike"));
        let (key, why) = key_of(r#"title = { bold = "yes" }"#);
        assert_eq!(key.as_deref(), Some("title.bold"));
        assert!(why.contains("true or false"), "{why}");
        let (key, why) = key_of(r#"text = "red""#);
        assert_eq!(key.as_deref(), Some("text"));
        assert!(why.contains("expected a table"), "{why}");
        let (key, _) = key_of(r#"text = { fg = 7 }"#);
        assert_eq!(key.as_deref(), Some("text.fg"));
        // A syntax error has no key, but has a line.
        let (key, why) = key_of("text = { fg = \"red\" }\nmuted = { fg = ");
        assert_eq!(key, None);
        assert!(why.starts_with("line 2,"), "{why}");
        assert!(!why.contains('\n'));
    }

    #[test]
    fn a_user_theme_overrides_a_built_in_and_adds_names() {
        let dir = temp_themes();
        write(dir.path(), "light", r##"text = { fg = "#010203" }"##);
        write(dir.path(), "mine", r#"accent = { fg = "magenta" }"#);
        write(dir.path(), "not a theme", r#"accent = { fg = "magenta" }"#);
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();

        let light = Theme::load("light", Some(dir.path())).unwrap();
        assert_eq!(light.text, Style::new().fg(Color::Rgb(1, 2, 3)));
        // The rest comes from the default, not from the built-in light.
        assert_eq!(light.muted, Theme::dark().muted);
        assert_eq!(
            Theme::load("mine", Some(dir.path())).unwrap().accent,
            Style::new().fg(Color::Magenta)
        );
        assert_eq!(
            Theme::names(Some(dir.path())),
            ["default", "light", "high-contrast", "colorblind", "mine"]
        );
        assert_eq!(Theme::names(None).len(), BUILT_IN.len());
    }

    #[test]
    fn unknown_and_bad_names_are_refused() {
        let dir = temp_themes();
        let e = Theme::load("solarized", Some(dir.path())).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("no theme named \"solarized\""), "{text}");
        assert!(
            text.contains("default, light, high-contrast, colorblind"),
            "{text}"
        );
        assert!(text.contains("solarized.toml"), "{text}");
        assert!(matches!(
            Theme::load("../../etc/passwd", Some(dir.path())),
            Err(ThemeError::BadName(_))
        ));
    }

    #[test]
    fn resolving_falls_back_to_the_default_and_says_why() {
        let dir = temp_themes();
        let path = write(dir.path(), "broken", r#"high = { fg = "hot pink" }"#);
        let r = Theme::resolve(Some("broken"), Some(dir.path()), false);
        assert_eq!(r.theme, Theme::dark());
        assert_eq!(r.name, DEFAULT);
        let text = r.error.unwrap().to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("`high.fg`"), "{text}");
        assert!(!text.contains('\n'));

        let r = Theme::resolve(Some("light"), Some(dir.path()), false);
        assert!(r.error.is_none());
        assert_eq!(r.theme, Theme::load("light", None).unwrap());
        let r = Theme::resolve(Some("  "), None, false);
        assert_eq!((r.name.as_str(), r.error), (DEFAULT, None));
        assert_eq!(Theme::resolve(None, None, false).theme, Theme::dark());
    }

    #[test]
    fn a_broken_user_default_falls_back_to_the_built_in() {
        let dir = temp_themes();
        write(dir.path(), "default", "text = {");
        let r = Theme::resolve(None, Some(dir.path()), false);
        assert_eq!(r.theme, Theme::dark());
        assert!(r.error.unwrap().to_string().contains("default.toml"));
    }

    #[test]
    fn no_color_wins() {
        let dir = temp_themes();
        write(dir.path(), "broken", "text = {");
        for asked in [None, Some("light"), Some("broken"), Some("nope")] {
            let r = Theme::resolve(asked, Some(dir.path()), true);
            assert_eq!(r.theme, Theme::monochrome(), "{asked:?}");
            assert!(r.error.is_none());
        }
        let why = Theme::switch("light", None, true).unwrap_err();
        assert!(why.contains("NO_COLOR"), "{why}");
        // The monochrome theme has no colour anywhere.
        let mono = Theme::monochrome();
        for role in ROLES {
            let style = mono.role(role).unwrap();
            assert!(style.fg.is_none() && style.bg.is_none(), "{role}");
        }
    }

    #[test]
    fn no_color_is_any_value_but_empty() {
        assert!(no_color_in(Some("1".into())));
        assert!(no_color_in(Some("0".into())));
        assert!(!no_color_in(Some("".into())));
        assert!(!no_color_in(None));
    }

    #[test]
    fn switching_while_running() {
        assert_eq!(
            Theme::switch(" light ", None, false).unwrap(),
            Theme::load("light", None).unwrap()
        );
        let why = Theme::switch("nope", None, false).unwrap_err();
        assert!(why.contains("no theme named") && why.ends_with("keeping the current theme"));
    }

    #[test]
    fn completes_theme_names() {
        let names = Theme::names(None);
        assert_eq!(complete("li", &names), Some("light"));
        assert_eq!(complete("h", &names), Some("high-contrast"));
        assert_eq!(complete("", &names), None);
        assert_eq!(complete("zz", &names), None);
    }
}

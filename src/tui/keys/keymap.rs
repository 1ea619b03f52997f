//! The keymap in force ([`KeyMap`]): the keys as this user set them, the
//! config's `[keys]` table (an action's name, then the key, e.g.
//! `kill = "ctrl-k"`) laid over the built-in
//! [`BINDINGS`](super::bindings::BINDINGS). A remapped action loses its
//! built-in keys everywhere; the hint bar and `?` show the key it has now.
//! Two actions that would answer the same key on one screen are a clash,
//! refused with both named.

#[cfg(test)]
use crate::tui::keys::bindings::BINDINGS;
use crate::tui::keys::bindings::{self, Binding, UiCommand};
use crate::tui::screens::Screen;
use crate::tui::strings;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

pub type Key = (KeyCode, KeyModifiers);

/// The names `[keys]` takes, one per command that has a key.
pub const ACTIONS: &[(&str, UiCommand)] = &[
    ("up", UiCommand::Up),
    ("down", UiCommand::Down),
    ("page_up", UiCommand::PageUp),
    ("page_down", UiCommand::PageDown),
    ("top", UiCommand::Top),
    ("bottom", UiCommand::Bottom),
    ("open", UiCommand::Open),
    ("back", UiCommand::Back),
    ("quit", UiCommand::QuitOrBack),
    ("filter", UiCommand::Filter),
    ("command", UiCommand::CommandMode),
    ("help", UiCommand::Help),
    ("refresh", UiCommand::Refresh),
    ("sort_name", UiCommand::SortName),
    ("sort_owner", UiCommand::SortOwner),
    ("sort_status", UiCommand::SortStatus),
    ("sort_risk", UiCommand::SortRisk),
    ("sort_last_seen", UiCommand::SortLastSeen),
    ("sort_alerts", UiCommand::SortAlerts),
    ("mark", UiCommand::Mark),
    ("mark_range", UiCommand::MarkRange),
    ("clear_marks", UiCommand::ClearMarks),
    ("freeze", UiCommand::Freeze),
    ("kill", UiCommand::Kill),
    ("owner", UiCommand::Owner),
    ("revoke", UiCommand::Revoke),
    ("rotate", UiCommand::Rotate),
    ("ack", UiCommand::Ack),
    ("snooze", UiCommand::Snooze),
    ("verify_audit", UiCommand::VerifyAudit),
    ("stop_guardrail", UiCommand::StopGuardrail),
    ("run_guardrail", UiCommand::RunGuardrail),
];

fn action_name(command: UiCommand) -> &'static str {
    ACTIONS
        .iter()
        .find(|(_, c)| *c == command)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

/// One action's new key, as the config wrote it.
#[derive(Debug, Clone, PartialEq)]
struct Remapped {
    command: UiCommand,
    keys: Vec<Key>,
    label: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyMap {
    remapped: Vec<Remapped>,
}

impl KeyMap {
    /// The built-in keys, unchanged.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// The config's `[keys]` over the built-in keys; an unknown action, a
    /// key that cannot be read, or a clash is refused with what to fix.
    pub fn from_config(table: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut remapped = Vec::new();
        for (name, text) in table {
            let Some((_, command)) = ACTIONS.iter().find(|(n, _)| n == name) else {
                let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
                return Err(strings::unknown_action(name, names.join(", ")));
            };
            let keys = parse_key(text).map_err(|e| strings::bad_key(name, text, e))?;
            if keys.contains(&(KeyCode::Char('c'), KeyModifiers::CONTROL)) {
                return Err(strings::ctrl_c_kept(name, text));
            }
            remapped.push(Remapped {
                command: *command,
                keys,
                label: text.trim().to_string(),
            });
        }
        let map = KeyMap { remapped };
        map.check_clashes()?;
        Ok(map)
    }

    fn remap_of(&self, command: UiCommand) -> Option<&Remapped> {
        self.remapped.iter().find(|r| r.command == command)
    }

    /// The keys a binding answers now.
    pub fn keys_of<'a>(&'a self, b: &'a Binding) -> &'a [Key] {
        match self.remap_of(b.command) {
            Some(r) => &r.keys,
            None => b.keys,
        }
    }

    /// How the hint bar and the help write a binding's key.
    pub fn label<'a>(&'a self, b: &'a Binding) -> &'a str {
        match self.remap_of(b.command) {
            Some(r) => &r.label,
            None => b.label,
        }
    }

    /// The command a key runs on this screen, if any.
    pub fn command_for(&self, screen: &Screen, key: &KeyEvent) -> Option<UiCommand> {
        bindings::bindings_for(screen)
            .find(|b| {
                self.keys_of(b)
                    .iter()
                    .any(|(code, mods)| key.code == *code && key.modifiers == *mods)
            })
            .map(|b| b.command)
    }

    /// Two different actions answering one key on one screen.
    fn check_clashes(&self) -> Result<(), String> {
        for screen in crate::tui::screens::every_screen() {
            let here: Vec<&Binding> = bindings::bindings_for(&screen).collect();
            for (i, a) in here.iter().enumerate() {
                for b in &here[i + 1..] {
                    if a.command == b.command {
                        continue;
                    }
                    let shared = self.keys_of(a).iter().find(|k| self.keys_of(b).contains(k));
                    if shared.is_some() {
                        return Err(strings::keys_clash(
                            self.describe(a),
                            self.describe(b),
                            self.label(a),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// `kill ("ctrl-k" from [keys])` or `sort_risk (R, built in)`.
    fn describe(&self, b: &Binding) -> String {
        match self.remap_of(b.command) {
            Some(r) => strings::remapped_key(action_name(b.command), &r.label),
            None => strings::builtin_key(action_name(b.command), b.label),
        }
    }
}

/// Reads a key as the config writes it: `K`, `x`, `?`, `ctrl-k`,
/// `alt-x`, `shift-f`, `enter`, `esc`, `tab`, `space`, `backspace`, `up`,
/// `down`, `left`, `right`, `home`, `end`, `pageup`, `pagedown`, `delete`,
/// `insert`, `f1`…`f12`. Terminals disagree on whether a capital or a
/// symbol comes with shift, so those answer both ways.
pub fn parse_key(text: &str) -> Result<Vec<Key>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(strings::NO_KEY_GIVEN.into());
    }
    let mut mods = KeyModifiers::NONE;
    let mut rest = text;
    // A lone "-" is a key, not a modifier's dash.
    while let Some((m, tail)) = rest.split_once('-').filter(|(_, t)| !t.is_empty()) {
        mods |= match m.to_ascii_lowercase().as_str() {
            "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
            "alt" | "meta" | "m" => KeyModifiers::ALT,
            "shift" | "s" => KeyModifiers::SHIFT,
            _ => return Err(strings::unknown_modifier(m)),
        };
        rest = tail;
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => named(&rest.to_ascii_lowercase())?,
    };
    Ok(match code {
        KeyCode::Char(c)
            if mods.contains(KeyModifiers::CONTROL) || mods.contains(KeyModifiers::ALT) =>
        {
            vec![(KeyCode::Char(c.to_ascii_lowercase()), mods)]
        }
        KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) || c.is_ascii_uppercase() => {
            let upper = c.to_ascii_uppercase();
            vec![
                (KeyCode::Char(upper), KeyModifiers::SHIFT),
                (KeyCode::Char(upper), KeyModifiers::NONE),
            ]
        }
        KeyCode::Char(c) if c.is_ascii_punctuation() => vec![
            (KeyCode::Char(c), KeyModifiers::NONE),
            (KeyCode::Char(c), KeyModifiers::SHIFT),
        ],
        code => vec![(code, mods)],
    })
}

fn named(name: &str) -> Result<KeyCode, String> {
    Ok(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "page_up" => KeyCode::PageUp,
        "pagedown" | "page_down" => KeyCode::PageDown,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        other => {
            return Err(strings::unknown_key(other));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn press(c: char, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), mods)
    }

    #[test]
    fn keys_are_read_as_written() {
        use KeyModifiers as M;
        assert_eq!(parse_key("x"), Ok(vec![(KeyCode::Char('x'), M::NONE)]));
        assert_eq!(
            parse_key("K"),
            Ok(vec![
                (KeyCode::Char('K'), M::SHIFT),
                (KeyCode::Char('K'), M::NONE)
            ])
        );
        assert_eq!(parse_key("shift-k"), parse_key("K"));
        assert_eq!(
            parse_key("ctrl-K"),
            Ok(vec![(KeyCode::Char('k'), M::CONTROL)])
        );
        assert_eq!(parse_key("alt-x"), Ok(vec![(KeyCode::Char('x'), M::ALT)]));
        assert_eq!(parse_key("F5"), Ok(vec![(KeyCode::F(5), M::NONE)]));
        assert_eq!(
            parse_key("ctrl-space"),
            Ok(vec![(KeyCode::Char(' '), M::CONTROL)])
        );
        assert_eq!(
            parse_key("-"),
            Ok(vec![
                (KeyCode::Char('-'), M::NONE),
                (KeyCode::Char('-'), M::SHIFT)
            ])
        );
        for bad in ["", "hyper-x", "f13", "kill", "ctrl-"] {
            assert!(parse_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_remapped_action_answers_its_new_key_only() {
        let map = KeyMap::from_config(&table(&[("kill", "ctrl-k"), ("freeze", "F")])).unwrap();
        let screen = Screen::Agents;
        assert_eq!(
            map.command_for(&screen, &press('k', KeyModifiers::CONTROL)),
            Some(UiCommand::Kill)
        );
        assert_eq!(
            map.command_for(&screen, &press('K', KeyModifiers::SHIFT)),
            None
        );
        assert_eq!(
            map.command_for(&screen, &press('F', KeyModifiers::SHIFT)),
            Some(UiCommand::Freeze)
        );
        assert_eq!(
            map.command_for(&screen, &press('f', KeyModifiers::NONE)),
            None
        );
        let kill = BINDINGS
            .iter()
            .find(|b| b.command == UiCommand::Kill)
            .unwrap();
        assert_eq!(map.label(kill), "ctrl-k");
        // Untouched actions keep their keys and labels.
        let builtin = KeyMap::builtin();
        assert_eq!(
            builtin.command_for(&screen, &press('K', KeyModifiers::SHIFT)),
            Some(UiCommand::Kill)
        );
        assert_eq!(builtin.label(kill), "K");
    }

    #[test]
    fn a_clash_names_both_bindings() {
        // `R` sorts by risk on the agents view; kill works everywhere.
        let e = KeyMap::from_config(&table(&[("kill", "R")])).unwrap_err();
        assert!(e.contains("kill (\"R\" from [keys])"), "{e}");
        assert!(e.contains("sort_risk (R, built in)"), "{e}");
        // Where a credential is selected, R rotates it: that clashes too.
        let e = KeyMap::from_config(&table(&[("kill", "R"), ("sort_risk", "alt-r")])).unwrap_err();
        assert!(e.contains("rotate (R, built in)"), "{e}");
        // Moving the others away settles it.
        assert!(
            KeyMap::from_config(&table(&[
                ("kill", "R"),
                ("sort_risk", "alt-r"),
                ("rotate", "ctrl-o")
            ]))
            .is_ok()
        );
        // Two remapped actions on one key.
        let e = KeyMap::from_config(&table(&[("freeze", "z"), ("owner", "z")])).unwrap_err();
        assert!(e.contains("freeze") && e.contains("owner"), "{e}");
        // Different screens do not clash: ack is the alerts view's, mark the agents view's.
        assert!(KeyMap::from_config(&table(&[("ack", "space")])).is_ok());
    }

    #[test]
    fn unknown_actions_and_ctrl_c_are_refused() {
        let e = KeyMap::from_config(&table(&[("nuke", "n")])).unwrap_err();
        assert!(e.contains("\"nuke\"") && e.contains("kill"), "{e}");
        let e = KeyMap::from_config(&table(&[("refresh", "ctrl-c")])).unwrap_err();
        assert!(e.contains("ctrl-c always quits"), "{e}");
        let e = KeyMap::from_config(&table(&[("kill", "hyper-k")])).unwrap_err();
        assert!(e.contains("[keys] kill"), "{e}");
    }

    #[test]
    fn every_bound_command_has_an_action_name() {
        for b in BINDINGS {
            assert_ne!(action_name(b.command), "?", "{:?}", b.command);
        }
    }
}

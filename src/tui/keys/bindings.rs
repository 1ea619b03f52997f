//! The built-in bindings: which key runs which command on which screen,
//! the `:` commands and their aliases, and the help text, all from one
//! table so the help can never disagree with the keys. [`super::keymap`]
//! lays the user's remapping over them.

#[cfg(doc)]
use crate::tui::screens::ScreenDef;
use crate::tui::screens::{Screen, every_screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiCommand {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    QuitOrBack,
    Quit,
    Filter,
    CommandMode,
    Help,
    /// `:NAME`: the screen of that name ([`ScreenDef::name`]), over the
    /// agents table.
    Show(&'static str),
    /// Acknowledge the selected alert, with a reason.
    Ack,
    Snooze,
    /// Verify the audit chain now.
    VerifyAudit,
    Refresh,
    SortName,
    SortOwner,
    SortStatus,
    SortRisk,
    SortLastSeen,
    SortAlerts,
    Mark,
    MarkRange,
    ClearMarks,
    Freeze,
    Kill,
    Owner,
    Revoke,
    /// A replacement for the selected credential, the old one retired
    /// after a grace period.
    Rotate,
    /// Stop the alert's pending guardrail action, with a reason.
    StopGuardrail,
    /// Run the alert's pending guardrail action now, with a reason.
    RunGuardrail,
    /// `:theme` alone lists the themes; `:theme NAME` is the app's.
    Theme,
    /// `:ctx` alone shows every backend; `:ctx NAME` narrows to one.
    Ctx,
}

/// Where a binding works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    /// On the screen of this name ([`ScreenDef::name`]).
    On(&'static str),
    /// The screens where Enter opens something
    /// ([`ScreenDef::open_help`], which is also its help).
    Opens,
    /// The lists `/` filters: the agents table, and each list with a
    /// filter of its own ([`ScreenDef::filter_fields`]).
    Lists,
    /// The screens where an agent is selected
    /// ([`ScreenDef::selects_agent`]): the agents table, an agent's view,
    /// the alerts (the alert's agent), the credentials (the credential's
    /// agent), the triage queue.
    WithAgent,
    /// The screens where a credential is selected
    /// ([`ScreenDef::selects_credential`]): an agent's view, the
    /// credentials.
    WithCredential,
}

/// One binding: keys, command, where, and what the help says.
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub command: UiCommand,
    pub scope: Scope,
    pub help: &'static str,
    /// Whether it changes something on the backend.
    pub acts: bool,
}

impl Binding {
    /// What the help says of it on this screen.
    pub fn help(&self, screen: &Screen) -> &'static str {
        match self.scope {
            Scope::Opens => screen.def().open_help().unwrap_or(self.help),
            _ if self.command == UiCommand::Filter => {
                screen.def().filter_help().unwrap_or(self.help)
            }
            _ => self.help,
        }
    }
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

macro_rules! b {
    ($keys:expr, $label:expr, $cmd:ident, $screen:literal, $help:expr $(, $acts:ident)?) => {
        b!(@ $keys, $label, $cmd, Scope::On($screen), $help, $($acts)?)
    };
    ($keys:expr, $label:expr, $cmd:ident, $scope:ident, $help:expr $(, $acts:ident)?) => {
        b!(@ $keys, $label, $cmd, Scope::$scope, $help, $($acts)?)
    };
    (@ $keys:expr, $label:expr, $cmd:ident, $scope:expr, $help:expr, $($acts:ident)?) => {
        Binding {
            keys: $keys,
            label: $label,
            command: UiCommand::$cmd,
            scope: $scope,
            help: $help,
            acts: b!(@acts $($acts)?),
        }
    };
    (@acts) => {
        false
    };
    (@acts acts) => {
        true
    };
}

pub const BINDINGS: &[Binding] = &[
    b!(
        &[(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)],
        "j/↓",
        Down,
        Everywhere,
        "move down"
    ),
    b!(
        &[(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)],
        "k/↑",
        Up,
        Everywhere,
        "move up"
    ),
    b!(
        &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)],
        "g",
        Top,
        Everywhere,
        "go to the top"
    ),
    b!(
        &[
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::Char('G'), NONE),
            (KeyCode::End, NONE)
        ],
        "G",
        Bottom,
        Everywhere,
        "go to the bottom"
    ),
    b!(
        &[(KeyCode::Char('f'), CTRL), (KeyCode::PageDown, NONE)],
        "ctrl-f",
        PageDown,
        Everywhere,
        "page down"
    ),
    b!(
        &[(KeyCode::Char('b'), CTRL), (KeyCode::PageUp, NONE)],
        "ctrl-b",
        PageUp,
        Everywhere,
        "page up"
    ),
    // What Enter does is each screen's to say (`ScreenDef::open_help`).
    b!(&[(KeyCode::Enter, NONE)], "enter", Open, Opens, ""),
    b!(
        &[(KeyCode::Esc, NONE)],
        "esc",
        Back,
        Everywhere,
        "back; at the top, clear the filter"
    ),
    b!(
        &[(KeyCode::Char('/'), NONE)],
        "/",
        Filter,
        Lists,
        "filter: text, owner:none, kind:, env:, status:, risk:, !negate"
    ),
    b!(
        &[(KeyCode::Char(':'), NONE), (KeyCode::Char(':'), SHIFT)],
        ":",
        CommandMode,
        Everywhere,
        "command: :agents :alerts :people :creds :audit :triage :ctx :theme :q"
    ),
    b!(
        &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        "?",
        Help,
        Everywhere,
        "help for this view"
    ),
    b!(
        &[(KeyCode::Char('r'), CTRL)],
        "ctrl-r",
        Refresh,
        Everywhere,
        "poll the backend now"
    ),
    b!(
        &[(KeyCode::Char('N'), SHIFT), (KeyCode::Char('N'), NONE)],
        "N",
        SortName,
        "agents",
        "sort by name (again: reverse)"
    ),
    b!(
        &[(KeyCode::Char('O'), SHIFT), (KeyCode::Char('O'), NONE)],
        "O",
        SortOwner,
        "agents",
        "sort by owner"
    ),
    b!(
        &[(KeyCode::Char('S'), SHIFT), (KeyCode::Char('S'), NONE)],
        "S",
        SortStatus,
        "agents",
        "sort by status"
    ),
    b!(
        &[(KeyCode::Char('R'), SHIFT), (KeyCode::Char('R'), NONE)],
        "R",
        SortRisk,
        "agents",
        "sort by risk"
    ),
    b!(
        &[(KeyCode::Char('L'), SHIFT), (KeyCode::Char('L'), NONE)],
        "L",
        SortLastSeen,
        "agents",
        "sort by last seen"
    ),
    b!(
        &[(KeyCode::Char('A'), SHIFT), (KeyCode::Char('A'), NONE)],
        "A",
        SortAlerts,
        "agents",
        "sort by open alerts"
    ),
    b!(
        &[(KeyCode::Char(' '), NONE)],
        "space",
        Mark,
        "agents",
        "mark or unmark the agent, and move down"
    ),
    // Terminals send ctrl-space as NUL, which crossterm reports as
    // ctrl-space; ctrl-\ comes as ctrl-\ or, from some, as ctrl-4.
    b!(
        &[(KeyCode::Char(' '), CTRL)],
        "ctrl-space",
        MarkRange,
        "agents",
        "mark every row from the last mark to here"
    ),
    b!(
        &[(KeyCode::Char('\\'), CTRL), (KeyCode::Char('4'), CTRL)],
        "ctrl-\\",
        ClearMarks,
        "agents",
        "clear all marks"
    ),
    b!(
        &[(KeyCode::Char('f'), NONE)],
        "f",
        Freeze,
        WithAgent,
        "freeze (suspend) or unfreeze, no dialog; all marked, if any",
        acts
    ),
    b!(
        &[(KeyCode::Char('K'), SHIFT), (KeyCode::Char('K'), NONE)],
        "K",
        Kill,
        WithAgent,
        "kill: revoke everything, stop the runtime; all marked, if any",
        acts
    ),
    b!(
        &[(KeyCode::Char('o'), NONE)],
        "o",
        Owner,
        WithAgent,
        "reassign the owner; all marked, if any",
        acts
    ),
    b!(
        &[(KeyCode::Char('x'), NONE)],
        "x",
        Revoke,
        Everywhere,
        "revoke the selected credential (in an agent's view or :creds)",
        acts
    ),
    // Shift: like K, a capital for what takes a secret away. Free where a
    // credential is selected; on the agents table R sorts by risk.
    b!(
        &[(KeyCode::Char('R'), SHIFT), (KeyCode::Char('R'), NONE)],
        "R",
        Rotate,
        WithCredential,
        "rotate the selected credential: a new secret, shown once; the old one retired after a grace period",
        acts
    ),
    b!(
        &[(KeyCode::Char('a'), NONE)],
        "a",
        Ack,
        "alerts",
        "acknowledge the selected alert, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('a'), NONE)],
        "a",
        Ack,
        "alert-detail",
        "acknowledge this alert, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('z'), NONE)],
        "z",
        Snooze,
        "alert-detail",
        "snooze this alert for a while, with a reason",
        acts
    ),
    // A guardrail's pending automatic action on this alert: `s` (stop) is
    // the cautious way and asks only a reason; `E` (execute), a capital
    // like `K`, acts at once and opens a dialog. Neither is bound there.
    b!(
        &[(KeyCode::Char('s'), NONE)],
        "s",
        StopGuardrail,
        "alert-detail",
        "stop the alert's pending automatic (guardrail) action, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('E'), SHIFT), (KeyCode::Char('E'), NONE)],
        "E",
        RunGuardrail,
        "alert-detail",
        "run the alert's pending automatic (guardrail) action now, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('s'), NONE)],
        "s",
        StopGuardrail,
        "guardrails",
        "stop the selected pending automatic action, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('E'), SHIFT), (KeyCode::Char('E'), NONE)],
        "E",
        RunGuardrail,
        "guardrails",
        "run the selected pending automatic action now, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('d'), NONE)],
        "d",
        Open,
        "alerts",
        "describe: open the selected alert"
    ),
    b!(
        &[(KeyCode::Char('z'), NONE)],
        "z",
        Snooze,
        "alerts",
        "snooze the selected Warden alert for a while, with a reason",
        acts
    ),
    b!(
        &[(KeyCode::Char('v'), NONE)],
        "v",
        VerifyAudit,
        "audit",
        "verify the audit chain now"
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        "q",
        QuitOrBack,
        Everywhere,
        "back; at the top, quit"
    ),
];

fn in_scope(scope: Scope, screen: &Screen) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::On(name) => screen.def().name() == name,
        Scope::Opens => screen.def().open_help().is_some(),
        Scope::WithAgent => screen.def().selects_agent(),
        Scope::WithCredential => screen.def().selects_credential(),
        Scope::Lists => *screen == Screen::Agents || screen.def().filter_fields().is_some(),
    }
}

/// The command a key runs on this screen, if any.
pub fn command_for(screen: &Screen, key: &KeyEvent) -> Option<UiCommand> {
    BINDINGS
        .iter()
        .filter(|b| in_scope(b.scope, screen))
        .find(|b| {
            b.keys
                .iter()
                .any(|(code, mods)| key.code == *code && key.modifiers == *mods)
        })
        .map(|b| b.command)
}

/// The bindings that work on this screen, for help and the hint bar.
pub fn bindings_for(screen: &Screen) -> impl Iterator<Item = &'static Binding> + '_ {
    BINDINGS.iter().filter(move |b| in_scope(b.scope, screen))
}

/// `:` commands with their aliases, in the order the prompt lists them;
/// a screen's is its name.
/// The `:` commands that are not screens, with their aliases; each
/// screen is a command too, by its name and aliases
/// ([`ScreenDef::aliases`]).
pub const COMMANDS: &[(&str, &[&str], UiCommand)] = &[
    ("help", &["h"], UiCommand::Help),
    ("quit", &["q", "q!", "exit"], UiCommand::Quit),
    ("theme", &[], UiCommand::Theme),
    ("ctx", &["context"], UiCommand::Ctx),
];

/// Every `:` command: the screens that open over the agents table, in the
/// order they are registered, then the others.
fn every_command() -> impl Iterator<Item = (&'static str, &'static [&'static str], UiCommand)> {
    let screens = every_screen()
        .into_iter()
        .map(|s| s.def())
        .filter(|def| !def.nested())
        .map(|def| (def.name(), def.aliases(), UiCommand::Show(def.name())));
    screens.chain(COMMANDS.iter().copied())
}

pub fn resolve_command(text: &str) -> Option<UiCommand> {
    let text = text.trim().trim_start_matches(':');
    every_command()
        .find(|(name, aliases, _)| *name == text || aliases.contains(&text))
        .map(|(_, _, c)| c)
}

/// The commands as a sentence, for the prompt and the unknown-command
/// message: ":agents, :alerts, …, :ctx or :q".
pub fn command_list() -> String {
    let names: Vec<String> = every_command()
        .filter(|(_, _, c)| *c != UiCommand::Quit)
        .map(|(name, _, _)| format!(":{name}"))
        .collect();
    format!("{} or :q", names.join(", "))
}

/// Tab completion: the one command the prefix names.
pub fn complete(prefix: &str) -> Option<&'static str> {
    let prefix = prefix.trim();
    let mut hits = every_command().filter(|(name, _, _)| name.starts_with(prefix));
    match (hits.next(), hits.next()) {
        (Some((name, _, _)), None) => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::screens::{every_screen, named};

    #[test]
    fn every_scope_and_command_names_a_screen() {
        for b in BINDINGS {
            if let Scope::On(name) = b.scope {
                assert!(named(name).is_some(), "{}: no screen named {name}", b.label);
            }
        }
        for (command, aliases, _) in COMMANDS {
            for word in std::iter::once(command).chain(aliases.iter()) {
                assert!(
                    named(word).is_none(),
                    ":{word} is both a screen and a command"
                );
            }
        }
    }

    #[test]
    fn no_two_bindings_share_a_key_on_a_screen() {
        for screen in every_screen() {
            let mut seen = std::collections::HashMap::new();
            for b in bindings_for(&screen) {
                for k in b.keys {
                    if let Some(other) = seen.insert(*k, b.label) {
                        panic!("{k:?} is bound to both {other} and {}", b.label);
                    }
                }
            }
        }
    }

    #[test]
    fn commands_and_aliases() {
        assert_eq!(resolve_command("agents"), Some(UiCommand::Show("agents")));
        assert_eq!(resolve_command(":q"), Some(UiCommand::Quit));
        assert_eq!(resolve_command("nope"), None);
        assert_eq!(complete("ag"), Some("agents"));
        assert_eq!(resolve_command("al"), Some(UiCommand::Show("alerts")));
        assert_eq!(resolve_command("alert"), Some(UiCommand::Show("alerts")));
        assert_eq!(complete("al"), Some("alerts"));
        assert_eq!(complete(""), None);
        for (alias, command) in [
            ("people", UiCommand::Show("people")),
            ("ppl", UiCommand::Show("people")),
            ("owners", UiCommand::Show("people")),
            ("creds", UiCommand::Show("creds")),
            ("credentials", UiCommand::Show("creds")),
            ("audit", UiCommand::Show("audit")),
            ("au", UiCommand::Show("audit")),
        ] {
            assert_eq!(resolve_command(alias), Some(command), "{alias}");
        }
        assert_eq!(complete("pe"), Some("people"));
        assert_eq!(complete("cr"), Some("creds"));
        assert_eq!(complete("au"), Some("audit"));
        assert_eq!(complete("a"), None, "agents, alerts, audit");
        let list = command_list();
        for name in [":people", ":creds", ":audit", ":alerts"] {
            assert!(list.contains(name), "{list}");
        }
        assert!(list.ends_with("or :q"), "{list}");
    }

    #[test]
    fn agent_actions_only_where_an_agent_is_selected() {
        let f = KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE);
        assert_eq!(command_for(&Screen::Creds, &f), Some(UiCommand::Freeze));
        assert_eq!(command_for(&Screen::People, &f), None);
        assert_eq!(command_for(&Screen::Audit, &f), None);
        let v = KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE);
        assert_eq!(
            command_for(&Screen::Audit, &v),
            Some(UiCommand::VerifyAudit)
        );
        assert_eq!(command_for(&Screen::Agents, &v), None);
    }
}

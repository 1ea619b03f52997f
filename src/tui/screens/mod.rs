//! One folder per screen, each with its state (what the screen holds, rebuilt
//! only when the fleet changes), its view (a pure function of that state to
//! the rows on screen) and, in its `mod.rs`, what the screen answers: the
//! [`ScreenDef`] trait. A screen is registered here and only here: its
//! variant of [`Screen`] and its line in [`REGISTRY`].

use crate::model::{Agent, Credential};
use crate::tui::app::App;
use crate::tui::components::selection::Cursor;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

pub mod agents;
pub mod alerts;
pub mod audit;
pub mod creds;
pub mod detail;
pub mod people;
pub mod triage;

/// A screen the dashboard can show; the app keeps a stack of them (Esc
/// pops one). What each one does is its [`ScreenDef`], through
/// [`Screen::def`].
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Agents,
    Detail {
        agent_id: String,
    },
    /// Every alert (`:alerts`); Enter opens the selected alert's agent.
    Alerts,
    /// The ownership triage queue (`:triage`); `o` assigns an owner.
    Triage,
    /// Owners and what they own (`:people`); Enter filters the agents.
    People,
    /// Every credential (`:creds`); Enter opens its agent, `x` revokes.
    Creds,
    /// The live audit tail and whether the chain verifies (`:audit`).
    Audit,
}

/// Every screen with what it answers, one line each. The detail's agent
/// id here is a placeholder: only the variant is looked up.
const REGISTRY: &[(Screen, &dyn ScreenDef)] = &[
    (Screen::Agents, &agents::Agents),
    (
        Screen::Detail {
            agent_id: String::new(),
        },
        &detail::Detail,
    ),
    (Screen::Alerts, &alerts::Alerts),
    (Screen::Triage, &triage::Triage),
    (Screen::People, &people::People),
    (Screen::Creds, &creds::Creds),
    (Screen::Audit, &audit::Audit),
];

impl Screen {
    /// What this screen answers. A variant missing from [`REGISTRY`]
    /// would answer as the agents table; a test names every variant and
    /// fails on one that is not registered.
    pub fn def(&self) -> &'static dyn ScreenDef {
        let this = std::mem::discriminant(self);
        REGISTRY
            .iter()
            .find(|(s, _)| std::mem::discriminant(s) == this)
            .map_or(&agents::Agents, |(_, def)| *def)
    }
}

/// One of each screen, for checks that must hold on every one.
pub fn every_screen() -> Vec<Screen> {
    REGISTRY.iter().map(|(s, _)| s.clone()).collect()
}

/// The screen named `name` (as its [`ScreenDef::name`]), if there is one.
pub fn named(name: &str) -> Option<Screen> {
    REGISTRY
        .iter()
        .find(|(_, def)| def.name() == name)
        .map(|(s, _)| s.clone())
}

/// What a screen answers, in its own folder: its name, how it draws, its
/// list, what Enter and its own commands do, and what it needs from the
/// backend while it is shown. The app asks the screen on top
/// ([`Screen::def`]) instead of matching on screens.
pub trait ScreenDef: Sync {
    /// Its name: the `:` command that opens it, the scope of its own keys
    /// (`Scope::On`), and the first crumb of the trail.
    fn name(&self) -> &'static str;

    /// Whether it opens over the screen it came from, whose crumb then
    /// starts the trail (an agent's view over the table or the alerts).
    fn nested(&self) -> bool {
        false
    }

    /// Its crumb after the first, when it is [`Self::nested`].
    fn crumb(&self, app: &App) -> String {
        let _ = app;
        self.name().into()
    }

    /// Draws it into `body`.
    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock);

    /// Its list, if it is one: where the moving commands and the mouse go.
    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        let _ = app;
        None
    }

    /// Moves its selection by `delta` rows (its list's, by default).
    fn move_by(&self, app: &mut App, delta: isize) {
        if let Some(list) = self.list(app) {
            list.move_by(delta);
        }
    }

    /// Keeps what it shows in step with the fleet before a frame; only
    /// the screen shown pays for it.
    fn prepare(&self, app: &mut App) {
        let _ = app;
    }

    /// `:NAME` brought it up (over the agents table): where it starts.
    fn shown(&self, app: &mut App) -> Vec<Effect> {
        let _ = app;
        vec![]
    }

    /// It just came into view: what it needs from the backend.
    fn came_into_view(&self, app: &mut App) -> Vec<Effect> {
        let _ = app;
        vec![]
    }

    /// A poll answered while it is shown: what it needs again.
    fn after_poll(&self, app: &mut App) -> Vec<Effect> {
        let _ = app;
        vec![]
    }

    /// What Enter does here, as the help says it; `None` when it does
    /// nothing here (then Enter is not bound here either).
    fn open_help(&self) -> Option<&'static str> {
        None
    }

    /// Enter (or a click on the selected row).
    fn open(&self, app: &mut App) -> Vec<Effect> {
        let _ = app;
        vec![]
    }

    /// A command only this screen answers; `None` leaves it to the app.
    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        let _ = (app, command);
        None
    }

    /// Whether an agent is selected here, so the agent actions (`f`, `K`,
    /// `o`) have one to act on.
    fn selects_agent(&self) -> bool {
        false
    }

    /// The agent the keys act on here.
    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        let _ = app;
        None
    }

    /// Whether a credential is selected here, so `x` has one to revoke.
    fn selects_credential(&self) -> bool {
        false
    }

    /// The credential `x` revokes here.
    fn credential<'a>(&self, app: &'a App) -> Option<&'a Credential> {
        let _ = app;
        None
    }
}

/// Draws the screen on top into `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
    app.screen().def().draw(frame, body, app, theme, clock);
}

/// The list of the screen on top, if it is one: where the moving commands
/// and the mouse go.
pub fn list(app: &mut App) -> Option<&mut dyn ListState> {
    app.screen().def().list(app)
}

/// What the state of every list screen answers: where its selection and
/// window stand, and moving the selection. The app asks the screen on top
/// for it ([`list`]), so a new list screen registers there once instead
/// of in every command and in the mouse.
pub trait ListState {
    /// Moves the selection by `delta` rows, stopping at either end.
    fn move_by(&mut self, delta: isize);
    /// Selects the first row.
    fn top(&mut self) {
        self.move_by(isize::MIN / 2);
    }
    /// Selects the last row.
    fn bottom(&mut self) {
        self.move_by(isize::MAX / 2);
    }
    /// The first row on screen, the selected row, and how many rows.
    fn cursor(&self) -> Cursor;
    /// Whether a click on a row selects it (and on the selected row opens
    /// it): the list's rows start right under its column titles.
    fn clicks(&self) -> bool {
        true
    }
    /// How many of its rows show when a plain list would show `rows`.
    fn rows_on_screen(&self, rows: usize) -> usize {
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new variant of [`Screen`] fails to compile here until it is named,
    /// and then fails the test until it has its line in [`REGISTRY`]
    /// (without one, [`Screen::def`] would answer as the agents table).
    #[test]
    fn every_variant_of_screen_is_registered() {
        let registered = |s: &Screen| {
            let this = std::mem::discriminant(s);
            REGISTRY
                .iter()
                .any(|(r, _)| std::mem::discriminant(r) == this)
        };
        let every = [
            Screen::Agents,
            Screen::Detail {
                agent_id: "agt_x".into(),
            },
            Screen::Alerts,
            Screen::Triage,
            Screen::People,
            Screen::Creds,
            Screen::Audit,
        ];
        for s in &every {
            match s {
                Screen::Agents
                | Screen::Detail { .. }
                | Screen::Alerts
                | Screen::Triage
                | Screen::People
                | Screen::Creds
                | Screen::Audit => assert!(registered(s), "{s:?} is not in REGISTRY"),
            }
        }
        assert_eq!(every.len(), REGISTRY.len());
    }

    #[test]
    fn each_screen_is_registered_once_under_its_own_name() {
        for (s, def) in REGISTRY {
            let name = def.name();
            assert_eq!(s.def().name(), name, "{s:?} answers as another screen");
            assert_eq!(named(name).as_ref(), Some(s), "{name}");
        }
        let mut names: Vec<&str> = every_screen().iter().map(|s| s.def().name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len(), "two screens share a name");
    }
}

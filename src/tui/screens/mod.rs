//! One folder per screen, each with its state (what the screen holds, rebuilt
//! only when the fleet changes), its view (a pure function of that state to
//! the rows on screen) and, in its `mod.rs`, what the screen answers: the
//! [`ScreenDef`] trait. A screen is registered here and only here, by its
//! one line in the `screens!` list below.

use crate::fleet::row_filter::FieldSpec;
use crate::model::{Agent, Credential};
use crate::tui::app::App;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::components::selection::Cursor;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Registers every screen, one line each: its folder, its variant of
/// [`Screen`] (with the fields that say which one, if any), and the type of
/// its state under `state.rs`. From those lines come the `mod`, the
/// variant, [`Screen::def`] (the folder's unit struct named like the
/// variant), [`every_screen`] and the screen's field of [`Panes`]. A screen
/// that is not [`ScreenDef::nested`] is also its `:` command, by its name
/// and [`ScreenDef::aliases`].
macro_rules! screens {
    ($(
        $(#[$doc:meta])*
        $module:ident: $variant:ident $({ $($field:ident: $ty:ty),* })? => $state:ident,
    )*) => {
        $(pub mod $module;)*

        /// A screen the dashboard can show; the app keeps a stack of them
        /// (Esc pops one). What each one does is its [`ScreenDef`], through
        /// [`Screen::def`].
        #[derive(Debug, Clone, PartialEq)]
        pub enum Screen {
            $($(#[$doc])* $variant $({ $($field: $ty),* })?,)*
        }

        impl Screen {
            /// What this screen answers.
            pub fn def(&self) -> &'static dyn ScreenDef {
                match self {
                    $(Screen::$variant { .. } => &$module::$variant,)*
                }
            }
        }

        /// One of each screen, in the order they are registered, for
        /// checks that must hold on every one and for the `:` commands.
        pub fn every_screen() -> Vec<Screen> {
            vec![$(Screen::$variant $({ $($field: <$ty>::default()),* })?,)*]
        }

        /// Every screen's state, one field per screen named after its
        /// folder: what it holds between frames.
        #[derive(Debug, Default)]
        pub struct Panes {
            $(pub $module: $module::state::$state,)*
        }
    };
}

screens! {
    /// The agents table, at the bottom of the stack.
    agents: Agents => AgentTable,
    /// One agent, over the screen it was opened from.
    detail: Detail { agent_id: String } => DetailExtras,
    /// Every alert (`:alerts`); Enter (or `d`) opens the alert.
    alerts: Alerts => AlertList,
    /// One alert, over the alerts; Enter opens its agent.
    alert: Alert { alert_id: String } => AlertPane,
    /// Owners and what they own (`:people`); Enter filters the agents.
    people: People => PeopleList,
    /// Every credential (`:creds`); Enter opens its agent, `x` revokes.
    creds: Creds => CredList,
    /// The live audit tail and whether the chain verifies (`:audit`).
    audit: Audit => AuditLog,
    /// The ownership triage queue (`:triage`); `o` assigns an owner.
    triage: Triage => TriageQueue,
    /// Vault identities no agent claims (`:unclaimed`); `x` revokes.
    unclaimed: Unclaimed => UnclaimedList,
    /// What `warden discover` reported (`:discovery`); Enter opens the agent.
    discovery: Discovery => DiscoveryList,
    /// Guardrails' automatic actions (`:guardrails`); Enter opens the alert.
    guardrails: Guardrails => GuardrailList,
}

/// The screen named `name` (as its [`ScreenDef::name`]), if there is one.
pub fn named(name: &str) -> Option<Screen> {
    every_screen().into_iter().find(|s| s.def().name() == name)
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

    /// Other words for its `:` command (`:ppl` for `:people`).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
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

    /// The fields its `/` filter knows, when `/` filters this screen's own
    /// list (the agents table has its own language, and `None` here).
    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        None
    }

    /// What `/` does here, as the help says it, when it filters this list.
    fn filter_help(&self) -> Option<&'static str> {
        None
    }

    /// Its list's `/` filter, when [`Self::filter_fields`] is some.
    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        let _ = app;
        None
    }

    /// The same, to read: its counts for the prompt and the title.
    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
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

    #[test]
    fn each_screen_is_registered_once_under_its_own_name() {
        let every = every_screen();
        for s in &every {
            let name = s.def().name();
            let back = named(name).map(|n| std::mem::discriminant(&n));
            assert_eq!(back, Some(std::mem::discriminant(s)), "{name}");
        }
        let mut names: Vec<&str> = every.iter().map(|s| s.def().name()).collect();
        names.extend(every.iter().flat_map(|s| s.def().aliases().iter().copied()));
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "two screens share a name or an alias");
    }
}

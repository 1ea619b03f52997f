//! The dashboard's state and its state machine: a key or a message in,
//! effects out. Nothing here waits on the network or touches the terminal,
//! so every transition is testable as a plain function call.

use crate::api::WhoAmI;
use crate::fleet::origin;
use crate::fleet::safe_text::escape;
use crate::fleet::state::{Counts, Fleet};
use crate::model::*;
use crate::tui::components::input::LineInput;
use crate::tui::keys::keymap::KeyMap;
use crate::tui::msg::{Action, Effect};
use crate::tui::popups::confirm::{Confirm, MarkedAgent};
use crate::tui::popups::picker::OwnerPicker;
use crate::tui::popups::secret::SecretPopup;
use crate::tui::screens::Screen;
use crate::tui::strings;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

mod actions;
mod dispatch;
mod guardrails;
mod keypress;
mod marks;
mod messages;
mod panes;
mod vault;
pub use crate::tui::screens::Panes;
use marks::Batch;

/// A poll slower than this marks the backend slow.
pub const SLOW: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Confirm(Box<Confirm>),
    Picker(Box<OwnerPicker>),
    /// A rotated credential's new secret, shown once.
    Secret(Box<SecretPopup>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    None,
    /// Typing a filter; `error` when the text does not parse yet.
    Filter {
        input: LineInput,
        error: Option<String>,
    },
    Command {
        input: LineInput,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Pending,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub level: Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Connecting,
    Ok,
    Slow,
    Down,
}

impl Health {
    /// How the header and messages say it.
    pub fn word(self) -> &'static str {
        match self {
            Health::Connecting => strings::CONNECTING,
            Health::Ok => strings::OK,
            Health::Slow => strings::SLOW,
            Health::Down => strings::DOWN,
        }
    }
}

/// What a backend is: a Warden backend (the fleet, actions, triage,
/// audit) or an Alertmanager (alerts and silences only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    #[default]
    Warden,
    Alertmanager,
    /// An OpenBao or HashiCorp Vault: machine identities, linked to agents.
    Vault,
}

/// One backend as the header shows it.
#[derive(Debug, Clone)]
pub struct BackendStatus {
    pub name: String,
    pub kind: BackendKind,
    pub url: String,
    pub health: Health,
    pub last_ok: Option<Instant>,
    pub last_error: Option<String>,
    pub latency: Option<Duration>,
    pub identity: Option<WhoAmI>,
    /// The backend answers, but not all of it could be read (a Vault
    /// token's policy refuses a listing): shown while it lasts.
    pub warning: Option<String>,
}

/// How the dashboard was started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub readonly: bool,
    /// Shown when the fleet is empty: how to add agents (embedded registry).
    pub welcome: Option<String>,
}

pub struct App {
    pub fleet: Fleet,
    /// Every screen's state, one field per screen.
    pub panes: Panes,
    pub screens: Vec<Screen>,
    pub overlay: Overlay,
    pub prompt: Prompt,
    pub flash: Option<Flash>,
    /// Every backend watched, in the config's order; messages and ids name
    /// them by their place here.
    pub backends: Vec<BackendStatus>,
    /// `:ctx NAME`: the one backend the lists show; `None` shows them all.
    pub ctx: Option<usize>,
    /// The keys: the built-in ones with the config's `[keys]` over them.
    pub keys: KeyMap,
    pub options: Options,
    /// Selected credential in the detail view.
    pub detail_cursor: usize,
    /// Rows of agents the body shows, from the last resize.
    pub table_rows: usize,
    pub quit: bool,
    /// The header's counts, recounted only when the fleet changes.
    pub counts: Counts,
    /// The theme `:theme NAME` asked for; the run loop, which knows where
    /// user themes live, loads it and takes it back.
    pub theme_request: Option<String>,
    /// What `:theme ` completes; the run loop adds the user's themes.
    pub theme_names: Vec<String>,
    /// Marked agents, by id: ids, not rows, so marks survive a re-sort, a
    /// filter and a poll. Ids of agents that disappear are dropped.
    pub marks: BTreeSet<String>,
    /// Where `ctrl-space` starts its range: the last agent space toggled.
    mark_anchor: Option<String>,
    marks_pruned_for: Option<u64>,
    /// Marked agents waiting for a picked owner (bulk reassign).
    reassign_targets: Option<Vec<MarkedAgent>>,
    /// Bulk actions still waiting for answers, for the flash line.
    batches: Vec<Batch>,
    counted_for: Option<u64>,
    /// Alert ids already seen, so that only a new one can ring.
    seen_alerts: HashSet<String>,
    /// The backends whose first poll has answered: what a first poll
    /// brings is the state the dashboard starts from, not news.
    synced: HashSet<usize>,
    /// A new critical alert came in; the run loop takes it and rings the
    /// terminal bell if the config asks for it.
    bell: bool,
    pending: HashMap<u64, Action>,
    next_id: u64,
    /// Each Vault backend's last read, linked again when agents change.
    vault_reads: HashMap<usize, vault::VaultRead>,
    /// Each Warden backend's guardrail actions, read after its polls.
    pub guardrails: crate::tui::guardrails::Guardrails,
}

impl App {
    /// A dashboard on one backend.
    pub fn new(backend_name: &str, url: &str, options: Options) -> Self {
        Self::with_backends(&[(backend_name, url)], options)
    }

    /// A dashboard merging several backends, named and ordered as given.
    /// With more than one, the sources qualify every id with its backend's
    /// name (see [`crate::fleet::origin`]).
    pub fn with_backends(backends: &[(&str, &str)], options: Options) -> Self {
        App {
            fleet: Fleet::new(),
            panes: Panes::default(),
            screens: vec![Screen::Agents],
            overlay: Overlay::None,
            prompt: Prompt::None,
            flash: None,
            backends: backends
                .iter()
                .map(|(name, url)| BackendStatus {
                    name: escape(name).into_owned(),
                    kind: BackendKind::Warden,
                    url: escape(url).into_owned(),
                    health: Health::Connecting,
                    last_ok: None,
                    last_error: None,
                    warning: None,
                    latency: None,
                    identity: None,
                })
                .collect(),
            ctx: None,
            keys: KeyMap::builtin(),
            options,
            detail_cursor: 0,
            table_rows: 20,
            quit: false,
            counts: Counts::default(),
            theme_request: None,
            theme_names: crate::tui::theme::Theme::names(None),
            marks: BTreeSet::new(),
            mark_anchor: None,
            marks_pruned_for: None,
            reassign_targets: None,
            batches: Vec::new(),
            counted_for: None,
            seen_alerts: HashSet::new(),
            synced: HashSet::new(),
            bell: false,
            pending: HashMap::new(),
            next_id: 1,
            vault_reads: HashMap::new(),
            guardrails: Default::default(),
        }
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::Agents)
    }

    /// The role backend `i` gave this dashboard's token, once known.
    pub fn role_on(&self, i: usize) -> Option<Role> {
        self.backends
            .get(i)
            .and_then(|b| b.identity.as_ref())
            .and_then(|w| w.role)
    }

    /// The Warden backends, by their place in the list.
    pub fn wardens(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.backends.len()).filter(|&i| self.backends[i].kind == BackendKind::Warden)
    }

    /// Whether the ids in the fleet carry their backend's name.
    pub fn merged(&self) -> bool {
        self.backends.len() > 1
    }

    /// The backend that owns the object with this id: read off the id
    /// when several are merged; the one backend otherwise.
    pub fn backend_of(&self, id: &str) -> Option<usize> {
        if !self.merged() {
            return Some(0);
        }
        let (name, _) = origin::split(id)?;
        self.backends.iter().position(|b| b.name == name)
    }

    /// Whether what the dashboard shows of this object may be out of date:
    /// its backend is down, so the copy is the last good poll's.
    pub fn stale(&self, id: &str) -> bool {
        self.backend_of(id)
            .is_some_and(|i| self.backends[i].health == Health::Down)
    }

    /// Whether action keys are off everywhere, and why: read-only mode, or
    /// a viewer token on every backend.
    pub fn actions_refused(&self) -> Option<String> {
        if self.options.readonly {
            return Some(strings::READONLY.into());
        }
        let viewer_everywhere =
            (0..self.backends.len()).all(|i| self.role_on(i) == Some(Role::Viewer));
        match (viewer_everywhere, self.merged()) {
            (true, false) => Some(strings::VIEWER.into()),
            (true, true) => Some(strings::VIEWER_EVERYWHERE.into()),
            (false, _) => None,
        }
    }

    /// Whether acting on the object with this id is refused, and why: as
    /// [`Self::actions_refused`], or a viewer token on its own backend.
    pub fn refused_for(&self, id: &str) -> Option<String> {
        if let Some(why) = self.actions_refused() {
            return Some(why);
        }
        let i = self.backend_of(id)?;
        (self.role_on(i) == Some(Role::Viewer)).then(|| strings::viewer_on(&self.backends[i].name))
    }

    /// Keeps derived state (the table order, the scroll window) in step
    /// with the fleet; call after every key or message, before drawing.
    pub fn prepare(&mut self) {
        if self.counted_for != Some(self.fleet.generation) {
            self.counts = self.fleet.counts();
            self.counted_for = Some(self.fleet.generation);
        }
        if self.marks_pruned_for != Some(self.fleet.generation) {
            let fleet = &self.fleet;
            self.marks.retain(|id| fleet.position(id).is_some());
            self.marks_pruned_for = Some(self.fleet.generation);
        }
        self.panes.agents.refresh(&self.fleet);
        self.panes.agents.scroll_to_selection(self.table_rows);
        self.panes.triage.settle(&self.fleet);
        self.panes
            .triage
            .scroll_to_selection(crate::tui::views::triage_rows(self.table_rows));
        // Only the screen shown pays for keeping its list in step: a poll
        // must not sort every credential, or every alert, when nobody
        // looks at them.
        self.screen().def().prepare(self);
    }

    /// Whether a new critical alert arrived since the last call; clears it.
    /// The run loop turns it into the terminal bell when configured.
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }

    /// The alert selected in the alerts view.
    pub fn selected_alert(&self) -> Option<&Alert> {
        if let Screen::Alert { alert_id } = self.screen() {
            return self.fleet.alert(alert_id);
        }
        self.panes
            .alerts
            .selected_id()
            .and_then(|id| self.fleet.alert(id))
    }

    /// "R18 on ticket-triage": an alert's rule and its agent's name (the
    /// id when the fleet does not know the agent).
    pub fn alert_label(&self, alert: &Alert) -> String {
        strings::alert_label(&alert.rule, self.alert_agent_name(alert))
    }

    /// The name of the agent an alert is about, its id if unknown, or `-`.
    pub fn alert_agent_name(&self, alert: &Alert) -> String {
        match &alert.agent_id {
            Some(id) => self
                .fleet
                .agent(id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| id.clone()),
            None => "-".into(),
        }
    }

    pub fn resize(&mut self, _width: u16, height: u16) {
        self.table_rows = crate::tui::views::table_rows(height);
        self.prepare();
    }

    /// The agent the keys act on: the detail view's, the table's selection,
    /// or in the alerts view the selected alert's agent (so `f` freezes the
    /// agent an alert is about without leaving the view).
    pub fn current_agent(&self) -> Option<&Agent> {
        self.screen().def().agent(self)
    }

    pub(crate) fn flash(&mut self, level: Level, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            level,
        });
    }

    /// A message on the flash line from outside the state machine, such
    /// as the run loop's word on a theme. Made display-safe: it may quote
    /// a file name.
    pub fn notice(&mut self, level: Level, text: &str) {
        self.flash(level, escape(text).into_owned());
    }

    pub(super) fn start(&mut self, action: Action) -> (u64, Effect) {
        let action = self.with_vault(action);
        // An acknowledged alert sorts after the open ones: the cursor stays
        // on its row, where the next alert to look at moves up.
        if let Action::Ack { alert_id, .. } = &action
            && self.panes.alerts.selected_id() == Some(alert_id.as_str())
        {
            self.panes.alerts.stay_when_settled(alert_id);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.flash(
            Level::Pending,
            strings::waiting_for_backend(action.describe()),
        );
        self.pending.insert(id, action.clone());
        (id, Effect::Run { id, action })
    }
}

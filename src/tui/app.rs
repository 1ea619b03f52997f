//! The dashboard's state and its state machine: a key or a message in,
//! effects out. Nothing here waits on the network or touches the terminal,
//! so every transition is testable as a plain function call.

use super::alert_list::AlertList;
use super::dialog::{Confirm, DialogOutcome, Phase, Plan, RowState, Subject, Target, verdict};
use super::input::LineInput;
use super::keymap::{self, Command};
use super::msg::{Action, Effect, Msg, Outcome, SourceEvent};
use super::picker::{Candidate, OwnerPicker, PickerOutcome};
use super::remap::KeyMap;
use super::table::AgentTable;
use super::triage_queue::TriageQueue;
use crate::api::WhoAmI;
use crate::fleet::filter::Filter;
use crate::fleet::foreign;
use crate::fleet::origin;
use crate::fleet::safe_text::escape;
use crate::fleet::state::{Counts, Fleet, Sanitize};
use crate::model::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

mod panes;
pub use panes::Panes;

/// A poll slower than this marks the backend slow.
pub const SLOW: Duration = Duration::from_millis(1500);

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

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Confirm(Box<Confirm>),
    Picker(Box<OwnerPicker>),
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
            Health::Connecting => "connecting",
            Health::Ok => "ok",
            Health::Slow => "slow",
            Health::Down => "DOWN",
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
}

/// One backend as the header shows it.
#[derive(Debug, Clone)]
pub struct Backend {
    pub name: String,
    pub kind: BackendKind,
    pub url: String,
    pub health: Health,
    pub last_ok: Option<Instant>,
    pub last_error: Option<String>,
    pub latency: Option<Duration>,
    pub identity: Option<WhoAmI>,
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
    pub table: AgentTable,
    /// The alerts view's order and selection.
    pub alerts: AlertList,
    /// The triage view's queue, as the backends ranked it.
    pub triage: TriageQueue,
    /// The people, credentials and audit screens, and the detail's
    /// fetched sections.
    pub panes: Panes,
    pub screens: Vec<Screen>,
    pub overlay: Overlay,
    pub prompt: Prompt,
    pub flash: Option<Flash>,
    /// Every backend watched, in the config's order; messages and ids name
    /// them by their place here.
    pub backends: Vec<Backend>,
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
    reassign_targets: Option<Vec<Target>>,
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
}

/// A bulk action in flight, as the flash line counts it: only answers the
/// backend gave are counted as done.
#[derive(Debug)]
struct Batch {
    /// What a confirmed one is: "frozen", "killed"…
    verb: &'static str,
    /// Action ids still unanswered, with the agent's name.
    waiting: HashMap<u64, String>,
    total: usize,
    ok: usize,
    /// "name: the backend's message", in the order they came.
    failed: Vec<String>,
    /// Said at the end: the marked agents left out, and why.
    skipped: Option<String>,
    /// Said at the end when some succeeded: how to undo.
    undo: Option<&'static str>,
}

impl Batch {
    /// "frozen 3 of 5, 1 failed: name: message" with what is still out.
    fn progress(&self) -> (Level, String) {
        let mut text = format!("{} {} of {}", self.verb, self.ok, self.total);
        if let Some(first) = self.failed.first() {
            text.push_str(&format!(", {} failed: {first}", self.failed.len()));
            if self.failed.len() > 1 {
                text.push_str(", …");
            }
        }
        if !self.waiting.is_empty() {
            text.push_str(&format!("; waiting for {} more", self.waiting.len()));
            return (Level::Pending, text);
        }
        if let Some(s) = &self.skipped {
            text.push_str(&format!("; {s}"));
        }
        if self.ok > 0
            && let Some(u) = self.undo
        {
            text.push_str(&format!(". {u}"));
        }
        let level = if self.failed.is_empty() {
            Level::Success
        } else {
            Level::Error
        };
        (level, text)
    }
}

fn key_is(key: &KeyEvent, code: KeyCode, mods: KeyModifiers) -> bool {
    key.code == code && key.modifiers.contains(mods)
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
            table: AgentTable::default(),
            alerts: AlertList::default(),
            triage: TriageQueue::default(),
            panes: Panes::default(),
            screens: vec![Screen::Agents],
            overlay: Overlay::None,
            prompt: Prompt::None,
            flash: None,
            backends: backends
                .iter()
                .map(|(name, url)| Backend {
                    name: escape(name).into_owned(),
                    kind: BackendKind::Warden,
                    url: escape(url).into_owned(),
                    health: Health::Connecting,
                    last_ok: None,
                    last_error: None,
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
            theme_names: super::theme::Theme::names(None),
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
            return Some("read-only mode: actions are off (started with --readonly)".into());
        }
        let viewer_everywhere =
            (0..self.backends.len()).all(|i| self.role_on(i) == Some(Role::Viewer));
        match (viewer_everywhere, self.merged()) {
            (true, false) => Some("your token is a viewer: it can look but not act".into()),
            (true, true) => {
                Some("your tokens are viewers on every backend: they can look but not act".into())
            }
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
        (self.role_on(i) == Some(Role::Viewer)).then(|| {
            format!(
                "your token on {} is a viewer: it can look but not act there",
                self.backends[i].name
            )
        })
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
        self.table.refresh(&self.fleet);
        self.table.scroll_to_selection(self.table_rows);
        self.alerts.refresh(&self.fleet);
        self.alerts.scroll_to_selection(self.table_rows);
        self.triage.settle(&self.fleet);
        self.triage
            .scroll_to_selection(super::views::triage_rows(self.table_rows));
        self.prepare_panes();
    }

    /// Whether a new critical alert arrived since the last call; clears it.
    /// The run loop turns it into the terminal bell when configured.
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }

    /// The alert selected in the alerts view.
    pub fn selected_alert(&self) -> Option<&Alert> {
        self.alerts
            .selected_id()
            .and_then(|id| self.fleet.alert(id))
    }

    /// "R18 on ticket-triage": an alert's rule and its agent's name (the
    /// id when the fleet does not know the agent).
    pub fn alert_label(&self, alert: &Alert) -> String {
        format!("{} on {}", alert.rule, self.alert_agent_name(alert))
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
        self.table_rows = super::views::table_rows(height);
        self.prepare();
    }

    /// The agent the keys act on: the detail view's, the table's selection,
    /// or in the alerts view the selected alert's agent (so `f` freezes the
    /// agent an alert is about without leaving the view).
    pub fn current_agent(&self) -> Option<&Agent> {
        match self.screen() {
            Screen::Detail { agent_id } => self.fleet.agent(agent_id),
            Screen::Alerts => self
                .selected_alert()
                .and_then(|a| a.agent_id.as_deref())
                .and_then(|id| self.fleet.agent(id)),
            Screen::Agents => self
                .table
                .selected_index()
                .and_then(|i| self.fleet.agents().get(i)),
            Screen::Triage => self
                .triage
                .selected_case()
                .and_then(|c| self.fleet.agent(&c.agent.id)),
            Screen::Creds => self
                .selected_credential()
                .and_then(|c| self.fleet.agent(&c.agent_id)),
            Screen::People | Screen::Audit => None,
        }
    }

    fn flash(&mut self, level: Level, text: impl Into<String>) {
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

    fn start(&mut self, action: Action) -> (u64, Effect) {
        let id = self.next_id;
        self.next_id += 1;
        self.flash(
            Level::Pending,
            format!("{}… waiting for the backend", action.describe()),
        );
        self.pending.insert(id, action.clone());
        (id, Effect::Run { id, action })
    }

    // ---------------------------------------------------------------- keys

    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let before = self.screen().clone();
        let mut effects = self.key(key);
        effects.extend(self.came_into_view(&before));
        self.prepare();
        effects
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key_is(&key, KeyCode::Char('c'), KeyModifiers::CONTROL) {
            self.quit = true;
            return vec![Effect::Quit];
        }
        match &mut self.overlay {
            Overlay::Confirm(dialog) => {
                return match dialog.handle_key(key) {
                    DialogOutcome::Stay => vec![],
                    DialogOutcome::Close => {
                        self.overlay = Overlay::None;
                        vec![]
                    }
                    DialogOutcome::Replan { agent_id, cascade } => {
                        vec![Effect::PlanKill { agent_id, cascade }]
                    }
                    DialogOutcome::Submit(action) => {
                        let (id, effect) = self.start(action);
                        if let Overlay::Confirm(d) = &mut self.overlay {
                            d.running(id);
                        }
                        vec![effect]
                    }
                    DialogOutcome::SubmitMany(actions) => {
                        let (verb, verbing, skipped) = match &dialog.subject {
                            Subject::BulkKill { skipped, .. } => {
                                ("killed", "killing", skipped_note(skipped, "already killed"))
                            }
                            Subject::BulkReassign { skipped, .. } => (
                                "reassigned",
                                "reassigning",
                                skipped_note(skipped, "already had that owner"),
                            ),
                            _ => ("done", "running", None),
                        };
                        let (sent, effects) =
                            self.start_batch(actions, verb, verbing, skipped, None);
                        if let Overlay::Confirm(d) = &mut self.overlay {
                            d.running_many(sent);
                        }
                        effects
                    }
                };
            }
            Overlay::Picker(picker) => {
                return match picker.handle_key(key) {
                    PickerOutcome::Stay => vec![],
                    PickerOutcome::Close => {
                        self.overlay = Overlay::None;
                        self.reassign_targets = None;
                        vec![]
                    }
                    PickerOutcome::Picked(c) if self.reassign_targets.is_some() => {
                        let targets = self.reassign_targets.take().unwrap_or_default();
                        let dialog = self.bulk_reassign_dialog(targets, &c);
                        if let Subject::BulkReassign { targets, .. } = &dialog.subject
                            && targets.is_empty()
                        {
                            self.overlay = Overlay::None;
                            self.flash(
                                Level::Info,
                                format!("every marked agent is already owned by {}", c.label),
                            );
                        } else {
                            self.overlay = Overlay::Confirm(Box::new(dialog));
                        }
                        vec![]
                    }
                    PickerOutcome::Picked(c) => {
                        let subject = Subject::Reassign {
                            agent_id: picker.agent_id.clone(),
                            name: picker.agent_name.clone(),
                            owner_id: c.person_id.clone(),
                            owner_label: c.label.clone(),
                        };
                        let blast = vec![format!("new owner: {}", c.label)];
                        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
                        vec![]
                    }
                };
            }
            Overlay::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
                ) {
                    self.overlay = Overlay::None;
                }
                return vec![];
            }
            Overlay::None => {}
        }
        match &mut self.prompt {
            Prompt::Filter { input, error } => {
                match key.code {
                    KeyCode::Enter => self.prompt = Prompt::None,
                    KeyCode::Esc => {
                        self.prompt = Prompt::None;
                        self.table.set_filter(Filter::default(), "");
                    }
                    _ => {
                        if input.handle(key) {
                            match Filter::parse(input.text()) {
                                Ok(f) => {
                                    *error = None;
                                    self.table.set_filter(f, input.text());
                                }
                                Err(e) => *error = Some(e.to_string()),
                            }
                        }
                    }
                }
                return vec![];
            }
            Prompt::Command { input } => {
                match key.code {
                    KeyCode::Enter => {
                        let text = input.text().trim().to_string();
                        self.prompt = Prompt::None;
                        return self.run_command(&text);
                    }
                    KeyCode::Esc => self.prompt = Prompt::None,
                    KeyCode::Tab => {
                        // After `theme ` or `ctx `, the name; else the command's.
                        if let Some(prefix) = input.text().strip_prefix("theme ") {
                            if let Some(name) =
                                super::theme::complete(prefix.trim_start(), &self.theme_names)
                            {
                                *input = LineInput::with_text(&format!("theme {name}"));
                            }
                        } else if let Some(prefix) = input.text().strip_prefix("ctx ") {
                            let names: Vec<String> =
                                self.backends.iter().map(|b| b.name.clone()).collect();
                            if let Some(name) = super::theme::complete(prefix.trim_start(), &names)
                            {
                                *input = LineInput::with_text(&format!("ctx {name}"));
                            }
                        } else if let Some(done) = keymap::complete(input.text()) {
                            *input = LineInput::with_text(done);
                        }
                    }
                    _ => {
                        input.handle(key);
                    }
                }
                return vec![];
            }
            Prompt::None => {}
        }
        match self.keys.command_for(self.screen(), &key) {
            Some(command) => self.command(command),
            None => vec![],
        }
    }

    fn run_command(&mut self, text: &str) -> Vec<Effect> {
        // The one command with an argument; `Command` is a plain key.
        if let Some(name) = text.trim_start_matches(':').strip_prefix("theme ")
            && !name.trim().is_empty()
        {
            self.theme_request = Some(name.trim().to_string());
            return vec![];
        }
        if let Some(name) = text.trim_start_matches(':').strip_prefix("ctx ")
            && !name.trim().is_empty()
        {
            self.narrow_to(name.trim());
            return vec![];
        }
        match keymap::resolve_command(text) {
            Some(Command::Quit) => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Some(command) => self.command(command),
            None if text.is_empty() => vec![],
            None => {
                self.flash(
                    Level::Error,
                    format!(
                        "unknown command :{}; try {}",
                        escape(text),
                        keymap::command_list()
                    ),
                );
                vec![]
            }
        }
    }

    pub(crate) fn command(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Up => self.move_selection(-1),
            Command::Down => self.move_selection(1),
            Command::PageUp => self.move_selection(-(self.table_rows.max(1) as isize)),
            Command::PageDown => self.move_selection(self.table_rows.max(1) as isize),
            Command::Top => match self.screen() {
                Screen::Agents => self.table.top(),
                Screen::Detail { .. } => self.detail_cursor = 0,
                Screen::Alerts => self.alerts.top(),
                Screen::Triage => self.triage.top(),
                Screen::People | Screen::Creds | Screen::Audit => self.pane_top(),
            },
            Command::Bottom => match self.screen() {
                Screen::Agents => self.table.bottom(),
                Screen::Alerts => self.alerts.bottom(),
                Screen::Triage => self.triage.bottom(),
                Screen::Detail { agent_id } => {
                    self.detail_cursor =
                        self.fleet.credentials_of(agent_id).len().saturating_sub(1);
                }
                Screen::People | Screen::Creds | Screen::Audit => self.pane_bottom(),
            },
            Command::Open => match self.screen() {
                Screen::Agents => {
                    if let Some(agent) = self.current_agent() {
                        let agent_id = agent.id.clone();
                        self.detail_cursor = 0;
                        self.screens.push(Screen::Detail { agent_id });
                    }
                }
                Screen::Alerts => self.open_alert_agent(),
                Screen::Triage => {
                    if let Some(agent) = self.current_agent() {
                        let agent_id = agent.id.clone();
                        self.detail_cursor = 0;
                        self.screens.push(Screen::Detail { agent_id });
                    }
                }
                Screen::Detail { .. } => {}
                Screen::People | Screen::Creds | Screen::Audit => self.pane_open(),
            },
            Command::Back => {
                if self.screens.len() > 1 {
                    self.screens.pop();
                } else if !self.table.filter.is_empty() {
                    self.table.set_filter(Filter::default(), "");
                    self.flash(Level::Info, "filter cleared");
                }
            }
            Command::QuitOrBack => {
                if self.screens.len() > 1 {
                    self.screens.pop();
                } else {
                    self.quit = true;
                    return vec![Effect::Quit];
                }
            }
            Command::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Command::Filter => {
                self.screens.truncate(1);
                let current = self.table.filter_text.clone();
                self.prompt = Prompt::Filter {
                    input: LineInput::with_text(&current),
                    error: None,
                };
            }
            Command::CommandMode => {
                self.prompt = Prompt::Command {
                    input: LineInput::new(),
                }
            }
            Command::Help => self.overlay = Overlay::Help,
            Command::Agents => self.screens.truncate(1),
            // One alerts view, over the agents table: Esc goes back to it.
            // Coming in, the selection starts on the most urgent alert.
            Command::Alerts => {
                self.screens.truncate(1);
                self.screens.push(Screen::Alerts);
                self.alerts.top();
            }
            Command::Ack => self.ack(),
            // Over the agents table, like the alerts view; the queue comes
            // from the backends, which rank the owner suggestions.
            Command::Triage => {
                self.screens.truncate(1);
                self.screens.push(Screen::Triage);
                self.triage.top();
                return self.fetch_triage();
            }
            Command::People => self.open_pane(Screen::People),
            Command::Creds => self.open_pane(Screen::Creds),
            Command::Audit => self.open_pane(Screen::Audit),
            Command::VerifyAudit => return self.verify_audit_now(),
            Command::Refresh => {
                self.flash(Level::Info, "polling now");
                if *self.screen() == Screen::Triage {
                    let mut effects = self.fetch_triage();
                    effects.push(Effect::PollNow);
                    return effects;
                }
                return vec![Effect::PollNow];
            }
            Command::SortName => self.table.sort_by(super::table::SortKey::Name),
            Command::SortOwner => self.table.sort_by(super::table::SortKey::Owner),
            Command::SortStatus => self.table.sort_by(super::table::SortKey::Status),
            Command::SortRisk => self.table.sort_by(super::table::SortKey::Risk),
            Command::SortLastSeen => self.table.sort_by(super::table::SortKey::LastSeen),
            Command::SortAlerts => self.table.sort_by(super::table::SortKey::Alerts),
            Command::Mark => self.toggle_mark(),
            Command::MarkRange => self.mark_range(),
            Command::ClearMarks => {
                if !self.marks.is_empty() {
                    self.flash(Level::Info, format!("{} mark(s) cleared", self.marks.len()));
                }
                self.marks.clear();
                self.mark_anchor = None;
            }
            // Marks are the table's: in an agent's own view, f, K and o act
            // on that agent alone.
            Command::Freeze if self.bulk() => return self.bulk_freeze(),
            Command::Kill if self.bulk() => return self.bulk_kill(),
            Command::Owner if self.bulk() => self.bulk_owner_picker(),
            Command::Freeze => return self.freeze(),
            Command::Kill => return self.kill(),
            Command::Owner => self.owner_picker(),
            Command::Revoke => self.revoke(),
            Command::Ctx => self.narrow_to(""),
            Command::Theme => {
                let names = self.theme_names.join(", ");
                self.flash(
                    Level::Info,
                    format!("themes: {names}; :theme NAME switches"),
                );
            }
        }
        vec![]
    }

    /// `:ctx NAME` shows one backend's agents and alerts; `:ctx` (an empty
    /// name) all of them again, and says how each backend is.
    fn narrow_to(&mut self, name: &str) {
        if name.is_empty() {
            self.ctx = None;
            self.table.set_scope(None);
            self.alerts.set_scope(None);
            let list: Vec<String> = self
                .backends
                .iter()
                .map(|b| format!("{} {}", b.name, b.health.word()))
                .collect();
            self.flash(
                Level::Info,
                format!(
                    "showing every backend: {}; :ctx NAME shows one",
                    list.join(", ")
                ),
            );
            return;
        }
        let Some(i) = self.backends.iter().position(|b| b.name == name) else {
            let names: Vec<&str> = self.backends.iter().map(|b| b.name.as_str()).collect();
            self.flash(
                Level::Error,
                format!(
                    "no backend named {}; the backends are: {}",
                    escape(name),
                    names.join(", ")
                ),
            );
            return;
        };
        // With one backend, nothing is qualified: all of it is "that one".
        let prefix = self
            .merged()
            .then(|| format!("{}{}", self.backends[i].name, origin::SEPARATOR));
        self.ctx = Some(i);
        self.table.set_scope(prefix.clone());
        self.alerts.set_scope(prefix);
        self.screens.truncate(1);
        self.flash(
            Level::Info,
            format!(
                "showing {} only; :ctx shows every backend",
                self.backends[i].name
            ),
        );
    }

    pub(crate) fn move_selection(&mut self, delta: isize) {
        match self.screen().clone() {
            Screen::Agents => self.table.move_by(delta),
            Screen::Alerts => self.alerts.move_by(delta),
            Screen::Triage => self.triage.move_by(delta),
            Screen::People | Screen::Creds | Screen::Audit => self.pane_move(delta),
            Screen::Detail { agent_id } => {
                let n = self.fleet.credentials_of(&agent_id).len();
                if n > 0 {
                    self.detail_cursor =
                        (self.detail_cursor as isize + delta).clamp(0, n as isize - 1) as usize;
                }
            }
        }
    }

    fn fetch_triage(&mut self) -> Vec<Effect> {
        self.triage.waiting = self.wardens().count();
        vec![Effect::FetchTriage]
    }

    /// Enter in the alerts view: the alert's agent's detail; Esc comes back.
    fn open_alert_agent(&mut self) {
        let Some(alert) = self.selected_alert() else {
            return;
        };
        let Some(agent_id) = alert.agent_id.clone() else {
            self.flash(Level::Info, "this alert names no agent");
            return;
        };
        if self.fleet.agent(&agent_id).is_none() {
            self.flash(
                Level::Info,
                format!("agent {agent_id} is not in this backend's fleet"),
            );
            return;
        }
        self.detail_cursor = 0;
        self.screens.push(Screen::Detail { agent_id });
    }

    /// `a` in the alerts view: a reason, then the backend's acknowledgement.
    /// Only an open alert can be acknowledged; the others say why not.
    fn ack(&mut self) {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(alert) = self.selected_alert().cloned() else {
            self.flash(Level::Info, "no alert selected");
            return;
        };
        if let Some(why) = self.refused_for(&alert.id) {
            self.flash(Level::Error, why);
            return;
        }
        let label = self.alert_label(&alert);
        match alert.status {
            AlertStatus::Open => {}
            AlertStatus::Acknowledged => {
                let by = alert
                    .acknowledged_by
                    .as_deref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default();
                self.flash(Level::Info, format!("{label} is already acknowledged{by}"));
                return;
            }
            AlertStatus::Resolved => {
                self.flash(
                    Level::Info,
                    format!("{label} is resolved; there is nothing to acknowledge"),
                );
                return;
            }
        }
        let mut blast = vec![
            format!("rule {} ({})", alert.rule, alert.severity),
            format!("agent {}", self.alert_agent_name(&alert)),
            format!("summary: {}", alert.summary),
        ];
        if alert.source == crate::alertmanager::SOURCE {
            blast.push("in Alertmanager: a silence on exactly this alert's labels".into());
        }
        let subject = Subject::Ack {
            alert_id: alert.id,
            label,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }

    /// Checks that an action may start on the current agent.
    fn actionable(&mut self) -> Option<Agent> {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return None;
        }
        let Some(agent) = self.current_agent().cloned() else {
            self.flash(Level::Error, "no agent selected");
            return None;
        };
        if let Some(why) = self.refused_for(&agent.id) {
            self.flash(Level::Error, why);
            return None;
        }
        Some(agent)
    }

    fn freeze(&mut self) -> Vec<Effect> {
        let Some(agent) = self.actionable() else {
            return vec![];
        };
        let reason = "frozen from the Warden dashboard".to_string();
        let action = match agent.status {
            AgentStatus::Killed => {
                self.flash(
                    Level::Error,
                    format!(
                        "{} is killed; a killed agent cannot be frozen or unfrozen",
                        agent.name
                    ),
                );
                return vec![];
            }
            AgentStatus::Suspended => Action::Resume {
                agent_id: agent.id,
                name: agent.name,
                reason: "unfrozen from the Warden dashboard".into(),
            },
            AgentStatus::Active | AgentStatus::Dormant => Action::Suspend {
                agent_id: agent.id,
                name: agent.name,
                reason,
            },
        };
        let (_, effect) = self.start(action);
        vec![effect]
    }

    fn kill(&mut self) -> Vec<Effect> {
        let Some(agent) = self.actionable() else {
            return vec![];
        };
        if agent.status == AgentStatus::Killed {
            self.flash(Level::Info, format!("{} is already killed", agent.name));
            return vec![];
        }
        let blast = self.blast_radius(&agent);
        let subject = Subject::Kill {
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
            cascade: false,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
        vec![Effect::PlanKill {
            agent_id: agent.id,
            cascade: false,
        }]
    }

    /// What the dashboard's own copy says a kill reaches; the backend's
    /// plan follows.
    fn blast_radius(&self, agent: &Agent) -> Vec<String> {
        let i = self.fleet.position(&agent.id).unwrap_or(0);
        let s = self.fleet.summary(i);
        let children = self.fleet.children_of(&agent.id);
        let mut lines = vec![format!(
            "{} live credential(s) will be revoked",
            s.live_credentials
        )];
        if children.is_empty() {
            lines.push("no agents act for it".into());
        } else {
            let names: Vec<&str> = children.iter().take(5).map(|a| a.name.as_str()).collect();
            lines.push(format!(
                "{} agent(s) act for it: {}{} (killed too only with cascade)",
                children.len(),
                names.join(", "),
                if children.len() > 5 { ", …" } else { "" }
            ));
        }
        lines.push(match &agent.runtime {
            Some(r) => format!("runtime {r}"),
            None => "no runtime recorded".into(),
        });
        lines
    }

    fn owner_picker(&mut self) {
        let Some(agent) = self.actionable() else {
            return;
        };
        let candidates = self.owner_candidates(&agent);
        if candidates.is_empty() {
            self.flash(
                Level::Error,
                "there is no active person in the directory to assign",
            );
            return;
        }
        self.overlay =
            Overlay::Picker(Box::new(OwnerPicker::new(agent.id, agent.name, candidates)));
    }

    /// Owner evidence from the dashboard's own copy, strongest first: the
    /// first reason found for a person is the one shown, with its weight.
    fn local_evidence<'a>(&'a self, agent: &'a Agent) -> HashMap<&'a str, (String, i64)> {
        let mut reasons: HashMap<&str, (String, i64)> = HashMap::new();
        if let Some(owner) = self.fleet.owner_of(agent)
            && owner.status == PersonStatus::Departed
            && let Some(m) = &owner.manager
        {
            reasons.insert(
                m.as_str(),
                (format!("manager of {}, who left", owner.name), 4),
            );
        }
        if let Some(creator) = &agent.created_by {
            for p in self.fleet.people().filter(|p| &p.email == creator) {
                reasons
                    .entry(p.id.as_str())
                    .or_insert_with(|| ("created it".into(), 3));
            }
        }
        for d in self.fleet.delegations_of(&agent.id) {
            if d.child_agent == agent.id
                && let Some(p) = &d.on_behalf_of
            {
                reasons
                    .entry(p.as_str())
                    .or_insert_with(|| ("it acts for them".into(), 2));
            }
        }
        if let Some(team) = agent.labels.get("team") {
            for p in self
                .fleet
                .people()
                .filter(|p| p.team.as_deref() == Some(team.as_str()))
            {
                reasons
                    .entry(p.id.as_str())
                    .or_insert_with(|| (format!("on the {team} team"), 1));
            }
        }
        reasons
    }

    /// Active people, with the ones the evidence points at first: the
    /// backend's own ranking when the triage queue holds the agent (it sees
    /// events and who registered it), else what the dashboard's copy shows.
    fn owner_candidates(&self, agent: &Agent) -> Vec<Candidate> {
        let reasons = match self.triage.case_of(&agent.id) {
            Some(case) => case
                .suggestions
                .iter()
                .map(|s| {
                    let why: Vec<&str> = s.reasons.iter().map(|r| r.text.as_str()).collect();
                    (s.person.id.as_str(), (why.join("; "), i64::from(s.score)))
                })
                .collect(),
            None => self.local_evidence(agent),
        };
        let mut people: Vec<&Person> = self
            .fleet
            .people()
            .filter(|p| {
                p.status == PersonStatus::Active
                    && agent.owner.as_deref() != Some(p.id.as_str())
                    && self.same_backend(&p.id, &agent.id)
            })
            .collect();
        people.sort_by(|a, b| a.name.cmp(&b.name));
        people
            .into_iter()
            .map(|p| {
                let (reason, weight) = match reasons.get(p.id.as_str()) {
                    Some((r, w)) => (Some(r.clone()), *w),
                    None => (None, 0),
                };
                Candidate {
                    person_id: p.id.clone(),
                    label: format!("{} <{}>", p.name, p.email),
                    reason,
                    weight,
                }
            })
            .collect()
    }

    // --------------------------------------------------------------- marks

    /// Whether f, K and o go to the marked agents.
    fn bulk(&self) -> bool {
        matches!(self.screen(), Screen::Agents) && !self.marks.is_empty()
    }

    fn selected_id(&self) -> Option<String> {
        let i = self.table.selected_index()?;
        self.fleet.agents().get(i).map(|a| a.id.clone())
    }

    /// Space: toggles the selected agent's mark and moves down, so a run of
    /// spaces marks a run of rows.
    fn toggle_mark(&mut self) {
        let Some(id) = self.selected_id() else {
            return;
        };
        if !self.marks.remove(&id) {
            self.marks.insert(id.clone());
        }
        self.mark_anchor = Some(id);
        self.table.move_by(1);
    }

    /// ctrl-space: marks every row shown between the anchor and the
    /// selection. With no anchor on screen (none yet, or filtered out), it
    /// marks the selection alone.
    fn mark_range(&mut self) {
        let Some(id) = self.selected_id() else {
            return;
        };
        let here = self.table.selected;
        let from = self
            .mark_anchor
            .as_deref()
            .and_then(|a| self.fleet.position(a))
            .and_then(|i| self.table.order.iter().position(|&o| o == i))
            .unwrap_or(here);
        let agents = self.fleet.agents();
        for &i in &self.table.order[from.min(here)..=from.max(here)] {
            self.marks.insert(agents[i].id.clone());
        }
        self.mark_anchor = Some(id);
    }

    /// Refuses a bulk action when any marked agent's backend would: says
    /// which, and answers true.
    fn refuse_any(&mut self, agents: &[Agent]) -> bool {
        match agents.iter().find_map(|a| self.refused_for(&a.id)) {
            Some(why) => {
                self.flash(Level::Error, format!("{why}; unmark its agents first"));
                true
            }
            None => false,
        }
    }

    /// Whether two objects live on the same backend.
    fn same_backend(&self, a: &str, b: &str) -> bool {
        !self.merged() || self.backend_of(a) == self.backend_of(b)
    }

    /// The marked agents, by name, and how many of them the filter hides.
    fn marked_agents(&self) -> (Vec<Agent>, usize) {
        let shown: HashSet<usize> = self.table.order.iter().copied().collect();
        let mut hidden = 0;
        let mut agents: Vec<Agent> = self
            .marks
            .iter()
            .filter_map(|id| {
                let i = self.fleet.position(id)?;
                if !shown.contains(&i) {
                    hidden += 1;
                }
                Some(self.fleet.agents()[i].clone())
            })
            .collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name));
        (agents, hidden)
    }

    /// The line every bulk confirmation starts with.
    fn marked_line(count: usize, hidden: usize) -> String {
        format!(
            "{count} agent(s) marked, {} hidden by the current filter",
            match hidden {
                0 => "none of them".to_string(),
                n => format!("{n} of them"),
            }
        )
    }

    /// Sends one action per agent and counts the answers on the flash line.
    /// Returns each action's id with its agent, for the dialog's rows.
    fn start_batch(
        &mut self,
        actions: Vec<Action>,
        verb: &'static str,
        verbing: &str,
        skipped: Option<String>,
        undo: Option<&'static str>,
    ) -> (Vec<(u64, Target)>, Vec<Effect>) {
        let total = actions.len();
        let mut sent = Vec::with_capacity(total);
        let mut effects = Vec::with_capacity(total);
        let mut waiting = HashMap::with_capacity(total);
        for action in actions {
            let (agent_id, name) = match &action {
                Action::Suspend { agent_id, name, .. }
                | Action::Resume { agent_id, name, .. }
                | Action::Kill { agent_id, name, .. }
                | Action::Reassign { agent_id, name, .. } => (agent_id.clone(), name.clone()),
                Action::Revoke { credential_id, .. } => {
                    (credential_id.clone(), credential_id.clone())
                }
                Action::Ack { alert_id, .. } => (alert_id.clone(), alert_id.clone()),
            };
            let (id, effect) = self.start(action);
            waiting.insert(id, name.clone());
            sent.push((id, Target { agent_id, name }));
            effects.push(effect);
        }
        self.batches.push(Batch {
            verb,
            waiting,
            total,
            ok: 0,
            failed: Vec::new(),
            skipped,
            undo,
        });
        self.flash(
            Level::Pending,
            format!("{verbing} {total} marked agent(s)… waiting for the backend"),
        );
        (sent, effects)
    }

    /// One answer of a bulk action: the flash counts it; the last one
    /// ends the batch.
    fn count_answer(&mut self, at: usize, id: u64, result: &Result<Outcome, String>) {
        let batch = &mut self.batches[at];
        let name = batch.waiting.remove(&id).unwrap_or_default();
        match verdict(result) {
            Ok(()) => batch.ok += 1,
            Err(e) => batch.failed.push(format!("{name}: {e}")),
        }
        let (level, text) = batch.progress();
        if batch.waiting.is_empty() {
            self.batches.remove(at);
        }
        self.flash(level, text);
    }

    /// f with marks: freezes the marked agents that are active or dormant;
    /// when every live marked agent is already frozen, unfreezes them all.
    /// No dialog, as for one agent: freezing is reversible.
    fn bulk_freeze(&mut self) -> Vec<Effect> {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return vec![];
        }
        let (agents, _) = self.marked_agents();
        if self.refuse_any(&agents) {
            return vec![];
        }
        let killed = agents
            .iter()
            .filter(|a| a.status == AgentStatus::Killed)
            .count();
        let live: Vec<&Agent> = agents
            .iter()
            .filter(|a| a.status != AgentStatus::Killed)
            .collect();
        if live.is_empty() {
            self.flash(
                Level::Error,
                format!(
                    "all {} marked agent(s) are killed; a killed agent cannot be frozen",
                    agents.len()
                ),
            );
            return vec![];
        }
        let unfreeze = live.iter().all(|a| a.status == AgentStatus::Suspended);
        let frozen_already = if unfreeze {
            0
        } else {
            live.iter()
                .filter(|a| a.status == AgentStatus::Suspended)
                .count()
        };
        let actions: Vec<Action> = live
            .into_iter()
            .filter(|a| unfreeze || a.status != AgentStatus::Suspended)
            .map(|a| {
                if unfreeze {
                    Action::Resume {
                        agent_id: a.id.clone(),
                        name: a.name.clone(),
                        reason: "unfrozen from the Warden dashboard (marked)".into(),
                    }
                } else {
                    Action::Suspend {
                        agent_id: a.id.clone(),
                        name: a.name.clone(),
                        reason: "frozen from the Warden dashboard (marked)".into(),
                    }
                }
            })
            .collect();
        let mut skipped = Vec::new();
        if frozen_already > 0 {
            skipped.push(format!("{frozen_already} already frozen"));
        }
        if killed > 0 {
            skipped.push(format!("{killed} killed, skipped"));
        }
        let skipped = (!skipped.is_empty()).then(|| skipped.join(", "));
        let (verb, verbing, undo) = if unfreeze {
            ("unfrozen", "unfreezing", None)
        } else {
            ("frozen", "freezing", Some("Press f again to unfreeze them"))
        };
        let (_, effects) = self.start_batch(actions, verb, verbing, skipped, undo);
        effects
    }

    /// K with marks: one dialog for all of them, `kill N` typed.
    fn bulk_kill(&mut self) -> Vec<Effect> {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return vec![];
        }
        let (agents, hidden) = self.marked_agents();
        if self.refuse_any(&agents) {
            return vec![];
        }
        let (dead, live): (Vec<&Agent>, Vec<&Agent>) =
            agents.iter().partition(|a| a.status == AgentStatus::Killed);
        if live.is_empty() {
            self.flash(
                Level::Info,
                format!("all {} marked agent(s) are already killed", agents.len()),
            );
            return vec![];
        }
        let names = |list: &[&Agent]| {
            let shown: Vec<&str> = list.iter().take(5).map(|a| a.name.as_str()).collect();
            format!(
                "{}{}",
                shown.join(", "),
                if list.len() > 5 { ", …" } else { "" }
            )
        };
        let credentials: u32 = live
            .iter()
            .filter_map(|a| self.fleet.position(&a.id))
            .map(|i| self.fleet.summary(i).live_credentials)
            .sum();
        let runtimes = live.iter().filter(|a| a.runtime.is_some()).count();
        let mut blast = vec![
            Self::marked_line(agents.len(), hidden),
            format!("{} will be killed: {}", live.len(), names(&live)),
        ];
        if !dead.is_empty() {
            blast.push(format!(
                "{} already killed, skipped: {}",
                dead.len(),
                names(&dead)
            ));
        }
        blast.push(format!(
            "{credentials} live credential(s) will be revoked in all"
        ));
        blast.push(format!("{runtimes} runtime hook(s) will fire"));
        blast.push("agents they delegate to are killed only if marked too".into());
        let target = |a: &&Agent| Target {
            agent_id: a.id.clone(),
            name: a.name.clone(),
        };
        let subject = Subject::BulkKill {
            targets: live.iter().map(target).collect(),
            skipped: dead.iter().map(target).collect(),
        };
        let mut dialog = Confirm::new(subject, blast);
        // The backend plans one agent at a time; the forecast above is the
        // dashboard's own, and each agent's answer follows.
        dialog.plan = Plan::NotNeeded;
        self.overlay = Overlay::Confirm(Box::new(dialog));
        vec![]
    }

    /// o with marks: the picker over every active person, then one dialog.
    fn bulk_owner_picker(&mut self) {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let (agents, _) = self.marked_agents();
        if self.refuse_any(&agents) {
            return;
        }
        // An owner is a person of the agent's own backend.
        let homes: BTreeSet<Option<usize>> =
            agents.iter().map(|a| self.backend_of(&a.id)).collect();
        if homes.len() > 1 {
            self.flash(
                Level::Error,
                format!(
                    "the marked agents live on {} backends, and an owner is a person of one: \
                     narrow with :ctx NAME first",
                    homes.len()
                ),
            );
            return;
        }
        let home = agents.first().map(|a| a.id.as_str()).unwrap_or("");
        // Evidence is per agent; for many, only the directory is offered.
        let mut people: Vec<&Person> = self
            .fleet
            .people()
            .filter(|p| p.status == PersonStatus::Active && self.same_backend(&p.id, home))
            .collect();
        if people.is_empty() {
            self.flash(
                Level::Error,
                "there is no active person in the directory to assign",
            );
            return;
        }
        people.sort_by(|a, b| a.name.cmp(&b.name));
        let candidates = people
            .into_iter()
            .map(|p| Candidate {
                person_id: p.id.clone(),
                label: format!("{} <{}>", p.name, p.email),
                reason: None,
                weight: 0,
            })
            .collect();
        let label = format!("{} marked agent(s)", agents.len());
        self.reassign_targets = Some(
            agents
                .iter()
                .map(|a| Target {
                    agent_id: a.id.clone(),
                    name: a.name.clone(),
                })
                .collect(),
        );
        self.overlay =
            Overlay::Picker(Box::new(OwnerPicker::new(String::new(), label, candidates)));
    }

    fn bulk_reassign_dialog(&self, marked: Vec<Target>, c: &Candidate) -> Confirm {
        let (_, hidden) = self.marked_agents();
        let count = marked.len();
        let (skipped, targets): (Vec<Target>, Vec<Target>) = marked.into_iter().partition(|t| {
            self.fleet
                .agent(&t.agent_id)
                .is_some_and(|a| a.owner.as_deref() == Some(c.person_id.as_str()))
        });
        let mut blast = vec![
            Self::marked_line(count, hidden),
            format!("new owner: {}", c.label),
        ];
        let names: Vec<&str> = targets.iter().take(5).map(|t| t.name.as_str()).collect();
        blast.push(format!(
            "{} will be reassigned: {}{}",
            targets.len(),
            names.join(", "),
            if targets.len() > 5 { ", …" } else { "" }
        ));
        if !skipped.is_empty() {
            blast.push(format!("{} already owned by them, skipped", skipped.len()));
        }
        Confirm::new(
            Subject::BulkReassign {
                targets,
                skipped,
                owner_id: c.person_id.clone(),
                owner_label: c.label.clone(),
            },
            blast,
        )
    }

    fn revoke(&mut self) {
        let chosen = match self.screen().clone() {
            Screen::Detail { agent_id } => self
                .fleet
                .credentials_of(&agent_id)
                .get(self.detail_cursor)
                .map(|c| (*c).clone()),
            Screen::Creds => self.selected_credential().cloned(),
            _ => {
                self.flash(
                    Level::Info,
                    "open an agent (Enter) or :creds and select a credential to revoke it",
                );
                return;
            }
        };
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(c) = chosen else {
            self.flash(Level::Error, "there is no credential here to revoke");
            return;
        };
        if c.status == CredentialStatus::Revoked {
            self.flash(Level::Info, format!("{} is already revoked", c.id));
            return;
        }
        if let Some(why) = self.refused_for(&c.id) {
            self.flash(Level::Error, why);
            return;
        }
        let agent_name = self
            .fleet
            .agent(&c.agent_id)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let blast = vec![
            format!("credential {} ({}…) of {agent_name}", c.id, c.prefix),
            format!("scopes: {}", c.scopes.join(" ")),
            "the agent's next request with it is refused".into(),
        ];
        let subject = Subject::Revoke {
            credential_id: c.id.clone(),
            agent_name,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }

    // ------------------------------------------------------------ messages

    pub fn handle_msg(&mut self, msg: Msg) -> Vec<Effect> {
        let seen = Self::seen(&msg);
        let mut effects = self.msg(msg);
        effects.extend(self.after_poll(seen));
        self.prepare();
        effects
    }

    fn msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Source { backend, event } => {
                if backend >= self.backends.len() {
                    tracing::warn!(backend, "a message from an unknown backend, ignored");
                    return vec![];
                }
                self.source(backend, event);
                vec![]
            }
            Msg::Triage { backend, result } => {
                self.triage.report(backend, result);
                vec![]
            }
            Msg::KillPlan {
                agent_id,
                cascade,
                result,
            } => {
                if let Overlay::Confirm(d) = &mut self.overlay
                    && let Subject::Kill {
                        agent_id: a,
                        cascade: c,
                        ..
                    } = &d.subject
                    && *a == agent_id
                    && *c == cascade
                {
                    d.plan = match result {
                        Ok(mut op) => {
                            op.sanitize();
                            Plan::Ready(op)
                        }
                        Err(e) => Plan::Failed(escape(&e).into_owned()),
                    };
                }
                vec![]
            }
            Msg::Action { id, result } => {
                let result = result
                    .map(|mut o| {
                        match &mut o {
                            Outcome::Agent(a) => a.sanitize(),
                            Outcome::Credential(c) => c.sanitize(),
                            Outcome::Operation(op) => op.sanitize(),
                            Outcome::Alert(a) => a.sanitize(),
                            Outcome::Silenced { alert, silence_id } => {
                                alert.sanitize();
                                *silence_id = escape(silence_id).into_owned();
                            }
                        }
                        o
                    })
                    .map_err(|e| escape(&e).into_owned());
                let action = self.pending.remove(&id);
                if let Overlay::Confirm(d) = &mut self.overlay {
                    if d.waiting_for() == Some(id) {
                        d.finished(&result);
                    } else if d.tracks(id) {
                        d.finished_one(id, &result);
                    }
                }
                if let Some(at) = self
                    .batches
                    .iter()
                    .position(|b| b.waiting.contains_key(&id))
                {
                    self.count_answer(at, id, &result);
                } else {
                    self.report(action, &result);
                }
                // The backend changed: fetch it now rather than at the next
                // tick, and the queue too when it is on screen.
                if self.screens.contains(&Screen::Triage) {
                    let mut effects = self.fetch_triage();
                    effects.push(Effect::PollNow);
                    return effects;
                }
                vec![Effect::PollNow]
            }
            m
            @ (Msg::Audit(_) | Msg::AuditVerified(_) | Msg::Detail { .. } | Msg::Trail { .. }) => {
                self.pane_msg(m)
            }
        }
    }

    /// A source's news: a poll's changes merged into the fleet, a failure
    /// marking that backend down (its objects stay, shown stale), or who
    /// the backend says this dashboard is.
    fn source(&mut self, i: usize, event: SourceEvent) {
        match event {
            SourceEvent::Synced { changes, latency } => {
                let arrived: Vec<String> = changes.alerts.iter().map(|a| a.id.clone()).collect();
                let scope = self.merged().then(|| self.backends[i].name.clone());
                self.fleet.apply_from(scope.as_deref(), *changes);
                self.news(i, arrived);
                let b = &mut self.backends[i];
                b.health = if latency > SLOW {
                    Health::Slow
                } else {
                    Health::Ok
                };
                b.last_ok = Some(Instant::now());
                b.last_error = None;
                b.latency = Some(latency);
                self.verify_kill();
            }
            SourceEvent::Failed { error, retry_in } => {
                let b = &mut self.backends[i];
                b.health = Health::Down;
                b.last_error = Some(format!(
                    "{} (retrying in {}s)",
                    escape(&error),
                    retry_in.as_secs().max(1)
                ));
            }
            // Alertmanager: the whole set, its agents still labels.
            SourceEvent::Alerts { alerts, latency } => {
                let (prefix, scopes) = match self.merged() {
                    true => (
                        format!("{}{}", self.backends[i].name, origin::SEPARATOR),
                        self.backends.iter().map(|b| b.name.clone()).collect(),
                    ),
                    false => (String::new(), Vec::new()),
                };
                let changes = foreign::alert_changes(&self.fleet, &prefix, &scopes, alerts);
                let changes = Box::new(changes);
                self.source(i, SourceEvent::Synced { changes, latency });
            }
            SourceEvent::Identity(who) => {
                let mut who = *who;
                who.name = escape(&who.name).into_owned();
                if let Some(p) = &mut who.person {
                    p.sanitize();
                }
                self.backends[i].identity = Some(who);
            }
        }
    }

    /// The flash line after an action: only what the backend confirmed.
    /// (A bulk action's answers are counted by its batch instead.)
    fn report(&mut self, action: Option<Action>, result: &Result<Outcome, String>) {
        let what = action
            .as_ref()
            .map(Action::describe)
            .unwrap_or_else(|| "action".into());
        match (action, result) {
            (_, Err(e)) => self.flash(Level::Error, format!("{what} failed: {e}")),
            (Some(Action::Suspend { name, .. }), Ok(_)) => self.flash(
                Level::Success,
                format!("{name} frozen: its credentials are refused. Press f again to unfreeze."),
            ),
            (Some(Action::Resume { name, .. }), Ok(_)) => self.flash(
                Level::Success,
                format!("{name} unfrozen: its credentials work again."),
            ),
            (Some(Action::Kill { name, .. }), Ok(Outcome::Operation(op))) => {
                if op.status == OperationStatus::Failed {
                    self.flash(
                        Level::Error,
                        format!("killing {name}: a step failed; see the dialog"),
                    );
                } else {
                    self.flash(
                        Level::Success,
                        format!("{name} killed: credentials revoked, agent refused"),
                    );
                }
            }
            (Some(Action::Revoke { credential_id, .. }), Ok(_)) => self.flash(
                Level::Success,
                format!("{credential_id} revoked: the backend refuses it from now on"),
            ),
            (Some(Action::Reassign { name, agent_id, .. }), Ok(_)) => {
                self.triage.resolved(&agent_id);
                let left = if self.screens.contains(&Screen::Triage) {
                    format!("; {} left to triage", self.triage.cases.len())
                } else {
                    String::new()
                };
                self.flash(Level::Success, format!("{name} has a new owner{left}"))
            }
            (Some(Action::Ack { .. }), Ok(Outcome::Silenced { alert, silence_id })) => {
                // The fleet's copy names the matched agent; the answer, the label.
                let label = self.alert_label(self.fleet.alert(&alert.id).unwrap_or(alert));
                let by = alert.acknowledged_by.as_deref().unwrap_or("you");
                self.flash(
                    Level::Success,
                    format!("acknowledged {label}: Alertmanager silence {silence_id}, by {by}"),
                )
            }
            (Some(Action::Ack { .. }), Ok(Outcome::Alert(a))) => {
                let label = self.alert_label(a);
                self.flash(
                    Level::Success,
                    format!("acknowledged {label}: the backend recorded it and the reason"),
                )
            }
            (_, Ok(_)) => self.flash(Level::Success, format!("{what}: done")),
        }
    }

    /// Alerts that arrived in a poll: a new open critical one, after the
    /// first poll, takes the flash line in the error style and raises the
    /// bell flag. The first poll's alerts are only remembered: a dashboard
    /// that starts mid-incident should not ring for old news.
    fn news(&mut self, backend: usize, arrived: Vec<String>) {
        let first = self.synced.insert(backend);
        let mut new_critical = Vec::new();
        for id in arrived {
            if !self.seen_alerts.insert(id.clone()) || first {
                continue;
            }
            if let Some(a) = self.fleet.alert(&id)
                && a.status == AlertStatus::Open
                && a.severity == Severity::Critical
            {
                new_critical.push(a.clone());
            }
        }
        let Some(newest) = new_critical.iter().max_by_key(|a| a.created_at) else {
            return;
        };
        let mut text = format!(
            "new critical alert: {}: {}",
            self.alert_label(newest),
            newest.summary
        );
        if new_critical.len() > 1 {
            text.push_str(&format!(" (+{} more; :alerts)", new_critical.len() - 1));
        }
        self.flash(Level::Error, text);
        self.bell = true;
    }

    /// A kill is verified when the dashboard's own copy, fetched from the
    /// backend after the kill, shows the agent killed with no live credential.
    fn verify_kill(&mut self) {
        let Overlay::Confirm(d) = &mut self.overlay else {
            return;
        };
        if let Subject::BulkKill { .. } = &d.subject {
            // Every agent the backend said it killed must now show killed
            // with no live credential in the dashboard's own copy.
            let fleet = &self.fleet;
            let all = d.rows.iter().filter(|r| r.state == RowState::Ok).all(|r| {
                fleet.position(&r.agent_id).is_some_and(|i| {
                    fleet.agents()[i].status == AgentStatus::Killed
                        && fleet.summary(i).live_credentials == 0
                })
            });
            if all
                && let Phase::Done {
                    verified: verified @ Some(false),
                    ..
                } = &mut d.phase
            {
                *verified = Some(true);
            }
            return;
        }
        let Subject::Kill { agent_id, .. } = &d.subject else {
            return;
        };
        let Phase::Done {
            verified: Some(false),
            ..
        } = &d.phase
        else {
            return;
        };
        let Some(i) = self.fleet.position(agent_id) else {
            return;
        };
        let killed = self.fleet.agents()[i].status == AgentStatus::Killed;
        if killed
            && self.fleet.summary(i).live_credentials == 0
            && let Phase::Done { verified, .. } = &mut d.phase
        {
            *verified = Some(true);
        }
    }
}

/// "1 already killed: name" for the end of a bulk action's flash line.
fn skipped_note(skipped: &[Target], why: &str) -> Option<String> {
    (!skipped.is_empty()).then(|| format!("{} {why}, skipped", skipped.len()))
}

//! The dashboard's state and its state machine: a key or a message in,
//! effects out. Nothing here waits on the network or touches the terminal,
//! so every transition is testable as a plain function call.

use super::dialog::{Confirm, DialogOutcome, Phase, Plan, Subject};
use super::input::LineInput;
use super::keymap::{self, Command};
use super::msg::{Action, Effect, Msg, Outcome, SourceEvent};
use super::picker::{Candidate, OwnerPicker, PickerOutcome};
use super::table::AgentTable;
use crate::api::WhoAmI;
use crate::fleet::filter::Filter;
use crate::fleet::safe_text::escape;
use crate::fleet::state::{Counts, Fleet, Sanitize};
use crate::model::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A poll slower than this marks the backend slow.
pub const SLOW: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Agents,
    Detail { agent_id: String },
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

/// One backend as the header shows it.
#[derive(Debug, Clone)]
pub struct Backend {
    pub name: String,
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
    pub screens: Vec<Screen>,
    pub overlay: Overlay,
    pub prompt: Prompt,
    pub flash: Option<Flash>,
    pub backend: Backend,
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
    counted_for: Option<u64>,
    pending: HashMap<u64, Action>,
    next_id: u64,
}

fn key_is(key: &KeyEvent, code: KeyCode, mods: KeyModifiers) -> bool {
    key.code == code && key.modifiers.contains(mods)
}

impl App {
    pub fn new(backend_name: &str, url: &str, options: Options) -> Self {
        App {
            fleet: Fleet::new(),
            table: AgentTable::default(),
            screens: vec![Screen::Agents],
            overlay: Overlay::None,
            prompt: Prompt::None,
            flash: None,
            backend: Backend {
                name: escape(backend_name).into_owned(),
                url: escape(url).into_owned(),
                health: Health::Connecting,
                last_ok: None,
                last_error: None,
                latency: None,
                identity: None,
            },
            options,
            detail_cursor: 0,
            table_rows: 20,
            quit: false,
            counts: Counts::default(),
            theme_request: None,
            theme_names: super::theme::Theme::names(None),
            counted_for: None,
            pending: HashMap::new(),
            next_id: 1,
        }
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::Agents)
    }

    /// The role the backend gave this dashboard's token, once known.
    pub fn role(&self) -> Option<Role> {
        self.backend.identity.as_ref().and_then(|w| w.role)
    }

    /// Whether action keys are off, and why.
    pub fn actions_refused(&self) -> Option<String> {
        if self.options.readonly {
            return Some("read-only mode: actions are off (started with --readonly)".into());
        }
        match self.role() {
            Some(Role::Viewer) => Some("your token is a viewer: it can look but not act".into()),
            _ => None,
        }
    }

    /// Keeps derived state (the table order, the scroll window) in step
    /// with the fleet; call after every key or message, before drawing.
    pub fn prepare(&mut self) {
        if self.counted_for != Some(self.fleet.generation) {
            self.counts = self.fleet.counts();
            self.counted_for = Some(self.fleet.generation);
        }
        self.table.refresh(&self.fleet);
        self.table.scroll_to_selection(self.table_rows);
    }

    pub fn resize(&mut self, _width: u16, height: u16) {
        self.table_rows = super::views::table_rows(height);
        self.prepare();
    }

    /// The agent the keys act on: the detail view's, or the table's selection.
    pub fn current_agent(&self) -> Option<&Agent> {
        match self.screen() {
            Screen::Detail { agent_id } => self.fleet.agent(agent_id),
            Screen::Agents => self
                .table
                .selected_index()
                .and_then(|i| self.fleet.agents().get(i)),
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
        let effects = self.key(key);
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
                };
            }
            Overlay::Picker(picker) => {
                return match picker.handle_key(key) {
                    PickerOutcome::Stay => vec![],
                    PickerOutcome::Close => {
                        self.overlay = Overlay::None;
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
                        // After `theme `, the theme's name; else the command's.
                        if let Some(prefix) = input.text().strip_prefix("theme ") {
                            if let Some(name) =
                                super::theme::complete(prefix.trim_start(), &self.theme_names)
                            {
                                *input = LineInput::with_text(&format!("theme {name}"));
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
        match keymap::command_for(self.screen(), &key) {
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
                        "unknown command :{}; try :agents, :help or :q",
                        escape(text)
                    ),
                );
                vec![]
            }
        }
    }

    fn command(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Up => self.move_selection(-1),
            Command::Down => self.move_selection(1),
            Command::PageUp => self.move_selection(-(self.table_rows.max(1) as isize)),
            Command::PageDown => self.move_selection(self.table_rows.max(1) as isize),
            Command::Top => match self.screen() {
                Screen::Agents => self.table.top(),
                Screen::Detail { .. } => self.detail_cursor = 0,
            },
            Command::Bottom => match self.screen() {
                Screen::Agents => self.table.bottom(),
                Screen::Detail { agent_id } => {
                    self.detail_cursor =
                        self.fleet.credentials_of(agent_id).len().saturating_sub(1);
                }
            },
            Command::Open => {
                if let (Screen::Agents, Some(agent)) = (self.screen(), self.current_agent()) {
                    let agent_id = agent.id.clone();
                    self.detail_cursor = 0;
                    self.screens.push(Screen::Detail { agent_id });
                }
            }
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
            Command::Refresh => {
                self.flash(Level::Info, "polling now");
                return vec![Effect::PollNow];
            }
            Command::SortName => self.table.sort_by(super::table::SortKey::Name),
            Command::SortOwner => self.table.sort_by(super::table::SortKey::Owner),
            Command::SortStatus => self.table.sort_by(super::table::SortKey::Status),
            Command::SortRisk => self.table.sort_by(super::table::SortKey::Risk),
            Command::SortLastSeen => self.table.sort_by(super::table::SortKey::LastSeen),
            Command::SortAlerts => self.table.sort_by(super::table::SortKey::Alerts),
            Command::Freeze => return self.freeze(),
            Command::Kill => return self.kill(),
            Command::Owner => self.owner_picker(),
            Command::Revoke => self.revoke(),
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

    fn move_selection(&mut self, delta: isize) {
        match self.screen().clone() {
            Screen::Agents => self.table.move_by(delta),
            Screen::Detail { agent_id } => {
                let n = self.fleet.credentials_of(&agent_id).len();
                if n > 0 {
                    self.detail_cursor =
                        (self.detail_cursor as isize + delta).clamp(0, n as isize - 1) as usize;
                }
            }
        }
    }

    /// Checks that an action may start on the current agent.
    fn actionable(&mut self) -> Option<Agent> {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return None;
        }
        match self.current_agent().cloned() {
            Some(a) => Some(a),
            None => {
                self.flash(Level::Error, "no agent selected");
                None
            }
        }
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

    /// Active people, with the ones the evidence points at first.
    fn owner_candidates(&self, agent: &Agent) -> Vec<Candidate> {
        // Evidence, strongest first: the first reason found for a person is
        // the one shown, with its weight.
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
        let mut people: Vec<&Person> = self
            .fleet
            .people()
            .filter(|p| {
                p.status == PersonStatus::Active && agent.owner.as_deref() != Some(p.id.as_str())
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

    fn revoke(&mut self) {
        let Screen::Detail { agent_id } = self.screen().clone() else {
            self.flash(
                Level::Info,
                "open an agent (Enter) and select one of its credentials to revoke it",
            );
            return;
        };
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let creds = self.fleet.credentials_of(&agent_id);
        let Some(c) = creds.get(self.detail_cursor) else {
            self.flash(Level::Error, "this agent has no credential to revoke");
            return;
        };
        if c.status == CredentialStatus::Revoked {
            self.flash(Level::Info, format!("{} is already revoked", c.id));
            return;
        }
        let agent_name = self
            .fleet
            .agent(&agent_id)
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
        let effects = self.msg(msg);
        self.prepare();
        effects
    }

    fn msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Source(SourceEvent::Synced { changes, latency }) => {
                self.fleet.apply(*changes);
                self.backend.health = if latency > SLOW {
                    Health::Slow
                } else {
                    Health::Ok
                };
                self.backend.last_ok = Some(Instant::now());
                self.backend.last_error = None;
                self.backend.latency = Some(latency);
                self.verify_kill();
                vec![]
            }
            Msg::Source(SourceEvent::Failed { error, retry_in }) => {
                self.backend.health = Health::Down;
                self.backend.last_error = Some(format!(
                    "{} (retrying in {}s)",
                    escape(&error),
                    retry_in.as_secs().max(1)
                ));
                vec![]
            }
            Msg::Source(SourceEvent::Identity(who)) => {
                let mut who = *who;
                who.name = escape(&who.name).into_owned();
                if let Some(p) = &mut who.person {
                    p.sanitize();
                }
                self.backend.identity = Some(who);
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
                        }
                        o
                    })
                    .map_err(|e| escape(&e).into_owned());
                let action = self.pending.remove(&id);
                if let Overlay::Confirm(d) = &mut self.overlay
                    && d.waiting_for() == Some(id)
                {
                    d.finished(&result);
                }
                self.report(action, &result);
                // The backend changed: fetch it now rather than at the next tick.
                vec![Effect::PollNow]
            }
        }
    }

    /// The flash line after an action: only what the backend confirmed.
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
            (Some(Action::Reassign { name, .. }), Ok(_)) => {
                self.flash(Level::Success, format!("{name} has a new owner"))
            }
            (_, Ok(_)) => self.flash(Level::Success, format!("{what}: done")),
        }
    }

    /// A kill is verified when the dashboard's own copy, fetched from the
    /// backend after the kill, shows the agent killed with no live credential.
    fn verify_kill(&mut self) {
        let Overlay::Confirm(d) = &mut self.overlay else {
            return;
        };
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

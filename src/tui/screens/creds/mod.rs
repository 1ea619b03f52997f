//! The credentials screen: every credential, soonest to expire first
//! ([`state`]), its table ([`view`]), and what it answers ([`Creds`]):
//! Enter opens the credential's agent, `x` revokes it.

pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::model::{Agent, Credential};
use crate::tui::app::App;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, Screen, ScreenDef};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:creds`, over the agents table.
pub struct Creds;

impl ScreenDef for Creds {
    fn name(&self) -> &'static str {
        "creds"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["credentials", "cred", "credential"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.creds)
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, agent:, status:, scope:, env:, !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.creds.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.creds.filter)
    }

    fn came_into_view(&self, app: &mut App) -> Vec<Effect> {
        app.panes.creds.catalogue.error = None;
        read_all(app)
    }

    /// A backend that answered in full again dropped what was read.
    fn after_poll(&self, app: &mut App) -> Vec<Effect> {
        if app.panes.creds.catalogue.error.is_some() {
            return vec![];
        }
        read_all(app)
    }

    fn prepare(&self, app: &mut App) {
        let list = &mut app.panes.creds;
        list.refresh(&app.fleet);
        list.sel.scroll(app.table_rows, list.order.len());
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the credential's agent")
    }

    /// The credential's agent, with the same credential selected there.
    fn open(&self, app: &mut App) -> Vec<Effect> {
        let Some(c) = app.selected_credential().cloned() else {
            return vec![];
        };
        if app.fleet.agent(&c.agent_id).is_none() {
            app.flash(
                crate::tui::app::Level::Info,
                strings::agent_not_in_fleet(c.agent_id),
            );
            return vec![];
        }
        app.detail_cursor = app
            .fleet
            .credentials_of(&c.agent_id)
            .iter()
            .position(|x| x.id == c.id)
            .unwrap_or(0);
        app.screens.push(Screen::Detail {
            agent_id: c.agent_id,
        });
        vec![]
    }

    fn selects_agent(&self) -> bool {
        true
    }

    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        app.selected_credential()
            .and_then(|c| app.fleet.agent(&c.agent_id))
    }

    fn selects_credential(&self) -> bool {
        true
    }

    fn credential<'a>(&self, app: &'a App) -> Option<&'a Credential> {
        app.selected_credential()
    }
}

/// Asks each backend whose credentials the fleet only counted (it syncs in
/// the summary form) for every one of them, once at a time: a list of all
/// credentials must not be a list of the few some agent's detail brought.
pub(crate) fn read_all(app: &mut App) -> Vec<Effect> {
    let missing: Vec<String> = app
        .fleet
        .credentials_missing()
        .map(str::to_string)
        .collect();
    let mut effects = Vec::new();
    for key in missing {
        let backend = if app.merged() {
            app.backends.iter().position(|b| b.name == key)
        } else {
            app.wardens().next()
        };
        if let Some(b) = backend
            && app.panes.creds.catalogue.asked.insert(b)
        {
            app.fleet.reading_credentials(Some(key.as_str()));
            effects.push(Effect::FetchCredentials { backend: b });
        }
    }
    effects
}

/// The fleet's name for backend number `backend`'s credentials.
fn scope_of(app: &App, backend: usize) -> Option<String> {
    app.merged()
        .then(|| app.backends.get(backend).map(|b| b.name.clone()))
        .flatten()
}

/// A page of backend number `backend`'s credentials, more to come.
pub(crate) fn received_page(app: &mut App, backend: usize, page: Vec<Credential>) {
    let scope = scope_of(app, backend);
    // False when the backend answered in full since the read began: the
    // page is dropped, and the read done again when it ends.
    app.fleet.load_credentials_page(scope.as_deref(), page);
}

/// Backend number `backend`'s credentials, all of them or the last page,
/// or why the read stopped.
pub(crate) fn received(
    app: &mut App,
    backend: usize,
    result: Result<Vec<Credential>, String>,
) -> Vec<Effect> {
    let scope = scope_of(app, backend);
    let asked = app.panes.creds.catalogue.asked.remove(&backend);
    if asked && !app.fleet.reads_credentials(scope.as_deref()) {
        // A full answer came while the pages did: the ones before it are
        // gone with the fleet they belonged to.
        return read_all(app);
    }
    match result {
        Ok(all) => {
            app.fleet.load_credentials(scope.as_deref(), all);
            app.panes.creds.catalogue.error = None;
        }
        Err(e) => {
            let e = crate::fleet::safe_text::escape(&e).into_owned();
            app.flash(
                crate::tui::app::Level::Error,
                strings::credentials_unread(&e),
            );
            app.panes.creds.catalogue.error = Some(e);
        }
    }
    vec![]
}

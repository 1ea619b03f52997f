//! The triage screen: the queue of ownerless agents with their owner
//! suggestions ([`state`]), how it is drawn ([`view`]), and what it
//! answers ([`Triage`]): the queue comes from the backends, on the way in
//! and on ctrl-r.

pub mod cases;
pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::model::Agent;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::app::{App, Level};
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, ScreenDef};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:triage`, over the agents table.
pub struct Triage;

impl ScreenDef for Triage {
    fn name(&self) -> &'static str {
        "triage"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["tr", "orphans"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.triage)
    }

    fn prepare(&self, app: &mut App) {
        app.panes.triage.refilter();
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, agent:, env:, owner: (who left), suggests:, risk: (and above), !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.triage.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.triage.filter)
    }

    /// The backends rank the owner suggestions, so the queue is theirs.
    fn shown(&self, app: &mut App) -> Vec<Effect> {
        app.panes.triage.top();
        fetch(app)
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the agent")
    }

    fn open(&self, app: &mut App) -> Vec<Effect> {
        crate::tui::screens::agents::open_agent(app);
        vec![]
    }

    /// ctrl-r asks for the queue again along with the poll.
    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        (command == UiCommand::Refresh).then(|| {
            app.flash(Level::Info, strings::POLLING_NOW);
            let mut effects = fetch(app);
            effects.push(Effect::PollNow);
            effects
        })
    }

    fn selects_agent(&self) -> bool {
        true
    }

    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        app.panes.triage
            .selected_case()
            .and_then(|c| app.fleet.agent(&c.agent.id))
    }
}

/// Asks every Warden backend for its queue.
pub(crate) fn fetch(app: &mut App) -> Vec<Effect> {
    app.panes.triage.waiting = app.wardens().count();
    vec![Effect::FetchTriage]
}

//! The people screen: every person with what they own ([`state`]), its
//! table ([`view`]), and what it answers ([`People`]): Enter shows the
//! person's agents.

pub mod state;
pub mod view;

use crate::fleet::filter::Filter;
use crate::fleet::row_filter::FieldSpec;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::app::{App, Level};
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, ScreenDef};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:people`, over the agents table.
pub struct People;

impl ScreenDef for People {
    fn name(&self) -> &'static str {
        "people"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["ppl", "owners", "person"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, _clock: Clock) {
        view::draw(frame, body, app, theme);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.people)
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, name:, email:, team:, status:, !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.people.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.people.filter)
    }

    fn prepare(&self, app: &mut App) {
        let list = &mut app.panes.people;
        list.refresh(&app.fleet);
        list.sel.scroll(app.table_rows, list.rows.len());
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("show the agents this person owns (filter owner:=email)")
    }

    /// The person's agents: the agents table, filtered to exactly that
    /// owner; Esc clears it.
    fn open(&self, app: &mut App) -> Vec<Effect> {
        let Some(person) = app
            .panes
            .people
            .selected()
            .and_then(|r| app.fleet.person(&r.person_id))
        else {
            return vec![];
        };
        // The email reads better in the crumbs; an id is a fallback for a
        // directory entry with no email.
        let key = if person.email.is_empty() {
            &person.id
        } else {
            &person.email
        };
        let text = if key.contains(char::is_whitespace) || key.contains('"') {
            format!("owner:={}", person.id)
        } else {
            format!("owner:={key}")
        };
        let name = person.name.clone();
        match Filter::parse(&text) {
            Ok(filter) => {
                app.screens.truncate(1);
                app.panes.agents.set_filter(filter, &text);
                app.panes.agents.top();
                app.flash(Level::Info, strings::agents_of_person(&name));
            }
            Err(e) => app.flash(Level::Error, strings::cannot_filter_on(&name, &e)),
        }
        vec![]
    }
}

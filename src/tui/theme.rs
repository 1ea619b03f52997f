//! Colours by meaning, not by widget: views ask for `theme.killed` or
//! `theme.critical`, never for red. `NO_COLOR` gives a theme with no
//! colour at all, where emphasis is bold and reverse video.

use crate::model::{AgentStatus, Severity};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub border: Style,
    pub title: Style,
    pub selection: Style,
    pub header: Style,
    pub error: Style,
    pub success: Style,
    pub pending: Style,
    pub active: Style,
    pub dormant: Style,
    pub suspended: Style,
    pub killed: Style,
    pub info: Style,
    pub low: Style,
    pub medium: Style,
    pub high: Style,
    pub critical: Style,
}

impl Theme {
    /// The dark default.
    pub fn dark() -> Self {
        let fg = |c| Style::new().fg(c);
        Theme {
            text: fg(Color::Gray),
            muted: fg(Color::DarkGray),
            accent: fg(Color::Cyan),
            border: fg(Color::DarkGray),
            title: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selection: Style::new()
                .bg(Color::Rgb(40, 60, 90))
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            header: fg(Color::White).add_modifier(Modifier::BOLD),
            error: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            success: fg(Color::LightGreen),
            pending: fg(Color::Yellow),
            active: fg(Color::Green),
            dormant: fg(Color::DarkGray),
            suspended: fg(Color::Yellow),
            killed: fg(Color::Red).add_modifier(Modifier::CROSSED_OUT),
            info: fg(Color::Blue),
            low: fg(Color::Cyan),
            medium: fg(Color::Yellow),
            high: fg(Color::LightRed),
            critical: fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// For `NO_COLOR`: no colour, emphasis only.
    pub fn monochrome() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            text: plain,
            muted: plain.add_modifier(Modifier::DIM),
            accent: bold,
            border: plain,
            title: bold,
            selection: Style::new().add_modifier(Modifier::REVERSED),
            header: bold,
            error: bold,
            success: plain,
            pending: plain,
            active: plain,
            dormant: plain.add_modifier(Modifier::DIM),
            suspended: bold,
            killed: plain.add_modifier(Modifier::CROSSED_OUT),
            info: plain,
            low: plain,
            medium: plain,
            high: bold,
            critical: bold.add_modifier(Modifier::REVERSED),
        }
    }

    /// The default theme, or monochrome when `NO_COLOR` is set (to anything
    /// but the empty string, as no-color.org asks).
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Self::monochrome(),
            _ => Self::dark(),
        }
    }

    pub fn status(&self, s: AgentStatus) -> Style {
        match s {
            AgentStatus::Active => self.active,
            AgentStatus::Dormant => self.dormant,
            AgentStatus::Suspended => self.suspended,
            AgentStatus::Killed => self.killed,
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Info => self.info,
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }
}

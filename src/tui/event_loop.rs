//! The dashboard loop: one `tokio::select!` over the terminal's events,
//! the messages of the source and the action tasks, a one-second tick (so
//! the poll age moves) and the next frame. It draws only when something
//! changed, at most once per frame interval, and never waits on the
//! network: the source polls on its own task and every action runs on one
//! of its own.

use crate::api::client::{Client, ConnectOptions};
use crate::sources;
use crate::tui::app::{App, BackendKind, Level, Options};
use crate::tui::effects::am_route::{self, AmTarget, Responder};
use crate::tui::effects::runner::{Route, Runner};
use crate::tui::effects::vault_route::{self, VaultTarget};
use crate::tui::keys::keymap::KeyMap;
use crate::tui::msg::{Effect, Msg};
use crate::tui::strings;
use crate::tui::terminal::{self, Tui};
use crate::tui::theme::{self, Theme};
use crate::tui::views::{self, Clock};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

/// At most this often a frame: 60 a second is smooth, and a burst of keys
/// or messages costs one frame, not one each.
const FRAME: Duration = Duration::from_millis(16);
/// The header's poll age counts seconds.
const TICK: Duration = Duration::from_secs(1);
/// Room for a burst of action results; a source waits when it is full.
const CHANNEL: usize = 256;

/// A backend the dashboard watches.
#[derive(Clone)]
pub struct WardenTarget {
    /// What the header calls it, e.g. `demo`, `local`, `prod`.
    pub name: String,
    pub url: String,
    pub token: String,
    /// Plain HTTP to another host allowed, an extra CA to trust.
    pub options: ConnectOptions,
}

impl fmt::Debug for WardenTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WardenTarget")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("options", &self.options)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub app: Options,
    /// How often the source polls.
    pub refresh: Duration,
    /// The theme asked for: `--theme`, else the config's; None is the
    /// default. `NO_COLOR` wins over it.
    pub theme: Option<String>,
    /// Ring the terminal bell on a new critical alert: only when the
    /// config says `bell = true`; a bell nobody asked for is a nuisance.
    pub bell: bool,
    /// Said on the flash line at start, e.g. a configured backend this
    /// dashboard does not watch.
    pub notice: Option<String>,
    /// The config's `[keys]`: action name to key.
    pub keys: BTreeMap<String, String>,
    /// Alertmanagers watched beside the targets, numbered after them.
    pub alertmanagers: Vec<AmTarget>,
    /// Vaults watched beside them, numbered after the Alertmanagers.
    pub vaults: Vec<VaultTarget>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            app: Options::default(),
            refresh: sources::DEFAULT_REFRESH,
            theme: None,
            bell: false,
            notice: None,
            keys: BTreeMap::new(),
            alertmanagers: Vec::new(),
            vaults: Vec::new(),
        }
    }
}

/// Runs the dashboard on `targets` until the user quits: each is polled by
/// its own source, all merged into one fleet. The terminal is given back
/// on every way out, a panic included. Logging is the caller's (see
/// [`crate::tui::logging`]), so that a backend started in this process logs to
/// the same file.
pub async fn run(targets: Vec<WardenTarget>, options: RunOptions) -> anyhow::Result<()> {
    anyhow::ensure!(!targets.is_empty(), "no backend to watch");
    let merged = targets.len() + options.alertmanagers.len() + options.vaults.len() > 1;
    let (tx, mut rx) = mpsc::channel(CHANNEL);
    let mut sources = Vec::with_capacity(targets.len());
    let mut routes = Vec::with_capacity(targets.len());
    for (index, target) in targets.iter().enumerate() {
        let client = Client::with_options(&target.url, Some(&target.token), &target.options)?;
        let scope = merged.then(|| target.name.clone());
        let origin = sources::Origin {
            index,
            scope: scope.clone(),
        };
        let source = sources::warden::spawn(client.clone(), options.refresh, tx.clone(), origin);
        routes.push(Route {
            client,
            poker: source.poker(),
            scope,
        });
        sources.push(source);
    }
    // A silence is made in the name Warden knows the responder by.
    let responder = Responder::new(routes.iter().map(|r| r.client.clone()).collect());
    let (am_sources, am_routes) = am_route::start(
        &options.alertmanagers,
        targets.len(),
        merged,
        options.refresh,
        &tx,
        &responder,
    )?;
    sources.extend(am_sources);
    let first_vault = targets.len() + options.alertmanagers.len();
    let (vault_sources, vault_routes) =
        vault_route::start(&options.vaults, first_vault, merged, &tx)?;
    sources.extend(vault_sources);
    let runner = Runner::routed(routes, tx)
        .with_alertmanagers(am_routes)
        .with_vaults(vault_routes);
    let names: Vec<(&str, &str)> = targets
        .iter()
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .chain(
            options
                .alertmanagers
                .iter()
                .map(|t| (t.name.as_str(), t.url.as_str())),
        )
        .chain(
            options
                .vaults
                .iter()
                .map(|t| (t.name.as_str(), t.config.url.as_str())),
        )
        .collect();
    let mut app = App::with_backends(&names, options.app);
    for b in app.backends.iter_mut().skip(targets.len()) {
        b.kind = BackendKind::Alertmanager;
    }
    for b in app.backends.iter_mut().skip(first_vault) {
        b.kind = BackendKind::Vault;
    }
    if let Some(n) = &options.notice {
        app.notice(Level::Info, n);
    }
    let themes = Themes {
        dir: theme::user_dir(),
        no_color: theme::no_color(),
    };
    let mut theme = themes.start(&mut app, options.theme.as_deref());
    start_keys(&mut app, &options.keys);
    for t in &targets {
        tracing::info!(backend = %t.name, url = %t.url, "dashboard watching");
    }
    for t in &options.alertmanagers {
        tracing::info!(backend = %t.name, url = %t.url, "dashboard watching an alertmanager");
    }
    for t in &options.vaults {
        tracing::info!(backend = %t.name, url = %t.config.url, "dashboard watching a vault");
    }

    let mut tui = Tui::enter()?;
    let bell = options.bell;
    let result = event_loop(
        &mut tui, &mut app, &mut theme, &themes, &mut rx, &runner, bell,
    )
    .await;
    tui.restore();
    drop(sources);
    match &result {
        Ok(()) => tracing::info!("dashboard quit"),
        Err(e) => tracing::error!(error = %e, "dashboard stopped"),
    }
    result
}

async fn event_loop(
    tui: &mut Tui,
    app: &mut App,
    theme: &mut Theme,
    themes: &Themes,
    rx: &mut mpsc::Receiver<Msg>,
    runner: &Runner,
    bell: bool,
) -> anyhow::Result<()> {
    let mut events = EventStream::new();
    let (w, h) = tui.size()?;
    app.resize(w, h);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut stop = StopSignals::new();

    loop {
        if terminal::panicked() {
            anyhow::bail!(strings::INTERNAL_ERROR);
        }
        let frame_due = last_draw.map_or_else(Instant::now, |t| t + FRAME);
        if dirty && Instant::now() >= frame_due {
            tui.draw(|frame| views::draw(frame, app, theme, Clock::now()))?;
            dirty = false;
            last_draw = Some(Instant::now());
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    let effects = app.handle_key(key);
                    carry_out(runner, effects);
                    themes.switch(app, theme);
                    dirty = true;
                }
                Some(Ok(Event::Resize(w, h))) => {
                    app.resize(w, h);
                    dirty = true;
                }
                // Moves arrive by the hundred and change nothing: no frame.
                Some(Ok(Event::Mouse(mouse))) if mouse.kind != MouseEventKind::Moved => {
                    let effects = app.handle_mouse(mouse);
                    carry_out(runner, effects);
                    dirty = true;
                }
                // Focus changes, pastes, key releases.
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(anyhow::anyhow!(strings::cannot_read_terminal(e))),
                None => anyhow::bail!(strings::TERMINAL_GONE),
            },
            Some(msg) = rx.recv() => {
                let effects = app.handle_msg(msg);
                carry_out(runner, effects);
                // Everything already waiting goes into the same frame.
                while let Ok(msg) = rx.try_recv() {
                    let effects = app.handle_msg(msg);
                    carry_out(runner, effects);
                }
                // Taken every time, so a flag raised while the bell is off
                // cannot ring later.
                if app.take_bell() && bell {
                    ring();
                }
                dirty = true;
            }
            _ = tick.tick() => dirty = true,
            name = stop.recv() => {
                tracing::info!(signal = name, "stopping");
                return Ok(());
            }
            _ = tokio::time::sleep_until(frame_due), if dirty => {}
        }
        if app.quit {
            return Ok(());
        }
    }
}

/// Where themes come from for this run: fixed at start, so `:theme` sees
/// the same user dir and `NO_COLOR` as the theme the dashboard began with.
struct Themes {
    dir: Option<PathBuf>,
    no_color: bool,
}

impl Themes {
    /// The first theme. One that cannot be loaded does not stop the
    /// dashboard: it starts with the default and the flash line says why.
    fn start(&self, app: &mut App, requested: Option<&str>) -> Theme {
        let resolved = Theme::resolve(requested, self.dir.as_deref(), self.no_color);
        app.theme_names = Theme::names(self.dir.as_deref());
        match &resolved.error {
            Some(e) => {
                tracing::warn!(error = %e, "theme refused; using the default");
                app.notice(Level::Error, &strings::theme_refused(e));
            }
            None => tracing::debug!(theme = %resolved.name, "theme"),
        }
        resolved.theme
    }

    /// Carries out a `:theme NAME` the last key asked for, if any.
    fn switch(&self, app: &mut App, theme: &mut Theme) {
        let Some(name) = app.theme_request.take() else {
            return;
        };
        match Theme::switch(&name, self.dir.as_deref(), self.no_color) {
            Ok(t) => {
                *theme = t;
                app.notice(Level::Success, &strings::theme_switched(&name));
            }
            Err(why) => app.notice(Level::Error, &why),
        }
        // A theme file added while running can be completed next time.
        app.theme_names = Theme::names(self.dir.as_deref());
    }
}

/// The config's keys over the built-in ones. A clash or a bad key does not
/// stop the dashboard mid-incident: it starts with the built-in keys and
/// the flash line (after any earlier word) names the problem.
fn start_keys(app: &mut App, table: &BTreeMap<String, String>) {
    match KeyMap::from_config(table) {
        Ok(keys) => app.keys = keys,
        Err(e) => {
            tracing::warn!(error = %e, "keys refused; using the built-in keys");
            let earlier = app.flash.take().map(|f| format!("{} · ", f.text));
            let text = strings::keys_refused(earlier.unwrap_or_default(), e);
            app.notice(Level::Error, &text);
        }
    }
}

/// BEL straight to the terminal, between frames: ratatui draws cells and
/// has no bell of its own. A terminal that cannot ring ignores it.
fn ring() {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07").and_then(|()| out.flush());
}

fn carry_out(runner: &Runner, effects: Vec<Effect>) {
    for effect in effects {
        tracing::debug!(?effect, "effect");
        runner.handle(effect);
    }
}

/// SIGTERM (a polite kill) and SIGHUP (the terminal hung up) end the loop
/// like `q` does, so the terminal is given back and the log says why.
struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignals {
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// The name of the signal that arrived; pending for ever if none can.
    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            async fn one(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                _ = one(&mut self.term) => "SIGTERM",
                _ = one(&mut self.hup) => "SIGHUP",
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn press(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn flash(app: &App) -> (Level, String) {
        let f = app.flash.clone().expect("a flash");
        (f.level, f.text)
    }

    fn themes_in(dir: &std::path::Path, no_color: bool) -> Themes {
        Themes {
            dir: Some(dir.to_path_buf()),
            no_color,
        }
    }

    #[test]
    fn remapped_keys_apply_and_a_clash_keeps_the_built_in_ones() {
        let mut app = App::new("demo", "http://x", Options::default());
        let table = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        start_keys(&mut app, &table(&[("kill", "ctrl-k")]));
        assert_ne!(app.keys, KeyMap::builtin());
        assert!(app.flash.is_none());

        let mut app = App::new("demo", "http://x", Options::default());
        app.notice(Level::Error, "theme trouble");
        start_keys(&mut app, &table(&[("kill", "R")]));
        assert_eq!(app.keys, KeyMap::builtin());
        let (level, text) = flash(&app);
        assert_eq!(level, Level::Error);
        assert!(text.starts_with("theme trouble · "), "{text}");
        assert!(
            text.contains("sort_risk") && text.contains("kill"),
            "{text}"
        );
        assert!(text.ends_with("using the built-in keys"), "{text}");
    }

    #[test]
    fn a_bad_theme_at_start_is_shown_and_the_default_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.toml"), "accent = { fg = \"nope\" }").unwrap();
        let mut app = App::new("demo", "http://x", Options::default());
        let theme = themes_in(dir.path(), false).start(&mut app, Some("mine"));
        assert_eq!(theme, Theme::dark());
        let (level, text) = flash(&app);
        assert_eq!(level, Level::Error);
        assert!(
            text.contains("mine.toml") && text.contains("`accent.fg`"),
            "{text}"
        );
        assert!(text.ends_with("using the default theme"), "{text}");
        assert!(app.theme_names.contains(&"mine".to_string()));

        let mut app = App::new("demo", "http://x", Options::default());
        themes_in(dir.path(), false).start(&mut app, Some("light"));
        assert!(app.flash.is_none());
    }

    #[test]
    fn the_theme_command_switches_completes_and_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let themes = themes_in(dir.path(), false);
        let mut app = App::new("demo", "http://x", Options::default());
        let mut theme = themes.start(&mut app, None);

        // Tab completes the command, then the name.
        typed(&mut app, ":th");
        press(&mut app, KeyCode::Tab);
        typed(&mut app, " co");
        press(&mut app, KeyCode::Tab);
        match &app.prompt {
            crate::tui::app::Prompt::Command { input } => {
                assert_eq!(input.text(), "theme colorblind")
            }
            other => panic!("{other:?}"),
        }
        press(&mut app, KeyCode::Enter);
        themes.switch(&mut app, &mut theme);
        assert_eq!(theme, Theme::load("colorblind", None).unwrap());
        assert_eq!(flash(&app), (Level::Success, "theme colorblind".into()));
        assert_eq!(app.theme_request, None);

        typed(&mut app, ":theme nope");
        press(&mut app, KeyCode::Enter);
        themes.switch(&mut app, &mut theme);
        assert_eq!(theme, Theme::load("colorblind", None).unwrap());
        let (level, text) = flash(&app);
        assert_eq!(level, Level::Error);
        assert!(text.contains("no theme named \"nope\""), "{text}");

        // Alone, it lists the themes.
        typed(&mut app, ":theme");
        press(&mut app, KeyCode::Enter);
        let (_, text) = flash(&app);
        assert!(
            text.contains("default, light, high-contrast, colorblind"),
            "{text}"
        );

        let themes = themes_in(dir.path(), true);
        let mut theme = themes.start(&mut app, Some("light"));
        assert_eq!(theme, Theme::monochrome());
        typed(&mut app, ":theme light");
        press(&mut app, KeyCode::Enter);
        themes.switch(&mut app, &mut theme);
        assert_eq!(theme, Theme::monochrome());
        assert!(flash(&app).1.contains("NO_COLOR"));
    }
}

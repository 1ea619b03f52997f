//! What the dashboard says, in one place, so that the wording can be read,
//! reviewed and changed together: the word the hint bar shows for each
//! command, why actions are refused, what an empty list says, every
//! sentence of the flash line, the header's words and the crumbs, what
//! the event loop says, and what is refused around the screens (the
//! config's `[keys]`, a missing terminal, an action with no backend),
//! here; the popups' and the bulk actions' words in
//! [`popups`]; the screens' own (column and table titles, statuses, an
//! agent's view) in [`screens`]; what is said before and around the
//! screens (the welcome of an empty registry, theme errors, the log file)
//! in [`setup`]; the discovery view's in [`discovery`]; guardrails'
//! automatic actions' in [`guardrails`]. Each is a constant or a function of what
//! it names, and all are re-exported here: a caller names `strings::X`.
//!
//! Two kinds of text stay beside what they describe: the help text of each
//! key sits beside the key in [`crate::tui::keys::bindings`] (Enter's
//! beside what Enter does on each screen,
//! [`crate::tui::screens::ScreenDef::open_help`]), so the help cannot
//! disagree with the keys; and a screen's name, which is also its
//! `:` command and its first crumb, is its own
//! ([`crate::tui::screens::ScreenDef::name`]).

use crate::tui::keys::bindings::UiCommand;
use std::fmt::Display;

mod discovery;
mod guardrails;
mod popups;
mod screens;
mod setup;
pub use discovery::*;
pub use guardrails::*;
pub use popups::*;
pub use screens::*;
pub use setup::*;

/// The word the hint bar shows for a command; None keeps it off the bar
/// (it is still in the help).
pub fn hint(command: UiCommand) -> Option<&'static str> {
    Some(match command {
        UiCommand::Open => "open",
        UiCommand::Back => "back",
        UiCommand::Filter => "filter",
        UiCommand::CommandMode => "command",
        UiCommand::Help => "help",
        UiCommand::Freeze => "freeze",
        UiCommand::Kill => "kill",
        UiCommand::Owner => "owner",
        UiCommand::Revoke => "revoke",
        UiCommand::Ack => "ack",
        UiCommand::Snooze => "snooze",
        UiCommand::VerifyAudit => "verify",
        UiCommand::StopGuardrail => "stop guardrail",
        UiCommand::RunGuardrail => "run guardrail",
        UiCommand::QuitOrBack => "quit",
        _ => return None,
    })
}

// Stand-ins for what an answer left out.

/// What an action's flash line calls it when the action is not known
/// any more.
pub const AN_ACTION: &str = "action";
/// Who acknowledged an alert when the backend's answer does not say.
pub const YOU: &str = "you";
/// A failed kill whose failed step the backend did not name.
pub const A_STEP_FAILED: &str = "a step failed";

// Why actions are refused: the flash line says it when a key tries, and
// the hint bar leaves the actions out.

pub const READONLY: &str = "read-only mode: actions are off (started with --readonly)";
pub const VIEWER: &str = "your token is a viewer: it can look but not act";
pub const VIEWER_EVERYWHERE: &str =
    "your tokens are viewers on every backend: they can look but not act";

pub fn viewer_on(backend: impl Display) -> String {
    format!("your token on {backend} is a viewer: it can look but not act there")
}

// What an empty list says where its first row would be.

pub const EMPTY_FILTERED_AGENTS: &str = "no agent matches the filter; esc clears it";
pub const FIRST_SYNC: &str = "syncing: asking the backend for the fleet…";
pub const EMPTY_CREDS: &str = "no credentials in this backend";
pub const EMPTY_ALERTS: &str = "no alerts from this backend";
pub const EMPTY_PEOPLE: &str = "no people in this backend's directory";
pub const EMPTY_TRAIL: &str = "nothing about this agent in the audit chain";
pub const TRAIL_UNREADABLE: &str = "the trail could not be read";
pub const READING_TRAIL: &str = "reading the trail…";
pub const EMPTY_AUDIT: &str = "no audit entries yet";
pub const EMPTY_FILTERED_AUDIT: &str = "no entry held matches the filter; esc clears it";
pub const READING_AUDIT: &str = "reading the audit chain…";
pub const TRIAGE_UNREADABLE: &str = "the triage queue could not be fetched; ctrl-r tries again";
pub const READING_TRIAGE: &str = "asking the backend for its triage queue…";
pub const EMPTY_TRIAGE: &str = "nothing to triage: every live agent has an active owner";

// The flash line.

pub const NO_ALERT_SELECTED: &str = "no alert selected";
pub const NO_AGENT_SELECTED: &str = "no agent selected";
pub const NO_ONE_TO_ASSIGN: &str = "there is no active person in the directory to assign";
pub const REVOKE_WHERE: &str =
    "open an agent (Enter) or :creds and select a credential to revoke it";
pub const NO_CREDENTIAL_TO_REVOKE: &str = "there is no credential here to revoke";
pub const FILTER_CLEARED: &str = "filter cleared";
pub const POLLING_NOW: &str = "polling now";
pub const ALERT_NAMES_NO_AGENT: &str = "this alert names no agent";
pub const VERIFYING_AUDIT: &str = "verifying the audit chain…";
pub const VERIFICATION_RUNNING: &str = "a verification is already running";

pub fn already_acknowledged(label: impl Display, by: impl Display) -> String {
    format!("{label} is already acknowledged{by}")
}

pub fn resolved_nothing_to_ack(label: impl Display) -> String {
    format!("{label} is resolved; there is nothing to acknowledge")
}

pub fn killed_cannot_freeze(name: impl Display) -> String {
    format!("{name} is killed; a killed agent cannot be frozen or unfrozen")
}

pub fn already_killed(name: impl Display) -> String {
    format!("{name} is already killed")
}

pub fn already_revoked(credential: impl Display) -> String {
    format!("{credential} is already revoked")
}

pub fn marks_cleared(count: impl Display) -> String {
    format!("{count} mark(s) cleared")
}

pub fn themes(names: impl Display) -> String {
    format!("themes: {names}; :theme NAME switches")
}

pub fn showing_every_backend(health: impl Display) -> String {
    format!("showing every backend: {health}; :ctx NAME shows one")
}

pub fn no_such_backend(name: impl Display, names: impl Display) -> String {
    format!("no backend named {name}; the backends are: {names}")
}

pub fn showing_one_backend(name: impl Display) -> String {
    format!("showing {name} only; :ctx shows every backend")
}

pub fn agent_not_in_fleet(agent_id: impl Display) -> String {
    format!("agent {agent_id} is not in this backend's fleet")
}

pub fn all_marked_already_owned(owner: impl Display) -> String {
    format!("every marked agent is already owned by {owner}")
}

pub fn unknown_command(text: impl Display, commands: impl Display) -> String {
    format!("unknown command :{text}; try {commands}")
}

pub fn unmark_first(why: impl Display) -> String {
    format!("{why}; unmark its agents first")
}

pub fn bulk_waiting(verbing: impl Display, total: impl Display) -> String {
    format!("{verbing} {total} marked agent(s)… waiting for the backend")
}

pub fn all_marked_killed(count: impl Display) -> String {
    format!("all {count} marked agent(s) are killed; a killed agent cannot be frozen")
}

pub fn all_marked_already_killed(count: impl Display) -> String {
    format!("all {count} marked agent(s) are already killed")
}

pub fn marked_on_many_backends(count: impl Display) -> String {
    format!(
        "the marked agents live on {count} backends, and an owner is a person of one: \
         narrow with :ctx NAME first"
    )
}

pub fn action_failed(what: impl Display, e: impl Display) -> String {
    format!("{what} failed: {e}")
}

pub fn frozen(name: impl Display) -> String {
    format!("{name} frozen: its credentials are refused. Press f again to unfreeze.")
}

pub fn unfrozen(name: impl Display) -> String {
    format!("{name} unfrozen: its credentials work again.")
}

pub fn kill_step_failed(name: impl Display) -> String {
    format!("killing {name}: a step failed; see the dialog")
}

pub fn killed(name: impl Display) -> String {
    format!("{name} killed: credentials revoked, agent refused")
}

pub fn revoked(credential_id: impl Display) -> String {
    format!("{credential_id} revoked: the backend refuses it from now on")
}

pub fn new_owner(name: impl Display, left: impl Display) -> String {
    format!("{name} has a new owner{left}")
}

pub fn acknowledged_silence(
    label: impl Display,
    silence_id: impl Display,
    by: impl Display,
) -> String {
    format!("acknowledged {label}: Alertmanager silence {silence_id}, by {by}")
}

pub fn acknowledged(label: impl Display) -> String {
    format!("acknowledged {label}: the backend recorded it and the reason")
}

pub fn action_done(what: impl Display) -> String {
    format!("{what}: done")
}

pub fn waiting_for_backend(action: impl Display) -> String {
    format!("{action}… waiting for the backend")
}

pub fn agents_of_person(name: impl Display) -> String {
    format!("the agents {name} owns; Esc clears the filter")
}

pub fn cannot_filter_on(name: impl Display, e: impl Display) -> String {
    format!("cannot filter on {name}: {e}")
}

// The frame around the screens: the header, the crumbs, the prompt.

pub const WARDEN: &str = "Warden";
pub const CONNECTING: &str = "connecting";
pub const OK: &str = "ok";
pub const SLOW: &str = "slow";
pub const DOWN: &str = "DOWN";
pub const ENLARGE: &str = "Warden: enlarge the terminal (20x7 at least)";
pub const CTX: &str = "ctx";
pub const READ_ONLY: &str = "READ-ONLY";
pub const AGENTS: &str = "agents";
pub const ACTIVE: &str = "active";
pub const UNOWNED: &str = "unowned";
pub const UNCLAIMED: &str = "unclaimed";
pub const SUSPENDED: &str = "suspended";
pub const KILLED: &str = "killed";
pub const ALERTS: &str = "alerts";
pub const CRIT: &str = "crit";
pub const HIGH: &str = "high";
pub const MED: &str = "med";
pub const LOW: &str = "low";
/// Between the crumbs of the trail (a screen's crumb is its name, which
/// is also its `:` command: [`crate::tui::screens::ScreenDef::name`]).
pub const CRUMB_SEPARATOR: &str = " › ";
pub const TAB_COMPLETES: &str = "tab completes; ";
pub const NEVER: &str = "never";

/// "R18 on ticket-triage": an alert's rule and its agent.
pub fn alert_label(rule: impl Display, agent: impl Display) -> String {
    format!("{rule} on {agent}")
}

pub fn role_on(role: impl Display, backend: impl Display) -> String {
    format!("{role} on {backend}")
}

pub fn stale_since(age: impl Display) -> String {
    format!("stale: last good poll {age} ago")
}

pub fn polled(age: impl Display) -> String {
    format!("polled {age} ago")
}

pub fn ago(age: impl Display) -> String {
    format!("{age} ago")
}

pub fn in_time(age: impl Display) -> String {
    format!("in {age}")
}

// What the event loop says: on the flash line, or as it stops.

pub const INTERNAL_ERROR: &str = "an internal error stopped the dashboard; the log has the details";
pub const TERMINAL_GONE: &str = "the terminal went away";

pub fn cannot_read_terminal(e: impl Display) -> String {
    format!("cannot read the terminal: {e}")
}

pub fn theme_refused(e: impl Display) -> String {
    format!("{e}; using the default theme")
}

pub fn theme_switched(name: impl Display) -> String {
    format!("theme {name}")
}

pub fn keys_refused(earlier: impl Display, e: impl Display) -> String {
    format!("{earlier}{e}; using the built-in keys")
}

pub fn retrying(error: impl Display, seconds: impl Display) -> String {
    format!("{error} (retrying in {seconds}s)")
}

pub fn left_to_triage(count: usize) -> String {
    format!("; {count} left to triage")
}

pub fn new_critical(label: impl Display, summary: impl Display) -> String {
    format!("new critical alert: {label}: {summary}")
}

pub fn more_critical(count: usize) -> String {
    format!(" (+{count} more; :alerts)")
}

// What is refused before or around the screens: the config's `[keys]`, a
// missing terminal, an action that cannot be routed.

pub const NO_KEY_GIVEN: &str = "no key given";
pub const STDOUT_NOT_A_TERMINAL: &str = "stdout is not a terminal";
pub const STDIN_NOT_A_TERMINAL: &str = "stdin is not a terminal";

pub fn unknown_action(name: &str, actions: impl Display) -> String {
    format!("[keys] has an unknown action {name:?}; the actions are: {actions}")
}

pub fn bad_key(name: impl Display, text: &str, e: impl Display) -> String {
    format!("[keys] {name} = {text:?}: {e}")
}

pub fn ctrl_c_kept(name: impl Display, text: &str) -> String {
    format!("[keys] {name} = {text:?}: ctrl-c always quits and cannot be remapped")
}

pub fn keys_clash(a: impl Display, b: impl Display, key: impl Display) -> String {
    format!("[keys]: {a} and {b} would both answer {key}; give one of them another key")
}

/// `kill ("ctrl-k" from [keys])`.
pub fn remapped_key(action: impl Display, label: &str) -> String {
    format!("{action} ({label:?} from [keys])")
}

/// `sort_risk (R, built in)`.
pub fn builtin_key(action: impl Display, label: impl Display) -> String {
    format!("{action} ({label}, built in)")
}

pub fn unknown_modifier(m: &str) -> String {
    format!("unknown modifier {m:?}; use ctrl-, alt- or shift-")
}

pub fn unknown_key(key: &str) -> String {
    format!(
        "unknown key {key:?}; write one character, or enter, esc, tab, space, \
         backspace, up, down, left, right, home, end, pageup, pagedown, delete, \
         insert, f1…f12, with ctrl-, alt- or shift- before it if needed"
    )
}

pub fn needs_a_terminal(why: impl Display) -> String {
    format!("the dashboard needs a terminal ({why})")
}

pub fn alertmanager_acks_only(action: impl Display) -> String {
    format!("{action}: an Alertmanager takes acknowledgements only")
}

pub fn names_no_backend(id: impl Display) -> String {
    format!("{id} names no backend")
}

pub fn no_backend_called(id: impl Display, name: impl Display) -> String {
    format!("{id}: no backend called {name}")
}

pub fn another_backend(id: impl Display, key: impl Display) -> String {
    format!("{id} lives on another backend than {key}; an action stays on one backend")
}

/// A Vault read in part: the first part refused, and how many more were.
pub fn vault_partial(first: &str, more: usize) -> String {
    match more {
        0 => format!("partly read: {first}"),
        n => format!("partly read: {first} (and {n} more)"),
    }
}

// Vault: what a revocation there did, verified by looking it up again.

pub fn no_vault_for(id: &str) -> String {
    format!("no Vault backend of this dashboard holds {id}")
}

/// Warden's part of a kill failed; what its Vault steps did all the same.
pub fn warden_kill_failed_vault(e: &str, steps: &[crate::model::OperationStep]) -> String {
    let ok = steps
        .iter()
        .filter(|s| s.status == crate::model::StepStatus::Ok)
        .count();
    format!(
        "{e}; Vault: {ok} of {} credentials revoked and verified",
        steps.len()
    )
}

pub const VAULT_TOKEN: &str = "token";
pub const VAULT_SECRET_ID: &str = "secret-id";
pub const VAULT_LEASE: &str = "lease";
pub const VAULT_ENTITY: &str = "entity";

/// What a Vault identity is, in one word.
pub fn vault_kind(kind: crate::fleet::vault::IdentityKind) -> &'static str {
    use crate::fleet::vault::IdentityKind;
    match kind {
        IdentityKind::Token => VAULT_TOKEN,
        IdentityKind::SecretId => VAULT_SECRET_ID,
        IdentityKind::Lease => VAULT_LEASE,
        IdentityKind::Entity => VAULT_ENTITY,
    }
}
pub const EMPTY_FILTERED_UNCLAIMED: &str = "no identity matches the filter; esc clears it";

/// A kill plan's Vault step before it runs.
pub fn vault_plan_step(kind: &str, name: &str, id: &str) -> String {
    format!("revoke Vault {kind} {name} ({id}), then look it up to verify")
}

/// What a kill reaches in Vault.
pub fn vault_blast(tokens: usize, secret_ids: usize, leases: usize) -> String {
    format!(
        "Vault: {tokens} token(s) with every child token they made, \
         {secret_ids} AppRole secret-id(s), {leases} lease(s): revoked and verified"
    )
}

/// A freeze of an agent that holds Vault credentials: Vault has no freeze.
pub fn vault_no_freeze(n: usize) -> String {
    format!("Vault has no freeze: its {n} Vault credential(s) stay valid; kill (K) revokes them")
}

/// A Vault credential revoked, and what the lookup after it said.
pub fn vault_revoked(id: &str, said: &str) -> String {
    format!("revoked {id} in Vault: {said}")
}

/// Rotation in Vault: only a secret-id has a twin Warden can make.
pub const VAULT_ONLY_SECRET_IDS_ROTATE: &str = "only an AppRole secret-id can be rotated in Vault: \
     a token or a lease is issued to whoever logs in; revoke it (x) instead";

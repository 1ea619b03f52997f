//! What the dashboard says, in one place, so that the wording can be read,
//! reviewed and changed together: the word the hint bar shows for each
//! command, why actions are refused, what an empty list says, every
//! sentence of the flash line, the header's words and the crumbs, the
//! popups' titles, prompts and buttons, the bulk actions' forecasts and
//! counts, what the event loop says, and the tables' column titles; each a
//! constant or a function of what it names. Two kinds of text stay beside
//! what they describe: the help text of each key sits beside the key in
//! [`crate::tui::keys::bindings`], so the help cannot disagree with the
//! keys; and a screen's name, which is also its `:` command and its first
//! crumb, is its own ([`crate::tui::screens::ScreenDef::name`]).

use crate::tui::keys::bindings::UiCommand;
use std::fmt::Display;

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
        UiCommand::VerifyAudit => "verify",
        UiCommand::QuitOrBack => "quit",
        _ => return None,
    })
}

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
pub const EMPTY_CREDS: &str = "no credentials in this backend";
pub const EMPTY_ALERTS: &str = "no alerts from this backend";
pub const EMPTY_PEOPLE: &str = "no people in this backend's directory";
pub const EMPTY_TRAIL: &str = "nothing about this agent in the audit chain";
pub const TRAIL_UNREADABLE: &str = "the trail could not be read";
pub const READING_TRAIL: &str = "reading the trail…";
pub const EMPTY_AUDIT: &str = "no audit entries yet";
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
pub const ENLARGE: &str = "Warden: enlarge the terminal (20x7 at least)";
pub const CTX: &str = "ctx";
pub const READ_ONLY: &str = "READ-ONLY";
pub const AGENTS: &str = "agents";
pub const ACTIVE: &str = "active";
pub const UNOWNED: &str = "unowned";
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

// Bulk actions: what the dialog forecasts and the flash line counts.

pub const FROZEN: &str = "frozen";
pub const FREEZING: &str = "freezing";
pub const UNFROZEN: &str = "unfrozen";
pub const UNFREEZING: &str = "unfreezing";
pub const KILLING: &str = "killing";
pub const REASSIGNED: &str = "reassigned";
pub const REASSIGNING: &str = "reassigning";
pub const DONE: &str = "done";
pub const RUNNING: &str = "running";
pub const ALREADY_KILLED: &str = "already killed";
pub const ALREADY_HAD_OWNER: &str = "already had that owner";
pub const UNFREEZE_THEM: &str = "Press f again to unfreeze them";
pub const FROZEN_MARKED: &str = "frozen from the Warden dashboard (marked)";
pub const UNFROZEN_MARKED: &str = "unfrozen from the Warden dashboard (marked)";
pub const DELEGATES_KILLED_IF_MARKED: &str =
    "agents they delegate to are killed only if marked too";

/// "frozen 3 of 5", the start of a bulk action's flash line.
pub fn bulk_done(verb: impl Display, ok: usize, total: usize) -> String {
    format!("{verb} {ok} of {total}")
}

/// ", 2 failed: name: message, …" (the first failure only).
pub fn bulk_failed(count: usize, first: impl Display) -> String {
    let more = if count > 1 { ", …" } else { "" };
    format!(", {count} failed: {first}{more}")
}

pub fn bulk_waiting_more(count: usize) -> String {
    format!("; waiting for {count} more")
}

/// The line every bulk confirmation starts with.
pub fn marked_line(count: usize, hidden: usize) -> String {
    let hidden = match hidden {
        0 => "none of them".to_string(),
        n => format!("{n} of them"),
    };
    format!("{count} agent(s) marked, {hidden} hidden by the current filter")
}

pub fn marked_agents(count: usize) -> String {
    format!("{count} marked agent(s)")
}

pub fn already_frozen(count: usize) -> String {
    format!("{count} already frozen")
}

pub fn killed_skipped(count: usize) -> String {
    format!("{count} killed, skipped")
}

/// "1 already killed, skipped" for the end of a bulk action's flash line.
pub fn skipped(count: usize, why: impl Display) -> String {
    format!("{count} {why}, skipped")
}

/// The first five names of a list `len` long, "…" for the rest.
pub fn some_names<'a>(names: impl Iterator<Item = &'a String>, len: usize) -> String {
    let shown: Vec<&str> = names.take(5).map(String::as_str).collect();
    format!("{}{}", shown.join(", "), if len > 5 { ", …" } else { "" })
}

pub fn will_be_killed(count: usize, names: impl Display) -> String {
    format!("{count} will be killed: {names}")
}

pub fn already_killed_skipped(count: usize, names: impl Display) -> String {
    format!("{count} already killed, skipped: {names}")
}

pub fn credentials_revoked_in_all(count: impl Display) -> String {
    format!("{count} live credential(s) will be revoked in all")
}

pub fn runtime_hooks_fire(count: impl Display) -> String {
    format!("{count} runtime hook(s) will fire")
}

pub fn will_be_reassigned(count: usize, names: impl Display) -> String {
    format!("{count} will be reassigned: {names}")
}

pub fn already_owned_skipped(count: usize) -> String {
    format!("{count} already owned by them, skipped")
}

pub fn new_owner_line(label: impl Display) -> String {
    format!("new owner: {label}")
}

/// How the owner picker lists a person.
pub fn person_label(name: impl Display, email: impl Display) -> String {
    format!("{name} <{email}>")
}

// The popups: help, the confirmation dialog, the owner picker, welcome.

pub const HELP_TITLE: &str = "keys for this view";
pub const QUIT_FROM_ANYWHERE: &str = "quit from anywhere";
pub const HELP_CLOSES: &str = "esc, ? or q closes this help";
pub const BLAST_RADIUS: &str = "blast radius";
pub const ASKING_FOR_PLAN: &str = "asking the backend for its plan…";
pub const BACKEND_WILL: &str = "the backend will:";
pub const REASON: &str = "reason";
pub const NAME: &str = "name";
pub const CONFIRM: &str = "confirm";
pub const CANCEL: &str = "Cancel";
pub const ALSO_KILL_DELEGATES: &str = "also kill the agents it delegated to (space toggles)";
pub const DIALOG_KEYS: &str = "tab moves · enter chooses · esc cancels";
pub const SENT_WAITING: &str = "sent; waiting for the backend to confirm each step…";
pub const ESC_HIDES_RESULT: &str = "esc hides this dialog; the result will show in the status line";
pub const ESC_HIDES_COUNT: &str = "esc hides this dialog; the count goes on in the status line";
pub const VERIFIED_KILLED: &str = "verified: the backend now shows it killed, no live credential";
pub const VERIFYING_KILL: &str = "verifying with the backend's next answer";
pub const ENTER_OR_ESC_CLOSES: &str = "enter or esc closes";
pub const OWNER: &str = "owner";
pub const NOBODY_MATCHES: &str = "nobody matches";
pub const PICKER_KEYS: &str = "type to search · ↑↓ choose · enter picks · esc cancels";
pub const WELCOME_TITLE: &str = "welcome to Warden";

pub fn plan_failed(e: impl Display) -> String {
    format!("the backend's plan failed: {e}")
}

pub fn type_name_to_confirm(name: impl Display) -> String {
    format!("type the agent's name ({name}) to confirm")
}

pub fn type_phrase_to_confirm(phrase: impl Display) -> String {
    format!("type `{phrase}` to confirm")
}

pub fn answered_of(answered: usize, total: usize) -> String {
    format!("{answered} of {total} answered; waiting for the backend to confirm each…")
}

pub fn and_more(count: usize) -> String {
    format!("and {count} more")
}

pub fn new_owner_for(name: impl Display) -> String {
    format!("new owner for {name}")
}

// The confirmation dialog's titles, buttons and refusals.

pub const KILL: &str = "Kill";
pub const REVOKE: &str = "Revoke";
pub const REASSIGN: &str = "Reassign";
pub const ACKNOWLEDGE: &str = "Acknowledge";
pub const REASON_REQUIRED: &str = "a reason is required: it goes into the audit chain";
pub const WAITING_FOR_PLAN: &str = "waiting for the backend's plan";
pub const BULK_SENDS_MANY: &str = "a bulk action sends one action per agent";
pub const ALREADY_HAS_OWNER: &str = "already has this owner";
pub const WAITING_FOR_BACKEND: &str = "waiting for the backend";

/// What a bulk kill's confirmation asks to be typed.
pub fn kill_phrase(count: usize) -> String {
    format!("kill {count}")
}

pub fn no_plan(e: impl Display) -> String {
    format!("no plan from the backend: {e}")
}

pub fn failed(e: impl Display) -> String {
    format!("failed: {e}")
}

pub fn bulk_confirmed(verb: impl Display, ok: usize, total: usize) -> String {
    format!("{verb} {ok} of {total}: the backend confirmed each")
}

pub fn bulk_some_failed(verb: impl Display, ok: usize, total: usize, failed: usize) -> String {
    format!("{verb} {ok} of {total}, {failed} failed: see above")
}

pub const KILL_CONFIRMED: &str = "the backend confirmed the kill";
pub const KILL_FAILED: &str = "the kill failed; see the steps";
pub const BACKEND_CONFIRMED: &str = "the backend confirmed it";

pub fn silence_made(silence_id: impl Display) -> String {
    format!("Alertmanager made silence {silence_id}")
}

// Column titles of the tables.

pub const AGENT_COLUMNS: [&str; 11] = [
    "STATUS",
    "NAME",
    "KIND",
    "OWNER",
    "BACKEND",
    "ENV",
    "CREDS",
    "GRANT",
    "ALERTS",
    "LAST SEEN",
    "RISK",
];
pub const ALERT_COLUMNS: [&str; 6] = ["SEVERITY", "RULE", "AGENT", "SUMMARY", "AGE", "STATUS"];
pub const AUDIT_COLUMNS: [&str; 7] = [
    "SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "REASON", "RESULT",
];
pub const CRED_COLUMNS: [&str; 8] = [
    "STATUS",
    "AGENT",
    "ID",
    "PREFIX",
    "SCOPES",
    "ISSUED",
    "EXPIRES",
    "LAST USED",
];
/// An agent's own credentials: [`CRED_COLUMNS`] but the agent.
pub const AGENT_CRED_COLUMNS: [&str; 7] = [
    "STATUS",
    "ID",
    "PREFIX",
    "SCOPES",
    "ISSUED",
    "EXPIRES",
    "LAST USED",
];
pub const GRANT_COLUMNS: [&str; 5] = ["LEVEL", "RESOURCE", "SCOPE", "GRANTED", "LAST USED"];
pub const PEOPLE_COLUMNS: [&str; 9] = [
    "STATUS", "NAME", "EMAIL", "TEAM", "MANAGER", "AGENTS", "ACTIVE", "KILLED", "ALERTS",
];
pub const TRIAGE_COLUMNS: [&str; 6] = ["AGENT", "WHY", "SINCE", "RISK", "GRANT", "BEST SUGGESTION"];

// The screens' own words: table titles, statuses, notes.

pub const UNKNOWN: &str = "unknown";
pub const NONE: &str = "none";
pub const ADMIN: &str = "admin";
pub const WRITE: &str = "write";
pub const READ: &str = "read";
pub const DEPARTED: &str = "departed";
pub const EXPIRED: &str = "expired";
pub const REVOKED: &str = "revoked";
pub const OPEN: &str = "open";
pub const ACKNOWLEDGED: &str = "acknowledged";
pub const RESOLVED: &str = "resolved";
pub const OWNER_LEFT: &str = "owner left";
pub const NO_OWNER: &str = "no owner";
pub const NO_EVIDENCE_SHORT: &str = "no evidence: search people with o";
pub const NO_EVIDENCE: &str = "no evidence points at anyone: o searches every active person";
pub const TRIAGE_TITLE_ASKING: &str = " triage (asking the backend…) ";
pub const SUGGESTIONS_TITLE: &str = " owner suggestions ";
pub const CHAIN_BROKEN: &str = "CHAIN BROKEN";
pub const VERIFYING_CHAIN: &str = "verifying the chain…";
pub const CHAIN_NOT_VERIFIED: &str = "the chain is not verified yet";

/// " agents (12 of 40 · 3 marked) ": shown of all, and the marks.
pub fn agents_title(shown: usize, all: usize, marked: usize) -> String {
    let of = if shown != all {
        format!(" of {all}")
    } else {
        String::new()
    };
    let marked = if marked == 0 {
        String::new()
    } else {
        format!(" · {marked} marked")
    };
    format!(" agents ({shown}{of}){marked} ")
}

pub fn alerts_title(open: usize, all: usize) -> String {
    format!(" alerts ({open} open of {all}) ")
}

pub fn creds_title(count: usize, urgent: usize, warning_days: impl Display) -> String {
    let mut title = format!(" credentials ({count}) ");
    if urgent > 0 {
        title.push_str(&format!(
            "· {urgent} active past or within {warning_days}d of expiry "
        ));
    }
    title
}

pub fn people_title(count: usize, orphaned: usize) -> String {
    if orphaned > 0 {
        format!(" people ({count}) · {orphaned} departed, still owning live agents ")
    } else {
        format!(" people ({count}) ")
    }
}

pub fn triage_title(left: usize, assigned: usize, refreshing: bool) -> String {
    let mut t = format!(" triage ({left} left");
    if assigned > 0 {
        t.push_str(&format!(", {assigned} assigned"));
    }
    t.push(')');
    if refreshing {
        t.push_str(" · refreshing…");
    }
    t.push(' ');
    t
}

/// " audit of prod (500, the newest 500) · following the tail ".
pub fn audit_title(whose: &str, count: usize, ring: Option<usize>, following: bool) -> String {
    let newest = ring
        .map(|r| format!(", the newest {r}"))
        .unwrap_or_default();
    let follow = if following {
        " · following the tail"
    } else {
        ""
    };
    format!(" audit{whose} ({count}{newest}){follow} ")
}

pub fn of_backend(name: impl Display) -> String {
    format!(" of {name}")
}

pub fn owner_left(name: impl Display) -> String {
    format!("{name} (left)")
}

pub fn person_left(name: impl Display) -> String {
    format!("{name} left")
}

pub fn backend_stale(name: impl Display) -> String {
    format!("{name} stale")
}

pub fn triage_failed(backend: impl Display, e: impl Display) -> String {
    format!("{backend}: triage failed: {e} (showing the last good queue)")
}

pub fn suggestions_for(name: impl Display) -> String {
    format!(" owner suggestions for {name} · o assigns ")
}

pub fn chain_verified(entries: impl Display) -> String {
    format!("chain verified: {entries} entries")
}

pub fn checked(age: impl Display) -> String {
    format!("checked {age} ago")
}

pub fn chain_broken_at(seq: impl Display) -> String {
    format!("CHAIN BROKEN at #{seq}")
}

pub fn cannot_verify(e: impl Display) -> String {
    format!("cannot verify the chain: {e}")
}

pub fn cannot_read_audit(e: impl Display) -> String {
    format!("cannot read the audit: {e}")
}

// An agent's own view.

pub const AGENT_GONE: &str = "this agent is no longer in the backend's inventory";
/// Its sections in screen order, as the note on what did not fit names them.
pub const DETAIL_SECTIONS: [&str; 6] = [
    "card",
    "credentials",
    "activity",
    "delegations and alerts",
    "grants",
    "audit trail",
];
pub const NONE_UNOWNED: &str = "none: unowned";
pub const STATUS: &str = "status";
pub const KIND_ENV: &str = "kind / env";
pub const RUNTIME: &str = "runtime";
pub const DESCRIPTION: &str = "description";
pub const LABELS: &str = "labels";
pub const SEEN: &str = "seen";
pub const LINKS_TITLE: &str = "delegation chain and alerts";
pub const NEVER_EXPIRES: &str = "never expires";
pub const ACTIVITY_TITLE: &str = "activity, last hour";
pub const READING: &str = "reading…";
pub const TRAIL_TITLE: &str = "audit trail";
pub const NO_DELEGATIONS: &str = "no delegations";
pub const ACTS_FOR: &str = "acts for";
pub const DELEGATES_TO: &str = "delegates to";
pub const NO_DELEGATOR: &str = "(no delegator recorded)";
pub const LOOPS_BACK: &str = "loops back";

pub fn taller_shows(hidden: impl Display) -> String {
    format!(" a taller terminal shows: {hidden} ")
}

pub fn left_the_company(person: impl Display) -> String {
    format!("{person} (left the company)")
}

pub fn seen_created(seen: impl Display, created: impl Display, by: impl Display) -> String {
    format!("{seen} · created {created} by {by}")
}

pub fn agent_creds_title(count: usize) -> String {
    format!("credentials ({count}) · x revokes the selected one")
}

pub fn activity(total: impl Display, peak: impl Display, now: impl Display) -> String {
    format!("{total} events · peak {peak}/min · now {now}/min")
}

pub fn cannot_read_it(e: impl Display) -> String {
    format!(" · cannot read it: {e}")
}

/// "grants (12)", or "grants (12, 4 shown)" when the box is short.
pub fn grants_title(count: usize, shown: Option<usize>) -> String {
    match shown {
        Some(visible) => format!("grants ({count}, {visible} shown)"),
        None => format!("grants ({count})"),
    }
}

pub fn unused(last_used: impl Display) -> String {
    format!("UNUSED · {last_used}")
}

pub fn trail_title(count: usize) -> String {
    format!("audit trail ({count}, newest at the bottom)")
}

pub fn more_delegations(max: impl Display) -> String {
    format!("more delegations than the {max} shown")
}

pub fn person_node(name: impl Display) -> String {
    format!("{name} (person)")
}

pub fn departed_person_node(name: impl Display) -> String {
    format!("{name} (person, departed)")
}

pub fn unknown_node(id: impl Display, kind: impl Display) -> String {
    format!("{id} (unknown {kind})")
}

pub fn on_behalf_of(person: impl Display) -> String {
    format!("for {person}")
}

//! The popups' words and the bulk actions': what the confirmation dialog,
//! the owner picker and the help say, and how a bulk action is forecast
//! and counted. Re-exported by [`super`], where every caller finds them.

use std::fmt::Display;

// Bulk actions: what the dialog forecasts and the flash line counts.

pub const FROZEN: &str = "frozen";
pub const FREEZING: &str = "freezing";
pub const UNFROZEN: &str = "unfrozen";
pub const UNFREEZING: &str = "unfreezing";
pub const KILLING: &str = "killing";
pub const REVOKING: &str = "revoking";
pub const ACKNOWLEDGING: &str = "acknowledging";
pub const SNOOZING: &str = "snoozing";
pub const SNOOZE: &str = "Snooze";
/// The snooze dialog's duration field and what it takes.
pub const SNOOZE_FOR: &str = "for";
pub const SNOOZE_HELP: &str =
    "how long, 1s to 7d (e.g. 30m, 2h); it wakes at once if the alert escalates";
pub const SNOOZE_DEFAULT: &str = "1h";
pub fn bad_snooze(e: impl Display) -> String {
    format!("snooze for: {e} (1s to 7d, e.g. 30m or 2h)")
}
pub fn snoozed(label: impl Display, until: impl Display) -> String {
    format!("snoozed {label} until {until}")
}
pub const SNOOZE_WARDEN_ONLY: &str =
    "only Warden's own alerts snooze; an Alertmanager's alert is silenced with a (ack)";
pub const SNOOZE_RESOLVED: &str = "a resolved alert has nothing to snooze";
pub const AND_ITS_DELEGATES: &str = " and its delegates";
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

pub fn old_owner_line(label: Option<&str>) -> String {
    format!("owner now: {}", label.unwrap_or("none"))
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
pub const DIALOG_KEYS: &str = "enter: next missing field, then send · tab moves · esc cancels";
/// The help's line on how every dialog works.
pub const HELP_DIALOGS: &str = "in a dialog, typing goes to the field that needs it; enter moves to \
     the next missing field and sends once all is there; tab moves; esc cancels";
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

// What the single actions' dialogs forecast, and the owner picker's
// reasons.

pub const ACK_SILENCES: &str = "in Alertmanager: a silence on exactly this alert's labels";
pub const FROZEN_HERE: &str = "frozen from the Warden dashboard";
pub const UNFROZEN_HERE: &str = "unfrozen from the Warden dashboard";
pub const NO_AGENTS_ACT_FOR_IT: &str = "no agents act for it";
pub const NO_RUNTIME: &str = "no runtime recorded";
pub const CREATED_IT: &str = "created it";
pub const ACTS_FOR_THEM: &str = "it acts for them";
pub const NEXT_REQUEST_REFUSED: &str = "the agent's next request with it is refused";

pub fn ack_rule(rule: impl Display, severity: impl Display) -> String {
    format!("rule {rule} ({severity})")
}

pub fn ack_agent(name: impl Display) -> String {
    format!("agent {name}")
}

pub fn ack_summary(summary: impl Display) -> String {
    format!("summary: {summary}")
}

pub fn credentials_revoked(count: impl Display) -> String {
    format!("{count} live credential(s) will be revoked")
}

pub fn agents_act_for_it(count: usize, names: impl Display) -> String {
    format!("{count} agent(s) act for it: {names} (killed too only with cascade)")
}

pub fn exchanged_tokens_end(count: usize) -> String {
    format!("{count} live exchanged token(s) through it refused at once")
}

pub fn runtime(runtime: impl Display) -> String {
    format!("runtime {runtime}")
}

pub fn manager_of_departed(owner: impl Display) -> String {
    format!("manager of {owner}, who left")
}

pub fn on_team(team: impl Display) -> String {
    format!("on the {team} team")
}

pub fn credential_of(id: impl Display, prefix: impl Display, agent: impl Display) -> String {
    format!("credential {id} ({prefix}…) of {agent}")
}

pub fn scopes(scopes: impl Display) -> String {
    format!("scopes: {scopes}")
}

// Rotating a credential: the dialog, the flash line, and the popup that
// shows the new secret once.

pub const ROTATE: &str = "Rotate";
pub const ROTATING: &str = "rotating";
pub const GRACE: &str = "grace";
pub const GRACE_HELP: &str =
    "how long the old secret keeps working: 0 = refused at once; 90s, 10m, 2h, 1d; at most 30d";
pub const ROTATE_NEW_SECRET: &str =
    "a replacement with the same scopes and lifetime; its secret is shown once, here";
pub const NO_CREDENTIAL_TO_ROTATE: &str = "there is no credential here to rotate";
pub const SECRET_SHOWN_ONCE: &str =
    "Shown once: copy it now and hand it to the agent. It cannot be shown again.";
pub const SECRET_CLOSES: &str = "esc or q closes and wipes it from the dashboard's memory";
pub const OLD_REFUSED_NOW: &str = "revoked: refused from now on";
pub const OLD_ALREADY_EXPIRED: &str = "expired: already refused";
pub const OLD_STILL_ACTIVE: &str = "still active: revoke it when the agent has switched";
pub const NEVER_LIKE_THE_OLD: &str = "never, like the one it replaces";

pub fn bad_grace(e: impl Display) -> String {
    format!("grace: {e}")
}

pub fn cannot_rotate_revoked(credential: impl Display) -> String {
    format!("{credential} is revoked: there is nothing to rotate; issue a new credential")
}

pub fn rotate_elsewhere(credential: impl Display, backend: impl Display) -> String {
    format!("{credential} is {backend}'s, not Warden's: rotate it there")
}

pub fn killed_no_rotation(agent: impl Display) -> String {
    format!("{agent} is killed: its credentials are not replaced")
}

pub fn rotated(old: impl Display, new: impl Display) -> String {
    format!("{old} rotated: the backend issued {new}; its secret is on screen, once")
}

pub fn new_secret_title(credential: impl Display, agent: impl Display) -> String {
    format!("New secret: {credential} of {agent}")
}

pub fn replaces(old: impl Display) -> String {
    format!("replaces  {old}")
}

pub fn secret_scopes(scopes: impl Display) -> String {
    format!("scopes    {scopes}")
}

pub fn secret_expires(when: impl Display) -> String {
    format!("expires   {when}")
}

pub fn old_one(state: impl Display) -> String {
    format!("old one   {state}")
}

pub fn old_works_until(when: impl Display) -> String {
    format!("works until {when}, then is refused")
}

//! The screens' own words: column titles, table titles, statuses and
//! notes, and an agent's own view's sections and labels. Re-exported by
//! [`super`], where every caller finds them.

use std::fmt::Display;

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
pub const SNOOZED: &str = "snoozed";
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

/// After a list's `/` prompt: how much the filter keeps.
pub fn matches_of(shown: usize, total: usize) -> String {
    format!("  {shown} of {total} match")
}

/// After a filtered list's title.
pub fn filtered_title(shown: usize, total: usize, filter: impl Display) -> String {
    format!("· {shown} of {total} match /{filter} ")
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

/// The chain box's title, saying how many of its lines did not fit.
pub fn links_title(cut: usize) -> String {
    match cut {
        0 => LINKS_TITLE.to_string(),
        n => format!("{LINKS_TITLE} · {n} more line(s) below: a taller terminal shows them"),
    }
}
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

pub fn agent_creds_title(count: usize, above: usize, below: usize) -> String {
    let mut t = format!("credentials ({count})");
    if above > 0 {
        t.push_str(&format!(" · {above} more above"));
    }
    if below > 0 {
        t.push_str(&format!(" · {below} more below"));
    }
    t.push_str(" · x revokes the selected one");
    t
}

/// A read of every credential failed: the list is not whole.
pub fn credentials_unread(e: &str) -> String {
    format!("could not read every credential: {e}")
}

/// The credentials view's title while it holds only some of them.
pub fn creds_partial(held: usize, counted: usize, error: Option<&str>) -> String {
    match error {
        None => format!(" · {held} of {counted} held; reading every credential from the backend…"),
        Some(e) => format!(" · only {held} of {counted} held: {e} (Esc, then :creds to try again)"),
    }
}

/// The credentials box before the agent's detail has been read: its
/// backend only counted them.
pub fn agent_creds_loading(count: u32) -> String {
    format!("credentials ({count}) · reading them from the backend…")
}

/// The grants box likewise.
pub fn grants_loading(count: u32) -> String {
    format!("grants ({count}) · reading them from the backend…")
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

/// Before a live exchanged token under its delegation in the tree.
pub const TOKEN_MARK: &str = "↳ token";

/// "live exchanged tokens (6)", saying where they are listed.
pub fn exchanged_tokens_heading(count: usize, off_the_tree: usize) -> String {
    match off_the_tree {
        0 => format!("live exchanged tokens ({count}), each under its delegation above"),
        n if n == count => format!("live exchanged tokens ({count})"),
        n => format!("live exchanged tokens ({count}), {n} on no delegation shown above:"),
    }
}

pub fn exchanged_token_line(
    path: impl Display,
    scopes: impl Display,
    until: impl Display,
) -> String {
    // The expiry first: the path can be long, and the pane cuts the end.
    format!("until {until} · {path} · {scopes}")
}

pub fn more_exchanged_tokens(count: usize) -> String {
    format!("… and {count} more")
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

// The unclaimed identities screen.

pub const UNCLAIMED_COLUMNS: [&str; 7] = [
    "RISK", "KIND", "NAME", "POLICIES", "CREATED", "EXPIRES", "DETAIL",
];
pub const ROOT: &str = "root";
pub const NO_EXPIRY: &str = "no expiry";
pub const EMPTY_UNCLAIMED: &str = "every Vault identity read is claimed by an agent";
pub const NO_VAULT: &str =
    "no Vault is watched: add a [[backend]] with kind = \"vault\" to the config (see README)";

pub fn unclaimed_title(count: usize) -> String {
    format!(" unclaimed machine identities ({count}) · no agent claims them ")
}

/// An agent's view: the Vault identities linked to it.
pub fn vault_identities_heading(n: usize) -> String {
    format!("Vault identities ({n})")
}

pub fn linked_by(how: &str) -> String {
    format!("· linked by {how}")
}

// The alert view.
pub const ALERT_GONE: &str = "this alert is no longer in the fleet";
pub const ALERT_RULE: &str = "rule";
pub const ALERT_STATUS: &str = "status";
pub const ALERT_SOURCE: &str = "source";
pub const ALERT_OPENED: &str = "opened";
pub const ALERT_UPDATED: &str = "updated";
pub const ALERT_SUBJECT: &str = "subject, and the identities it names";
pub const ALERT_SUMMARY: &str = "summary";
pub const ALERT_EVIDENCE: &str = "evidence";
pub const ALERT_MAPPING: &str = "OWASP mapping";
pub const ALERT_TIMELINE: &str = "timeline, from the audit trail";
pub const ALERT_TIMELINE_LOADING: &str = "asking the backend for the audit trail…";
pub const ALERT_TIMELINE_EMPTY: &str = "no audit entry names this alert yet";
pub const ALERT_KEYS: &str =
    "enter opens the agent · K kills it · f freezes it · a acknowledges · z snoozes · esc back";
pub const NONE_GIVEN: &str = "none given";
/// Where the evidence goes while the alert is read in full.
pub const ALERT_READING: &str = "reading the alert from the backend…";
pub fn alert_read_failed(e: impl Display) -> String {
    format!("the alert could not be read in full: {e}")
}
pub fn ago_at(ago: impl Display, at: impl Display) -> String {
    format!("{ago} ago ({at})")
}
pub fn resolved_at(at: impl Display) -> String {
    format!("resolved at {at}")
}
pub fn snoozed_status(until: impl Display, by: impl Display, why: impl Display) -> String {
    format!("snoozed until {until} by {by}: {why}")
}
pub fn acknowledged_status(by: impl Display, why: impl Display) -> String {
    format!("acknowledged by {by}: {why}")
}
pub fn alert_subject(
    name: impl Display,
    id: impl Display,
    status: impl Display,
    owner: impl Display,
) -> String {
    format!("{name} ({id}) · {status} · owner {owner}")
}
pub fn named_registered(name: impl Display, id: impl Display, origin: &str) -> String {
    match origin {
        "registered" => format!("\"{name}\": in the inventory, as {id}"),
        o => format!(
            "\"{name}\": in the inventory, as {id} ({})",
            origin_words(o)
        ),
    }
}
/// The last row of a text taller than the screen.
pub fn lines_hidden(above: usize, below: usize) -> String {
    match (above, below) {
        (0, b) => format!(
            "… {b} more line{} below · j/k scroll",
            if b == 1 { "" } else { "s" }
        ),
        (a, 0) => format!(
            "… {a} line{} above · k scrolls up",
            if a == 1 { "" } else { "s" }
        ),
        (a, b) => format!("… {a} above · {b} below · j/k scroll"),
    }
}
/// The detail view's heading over the shadow entries an agent acts for.
pub const ACTS_FOR_UNDELEGATED: &str = "acts for, with no delegation (seen in its events)";
pub fn seen_acting_for(
    origin: &str,
    status: impl Display,
    events: u64,
    last: chrono::DateTime<chrono::Utc>,
) -> String {
    format!(
        "· {origin} · {status} · {events} event{} · last {}",
        if events == 1 { "" } else { "s" },
        last.format("%m-%d %H:%M")
    )
}
/// The subject line of an alert on an agent that was not registered.
pub fn with_origin(subject: String, origin: &str) -> String {
    format!("{subject} · {}", origin_words(origin))
}
/// How an agent got into the inventory, when not by registration.
pub fn origin_words(origin: &str) -> &'static str {
    match origin {
        "shadow" => "shadow entry: registered by nobody",
        "discovered" => "discovered by warden discover",
        "claimed" => "a shadow entry, claimed",
        _ => "registered",
    }
}
pub fn named_unregistered(name: impl Display) -> String {
    format!("\"{name}\": not an agent in the inventory")
}
pub fn trail_failed(e: impl Display) -> String {
    format!("the audit trail could not be read: {e}")
}

//! The discovery view's words: its columns and title, the finding pane's
//! keys and sentences, and what its empty list says.

use std::fmt::Display;

pub const DISCOVERY_COLUMNS: [&str; 7] = [
    "STATE", "NAME", "CLIENT", "HOST", "SECRETS", "FLAGS", "FOUND IN",
];
pub const PRESENT: &str = "present";
pub const GONE: &str = "gone";
pub const EMPTY_DISCOVERY: &str =
    "nothing discovered yet: `warden discover --register` reports the agents nobody registered";
pub const NO_FINDING_MATCHES: &str = "no finding matches the filter";
pub const FINDING_TITLE: &str = " finding ";
pub const FOUND_KEY: &str = "found";
pub const WHAT_KEY: &str = "what";
pub const STATE_KEY: &str = "state";
pub const SECRET_KEY: &str = "secret";
pub const ALERTS_KEY: &str = "alerts";
pub const FINDING_GONE: &str =
    "gone: its source no longer reports it (its secrets were revoked here)";
pub const NO_PLAINTEXT_SECRET: &str = "none in plaintext in its config";
pub const SECRET_REMOVED: &str = " · no longer in the config";
/// An agent's card: where a discovered agent was found, in place of the
/// runtime it does not have.
pub const FOUND_IN: &str = "found in";
pub const FOUND_PRESENT: &str = " · still there at the last scan";
pub const FOUND_GONE: &str = " · gone from its source";

pub fn discovery_title(count: usize, with_secrets: usize, gone: usize) -> String {
    let mut title = format!(" discovered agents ({count}) ");
    if with_secrets > 0 {
        title.push_str(&format!("· {with_secrets} with plaintext secrets "));
    }
    if gone > 0 {
        title.push_str(&format!("· {gone} gone "));
    }
    title
}

pub fn finding_title(name: impl Display) -> String {
    format!(" {name}: source and secrets ")
}

pub fn found_in(
    client: impl Display,
    scope: impl Display,
    host: impl Display,
    location: impl Display,
) -> String {
    format!("{client}'s {scope} config on {host}: {location}")
}

pub fn in_project(project: impl Display) -> String {
    format!(" (project {project})")
}

pub fn runs_over(kind: impl Display, transport: impl Display) -> String {
    format!("{kind} over {transport}")
}

pub fn can_do(capabilities: impl Display) -> String {
    format!(" · can: {capabilities}")
}

pub fn also_held_by(names: impl Display) -> String {
    format!(" · also held by {names}")
}

pub fn in_field(field: impl Display) -> String {
    format!(" in {field}")
}

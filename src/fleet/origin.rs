//! Where an object came from when the dashboard watches several backends.
//!
//! Two backends can hand out the same id, so with more than one, every id
//! in the merged fleet is qualified with its backend's name: `prod/ag_12`.
//! References are qualified the same way (an agent's owner, a credential's
//! agent, an alert's agent…), so lookups inside the fleet keep working
//! unchanged, and the backend that owns any object is read off its id.
//! With one backend nothing is qualified: ids stay exactly as the backend
//! wrote them.
//!
//! Backend names may not contain [`SEPARATOR`], so the first one in an id
//! always ends the name, whatever the backend's own id holds.

use crate::api::{Changes, TriageReport, WhoAmI};
use crate::model::{Agent, AgentDetail, Alert, Credential, Delegation, Grant, Operation, Person};

pub const SEPARATOR: char = '/';

/// The backend's name and the id it wrote, from a qualified id; `None` for
/// an id that carries no backend (one backend: nothing is qualified).
pub fn split(id: &str) -> Option<(&str, &str)> {
    id.split_once(SEPARATOR)
}

/// Whether `name` can qualify ids: not empty, no separator, no space or
/// control character (it shows in the header and in every id).
pub fn valid_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a backend needs a name".into());
    }
    if name.len() > 32 {
        return Err(format!(
            "backend name {name:?} is longer than 32 characters"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "backend name {name:?} has {c:?}; use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

/// Rewrites every id and reference of a backend's object under `prefix`.
pub trait Qualify {
    fn qualify(&mut self, prefix: &str);
}

fn q(id: &mut String, prefix: &str) {
    id.insert_str(0, prefix);
    id.insert(prefix.len(), SEPARATOR);
}

fn q_opt(id: &mut Option<String>, prefix: &str) {
    if let Some(id) = id {
        q(id, prefix);
    }
}

impl Qualify for Agent {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q_opt(&mut self.owner, prefix);
    }
}

impl Qualify for Person {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q_opt(&mut self.manager, prefix);
    }
}

impl Qualify for Credential {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q(&mut self.agent_id, prefix);
        q_opt(&mut self.replaced_by, prefix);
    }
}

impl Qualify for Grant {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q(&mut self.agent_id, prefix);
    }
}

impl Qualify for Delegation {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q_opt(&mut self.parent_agent, prefix);
        q_opt(&mut self.parent_person, prefix);
        q(&mut self.child_agent, prefix);
        q_opt(&mut self.on_behalf_of, prefix);
    }
}

impl Qualify for Alert {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q_opt(&mut self.agent_id, prefix);
    }
}

impl Qualify for Operation {
    fn qualify(&mut self, prefix: &str) {
        q(&mut self.id, prefix);
        q(&mut self.target, prefix);
        for s in &mut self.steps {
            q(&mut s.agent_id, prefix);
        }
    }
}

impl Qualify for AgentDetail {
    fn qualify(&mut self, prefix: &str) {
        self.agent.qualify(prefix);
        if let Some(p) = &mut self.owner_person {
            p.qualify(prefix);
        }
        self.credentials.iter_mut().for_each(|x| x.qualify(prefix));
        self.grants.iter_mut().for_each(|x| x.qualify(prefix));
        self.delegations.iter_mut().for_each(|x| x.qualify(prefix));
        self.alerts.iter_mut().for_each(|x| x.qualify(prefix));
        for s in &mut self.seen_acting_for {
            q(&mut s.agent_id, prefix);
        }
        for t in &mut self.exchanged_tokens {
            // `sub` is a person or an agent of the same backend; the jti is
            // the backend's, shown and revoked there.
            q(&mut t.sub, prefix);
            t.act.iter_mut().for_each(|a| q(a, prefix));
        }
    }
}

impl Qualify for WhoAmI {
    fn qualify(&mut self, prefix: &str) {
        if let Some(p) = &mut self.person {
            p.qualify(prefix);
        }
        q_opt(&mut self.agent_id, prefix);
        q_opt(&mut self.credential_id, prefix);
    }
}

impl Qualify for Changes {
    fn qualify(&mut self, prefix: &str) {
        self.summaries
            .iter_mut()
            .for_each(|h| q(&mut h.agent_id, prefix));
        self.agents.iter_mut().for_each(|x| x.qualify(prefix));
        self.people.iter_mut().for_each(|x| x.qualify(prefix));
        self.credentials.iter_mut().for_each(|x| x.qualify(prefix));
        self.grants.iter_mut().for_each(|x| x.qualify(prefix));
        self.delegations.iter_mut().for_each(|x| x.qualify(prefix));
        self.alerts.iter_mut().for_each(|x| x.qualify(prefix));
        self.removed.iter_mut().for_each(|r| q(&mut r.id, prefix));
    }
}

impl Qualify for TriageReport {
    fn qualify(&mut self, prefix: &str) {
        for c in &mut self.cases {
            c.agent.qualify(prefix);
            if let Some(p) = &mut c.departed_owner {
                p.qualify(prefix);
            }
            for s in &mut c.suggestions {
                s.person.qualify(prefix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Removed;

    #[test]
    fn ids_and_references_are_qualified_and_split_back() {
        let mut c = Changes {
            cursor: 3,
            full: true,
            removed: vec![Removed {
                kind: "agent".into(),
                id: "ag_1/odd".into(),
                rev: 2,
            }],
            ..Changes::default()
        };
        c.qualify("prod");
        assert_eq!(c.removed[0].id, "prod/ag_1/odd");
        // The first separator ends the name, whatever the id holds.
        assert_eq!(split(&c.removed[0].id), Some(("prod", "ag_1/odd")));
        assert_eq!(split("ag_1"), None);
    }

    #[test]
    fn an_agents_detail_qualifies_its_tokens_chains_and_sightings() {
        use crate::model::{AgentStatus, LiveExchangedToken, SeenActingFor};
        let now = chrono::Utc::now();
        let mut d = AgentDetail {
            agent: crate::model::fixtures::agent("agt_p", "planner"),
            owner_person: None,
            credentials: vec![],
            grants: vec![],
            delegations: vec![],
            alerts: vec![],
            activity: vec![],
            seen_acting_for: vec![SeenActingFor {
                agent_id: "agt_ghost".into(),
                name: "ghost".into(),
                status: AgentStatus::Active,
                origin: "shadow".into(),
                events: 3,
                first_at: now,
                last_at: now,
            }],
            exchanged_tokens: vec![LiveExchangedToken {
                jti: "tkx_1".into(),
                sub: "per_pat".into(),
                act: vec!["agt_p".into(), "agt_w".into()],
                scopes: vec![],
                audience: vec![],
                expires_at: now,
            }],
        };
        d.qualify("prod");
        assert_eq!(d.agent.id, "prod/agt_p");
        assert_eq!(d.seen_acting_for[0].agent_id, "prod/agt_ghost");
        let t = &d.exchanged_tokens[0];
        assert_eq!(t.sub, "prod/per_pat");
        assert_eq!(t.act, ["prod/agt_p", "prod/agt_w"]);
        assert_eq!(t.jti, "tkx_1");
    }

    #[test]
    fn names_that_cannot_qualify_are_refused() {
        for ok in ["prod", "eu-west.1", "staging_2"] {
            assert_eq!(valid_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a/b", "a b", "x\u{1b}", &"n".repeat(33)] {
            assert!(valid_name(bad).is_err(), "{bad:?}");
        }
    }
}

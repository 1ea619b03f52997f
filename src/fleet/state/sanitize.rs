//! Display-safe text on entry: every string of every backend object is
//! escaped as it enters the fleet, so no view can forget to.

use crate::fleet::safe_text::escape;
use crate::model::*;
use std::borrow::Cow;

fn clean(s: &mut String) {
    if let Cow::Owned(e) = escape(s) {
        *s = e;
    }
}

fn clean_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        clean(s);
    }
}

fn clean_all(v: &mut [String]) {
    v.iter_mut().for_each(clean);
}

/// Makes every string of a backend object display-safe.
pub trait Sanitize {
    fn sanitize(&mut self);
}

impl Sanitize for Agent {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.name);
        clean(&mut self.environment);
        clean_opt(&mut self.owner);
        clean_opt(&mut self.description);
        clean_opt(&mut self.runtime);
        clean_opt(&mut self.created_by);
        if self
            .labels
            .iter()
            .any(|(k, v)| matches!(escape(k), Cow::Owned(_)) || matches!(escape(v), Cow::Owned(_)))
        {
            self.labels = std::mem::take(&mut self.labels)
                .into_iter()
                .map(|(k, v)| (escape(&k).into_owned(), escape(&v).into_owned()))
                .collect();
        }
    }
}

impl Sanitize for Person {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.name);
        clean(&mut self.email);
        clean_opt(&mut self.team);
        clean_opt(&mut self.manager);
    }
}

impl Sanitize for Credential {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.agent_id);
        clean_all(&mut self.scopes);
        clean(&mut self.prefix);
        clean_opt(&mut self.revoked_reason);
        clean_opt(&mut self.replaced_by);
        clean_opt(&mut self.fingerprint);
    }
}

impl Sanitize for Grant {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.agent_id);
        clean(&mut self.resource);
        clean(&mut self.scope);
    }
}

impl Sanitize for Delegation {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean_opt(&mut self.parent_agent);
        clean_opt(&mut self.parent_person);
        clean(&mut self.child_agent);
        clean_opt(&mut self.on_behalf_of);
        clean_all(&mut self.scopes);
    }
}

impl Sanitize for Alert {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean_opt(&mut self.agent_id);
        clean(&mut self.rule);
        clean(&mut self.summary);
        clean(&mut self.evidence);
        clean_all(&mut self.mapping);
        clean(&mut self.source);
        clean_opt(&mut self.acknowledged_by);
        clean_opt(&mut self.ack_reason);
    }
}

impl Sanitize for Operation {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.target);
        clean(&mut self.actor);
        clean(&mut self.reason);
        for s in &mut self.steps {
            clean(&mut s.name);
            clean(&mut s.agent_id);
            clean(&mut s.detail);
        }
    }
}

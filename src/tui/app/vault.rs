//! The app's side of a Vault backend: each read is linked to the fleet's
//! agents and merged like any poll; it is kept, so that when agents arrive
//! or change (another backend's poll) the identities are linked again
//! instead of staying unclaimed until Vault's next read.

use super::{App, Overlay};
use crate::config::vault::VaultSettings;
use crate::fleet::origin;
use crate::fleet::safe_text::escape;
use crate::fleet::vault::{IdentityKind, MachineIdentity, vault_changes};
use crate::model::{Agent, Operation, OperationStep, StepStatus};
use crate::sources::SourceEvent;
use crate::tui::msg::Action;
use crate::tui::popups::confirm::Plan;
use crate::tui::strings;
use crate::vault::VaultSnapshot;
use std::sync::Arc;
use std::time::Duration;

/// A Vault backend's last read and how to link it.
pub(super) struct VaultRead {
    snapshot: Box<VaultSnapshot>,
    settings: Arc<VaultSettings>,
}

impl App {
    /// A Vault backend answered: link, merge, and say what it could not read.
    pub(super) fn vault_read(
        &mut self,
        i: usize,
        snapshot: Box<VaultSnapshot>,
        settings: Arc<VaultSettings>,
        latency: Duration,
    ) {
        let warning = snapshot.warnings.first().map(|w| {
            let more = snapshot.warnings.len() - 1;
            escape(&strings::vault_partial(&w.message, more)).into_owned()
        });
        self.vault_reads.insert(i, VaultRead { snapshot, settings });
        self.link_vault(i, latency);
        if let Some(b) = self.backends.get_mut(i) {
            b.warning = warning;
        }
    }

    /// Links every Vault backend's last read again: agents changed.
    pub(super) fn relink_vaults(&mut self) {
        let reads: Vec<usize> = self.vault_reads.keys().copied().collect();
        for i in reads {
            let latency = self.backends[i].latency.unwrap_or_default();
            self.link_vault(i, latency);
        }
    }

    fn link_vault(&mut self, i: usize, latency: Duration) {
        let Some(read) = self.vault_reads.get(&i) else {
            return;
        };
        let name = self.backends[i].name.clone();
        let (prefix, scopes): (String, Vec<String>) = match self.merged() {
            true => (
                format!("{name}{}", origin::SEPARATOR),
                self.backends.iter().map(|b| b.name.clone()).collect(),
            ),
            false => (String::new(), Vec::new()),
        };
        let poll = vault_changes(
            &self.fleet,
            &prefix,
            &scopes,
            &name,
            &read.snapshot,
            &read.settings,
            chrono::Utc::now(),
        );
        self.fleet.set_identities(&prefix, poll.identities);
        let changes = Box::new(poll.changes);
        self.source(i, SourceEvent::Synced { changes, latency });
    }
}

impl App {
    /// The Vault credentials of these agents that a kill revokes: every
    /// linked token, secret-id and lease still live.
    fn vault_credentials_of<'a>(
        &'a self,
        agent_ids: &'a [String],
    ) -> impl Iterator<Item = &'a MachineIdentity> + 'a {
        let now = chrono::Utc::now();
        agent_ids.iter().flat_map(move |a| {
            self.fleet
                .identities_of(a)
                .filter(move |i| i.credential_ref().is_some() && i.expires.is_none_or(|e| e > now))
        })
    }

    /// The agents a kill reaches: the agent, and with `cascade` every agent
    /// the backend's plan names (`plan`, else the open dialog's).
    fn kill_reach(&self, agent_id: &str, cascade: bool, plan: Option<&Operation>) -> Vec<String> {
        let mut reach = vec![agent_id.to_string()];
        let shown = match &self.overlay {
            Overlay::Confirm(d) => match &d.plan {
                Plan::Ready(op) => Some(op),
                _ => None,
            },
            _ => None,
        };
        if cascade && let Some(op) = plan.or(shown) {
            for s in &op.steps {
                if !reach.contains(&s.agent_id) {
                    reach.push(s.agent_id.clone());
                }
            }
        }
        reach
    }

    /// A kill with the Vault credentials it revokes; other actions as they
    /// are.
    pub(super) fn with_vault(&self, mut action: Action) -> Action {
        if let Action::Kill {
            agent_id,
            cascade,
            vault,
            ..
        } = &mut action
        {
            let reach = self.kill_reach(agent_id, *cascade, None);
            *vault = self
                .vault_credentials_of(&reach)
                .map(|i| i.id.clone())
                .collect();
        }
        action
    }

    /// The Vault steps a kill plan gains, one per credential, pending.
    pub(super) fn vault_plan_steps(
        &self,
        agent_id: &str,
        cascade: bool,
        plan: Option<&Operation>,
    ) -> Vec<OperationStep> {
        let reach = self.kill_reach(agent_id, cascade, plan);
        self.vault_credentials_of(&reach)
            .map(|i| OperationStep {
                name: crate::vault::VAULT_STEP.into(),
                agent_id: i
                    .link
                    .as_ref()
                    .map(|l| l.agent_id.clone())
                    .unwrap_or_default(),
                status: StepStatus::Pending,
                detail: strings::vault_plan_step(kind_word(i.kind), &i.name, &i.id),
            })
            .collect()
    }

    /// What a kill reaches in Vault, for the dialog's blast radius; nothing
    /// when the agent has no Vault credential.
    pub(super) fn vault_blast(&self, agent: &Agent) -> Vec<String> {
        let reach = [agent.id.clone()];
        let (mut tokens, mut secret_ids, mut leases) = (0, 0, 0);
        for i in self.vault_credentials_of(&reach) {
            match i.kind {
                IdentityKind::Token => tokens += 1,
                IdentityKind::SecretId => secret_ids += 1,
                IdentityKind::Lease => leases += 1,
                IdentityKind::Entity => {}
            }
        }
        if tokens + secret_ids + leases == 0 {
            return vec![];
        }
        vec![strings::vault_blast(tokens, secret_ids, leases)]
    }

    /// How many Vault credentials of `agent` stay valid through a freeze.
    pub(super) fn vault_credential_count(&self, agent_id: &str) -> usize {
        let reach = [agent_id.to_string()];
        self.vault_credentials_of(&reach).count()
    }
}

fn kind_word(kind: IdentityKind) -> &'static str {
    strings::vault_kind(kind)
}

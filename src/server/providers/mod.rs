//! Credential providers (`[[serve.provider]]`, kind `vault`): Vaults or
//! OpenBaos where a kill also revokes the agent's credentials.
//!
//! At plan time each provider is read once (a snapshot of what its
//! settings name) and its identities linked to agents exactly as the
//! dashboard links them ([`crate::vault::linked_credentials`]). Every
//! credential linked to an agent the kill reaches becomes one step
//! [`VAULT_STEP`] of the kill, recorded with the others before any runs.
//! A step names its credential and provider in its planned detail, which is
//! all a server restarted after a crash needs to finish it. Running it
//! revokes, then looks the credential up again: the step is ok only when
//! Vault no longer has it, so "revoked" is never assumed.
//!
//! A provider that cannot be read, or only partly, gives each agent of the
//! kill a failed step saying why: the kill then reports failed, never
//! verified, since credentials there may remain.
//!
//! Last, one [`VAULT_SWEEP`] step per provider reads it again and revokes
//! whatever is still linked to the killed agents (`sweep`): a token an
//! AppRole login issued while the kill ran carries the secret-id's
//! metadata, and would otherwise outlive the kill.

mod sweep;

pub use sweep::{VAULT_SWEEP, run as run_sweep, sweep_step};

use crate::config::ProviderConfig;
use crate::model::{Agent, OperationStep, StepStatus};
use crate::server::hooks::escape;
use crate::server::store::{Store, StoreResult};
use crate::vault::{
    LinkedCredential, Revocation, VaultClient, VaultConfig, VaultCredRef, VaultError,
    VaultSnapshot, linked_credentials,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use crate::vault::VAULT_STEP;
/// The audit action of a Vault step.
const AUDIT_ACTION: &str = "vault.revoke";
/// Between the credential and the provider in a planned step's detail.
const PLANNED: &str = ": will revoke in Vault ";

/// One provider, ready to act: its client holds the token (never shown).
#[derive(Debug, Clone)]
pub struct Provider {
    pub name: String,
    pub client: VaultClient,
    pub config: ProviderConfig,
}

/// Builds every provider: reads its token, checks its URL and CA. A
/// provider that cannot be built stops the server before it serves.
pub fn build(configs: &[ProviderConfig]) -> anyhow::Result<Vec<Provider>> {
    configs
        .iter()
        .map(|c| {
            let bad = |e: String| anyhow::anyhow!("[[serve.provider]] {:?}: {e}", c.name);
            let token = c.token.read().map_err(bad)?;
            let client = VaultClient::new(VaultConfig {
                url: c.url.clone(),
                token,
                namespace: c.settings.namespace.clone(),
                ca_cert: c.ca_cert.clone(),
                allow_insecure_http: c.allow_insecure_http,
                timeout: None,
            })
            .map_err(|e| bad(e.to_string()))?;
            Ok(Provider {
                name: c.name.clone(),
                client,
                config: c.clone(),
            })
        })
        .collect()
}

/// Reads each provider's `sys/health` on a task of its own and logs what
/// it says: a Vault that is down at start is a warning, not a reason to
/// refuse to serve (a kill then says so in its steps).
pub fn check_health(providers: &[Provider]) {
    for p in providers.iter().cloned() {
        tokio::spawn(async move {
            match p.client.health().await {
                Ok(h) if h.sealed => tracing::warn!(
                    provider = %p.name, url = %p.client.base_url(),
                    "the Vault provider is sealed: kills cannot revoke there until it is unsealed"
                ),
                Ok(h) => tracing::info!(
                    provider = %p.name, url = %p.client.base_url(), version = %h.version,
                    "Vault provider ready"
                ),
                Err(e) => tracing::warn!(
                    provider = %p.name, error = %e,
                    "the Vault provider cannot be read now; kills will say so in their steps"
                ),
            }
        });
    }
}

/// What one provider's read found, for one plan.
enum Read {
    Linked(Vec<LinkedCredential>, Option<String>),
    Failed(VaultError),
}

/// The Vault steps of a kill, by agent id: for every provider, one step
/// per credential linked to each of `agents`; a skipped step when none is;
/// a failed one when the provider could not be (fully) read.
pub async fn plan_steps(
    providers: &[Provider],
    store: &Arc<dyn Store>,
    agents: &[Agent],
) -> StoreResult<HashMap<String, Vec<OperationStep>>> {
    let mut out: HashMap<String, Vec<OperationStep>> = HashMap::new();
    if providers.is_empty() {
        return Ok(out);
    }
    let index = AgentIndex::load(store).await?;
    for p in providers {
        let read = match crate::vault::read(&p.client, &p.config.settings).await {
            Ok(snap) => {
                let partly = partly_read(&snap);
                let linked = linked_credentials(&snap, &p.config.settings, |l| index.resolve(l));
                Read::Linked(linked, partly)
            }
            Err(e) => Read::Failed(e),
        };
        for agent in agents {
            out.entry(agent.id.clone())
                .or_default()
                .extend(agent_steps(&p.name, &read, agent));
        }
    }
    Ok(out)
}

/// Why a snapshot is incomplete, if it is: its first warning, and how many
/// more there are.
pub(super) fn partly_read(snap: &VaultSnapshot) -> Option<String> {
    let (first, rest) = snap.warnings.split_first()?;
    Some(match rest.len() {
        0 => first.message.clone(),
        n => format!("{} (and {n} more)", first.message),
    })
}

fn agent_steps(provider: &str, read: &Read, agent: &Agent) -> Vec<OperationStep> {
    let step = |status, detail: String| OperationStep {
        name: VAULT_STEP.into(),
        agent_id: agent.id.clone(),
        status,
        detail: escape(&detail),
    };
    let (linked, partly) = match read {
        Read::Failed(e) => {
            return vec![step(
                StepStatus::Failed,
                format!(
                    "Vault {provider} could not be read, so {}'s credentials there were \
                     neither found nor revoked: {e}",
                    agent.name
                ),
            )];
        }
        Read::Linked(linked, partly) => (linked, partly),
    };
    let mut steps: Vec<OperationStep> = linked
        .iter()
        .filter(|c| c.link.agent_id == agent.id)
        .map(|c| {
            let id = c.cred.to_string();
            // The detail is escaped; an id it would change could not be
            // read back as the credential to revoke.
            if escape(&id) != id || id.contains(PLANNED) {
                step(
                    StepStatus::Failed,
                    format!(
                        "a Vault credential of {} has an id Warden cannot record: {id}",
                        agent.name
                    ),
                )
            } else {
                step(StepStatus::Pending, planned_detail(provider, c))
            }
        })
        .collect();
    if let Some(why) = partly {
        steps.push(step(
            StepStatus::Failed,
            format!(
                "Vault {provider} was only partly read, so credentials of {} there may be \
                 missed and stay valid: {why}",
                agent.name
            ),
        ));
    } else if steps.is_empty() {
        steps.push(step(
            StepStatus::Skipped,
            format!(
                "Vault {provider}: no credential there is linked to {}",
                agent.name
            ),
        ));
    }
    steps
}

/// `<credential id>: will revoke in Vault <provider> (<kind> <name>, linked
/// by <how>), then look it up to verify`. The id comes first and the
/// provider's name has no spaces, so [`planned_target`] reads them back
/// whatever the name and link say.
fn planned_detail(provider: &str, c: &LinkedCredential) -> String {
    format!(
        "{}{PLANNED}{provider} ({} {}, linked by {}), then look it up to verify",
        c.cred, c.kind, c.name, c.link.how
    )
}

/// The provider and credential a planned Vault step is about.
fn planned_target(detail: &str) -> Option<(&str, VaultCredRef)> {
    let (cred, rest) = detail.split_once(PLANNED)?;
    let (provider, _) = rest.split_once(' ')?;
    Some((provider, cred.parse().ok()?))
}

/// How a Vault step is audited (its action and what it acted on), or
/// `None` for a step of another kind.
pub fn step_audit(step: &OperationStep) -> Option<(&'static str, String)> {
    match step.name.as_str() {
        VAULT_STEP => Some((
            AUDIT_ACTION,
            match planned_target(&step.detail) {
                Some((provider, cred)) => {
                    format!("{cred} in Vault {provider} of {}", step.agent_id)
                }
                None => format!("a Vault credential of {}", step.agent_id),
            },
        )),
        VAULT_SWEEP => Some(sweep::audit(step)),
        _ => None,
    }
}

/// Runs one planned Vault step: revoke, then verify. `Ok` only when the
/// provider no longer has the credential.
pub async fn run_step(providers: &[Provider], step: &OperationStep) -> Result<String, String> {
    let Some((name, cred)) = planned_target(&step.detail) else {
        return Err(format!(
            "cannot tell which Vault credential this step is about: {}",
            step.detail
        ));
    };
    let Some(p) = providers.iter().find(|p| p.name == name) else {
        return Err(format!(
            "{cred}: the Vault provider {name:?} is no longer configured; it was not revoked"
        ));
    };
    let result = p.client.revoke_verified(&cred).await.map(Revocation::said);
    match &result {
        Ok(said) => tracing::info!(provider = %name, credential = %cred, %said, "vault step done"),
        Err(e) => {
            tracing::warn!(provider = %name, credential = %cred, error = %e, "vault step failed")
        }
    }
    result
        .map(|said| format!("{cred}: {said}"))
        .map_err(|e| escape(&format!("{cred}: {e}")))
}

/// Every agent's id, and each name held by exactly one agent: what a
/// link's id or name resolves to, as in the dashboard.
pub(super) struct AgentIndex {
    ids: HashSet<String>,
    /// `None` when several agents share the name.
    names: HashMap<String, Option<String>>,
}

impl AgentIndex {
    pub(super) async fn load(store: &Arc<dyn Store>) -> StoreResult<AgentIndex> {
        const PAGE: usize = 1000;
        let mut index = AgentIndex {
            ids: HashSet::new(),
            names: HashMap::new(),
        };
        let mut after = None;
        loop {
            let (page, next) = store.list_agents(PAGE, after).await?;
            for a in page {
                index
                    .names
                    .entry(a.name.clone())
                    .and_modify(|one| *one = None)
                    .or_insert_with(|| Some(a.id.clone()));
                index.ids.insert(a.id);
            }
            match next {
                Some(n) => after = Some(n),
                None => return Ok(index),
            }
        }
    }

    pub(super) fn resolve(&self, label: &str) -> Option<String> {
        if self.ids.contains(label) {
            return Some(label.to_string());
        }
        self.names.get(label).cloned().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;
    use crate::vault::{Link, SnapshotPart, SnapshotWarning};

    fn linked(cred: &str, agent: &str) -> LinkedCredential {
        LinkedCredential {
            cred: cred.parse().unwrap(),
            kind: "token",
            name: "odd: will revoke in Vault x (name\n".into(),
            link: Link {
                agent_id: agent.into(),
                how: "metadata warden_agent=bot".into(),
            },
        }
    }

    #[test]
    fn a_planned_step_names_its_credential_and_provider_whatever_the_name_says() {
        let c = linked("vault:secret-id:team/approle/bot/0a-1", "ag_1");
        let agent = fixtures::agent("ag_1", "bot");
        let steps = agent_steps(
            "bao-2",
            &Read::Linked(vec![c.clone(), linked("vault:token:other", "ag_2")], None),
            &agent,
        );
        let [s] = &steps[..] else { panic!("{steps:?}") };
        assert_eq!(
            (s.name.as_str(), s.status),
            (VAULT_STEP, StepStatus::Pending)
        );
        assert!(
            s.detail
                .starts_with("vault:secret-id:team/approle/bot/0a-1: will revoke"),
            "{}",
            s.detail
        );
        assert!(!s.detail.contains('\n'), "escaped: {}", s.detail);
        let (provider, cred) = planned_target(&s.detail).unwrap();
        assert_eq!((provider, cred), ("bao-2", c.cred));
        assert_eq!(
            step_audit(s),
            Some((
                AUDIT_ACTION,
                "vault:secret-id:team/approle/bot/0a-1 in Vault bao-2 of ag_1".into()
            ))
        );
    }

    #[test]
    fn an_unread_or_partly_read_vault_fails_the_agent_s_step_and_none_linked_is_skipped() {
        let agent = fixtures::agent("ag_1", "bot");
        let down = VaultError::Unreachable {
            url: "http://127.0.0.1:1".into(),
            cause: "connection refused".into(),
        };
        let steps = agent_steps("vault", &Read::Failed(down), &agent);
        assert_eq!(steps[0].status, StepStatus::Failed);
        assert!(
            steps[0].detail.contains("could not be read")
                && steps[0].detail.contains("connection refused"),
            "{}",
            steps[0].detail
        );

        let snap = VaultSnapshot {
            warnings: vec![SnapshotWarning {
                part: SnapshotPart::Entities,
                message: "permission denied on identity/entity/id".into(),
                permission_denied: true,
                count: 1,
            }],
            ..VaultSnapshot::default()
        };
        let read = Read::Linked(vec![linked("vault:token:a", "ag_1")], partly_read(&snap));
        let steps = agent_steps("vault", &read, &agent);
        let statuses: Vec<StepStatus> = steps.iter().map(|s| s.status).collect();
        assert_eq!(statuses, [StepStatus::Pending, StepStatus::Failed]);
        assert!(
            steps[1].detail.contains("identity/entity/id"),
            "{}",
            steps[1].detail
        );

        let steps = agent_steps("vault", &Read::Linked(Vec::new(), None), &agent);
        assert_eq!(steps[0].status, StepStatus::Skipped);
        assert!(
            steps[0].detail.contains("no credential"),
            "{}",
            steps[0].detail
        );
    }

    #[tokio::test]
    async fn a_step_whose_provider_went_fails_without_acting() {
        let agent = fixtures::agent("ag_1", "bot");
        let steps = agent_steps(
            "gone",
            &Read::Linked(vec![linked("vault:token:abc", "ag_1")], None),
            &agent,
        );
        let e = run_step(&[], &steps[0]).await.unwrap_err();
        assert!(
            e.contains("vault:token:abc") && e.contains("no longer configured"),
            "{e}"
        );
        let garbled = OperationStep {
            detail: "nonsense".into(),
            ..steps[0].clone()
        };
        assert!(
            run_step(&[], &garbled)
                .await
                .unwrap_err()
                .contains("cannot tell")
        );
    }

    #[test]
    fn names_resolve_only_when_one_agent_holds_them() {
        let index = AgentIndex {
            ids: HashSet::from(["ag_1".to_string(), "ag_2".into(), "ag_3".into()]),
            names: HashMap::from([
                ("solo".to_string(), Some("ag_1".to_string())),
                ("twin".to_string(), None),
            ]),
        };
        assert_eq!(index.resolve("ag_2").as_deref(), Some("ag_2"));
        assert_eq!(index.resolve("solo").as_deref(), Some("ag_1"));
        assert_eq!(index.resolve("twin"), None);
        assert_eq!(index.resolve("nobody"), None);
    }
}

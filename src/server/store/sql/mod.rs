//! The store's one body of SQL, on SQLite or PostgreSQL through the
//! portable layer in [`super::db`]. Each function here takes a [`Db`]: a
//! SQLite connection or a PostgreSQL transaction. [`SqlStore`] implements
//! [`Store`] over either database; the engines only open connections, run
//! a function in a read or a write transaction on the blocking pool, and
//! say when the revision moved.

mod activity;
mod agents;
mod alerts;
mod consent;
mod counts;
mod credentials;
mod discoveries;
mod engine;
mod events;
mod exchanges;
mod feed;
mod guardrails;
mod holdings;
mod import;
mod indexes;
mod live;
mod operations;
mod people;
mod rows;
mod rules;
mod scheduling;
mod scoped;
mod shadows;
mod tokens;
mod triage;
pub(crate) mod tx;
mod verdicts;

pub use engine::SqlStore;
pub(crate) use engine::bump;
use engine::owned;

use super::*;
use crate::api::{AuditVerification, Changes, NewAgent, NewGrant, NewPerson};

#[async_trait]
impl Store for SqlStore {
    async fn record_exchange(&self, actor: &Actor, token: &ExchangeRecord) -> StoreResult<()> {
        let (actor, token) = (actor.clone(), token.clone());
        self.write(move |t| exchanges::record_exchange(t, &actor, &token))
            .await
    }

    async fn audit_key_rotation(
        &self,
        actor: &Actor,
        kid: &str,
        reason: &str,
        outcome: &str,
    ) -> StoreResult<()> {
        let (actor, kid, reason, outcome) =
            (actor.clone(), owned(kid), owned(reason), owned(outcome));
        self.write(move |t| exchanges::audit_key_rotation(t, &actor, &kid, &reason, &outcome))
            .await
    }

    async fn revoke_exchange(
        &self,
        actor: &Actor,
        jti: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        let (actor, jti, reason) = (actor.clone(), owned(jti), owned(reason));
        self.write(move |t| exchanges::revoke_exchange(t, &actor, &jti, &reason, now))
            .await
    }

    async fn delegations_to(&self, agent_id: &str) -> StoreResult<Vec<Delegation>> {
        let agent = owned(agent_id);
        self.read(move |c| credentials::incoming(c, &agent)).await
    }

    async fn exchange_state(&self, jti: &str) -> StoreResult<Option<ExchangeState>> {
        let jti = owned(jti);
        self.read(move |c| exchanges::exchange_state(c, &jti)).await
    }

    async fn live_exchanges(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ExchangeRecord>> {
        self.read(move |c| exchanges::live_exchanges(c, now, limit))
            .await
    }

    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<Principal>> {
        let hash = owned(token_hash);
        self.read(move |c| match tokens::find(c, &hash)? {
            Some(t) => Ok(Some(Principal::Person(t))),
            None => credentials::find_by_hash(c, &hash),
        })
        .await
    }

    async fn ensure_admin_token(&self, token_hash: &str, prefix: &str) -> StoreResult<Bootstrap> {
        let (hash, prefix) = (owned(token_hash), owned(prefix));
        self.write(move |t| tokens::ensure_bootstrap(t, &hash, &prefix))
            .await
    }

    async fn create_token(&self, actor: &Actor, spec: &TokenSpec) -> StoreResult<TokenRecord> {
        let (actor, spec) = (actor.clone(), spec.clone());
        self.write(move |t| tokens::create(t, &actor, &spec)).await
    }

    async fn list_tokens(&self) -> StoreResult<Vec<TokenRecord>> {
        self.read(tokens::list).await
    }

    async fn get_token(&self, id: &str) -> StoreResult<TokenRecord> {
        let id = owned(id);
        self.read(move |c| tokens::get(c, &id)).await
    }

    async fn revoke_token(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> StoreResult<TokenRecord> {
        let (actor, id, reason) = (actor.clone(), owned(id), owned(reason));
        self.write(move |t| tokens::revoke(t, &actor, &id, &reason))
            .await
    }

    async fn delete_token(&self, actor: &Actor, id: &str) -> StoreResult<()> {
        let (actor, id) = (actor.clone(), owned(id));
        self.write(move |t| tokens::delete(t, &actor, &id)).await
    }

    async fn create_person(&self, actor: &Actor, new: &NewPerson) -> StoreResult<Person> {
        let (actor, new) = (actor.clone(), new.clone());
        self.write(move |t| people::create(t, &actor, &new)).await
    }

    async fn list_people(&self) -> StoreResult<Vec<Person>> {
        self.read(people::list).await
    }

    async fn resolve_person(&self, key: &str) -> StoreResult<Person> {
        let key = owned(key);
        self.read(move |c| people::resolve(c, &key)).await
    }

    async fn offboard_person(&self, actor: &Actor, id: &str, reason: &str) -> StoreResult<Person> {
        let (actor, id, reason) = (actor.clone(), owned(id), owned(reason));
        self.write(move |t| people::offboard(t, &actor, &id, &reason))
            .await
    }

    async fn create_agent(&self, actor: &Actor, new: &NewAgent) -> StoreResult<Agent> {
        let (actor, new) = (actor.clone(), new.clone());
        self.write(move |t| agents::create(t, &actor, &new)).await
    }

    async fn list_agents(
        &self,
        limit: usize,
        after: Option<i64>,
    ) -> StoreResult<(Vec<Agent>, Option<i64>)> {
        self.read(move |c| agents::list(c, limit, after)).await
    }

    async fn resolve_agent(&self, key: &str) -> StoreResult<Agent> {
        let key = owned(key);
        self.read(move |c| agents::resolve(c, &key)).await
    }

    async fn agent_detail(&self, id: &str) -> StoreResult<AgentDetail> {
        let id = owned(id);
        self.read(move |c| agents::detail(c, &id)).await
    }

    async fn set_owner(
        &self,
        actor: &Actor,
        agent_id: &str,
        person_id: &str,
        reason: &str,
    ) -> StoreResult<Agent> {
        let (actor, agent, person, reason) = (
            actor.clone(),
            owned(agent_id),
            owned(person_id),
            owned(reason),
        );
        self.write(move |t| agents::set_owner(t, &actor, &agent, &person, &reason))
            .await
    }

    async fn set_suspended(
        &self,
        actor: &Actor,
        agent_id: &str,
        suspended: bool,
        reason: &str,
    ) -> StoreResult<Agent> {
        let (actor, agent, reason) = (actor.clone(), owned(agent_id), owned(reason));
        self.write(move |t| agents::set_suspended(t, &actor, &agent, suspended, &reason))
            .await
    }

    async fn delegated_children(&self, agent_id: &str) -> StoreResult<Vec<String>> {
        let id = owned(agent_id);
        self.read(move |c| agents::delegated_children(c, &id)).await
    }

    async fn issue_credential(
        &self,
        actor: &Actor,
        agent_id: &str,
        scopes: &[String],
        expires_at: Option<DateTime<Utc>>,
        secret_hash: &str,
        prefix: &str,
    ) -> StoreResult<Credential> {
        let (actor, agent, scopes) = (actor.clone(), owned(agent_id), scopes.to_vec());
        let (hash, prefix) = (owned(secret_hash), owned(prefix));
        self.write(move |t| {
            credentials::issue(t, &actor, &agent, &scopes, expires_at, &hash, &prefix)
        })
        .await
    }

    async fn get_credential(&self, id: &str) -> StoreResult<Credential> {
        let id = owned(id);
        self.read(move |c| credentials::get(c, &id)).await
    }

    async fn rotate_credential(
        &self,
        actor: &Actor,
        id: &str,
        rotation: &Rotation,
    ) -> StoreResult<(Credential, Credential)> {
        let (actor, id, rotation) = (actor.clone(), owned(id), rotation.clone());
        self.write(move |t| credentials::rotate(t, &actor, &id, &rotation))
            .await
    }

    async fn revoke_credential(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> StoreResult<Credential> {
        let (actor, id, reason) = (actor.clone(), owned(id), owned(reason));
        self.write(move |t| credentials::revoke(t, &actor, &id, &reason))
            .await
    }

    async fn add_grant(
        &self,
        actor: &Actor,
        agent_id: &str,
        grant: &NewGrant,
    ) -> StoreResult<Grant> {
        let (actor, agent, grant) = (actor.clone(), owned(agent_id), grant.clone());
        self.write(move |t| credentials::add_grant(t, &actor, &agent, &grant))
            .await
    }

    async fn remove_grant(
        &self,
        actor: &Actor,
        agent_id: &str,
        grant_id: &str,
        reason: &str,
    ) -> StoreResult<Grant> {
        let (actor, agent, grant, reason) = (
            actor.clone(),
            owned(agent_id),
            owned(grant_id),
            owned(reason),
        );
        self.write(move |t| credentials::remove_grant(t, &actor, &agent, &grant, &reason))
            .await
    }

    async fn add_delegation(
        &self,
        actor: &Actor,
        delegation: &DelegationInput,
    ) -> StoreResult<Delegation> {
        let (actor, d) = (actor.clone(), delegation.clone());
        self.write(move |t| credentials::add_delegation(t, &actor, &d))
            .await
    }

    async fn begin_operation(&self, actor: &Actor, op: &Operation) -> StoreResult<()> {
        let (actor, op) = (actor.clone(), op.clone());
        self.write(move |t| operations::begin(t, &actor, &op)).await
    }

    async fn update_step(
        &self,
        op_id: &str,
        index: usize,
        status: StepStatus,
        detail: &str,
        audit: Option<&StepAudit>,
    ) -> StoreResult<()> {
        let (op, detail, audit) = (owned(op_id), owned(detail), audit.cloned());
        self.write(move |t| operations::update_step(t, &op, index, status, &detail, audit.as_ref()))
            .await
    }

    async fn finish_operation(
        &self,
        actor: &Actor,
        op_id: &str,
        status: OperationStatus,
    ) -> StoreResult<Operation> {
        let (actor, op) = (actor.clone(), owned(op_id));
        self.write(move |t| operations::finish(t, &actor, &op, status))
            .await
    }

    async fn unfinished_operations(&self) -> StoreResult<Vec<Operation>> {
        self.read(operations::unfinished).await
    }

    async fn last_step_status(
        &self,
        agent_id: &str,
        step: &str,
    ) -> StoreResult<Option<StepStatus>> {
        let (agent, step) = (owned(agent_id), owned(step));
        self.read(move |c| operations::last_step_status(c, &agent, &step))
            .await
    }

    async fn revoke_all_credentials(
        &self,
        actor: &Actor,
        agent_id: &str,
        reason: &str,
    ) -> StoreResult<usize> {
        let (actor, agent, reason) = (actor.clone(), owned(agent_id), owned(reason));
        self.write(move |t| credentials::revoke_all(t, &actor, &agent, &reason))
            .await
    }

    async fn mark_killed(&self, actor: &Actor, agent_id: &str, reason: &str) -> StoreResult<bool> {
        let (actor, agent, reason) = (actor.clone(), owned(agent_id), owned(reason));
        self.write(move |t| agents::mark_killed(t, &actor, &agent, &reason))
            .await
    }

    async fn touch(
        &self,
        agent_id: &str,
        credential_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (agent, cred) = (owned(agent_id), owned(credential_id));
        let at = at.timestamp_millis();
        self.write(move |t| agents::touch(t, &agent, &cred, at))
            .await
    }

    async fn record_events(
        &self,
        agent_id: &str,
        credential_id: &str,
        events: &[EventRecord],
    ) -> StoreResult<Recorded> {
        let (agent, cred, events) = (owned(agent_id), owned(credential_id), events.to_vec());
        self.write(move |t| events::record(t, &agent, &cred, &events))
            .await
    }

    async fn list_alerts(&self) -> StoreResult<Vec<Alert>> {
        self.read(alerts::list).await
    }

    async fn raise_alert(&self, alert: &AlertInput) -> StoreResult<Alert> {
        let alert = alert.clone();
        self.write(move |t| alerts::raise(t, &alert)).await
    }

    async fn ack_alert(&self, actor: &Actor, id: &str, reason: &str) -> StoreResult<Alert> {
        let (actor, id, reason) = (actor.clone(), owned(id), owned(reason));
        self.write(move |t| alerts::ack(t, &actor, &id, &reason))
            .await
    }

    async fn snooze_alert(
        &self,
        actor: &Actor,
        id: &str,
        until: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Alert> {
        let (actor, id, reason) = (actor.clone(), owned(id), owned(reason));
        self.write(move |t| alerts::snooze(t, &actor, &id, until, &reason))
            .await
    }

    async fn unsnooze_alert(&self, actor: &Actor, id: &str, why: &str) -> StoreResult<Alert> {
        let (actor, id, why) = (actor.clone(), owned(id), owned(why));
        self.write(move |t| alerts::unsnooze(t, &actor, &id, &why))
            .await
    }

    async fn end_snoozes(&self, now: DateTime<Utc>) -> StoreResult<usize> {
        self.write(move |t| alerts::end_snoozes(t, now)).await
    }

    async fn next_snooze_end(&self) -> StoreResult<Option<DateTime<Utc>>> {
        self.read(alerts::next_snooze_end).await
    }

    async fn record_discoveries(
        &self,
        actor: &Actor,
        report: &crate::api::DiscoveryReport,
    ) -> StoreResult<crate::api::DiscoveryOutcome> {
        let (actor, report) = (actor.clone(), report.clone());
        self.write(move |t| discoveries::record(t, &actor, &report))
            .await
    }

    async fn import(&self, actor: &Actor, import: Import) -> StoreResult<()> {
        let actor = actor.clone();
        if self.read(import::empty_fleet).await? {
            return self
                .write_first_load(move |t| import::import(t, &actor, &import))
                .await;
        }
        self.write(move |t| import::import(t, &actor, &import))
            .await
    }

    async fn changes(&self, since: i64) -> StoreResult<Changes> {
        // One snapshot: every table is read at the same revision.
        self.read(move |c| c.snapshot(|c| feed::changes(c, since))?)
            .await
    }

    async fn changes_summary(&self, since: i64) -> StoreResult<Changes> {
        self.read(move |c| c.snapshot(|c| feed::changes_summary(c, since))?)
            .await
    }

    async fn credentials(&self, after: String, limit: usize) -> StoreResult<Vec<Credential>> {
        self.read(move |c| feed::credentials(c, &after, limit))
            .await
    }

    fn subscribe(&self) -> watch::Receiver<i64> {
        self.notify.subscribe()
    }

    async fn audit_after(&self, after: i64, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        self.read(move |c| feed::audit_after(c, after, limit)).await
    }

    async fn audit_select(&self, select: &AuditSelect) -> StoreResult<Vec<AuditEntry>> {
        let select = select.clone();
        self.read(move |c| feed::audit_select(c, &select)).await
    }

    async fn audit_verify(&self, verifier: Verifier) -> StoreResult<AuditVerification> {
        self.read(move |c| c.snapshot(|c| feed::audit_verify(c, verifier))?)
            .await
    }

    async fn audit_head(&self) -> StoreResult<AuditHead> {
        self.read(move |c| c.snapshot(feed::audit_head)?).await
    }

    async fn observe_batch(
        &self,
        agent_id: &str,
        batch: &BatchObservation,
    ) -> StoreResult<BatchFacts> {
        let (agent, batch) = (owned(agent_id), batch.clone());
        self.write(move |t| activity::observe(t, &agent, &batch))
            .await
    }

    async fn activity(&self, agent_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<u32>> {
        let agent = owned(agent_id);
        self.read(move |c| activity::series(c, &agent, now)).await
    }

    async fn prune_activity(&self, before: DateTime<Utc>) -> StoreResult<usize> {
        self.write(move |t| activity::prune(t, before)).await
    }

    async fn sweep_facts(&self, query: &SweepQuery) -> StoreResult<SweepFacts> {
        self.sweep_reads(query).await
    }

    async fn live_alerts(&self, rule: &str) -> StoreResult<Vec<LiveAlert>> {
        self.live_alerts_paged(rule).await
    }

    async fn evaluation_facts(
        &self,
        query: &SweepQuery,
        agents: &[String],
        people: &[String],
        tokens: bool,
    ) -> StoreResult<(Vec<String>, SweepFacts, Vec<LiveAlert>)> {
        let q = query.clone();
        let (agents, people) = (rows::to_json(&agents), rows::to_json(&people));
        // One read, so one wait for the connection behind ingest: a scope
        // is a few agents.
        self.read(move |c| {
            let reached = scoped::reach(c, &agents, &people)?;
            let ids = rows::to_json(&reached);
            let facts = scoped::facts(c, &q, &ids, tokens)?;
            let live = scoped::live_alerts_of(c, &ids, tokens)?;
            Ok((reached, facts, live))
        })
        .await
    }

    async fn apply_alerts(
        &self,
        raise: &[Finding],
        resolve: &[Resolution],
        now: DateTime<Utc>,
    ) -> StoreResult<AlertsApplied> {
        if raise.is_empty() && resolve.is_empty() {
            return Ok(AlertsApplied::default());
        }
        let (raise, resolve) = (raise.to_vec(), resolve.to_vec());
        self.write(move |t| verdicts::apply(t, &raise, &resolve, now))
            .await
    }

    async fn record_shadows(
        &self,
        relay: &Agent,
        sightings: Vec<ShadowSighting>,
    ) -> StoreResult<Vec<Agent>> {
        let relay = relay.clone();
        self.write(move |t| shadows::record(t, &relay, &sightings))
            .await
    }

    async fn stopped_agents(&self, keys: Vec<String>) -> StoreResult<Vec<Agent>> {
        self.read(move |c| shadows::stopped(c, &keys)).await
    }

    async fn note_refusal(
        &self,
        agent_id: &str,
        credential_id: &str,
        at: DateTime<Utc>,
        episode_start: DateTime<Utc>,
    ) -> StoreResult<RefusalCount> {
        let (agent, cred) = (owned(agent_id), owned(credential_id));
        self.write(move |t| activity::note_refusal(t, &agent, &cred, at, episode_start))
            .await
    }

    async fn agent_states(
        &self,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<AgentState>> {
        let ids = ids.to_vec();
        self.read(move |c| rules::agent_states(c, &ids, now)).await
    }

    async fn triage_facts(&self, activity_since: DateTime<Utc>) -> StoreResult<TriageFacts> {
        // One snapshot: the queue and its evidence are read at the same
        // revision.
        self.read(move |c| c.snapshot(|c| triage::facts(c, activity_since))?)
            .await
    }

    async fn fleet_counts(&self) -> StoreResult<FleetCounts> {
        self.read(|c| c.snapshot(counts::fleet_counts)?).await
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        self.analyze_alerts().await
    }
}

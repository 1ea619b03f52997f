//! The routes of API v1: one async method per route of the contract,
//! typed with the model and the wire types of [`crate::api`].

use super::{Client, ClientError, List, PAGE_LIMIT, REQUEST_TIMEOUT};
use crate::api::lean::{self, LeanChanges};
use crate::api::*;
use crate::model::*;
use reqwest::Method;
use std::time::Duration;

impl Client {
    /// `GET /v1/health`; needs no token.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get(&["v1", "health"]).await
    }

    /// `GET /v1/whoami`
    pub async fn whoami(&self) -> Result<WhoAmI, ClientError> {
        self.get(&["v1", "whoami"]).await
    }

    /// `POST /v1/tokens`: the token is in the answer, and only there.
    pub async fn create_token(&self, req: &NewToken) -> Result<IssuedToken, ClientError> {
        self.post(&["v1", "tokens"], req).await
    }

    /// `GET /v1/tokens`: every token for an admin, else the caller's own.
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, ClientError> {
        self.get::<List<TokenInfo>>(&["v1", "tokens"])
            .await
            .map(List::into_vec)
    }

    /// `DELETE /v1/tokens/{id}` with a reason: the token is refused from now on.
    pub async fn revoke_token(&self, id: &str, reason: &str) -> Result<TokenInfo, ClientError> {
        self.call(
            Method::DELETE,
            &["v1", "tokens", id],
            &[],
            Some(&Self::reason(reason)),
            None,
        )
        .await
    }

    /// `POST /v1/people`
    pub async fn create_person(&self, req: &NewPerson) -> Result<Person, ClientError> {
        self.post(&["v1", "people"], req).await
    }

    /// `GET /v1/people`
    pub async fn list_people(&self) -> Result<Vec<Person>, ClientError> {
        self.get::<List<Person>>(&["v1", "people"])
            .await
            .map(List::into_vec)
    }

    /// `POST /v1/people/{id}/offboard`; `person` is an id or an email.
    pub async fn offboard_person(&self, person: &str, reason: &str) -> Result<Person, ClientError> {
        self.post(&["v1", "people", person, "offboard"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/discoveries`
    pub async fn report_discoveries(
        &self,
        req: &crate::api::DiscoveryReport,
    ) -> Result<crate::api::DiscoveryOutcome, ClientError> {
        self.post(&["v1", "discoveries"], req).await
    }

    /// `POST /v1/agents`
    pub async fn create_agent(&self, req: &NewAgent) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents"], req).await
    }

    /// One page of `GET /v1/agents`.
    pub async fn agents_page(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<AgentPage, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        self.call::<(), AgentPage>(Method::GET, &["v1", "agents"], &query, None, None)
            .await
    }

    /// Every agent: `GET /v1/agents`, following `next_cursor` to the end.
    pub async fn list_agents(&self) -> Result<Vec<Agent>, ClientError> {
        self.list_agents_by(PAGE_LIMIT).await
    }

    /// Every agent, asking for pages of `limit`.
    pub async fn list_agents_by(&self, limit: u32) -> Result<Vec<Agent>, ClientError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.agents_page(limit, cursor.as_deref()).await?;
            let empty = page.items.is_empty();
            all.extend(page.items);
            match page.next_cursor {
                // A cursor that does not move, or a page with nothing in it
                // that still promises more, would loop for ever.
                Some(next) if cursor.as_deref() == Some(next.as_str()) || empty => {
                    return Err(ClientError::Malformed {
                        url: format!("{}/v1/agents", self.shown),
                        cause: "the next_cursor does not advance".into(),
                    });
                }
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// `GET /v1/agents/{id}`; `agent` is an id or a name.
    pub async fn get_agent(&self, agent: &str) -> Result<AgentDetail, ClientError> {
        self.get(&["v1", "agents", agent]).await
    }

    /// `POST /v1/agents/{id}/credentials`: the secret is in the answer, and
    /// only there.
    pub async fn issue_credential(
        &self,
        agent: &str,
        req: &NewCredential,
    ) -> Result<IssuedCredential, ClientError> {
        self.post(&["v1", "agents", agent, "credentials"], req)
            .await
    }

    /// `POST /v1/agents/{id}/grants`
    pub async fn add_grant(&self, agent: &str, req: &NewGrant) -> Result<Grant, ClientError> {
        self.post(&["v1", "agents", agent, "grants"], req).await
    }

    /// `DELETE /v1/agents/{id}/grants/{grant}` with a reason: answers the
    /// grant as it was.
    pub async fn remove_grant(
        &self,
        agent: &str,
        grant: &str,
        reason: &str,
    ) -> Result<Grant, ClientError> {
        self.call(
            Method::DELETE,
            &["v1", "agents", agent, "grants", grant],
            &[],
            Some(&Self::reason(reason)),
            None,
        )
        .await
    }

    /// `POST /v1/delegations`
    pub async fn delegate(&self, req: &NewDelegation) -> Result<Delegation, ClientError> {
        self.post(&["v1", "delegations"], req).await
    }

    /// `POST /v1/agents/{id}/owner`
    pub async fn set_owner(&self, agent: &str, req: &NewOwner) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents", agent, "owner"], req).await
    }

    /// `POST /v1/agents/{id}/suspend`
    pub async fn suspend(&self, agent: &str, reason: &str) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents", agent, "suspend"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/agents/{id}/resume`
    pub async fn resume(&self, agent: &str, reason: &str) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents", agent, "resume"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/agents/{id}/kill`; with `dry_run` the answer is the plan
    /// (status `planned`) and nothing changes.
    pub async fn kill(&self, agent: &str, req: &KillRequest) -> Result<Operation, ClientError> {
        // Runtime hooks may take their own timeout on the server's side.
        self.call(
            Method::POST,
            &["v1", "agents", agent, "kill"],
            &[],
            Some(req),
            Some(REQUEST_TIMEOUT * 3),
        )
        .await
    }

    /// `POST /v1/credentials/{id}/revoke`
    pub async fn revoke(&self, credential: &str, reason: &str) -> Result<Credential, ClientError> {
        self.post(
            &["v1", "credentials", credential, "revoke"],
            &Self::reason(reason),
        )
        .await
    }

    /// `POST /v1/credentials/{id}/rotate`: the replacement with its secret
    /// (shown once), and the old credential as it now stands.
    pub async fn rotate(
        &self,
        credential: &str,
        req: &RotateRequest,
    ) -> Result<RotatedCredential, ClientError> {
        self.post(&["v1", "credentials", credential, "rotate"], req)
            .await
    }

    /// `POST /v1/introspect`
    pub async fn introspect(&self, token: &str) -> Result<Introspection, ClientError> {
        self.post(
            &["v1", "introspect"],
            &IntrospectRequest {
                token: token.to_string(),
            },
        )
        .await
    }

    /// `POST /v1/agent/heartbeat`, with this client's token as the agent's
    /// credential.
    pub async fn heartbeat(&self) -> Result<(), ClientError> {
        self.send::<()>(Method::POST, &["v1", "agent", "heartbeat"], &[], None, None)
            .await
            .map(|_| ())
    }

    /// `POST /v1/agent/events`, with this client's token as the agent's
    /// credential.
    pub async fn report_events(&self, events: &[AgentEvent]) -> Result<Accepted, ClientError> {
        self.post(&["v1", "agent", "events"], events).await
    }

    /// `GET /v1/alerts`
    pub async fn alerts(&self) -> Result<Vec<Alert>, ClientError> {
        self.get::<List<Alert>>(&["v1", "alerts"])
            .await
            .map(List::into_vec)
    }

    /// `POST /v1/alerts/{id}/ack`
    pub async fn ack(&self, alert: &str, reason: &str) -> Result<Alert, ClientError> {
        self.post(&["v1", "alerts", alert, "ack"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/alerts/{id}/snooze`: quiet a Warden alert for `seconds`.
    pub async fn snooze(
        &self,
        alert: &str,
        seconds: u64,
        reason: &str,
    ) -> Result<Alert, ClientError> {
        let body = SnoozeRequest {
            seconds,
            reason: reason.to_string(),
        };
        self.post(&["v1", "alerts", alert, "snooze"], &body).await
    }

    /// `POST /v1/alerts/{id}/unsnooze`: end a snooze now.
    pub async fn unsnooze(&self, alert: &str, reason: &str) -> Result<Alert, ClientError> {
        self.post(&["v1", "alerts", alert, "unsnooze"], &Self::reason(reason))
            .await
    }

    /// `GET /v1/triage`: the agents that need an owner, most urgent first,
    /// each with its ranked owner suggestions.
    pub async fn triage(&self) -> Result<TriageReport, ClientError> {
        self.get(&["v1", "triage"]).await
    }

    /// `GET /v1/changes?since=N&wait=S`: everything changed after cursor
    /// `since`; with `wait`, the backend holds the request until something
    /// changes or the wait is over.
    pub async fn changes(
        &self,
        since: i64,
        wait: Option<Duration>,
    ) -> Result<Changes, ClientError> {
        let mut query = vec![("since", since.to_string())];
        let mut timeout = None;
        if let Some(w) = wait {
            query.push(("wait", w.as_secs().to_string()));
            timeout = Some(w + REQUEST_TIMEOUT);
        }
        self.call::<(), Changes>(Method::GET, &["v1", "changes"], &query, None, timeout)
            .await
    }

    /// `GET /v1/changes?since=N&form=summary`: the same, with credentials
    /// and grants counted per agent in `summaries` (the whole first
    /// answer) instead of listed. A backend that does not know the form
    /// answers in full; `summary` in the answer tells which it is.
    pub async fn changes_summary(&self, since: i64) -> Result<Changes, ClientError> {
        let query = [
            ("since", since.to_string()),
            ("form", "summary".to_string()),
        ];
        self.get_large(&["v1", "changes"], &query).await
    }

    /// The first sync: `GET /v1/changes?since=0&form=lean` (see
    /// [`crate::api::lean`]), read back into the summary form's types. A
    /// backend from before the lean form refuses it (400) and is asked for
    /// the summary form instead; one that ignores `form` answers in full,
    /// and its answer is read as it is.
    pub async fn changes_first(&self) -> Result<Changes, ClientError> {
        let query = [("since", "0".to_string()), ("form", lean::FORM.to_string())];
        let plain = super::connect::is_local(&self.base);
        let started = std::time::Instant::now();
        let sent = self
            .send_with::<()>(Method::GET, &["v1", "changes"], &query, None, None, plain)
            .await;
        let (url, resp) = match sent {
            Ok(answer) => {
                tracing::debug!(
                    target: "warden::sync",
                    "first sync: the answer's headers after {:.3} s",
                    started.elapsed().as_secs_f64()
                );
                answer
            }
            Err(ClientError::Api { status: 400, .. }) => return self.changes_summary(0).await,
            Err(e) => return Err(e),
        };
        let is_lean = resp
            .headers()
            .get(lean::FORM_HEADER)
            .is_some_and(|v| v.as_bytes() == lean::FORM.as_bytes());
        if !is_lean {
            return self.read_json(url, resp, None).await;
        }
        let answer: LeanChanges = self.read_json(url.clone(), resp, None).await?;
        let parsed = started.elapsed();
        let changes = answer.into_changes().map_err(|e| ClientError::Malformed {
            url: super::strip_query(&url),
            cause: e.to_string(),
        });
        tracing::debug!(
            target: "warden::sync",
            "first sync: read and parsed after {:.3} s, converted after {:.3} s",
            parsed.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        changes
    }

    /// `GET /v1/alerts/{id}`: one alert in full, its evidence and mapping
    /// with it (the lean first sync leaves them out).
    pub async fn alert(&self, id: &str) -> Result<Alert, ClientError> {
        self.get(&["v1", "alerts", id]).await
    }

    /// `GET /v1/credentials`: every credential of every agent.
    pub async fn list_credentials(&self) -> Result<Vec<Credential>, ClientError> {
        self.get::<List<Credential>>(&["v1", "credentials"])
            .await
            .map(List::into_vec)
    }

    /// `GET /v1/credentials?after=ID&limit=N`: a page of them by id, the
    /// next after the last id of this one; a page shorter than `limit` is
    /// the last. A server from before paging answers every credential.
    pub async fn list_credentials_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Credential>, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(after) = after {
            query.push(("after", after.to_string()));
        }
        self.call::<(), List<Credential>>(Method::GET, &["v1", "credentials"], &query, None, None)
            .await
            .map(List::into_vec)
    }

    /// `GET /v1/changes?since=N&form=FORM` (no `form`: the full form) as
    /// the bytes of its JSON answer (after the transport's gzip), unparsed:
    /// what `warden bench` times a bare parse of, to tell the sync's own
    /// cost from the format's.
    pub async fn changes_body(
        &self,
        since: i64,
        form: Option<&str>,
    ) -> Result<bytes::Bytes, ClientError> {
        let mut query = vec![("since", since.to_string())];
        if let Some(form) = form {
            query.push(("form", form.to_string()));
        }
        let (_, resp) = self
            .send::<()>(Method::GET, &["v1", "changes"], &query, None, None)
            .await?;
        resp.bytes()
            .await
            .map_err(|e| self.transport_error(e, None))
    }

    /// `GET /v1/audit?after=N`: the entries after sequence number `after`.
    pub async fn audit(&self, after: i64) -> Result<Vec<AuditEntry>, ClientError> {
        self.call::<(), List<AuditEntry>>(
            Method::GET,
            &["v1", "audit"],
            &[("after", after.to_string())],
            None,
            None,
        )
        .await
        .map(List::into_vec)
    }

    /// `GET /v1/audit` with every parameter: a tail, one agent's trail…
    pub async fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, ClientError> {
        self.call::<(), List<AuditEntry>>(Method::GET, &["v1", "audit"], &query.pairs(), None, None)
            .await
            .map(List::into_vec)
    }

    /// `GET /v1/audit/verify`
    pub async fn audit_verify(&self) -> Result<AuditVerification, ClientError> {
        self.get(&["v1", "audit", "verify"]).await
    }

    /// `GET /v1/audit/checkpoints`
    pub async fn audit_checkpoints(&self) -> Result<AuditCheckpoints, ClientError> {
        self.get(&["v1", "audit", "checkpoints"]).await
    }
}

//! The OpenAPI 3.1 document of API v1, served at `GET /v1/openapi.json`.
//!
//! This file owns the route table [`ROUTES`]: one entry per endpoint, with
//! its access rule, body and answer types, and prose. [`document`] renders
//! the table, taking the JSON Schemas of the wire types from schemars (JSON
//! Schema 2020-12, the dialect of OpenAPI 3.1) and putting every named
//! schema under `components/schemas`. A test holds the table and the router
//! (`routes::registered_routes`) to the same set of routes.

use crate::api::lean::AnyChanges;
use crate::api::{
    Accepted, AgentEvent, AgentPage, AuditCheckpoints, AuditVerification, DiscoveryOutcome,
    DiscoveryReport, ErrorBody, Health, IntrospectRequest, Introspection, IssuedCredential,
    IssuedToken, KillRequest, NewAgent, NewCredential, NewDelegation, NewGrant, NewOwner,
    NewPerson, NewToken, Reason, RotateRequest, RotatedCredential, SnoozeRequest, TokenInfo,
    TriageReport, WhoAmI,
};
use crate::model::{
    Agent, AgentDetail, Alert, AuditEntry, Credential, Delegation, Grant, Operation, Person,
};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

mod access;
mod queries;
pub use access::Access;
use queries::{AGENT_PAGE, AUDIT, CHANGES, CREDENTIAL_PAGE};

/// One query parameter.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub name: &'static str,
    /// A JSON Schema primitive type: `integer` or `string`.
    pub ty: &'static str,
    pub minimum: Option<i64>,
    pub description: &'static str,
}

/// The schema of a body or an answer, generated when the document is built.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn any_object(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": "object" })
}

/// One endpoint of API v1.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    /// In `{param}` syntax, shared by axum and OpenAPI.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub access: Access,
    pub summary: &'static str,
    pub description: &'static str,
    pub query: &'static [Query],
    /// The JSON request body; none for bodiless requests.
    pub body: Option<SchemaFn>,
    /// The success status.
    pub status: u16,
    /// The JSON answer; none for 204.
    pub answer: Option<SchemaFn>,
    /// Error statuses beyond those the rest of the entry implies (401 with a
    /// token, 403 with a role, 404 with a path id, 400 and 422 with input).
    pub errors: &'static [u16],
}

/// The defaults that route entries fill in.
const R: Route = Route {
    method: "GET",
    path: "",
    operation_id: "",
    access: Access::Viewer,
    summary: "",
    description: "",
    query: &[],
    body: None,
    status: 200,
    answer: None,
    errors: &[],
};

const GET: &str = "GET";
const POST: &str = "POST";
const DELETE: &str = "DELETE";

/// Every route of API v1. Adding a route is adding an entry here.
#[rustfmt::skip]
pub const ROUTES: &[Route] = {
    use Access::*;
    &[
        Route { method: GET, path: "/v1/health", operation_id: "health", access: Public, answer: Some(schema::<Health>), summary: "Liveness and version",
            description: "Answers `{\"status\":\"ok\",\"version\":…}` while the server is up.", ..R },
        Route { method: GET, path: "/v1/whoami", operation_id: "whoami", access: Anyone, answer: Some(schema::<WhoAmI>), errors: &[403], summary: "The caller",
            description: "Who the bearer token belongs to: a person (with the token's role) or an agent (with its credential id). An agent credential that is refused answers 401 or 403 with the reason.", ..R },
        Route { method: POST, path: "/v1/tokens", operation_id: "createToken", access: Admin, body: Some(schema::<NewToken>), status: 201, answer: Some(schema::<IssuedToken>), errors: &[], summary: "Create a person token",
            description: "Creates a bearer token with a role, optionally speaking for a person (422 if that person is unknown) and expiring after `ttl_seconds` (absent: it works until revoked). The token is in this answer only; the server keeps its hash.", ..R },
        Route { method: GET, path: "/v1/tokens", operation_id: "listTokens", answer: Some(schema::<Vec<TokenInfo>>), summary: "List person tokens",
            description: "Person tokens with their role, person, origin, status and expiry, never a secret or hash. An admin sees every token; anyone else their own (the token used, and the other tokens of its person), the one used marked `current`.", ..R },
        Route { method: DELETE, path: "/v1/tokens/{id}", operation_id: "revokeToken", body: Some(schema::<Reason>), answer: Some(schema::<TokenInfo>), summary: "Revoke a person token",
            description: "Revokes a token with a reason: it is refused at once with 401 `token_revoked`, and the audit trail says who and why. An admin may revoke any token; anyone else only their own (403 otherwise). Revoking a revoked token changes nothing.", ..R },
        Route { method: POST, path: "/v1/people", operation_id: "createPerson", access: Admin, body: Some(schema::<NewPerson>), status: 201, answer: Some(schema::<Person>), errors: &[409], summary: "Add a person",
            description: "Adds a person to the directory. 409 if the email is taken; 422 if the manager is unknown.", ..R },
        Route { method: GET, path: "/v1/people", operation_id: "listPeople", answer: Some(schema::<Vec<Person>>), summary: "List people",
            description: "Every person in the directory, active and departed.", ..R },
        Route { method: POST, path: "/v1/people/{id}/offboard", operation_id: "offboardPerson", access: Admin, body: Some(schema::<Reason>), answer: Some(schema::<Person>), errors: &[], summary: "Offboard a person",
            description: "Marks the person departed, with a reason; the agents they own then need a new owner, and the person's own tokens stop working. Offboarding someone already departed changes nothing.", ..R },
        Route { method: POST, path: "/v1/agents", operation_id: "createAgent", access: Admin, body: Some(schema::<NewAgent>), status: 201, answer: Some(schema::<Agent>), errors: &[409], summary: "Register an agent",
            description: "Adds an agent to the inventory. 409 if the name is taken; 422 if the owner is unknown.", ..R },
        Route { method: GET, path: "/v1/agents", operation_id: "listAgents", query: AGENT_PAGE, answer: Some(schema::<AgentPage>), summary: "List agents",
            description: "One page of agents. Pass `next_cursor` back as `cursor` for the next page; it is absent on the last page.", ..R },
        Route { method: GET, path: "/v1/agents/{id}", operation_id: "getAgent", answer: Some(schema::<AgentDetail>), summary: "One agent, with everything attached",
            description: "The agent with its owner, credentials, grants, delegations (as child or parent) and alerts.", ..R },
        Route { method: POST, path: "/v1/agents/{id}/credentials", operation_id: "issueCredential", access: Admin, body: Some(schema::<NewCredential>), status: 201, answer: Some(schema::<IssuedCredential>), errors: &[409], summary: "Issue a credential",
            description: "Issues a credential to the agent. Without `ttl_seconds` it never expires. The secret is in this answer only; the server keeps its hash. 409 if the agent is killed, or `scope_exceeds_delegation` if the agent acts for someone (it has delegations) and a scope was not delegated to it.", ..R },
        Route { method: POST, path: "/v1/agents/{id}/grants", operation_id: "createGrant", access: Admin, body: Some(schema::<NewGrant>), status: 201, answer: Some(schema::<Grant>), errors: &[409], summary: "Grant a permission",
            description: "Grants the agent a scope on a resource at a level (`read`, `write`, `admin`). 409 if the agent is killed.", ..R },
        Route { method: DELETE, path: "/v1/agents/{id}/grants/{grant}", operation_id: "removeGrant", access: Admin, body: Some(schema::<Reason>), answer: Some(schema::<Grant>), errors: &[], summary: "Remove a grant",
            description: "Removes one of the agent's grants, with a reason: the audit trail says who removed it and why (`grant.remove`), and the changes feed lists it under `removed` (kind `grant`). Answers the grant as it was. 404 if the agent is unknown or holds no grant with that id; 422 without a reason. A killed agent's grants can be removed too.", ..R },
        Route { method: POST, path: "/v1/delegations", operation_id: "createDelegation", access: Admin, body: Some(schema::<NewDelegation>), status: 201, answer: Some(schema::<Delegation>), errors: &[409], summary: "Record a delegation",
            description: "Records that a parent (give `parent_agent` or `parent_person`) delegates scopes to `child_agent`, acting for `on_behalf_of`. 422 if a named agent or person is unknown, if the parent agent was not delegated every scope it passes on, or if the delegation would make a cycle; 409 if the child agent is killed, or the parent agent killed or suspended (`agent_suspended`). A delegation in a person's name needs that person's own token (any role from viewer up may delegate in its own name, nothing else), the person at the start of the parent agent's chain, or an admin's `approval` (recorded as the audit entry's reason): else 403 `consent_required`.", ..R },
        Route { method: POST, path: "/v1/agents/{id}/owner", operation_id: "setOwner", access: Responder, body: Some(schema::<NewOwner>), answer: Some(schema::<Agent>), errors: &[409], summary: "Reassign the owner",
            description: "Makes a person the agent's owner, with a reason. 404 if the agent is unknown; 422 if the person is unknown or has left; 409 if the agent is killed.", ..R },
        Route { method: POST, path: "/v1/agents/{id}/suspend", operation_id: "suspendAgent", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<Agent>), errors: &[409], summary: "Suspend (freeze) an agent",
            description: "Freezes the agent: its credentials are refused until it is resumed. Reversible. 409 if the agent is killed.", ..R },
        Route { method: POST, path: "/v1/agents/{id}/resume", operation_id: "resumeAgent", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<Agent>), errors: &[409], summary: "Resume a suspended agent",
            description: "Unfreezes the agent. 409 if the agent is killed: killing is final.", ..R },
        Route { method: POST, path: "/v1/agents/{id}/kill", operation_id: "killAgent", access: Responder, body: Some(schema::<KillRequest>), answer: Some(schema::<Operation>), errors: &[409], summary: "Kill an agent",
            description: "The kill switch: revokes every credential of the agent, marks it killed (final), fires the runtime hook configured for its runtime, and answers the operation with the result of each step. `cascade: true` does the same to every agent it delegated to, recursively. `dry_run: true` answers the planned operation and changes nothing.", ..R },
        Route { method: POST, path: "/v1/credentials/{id}/revoke", operation_id: "revokeCredential", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<Credential>), summary: "Revoke a credential",
            description: "Revokes one credential; the backend refuses it from then on.", ..R },
        Route { method: POST, path: "/v1/credentials/{id}/rotate", operation_id: "rotateCredential", access: Responder, body: Some(schema::<RotateRequest>), status: 201, answer: Some(schema::<RotatedCredential>), errors: &[409], summary: "Rotate a credential",
            description: "Issues a replacement for the credential: same agent, same scopes, and the same lifetime if it had one (a 30-day credential is replaced by a 30-day one). The new secret is in this answer only; the server keeps its hash. `previous` is the old credential as it now stands: with `grace_seconds` absent or 0 it is revoked at once; otherwise it keeps working until `grace_seconds` from now (or its own expiry, if sooner) and is then refused as `credential_expired`. 400 if `grace_seconds` is more than 2592000 (30 days); 409 `credential_revoked` if the credential is already revoked, `credential_replaced` if it was already rotated (rotate its replacement instead), `agent_killed` if its agent is killed.", ..R },
        Route { method: POST, path: "/v1/discoveries", operation_id: "reportDiscoveries", access: Discoverer, body: Some(schema::<DiscoveryReport>), answer: Some(schema::<DiscoveryOutcome>), summary: "Report the findings of a discovery scan",
            description: "What `warden discover --register` sends: the findings of one scan of one `source` (a host and what it scanned). Each finding becomes an unowned agent (kind `mcp-server`, `autonomous` for an A2A agent, `api-connector` for a Vault identity; environment `unknown`) labelled `origin=discovered` with `discovery.key`, `discovery.source`, `discovery.client`, `discovery.host`, `discovery.location`, `discovery.state` and the rest of its evidence; each plaintext secret becomes a credential of it holding only the secret's SHA-256 fingerprint (it never authenticates), so rule R07 links it to any other agent with the same key and R04 sees that it never expires. A finding named like an open R17 shadow agent takes that name, so the shadow is in the inventory. A finding already known by its `key` is updated, never duplicated; one the same source reported before and not now is labelled `discovery.state=gone` and its secrets' credentials revoked. 422 if a key repeats, a fingerprint is not 64 lowercase hex digits, or the report has over 10,000 findings.", ..R },
        Route { method: POST, path: "/v1/introspect", operation_id: "introspect", body: Some(schema::<IntrospectRequest>), answer: Some(schema::<Introspection>), summary: "Introspect an agent credential",
            description: "RFC 7662 token introspection: whether an agent credential, or an access token from `POST /v1/oauth/token`, is active, for whom and with which scopes; when it is not, `reason` says why if known. For an exchanged token the answer adds `sub`, `aud`, `act` (the chain, RFC 8693 §4.1), `iss`, `iat`, `jti`, `token_type`, and it is inactive as soon as any credential, agent or person token of its chain is revoked, suspended or killed. A person token of role `resource` (a service agents call) may introspect too.", ..R },
        Route { method: POST, path: "/v1/agent/heartbeat", operation_id: "heartbeat", access: AgentCredential, status: 204, summary: "Report that the agent is alive",
            description: "Records that the calling agent is alive. 401 or 403 with the reason when the credential is refused: `credential_revoked`, `credential_expired`, `agent_suspended`, `agent_killed`. This is how a killed agent learns it must stop.", ..R },
        Route { method: POST, path: "/v1/agent/events", operation_id: "reportEvents", access: AgentCredential, body: Some(schema::<Vec<AgentEvent>>), answer: Some(schema::<Accepted>), summary: "Report activity events",
            description: "The calling agent reports what it did, as an array of events; the answer counts those accepted. The rules run on them. An identity named in an event's `on_behalf_of` that is neither a registered agent nor a person gets a shadow entry in the inventory (label `origin=shadow`) and rule R17. 403 `chain_refused` (nothing stored) when a chain names a suspended or killed agent: nothing may be done on its behalf.", errors: &[403], ..R },
        Route { method: GET, path: "/v1/alerts", operation_id: "listAlerts", answer: Some(schema::<Vec<Alert>>), summary: "List alerts",
            description: "Alerts raised by the rules, open, acknowledged and resolved.", ..R },
        Route { method: GET, path: "/v1/alerts/{id}", operation_id: "getAlert", answer: Some(schema::<Alert>), summary: "One alert in full",
            description: "The alert with its evidence, mapping and the reasons given for it: what the lean first sync (`GET /v1/changes?since=0&form=lean`) leaves out, read when a dashboard opens the alert. 404 if there is no such alert.", ..R },
        Route { method: POST, path: "/v1/alerts/{id}/ack", operation_id: "ackAlert", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<Alert>), errors: &[409], summary: "Acknowledge an alert",
            description: "Acknowledges the alert, with a reason. 409 if it is resolved.", ..R },
        Route { method: POST, path: "/v1/alerts/{id}/snooze", operation_id: "snoozeAlert", access: Responder, body: Some(schema::<SnoozeRequest>), answer: Some(schema::<Alert>), errors: &[409], summary: "Snooze a Warden alert",
            description: "Quiets the alert for `seconds` (1 to 604800, 7 days), with a reason: it answers with `snoozed_until`, `snoozed_by` and `snooze_reason`, and the audit trail has `alert.snooze` with who and why. A snoozed alert is not counted as open and rings no bell. The snooze ends by itself at `snoozed_until`, at once when the alert escalates (its severity rises; an alert that resolved and fires again is a new alert, not snoozed), or by `unsnooze`; each end is audited as `alert.unsnooze`. Snoozing again replaces the snooze. 422 if `seconds` is 0 or more than 7 days or the reason is empty; 409 if the alert is resolved.", ..R },
        Route { method: POST, path: "/v1/alerts/{id}/unsnooze", operation_id: "unsnoozeAlert", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<Alert>), summary: "End an alert's snooze",
            description: "Ends the alert's snooze now, with a reason (audited as `alert.unsnooze`). An alert that is not snoozed is answered as it is.", ..R },
        Route { method: GET, path: "/v1/triage", operation_id: "triage", answer: Some(schema::<TriageReport>), summary: "The ownership triage queue",
            description: "Every agent that is not killed and has no owner, or whose owner has left, most urgent first (worst open alert, then highest grant level, then name). Each comes with up to 5 active people suggested as its owner, best first, each with the evidence that points at them and its points: who registered the agent (40), the people its delegations act for (30), the departed owner's manager (25; the next active manager up when that one left too, 15), active people on the departed owner's team or the team its `team` label names (10), and, below all of these because it is the agent's own claim, the people its events of the last `activity_days` days acted for (2 plus one per event, at most 8).", ..R },
        Route { method: GET, path: "/v1/changes", operation_id: "changes", query: CHANGES, answer: Some(schema::<AnyChanges>), summary: "What changed after a cursor",
            description: "Everything changed after cursor `since`, and the new cursor. `full: true` means the answer replaces the client's copy. With `wait`, the request is held until something changes or the time is up. With `form=summary` a full answer counts each agent's credentials and grants (`summaries`) instead of listing them, about a tenth of the bytes; its first answer is kept encoded by the server until the fleet changes, and lists the agents in name order (bytewise, then id) with `summaries` in the same order, so a client can take each agent's counts beside it (any order is valid JSON for the form; Warden's server keeps this one). `GET /v1/agents/{id}` and `GET /v1/credentials` list what it counted.", ..R },
        Route { method: GET, path: "/v1/credentials", operation_id: "listCredentials", query: CREDENTIAL_PAGE, answer: Some(schema::<Vec<Credential>>), summary: "Every credential",
            description: "Every credential of every agent, by id (the secret never: only its prefix). For a client that syncs in the summary form of `GET /v1/changes` and lists every credential. With `limit`, a page of them in id order, after `after`: ask again with the last id until a page is shorter than `limit` (a million credentials are about 300 MB of JSON at once; pages keep each answer and the client's memory small). 400 if `limit` is 0 or over 50000.", ..R },
        Route { method: GET, path: "/v1/audit", operation_id: "listAudit", query: AUDIT, answer: Some(schema::<Vec<AuditEntry>>), summary: "Audit entries",
            description: "The append-only, hash-chained audit trail, in `seq` order, after `after`: the first `limit` entries, or the last `tail`; `target` or `agent` keep only the entries about that id or agent.", errors: &[404], ..R },
        Route { method: GET, path: "/v1/audit/verify", operation_id: "verifyAudit", answer: Some(schema::<AuditVerification>), summary: "Verify the audit chain",
            description: "Recomputes the hash chain and checks it against the server's signed checkpoints; `ok` is true only if it is intact, else `first_bad` is the first entry that is missing or does not match, and `attack` names what the checkpoints show: `truncation` (entries cut from the end), `rewrite` (entries changed and rehashed), `fork` (two servers signed two histories), `rollback` (the database was restored from an older copy) or `bad_checkpoint`. `checkpoints` is how many were checked; absent when the server keeps none.", ..R },
        Route { method: GET, path: "/v1/audit/checkpoints", operation_id: "auditCheckpoints", answer: Some(schema::<AuditCheckpoints>), summary: "Signed checkpoints of the audit chain",
            description: "This server's Ed25519 public key, its signed checkpoints (sequence, head hash, time, database revision, signature), oldest first, and the chain's head and revision now: what `warden audit verify --checkpoints` checks a chain against without trusting the server.", ..R },
        Route { method: GET, path: "/v1/openapi.json", operation_id: "openapi", answer: Some(any_object), summary: "This document",
            description: "The OpenAPI 3.1 document of API v1.", ..R },
        Route { method: POST, path: "/v1/oauth/token", operation_id: "tokenExchange", access: Public, body: Some(schema::<crate::server::oauth::wire::TokenExchangeForm>), answer: Some(schema::<crate::server::oauth::wire::TokenExchangeAnswer>), summary: "Exchange a token for a delegated access token (RFC 8693)",
            description: "Token exchange, form-encoded: the acting agent presents its own credential as `actor_token` and the token it acts on as `subject_token` (a person's token, an agent credential, or a token issued here). The answer is a JWT access token (RFC 9068, EdDSA, keys at `/.well-known/jwks.json`) with `sub` (who started the chain), `act` (each agent, RFC 8693 §4.1), `scope`, `aud`, `exp` and `jti`. Its scopes are those asked for within the subject's and the recorded delegation's; it lives 15 minutes by default and never past the subject. Errors follow RFC 6749 §5.2 (`{\"error\", \"error_description\"}`, not the API's usual shape): `invalid_request` (a missing or refused token, no delegation, a chain deeper than `max_chain_depth`), `invalid_scope` (more than the chain holds), `invalid_target`, `invalid_client`, `unsupported_grant_type`. An escalation attempt or a chain too deep also raises R14. Derived tokens are refused by introspection and the agent API the moment any link of their chain is revoked, suspended or killed.", ..R },
        Route { method: POST, path: "/v1/oauth/keys/rotate", operation_id: "rotateTokenKey", access: Admin, body: Some(schema::<Reason>), answer: Some(any_object), errors: &[409], summary: "Rotate the access-token signing key",
            description: "A new Ed25519 key signs exchanged tokens from now on; the old one stays in `/.well-known/jwks.json` until the tokens it signed have expired. 409 when the keys come from `WARDEN_TOKEN_KEYS` (rotate them there).", ..R },
        Route { method: POST, path: "/v1/oauth/revoke", operation_id: "revokeExchangedToken", access: Anyone, body: Some(schema::<crate::server::oauth::wire::TokenRevocationForm>), answer: Some(schema::<crate::server::oauth::wire::TokenRevocationAnswer>), errors: &[400, 401, 403], summary: "Revoke an exchanged access token (RFC 7009)",
            description: "Form-encoded `token` (and optionally `token_type_hint=access_token` and `reason`): the token and every token exchanged from it are refused from now on by introspection and the agent API, audited as `token.exchange.revoke`. A responder or admin may revoke any token; an agent credential (or a token exchanged for it) only a token whose chain names its agent. A token that is not this server's, is expired or already revoked is answered 200 with nothing revoked (RFC 7009 §2.2). Errors follow RFC 6749 §5.2: `invalid_client` (401, no valid bearer token), `unauthorized_client` (403), `unsupported_token_type` (an agent credential or person token: revoke those at their own endpoints), `invalid_request`.", ..R },
        Route { method: GET, path: "/v1/guardrails", operation_id: "listGuardrails", answer: Some(schema::<crate::api::guardrails::Guardrails>), summary: "Guardrail policies and their actions",
            description: "The `[[serve.guardrail]]` policies of this server, and the automatic actions they planned on alerts: pending ones first (soonest `due_at` first), then the latest 100 finished (`done`, `stopped` by a person, `skipped` because a person acted on the agent or the alert resolved, `held` by the `max_per_hour` circuit breaker, or `failed`), each with its `outcome`.", ..R },
        Route { method: POST, path: "/v1/guardrails/{id}/stop", operation_id: "stopGuardrailAction", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<crate::api::guardrails::GuardrailAction>), errors: &[404, 409], summary: "Stop a pending guardrail action",
            description: "Stops a pending automatic action before it acts, with a reason, audited as `guardrail.stop` (the alert's timeline shows it). 409 if it is no longer pending.", ..R },
        Route { method: POST, path: "/v1/guardrails/{id}/run", operation_id: "runGuardrailAction", access: Responder, body: Some(schema::<Reason>), answer: Some(schema::<crate::api::guardrails::GuardrailAction>), errors: &[404, 409], summary: "Run a pending guardrail action now",
            description: "Carries out a pending automatic action at once instead of at `due_at`, with a reason, audited as `guardrail.run` by the responder; the action itself is audited with the policy (`guardrail:NAME`) as its actor. 409 if it is no longer pending.", ..R },
    ]
};

/// The error statuses that apply to a route.
pub fn error_statuses(route: &Route) -> Vec<u16> {
    let mut codes = route.errors.to_vec();
    if route.body.is_some() || !route.query.is_empty() {
        codes.push(400);
    }
    if route.access != Access::Public {
        codes.push(401);
    }
    if !matches!(route.access, Access::Public | Access::Anyone) {
        codes.push(403);
    }
    if route.path.contains('{') {
        codes.push(404);
    }
    if route.body.is_some() {
        codes.push(422);
    }
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The OpenAPI 3.1.0 document of API v1. Built once per process.
pub fn document() -> Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build).clone()
}

const SCHEMAS: &str = "/components/schemas";
const REF_PREFIX: &str = "#/components/schemas/";

fn generator(settings: SchemaSettings) -> SchemaGenerator {
    settings
        .with(|s| {
            s.definitions_path = SCHEMAS.into();
            s.meta_schema = None;
        })
        .into_generator()
}

fn build() -> Value {
    // Bodies are read by serde's Deserialize and answers written by its
    // Serialize; the two can differ (defaults make fields optional on input),
    // so each side gets its own generator and the definitions are merged.
    let mut inputs = generator(SchemaSettings::draft2020_12().for_deserialize());
    let mut outputs = generator(SchemaSettings::draft2020_12().for_serialize());

    let mut bodies: Vec<Option<Value>> = Vec::new();
    let mut answers: Vec<Option<Value>> = Vec::new();
    for route in ROUTES {
        bodies.push(route.body.map(|f| f(&mut inputs).to_value()));
        answers.push(route.answer.map(|f| f(&mut outputs).to_value()));
    }
    let error = outputs.subschema_for::<ErrorBody>().to_value();

    let schemas = merge_definitions(
        outputs.take_definitions(true),
        inputs.take_definitions(true),
        &mut bodies,
    );

    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for ((route, body), answer) in ROUTES.iter().zip(bodies).zip(answers) {
        paths.entry(route.path).or_default().insert(
            route.method.to_ascii_lowercase(),
            operation(route, body, answer),
        );
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Warden API",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Governance of AI agents as identities.",
            "description": "API v1 of a Warden backend: the inventory of agents, their owners, \
                credentials, grants and delegations; alerts; the kill switch; and the \
                hash-chained audit trail. Every request needs a bearer token except \
                `GET /v1/health`. Person tokens carry a role: `viewer` reads, `responder` \
                reads and acts, `admin` does everything, including registering people, agents \
                and tokens. Agent credentials can only report their own agent's heartbeat and \
                events. Errors are JSON: `{\"error\": {\"code\": \"not_found\", \"message\": \"…\"}}`.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A person token (from `POST /v1/tokens`) or an agent credential \
                        secret (from `POST /v1/agents/{id}/credentials`)."
                }
            },
            "responses": error_responses(&error),
            "schemas": schemas,
        }
    })
}

/// Puts both generators' definitions under one namespace. A name whose
/// input schema differs from its output schema keeps the output schema and
/// the input gets the name with `Input` appended; references on the input
/// side (in definitions and in `bodies`) are rewritten to match.
fn merge_definitions(
    outputs: Map<String, Value>,
    inputs: Map<String, Value>,
    bodies: &mut [Option<Value>],
) -> Map<String, Value> {
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    // A rename changes the schemas that refer to the renamed one, which may
    // then differ too: repeat until nothing more is renamed.
    loop {
        let mut changed = false;
        for (name, input) in &inputs {
            if renamed.contains_key(name) {
                continue;
            }
            let Some(output) = outputs.get(name) else {
                continue;
            };
            let mut input = input.clone();
            rewrite_refs(&mut input, &renamed);
            if &input != output {
                let mut new_name = format!("{name}Input");
                let mut n = 2;
                while outputs.contains_key(&new_name)
                    || inputs.contains_key(&new_name)
                    || renamed.values().any(|v| v == &new_name)
                {
                    new_name = format!("{name}Input{n}");
                    n += 1;
                }
                renamed.insert(name.clone(), new_name);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let mut all = outputs;
    for (name, mut input) in inputs {
        rewrite_refs(&mut input, &renamed);
        match renamed.get(&name) {
            Some(new_name) => {
                all.insert(new_name.clone(), input);
            }
            None => {
                all.entry(name).or_insert(input);
            }
        }
    }
    for body in bodies.iter_mut().flatten() {
        rewrite_refs(body, &renamed);
    }
    all
}

fn rewrite_refs(value: &mut Value, renamed: &BTreeMap<String, String>) {
    if renamed.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(r) if key == "$ref" => {
                        let target = r.strip_prefix(REF_PREFIX).and_then(|n| renamed.get(n));
                        if let Some(new_name) = target {
                            *r = format!("{REF_PREFIX}{new_name}");
                        }
                    }
                    _ => rewrite_refs(v, renamed),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renamed)),
        _ => {}
    }
}

fn error_name(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => (
            "BadRequest",
            "The body or a query parameter could not be read (`bad_request`).",
        ),
        401 => (
            "Unauthorized",
            "No bearer token, or one that is unknown, revoked or expired (`unauthorized`, \
             `credential_revoked`, `credential_expired`).",
        ),
        403 => (
            "Forbidden",
            "The token may not do this: its role is too low, it is the wrong kind of token, or \
             its agent is suspended or killed (`forbidden`, `agent_suspended`, `agent_killed`).",
        ),
        404 => (
            "NotFound",
            "An object named in the path or the body does not exist (`not_found`).",
        ),
        409 => (
            "Conflict",
            "The request conflicts with the current state, e.g. a name that is taken or an \
             agent that is killed (`conflict`).",
        ),
        422 => (
            "Unprocessable",
            "The body is well-formed but invalid (`unprocessable`).",
        ),
        _ => ("Error", "An error."),
    }
}

const ERROR_STATUSES: &[u16] = &[400, 401, 403, 404, 409, 422];

fn error_responses(error: &Value) -> Value {
    let mut responses = Map::new();
    for &status in ERROR_STATUSES {
        let (name, description) = error_name(status);
        responses.insert(
            name.to_owned(),
            json!({
                "description": description,
                "content": { "application/json": { "schema": error } }
            }),
        );
    }
    Value::Object(responses)
}

fn path_parameter_description(path: &str, param: &str) -> String {
    // The segment before `{id}` names the collection.
    let collection = path
        .split('/')
        .take_while(|s| *s != format!("{{{param}}}"))
        .last()
        .unwrap_or("");
    let what = match collection {
        "agents" => "agent",
        "people" => "person",
        "credentials" => "credential",
        "alerts" => "alert",
        "grants" => "grant",
        _ => "object",
    };
    format!("The {what}'s id.")
}

fn operation(route: &Route, body: Option<Value>, answer: Option<Value>) -> Value {
    let mut parameters = Vec::new();
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            parameters.push(json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": path_parameter_description(route.path, name),
                "schema": { "type": "string" }
            }));
        }
    }
    for query in route.query {
        let mut schema = json!({ "type": query.ty });
        if let Some(minimum) = query.minimum {
            schema["minimum"] = json!(minimum);
        }
        parameters.push(json!({
            "name": query.name,
            "in": "query",
            "required": false,
            "description": query.description,
            "schema": schema
        }));
    }

    let mut responses = Map::new();
    let success = match route.status {
        201 => "Created.",
        204 => "Done; no body.",
        _ => "Success.",
    };
    let mut ok = json!({ "description": success });
    if let Some(answer) = answer {
        ok["content"] = json!({ "application/json": { "schema": answer } });
    }
    responses.insert(route.status.to_string(), ok);
    for status in error_statuses(route) {
        let (name, _) = error_name(status);
        responses.insert(
            status.to_string(),
            json!({ "$ref": format!("#/components/responses/{name}") }),
        );
    }

    let tag = route
        .path
        .trim_start_matches("/v1/")
        .split(['/', '.'])
        .next()
        .unwrap_or("");
    let mut op = json!({
        "operationId": route.operation_id,
        "summary": route.summary,
        "description": format!("{}\n\n**Access:** {}", route.description, route.access.describe()),
        "tags": [tag],
        "x-warden-access": route.access.name(),
        "responses": responses,
    });
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = body {
        // RFC 6749 §3.2: the token endpoint takes a form, not JSON.
        let media = if route.path.starts_with("/v1/oauth/") && route.path != "/v1/oauth/keys/rotate"
        {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        op["requestBody"] = json!({
            "required": true,
            "content": { media: { "schema": body } }
        });
    }
    if route.access == Access::Public {
        op["security"] = json!([]);
    }
    op
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
        let mut routes = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths is an object") {
            for method in item.as_object().expect("path item is an object").keys() {
                routes.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
        routes
    }

    #[test]
    fn the_token_endpoint_is_public_and_takes_a_form() {
        let doc = document();
        let op = &doc["paths"]["/v1/oauth/token"]["post"];
        let form = &op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
        assert!(form.is_object(), "{op}");
        assert_eq!(op["x-warden-access"], "public");
        let answer = op["responses"]["200"].to_string();
        assert!(answer.contains("TokenExchangeAnswer"), "{answer}");
    }

    #[test]
    fn document_is_openapi_3_1() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string());
        assert!(doc["info"]["version"].is_string());
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.keys().all(|p| p.starts_with("/v1/")));
        assert_eq!(documented_routes(&doc).len(), ROUTES.len());
        assert!(doc["components"]["schemas"]["Agent"].is_object());
        assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }

    #[test]
    fn every_ref_resolves_inside_the_document() {
        let doc = document();
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(all.len() > 20, "expected many $refs, got {}", all.len());
        for r in all {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{r} is not local"));
            assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn routes_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for route in ROUTES {
            assert!(
                seen.insert((route.method, route.path)),
                "{} {} twice",
                route.method,
                route.path
            );
            assert!(
                ids.insert(route.operation_id),
                "{} twice",
                route.operation_id
            );
            assert!(route.path.starts_with("/v1/"), "{}", route.path);
            assert!(!route.summary.is_empty() && !route.description.is_empty());
            assert_eq!(
                route.status == 204,
                route.answer.is_none(),
                "{}",
                route.path
            );
        }
    }

    #[test]
    fn operations_carry_status_access_and_errors() {
        let doc = document();
        let op = |method: &str, path: &str| doc["paths"][path][method].clone();

        let health = op("get", "/v1/health");
        assert_eq!(health["security"], json!([]));
        assert!(health["responses"]["401"].is_null());

        let kill = op("post", "/v1/agents/{id}/kill");
        assert_eq!(kill["x-warden-access"], "responder");
        assert!(kill["description"].as_str().unwrap().contains("dry_run"));
        assert_eq!(
            kill["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/KillRequest"
        );
        assert_eq!(
            kill["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Operation"
        );
        for status in ["400", "401", "403", "404", "409", "422"] {
            assert!(kill["responses"][status]["$ref"].is_string(), "{status}");
        }
        assert_eq!(kill["parameters"][0]["in"], "path");

        for (path, schema) in [
            ("/v1/tokens", "IssuedToken"),
            ("/v1/people", "Person"),
            ("/v1/agents", "Agent"),
            ("/v1/agents/{id}/credentials", "IssuedCredential"),
            ("/v1/credentials/{id}/rotate", "RotatedCredential"),
            ("/v1/agents/{id}/grants", "Grant"),
            ("/v1/delegations", "Delegation"),
        ] {
            let created = &op("post", path)["responses"]["201"];
            assert_eq!(
                created["content"]["application/json"]["schema"]["$ref"],
                format!("#/components/schemas/{schema}"),
                "{path}"
            );
        }

        let heartbeat = op("post", "/v1/agent/heartbeat");
        assert!(heartbeat["responses"]["204"].is_object());
        assert!(heartbeat["responses"]["204"]["content"].is_null());
        assert_eq!(heartbeat["x-warden-access"], "agent");

        let events = op("post", "/v1/agent/events");
        let body = &events["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["type"], "array");
        assert_eq!(body["items"]["$ref"], "#/components/schemas/AgentEvent");

        let names = |op: &Value| -> Vec<String> {
            op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| p["name"].as_str().unwrap_or("").to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(names(&op("get", "/v1/agents")), ["limit", "cursor"]);
        assert_eq!(names(&op("get", "/v1/changes")), ["since", "wait", "form"]);
        assert_eq!(
            names(&op("get", "/v1/audit")),
            [
                "after", "limit", "tail", "target", "agent", "actor", "action", "since", "until",
                "format"
            ]
        );
        assert_eq!(op("get", "/v1/whoami")["x-warden-access"], "any");
        assert_eq!(op("post", "/v1/tokens")["x-warden-access"], "admin");
        assert_eq!(op("get", "/v1/alerts")["x-warden-access"], "viewer");
        let triage = op("get", "/v1/triage");
        assert_eq!(triage["x-warden-access"], "viewer");
        assert_eq!(
            triage["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/TriageReport"
        );
        assert!(doc["components"]["schemas"]["Suggestion"].is_object());
    }

    #[test]
    fn the_triage_description_states_the_weights_in_use() {
        use crate::server::triage::rank::*;
        let route = ROUTES
            .iter()
            .find(|r| r.path == "/v1/triage")
            .expect("the triage route");
        for fragment in [
            format!("who registered the agent ({CREATOR})"),
            format!("its delegations act for ({DELEGATION})"),
            format!("({ACTIVITY_BASE} plus one per event, at most {ACTIVITY_MAX})"),
            format!("the departed owner's manager ({MANAGER};"),
            format!("when that one left too, {MANAGER_ABOVE})"),
            format!("its `team` label names ({TEAM})"),
            format!("up to {MAX_SUGGESTIONS} active people"),
        ] {
            assert!(
                route.description.contains(&fragment),
                "{fragment:?} is not in: {}",
                route.description
            );
        }
    }

    #[test]
    fn differing_input_schemas_get_their_own_name() {
        let outputs: Map<String, Value> = serde_json::from_value(json!({
            "A": { "type": "object", "required": ["x"] },
            "B": { "$ref": "#/components/schemas/A" },
            "C": { "type": "string" }
        }))
        .unwrap();
        let inputs: Map<String, Value> = serde_json::from_value(json!({
            "A": { "type": "object" },
            "B": { "$ref": "#/components/schemas/A" },
            "C": { "type": "string" }
        }))
        .unwrap();
        let mut bodies = vec![Some(json!({ "$ref": "#/components/schemas/B" }))];
        let all = merge_definitions(outputs, inputs, &mut bodies);
        assert_eq!(all["A"], json!({ "type": "object", "required": ["x"] }));
        assert_eq!(all["AInput"], json!({ "type": "object" }));
        assert_eq!(all["BInput"]["$ref"], "#/components/schemas/AInput");
        assert_eq!(all["B"]["$ref"], "#/components/schemas/A");
        assert!(all.get("CInput").is_none());
        assert_eq!(
            bodies[0].as_ref().unwrap()["$ref"],
            "#/components/schemas/BInput"
        );
    }

    #[test]
    fn the_router_registers_routes() {
        assert!(
            !crate::server::routes::registered_routes().is_empty(),
            "registered_routes() is empty: the route comparison would pass vacuously"
        );
    }

    #[test]
    fn document_and_router_agree() {
        let registered: BTreeSet<(String, String)> = crate::server::routes::registered_routes()
            .into_iter()
            .map(|(m, p)| (m.to_ascii_uppercase(), p.to_owned()))
            .collect();
        assert!(!registered.is_empty(), "the router registers no routes");
        let documented = documented_routes(&document());
        let undocumented: Vec<_> = registered.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&registered).collect();
        assert!(
            undocumented.is_empty() && unserved.is_empty(),
            "served but not documented: {undocumented:?}; documented but not served: {unserved:?}"
        );
    }
}

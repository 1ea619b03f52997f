//! The query parameters of the routes that take them, as the OpenAPI
//! document describes them.

use super::Query;

pub(super) const AGENT_PAGE: &[Query] = &[
    Query {
        name: "limit",
        ty: "integer",
        minimum: Some(1),
        description: "The most agents to answer; the server caps it.",
    },
    Query {
        name: "cursor",
        ty: "string",
        minimum: None,
        description: "`next_cursor` from the previous page; absent for the first page.",
    },
];

pub(super) const CHANGES: &[Query] = &[
    Query {
        name: "since",
        ty: "integer",
        minimum: Some(0),
        description: "The cursor of the client's copy; 0 (the default) for everything.",
    },
    Query {
        name: "wait",
        ty: "integer",
        minimum: Some(0),
        description: "Seconds to hold the request open until something changes (long poll); \
                      0 (the default) answers at once.",
    },
    Query {
        name: "form",
        ty: "string",
        minimum: None,
        description: "`full` (the default): every credential and grant in full. `summary`: a full \
                      answer lists none and counts them per agent in `summaries` (credentials, \
                      live ones, the soonest live expiry, grants, the highest level); a later \
                      answer lists the credentials and grants that changed and the counts of \
                      every agent it touches. `summary: true` in the answer says which form it is. \
                      `lean`: the first answer only (`since=0`, else 400), what a dashboard's \
                      tables need in the fewest bytes: each agent's counts inside it, labels as \
                      a place in `label_sets`, times as milliseconds since the epoch, nulls and \
                      zeros left out, alerts without evidence, mapping and reasons (`GET \
                      /v1/alerts/{id}` has them); `form: \"lean\"` in the answer and the header \
                      `X-Warden-Form: lean` say it is.",
    },
];

pub(super) const AUDIT: &[Query] = &[
    Query {
        name: "after",
        ty: "integer",
        minimum: Some(0),
        description: "Answer the entries whose `seq` is greater than this; 0 (the default) from the start.",
    },
    Query {
        name: "limit",
        ty: "integer",
        minimum: Some(1),
        description: "At most this many entries, the first after `after` (default 1000, at most 10000).",
    },
    Query {
        name: "tail",
        ty: "integer",
        minimum: Some(1),
        description: "The last this many entries after `after` instead of the first, still in `seq` \
                      order (at most 10000); not together with `limit`.",
    },
    Query {
        name: "target",
        ty: "string",
        minimum: None,
        description: "Only entries whose target names this id (an agent, a credential, an alert…) \
                      as a whole word.",
    },
    Query {
        name: "agent",
        ty: "string",
        minimum: None,
        description: "Only entries about this agent (id or unique name) or one of its credentials: \
                      its trail. 404 if there is no such agent.",
    },
    Query {
        name: "actor",
        ty: "string",
        minimum: None,
        description: "Only entries by this actor, exactly, or by this person through any of their tokens (the actor before ` (token …)`).",
    },
    Query {
        name: "action",
        ty: "string",
        minimum: None,
        description: "Only this action (`agent.kill`), or every action under a prefix ending in `.` or `*` (`credential.`, `alert.*`).",
    },
    Query {
        name: "since",
        ty: "string",
        minimum: None,
        description: "Only entries written at or after this time (RFC 3339).",
    },
    Query {
        name: "until",
        ty: "string",
        minimum: None,
        description: "Only entries written before this time (RFC 3339).",
    },
    Query {
        name: "format",
        ty: "string",
        minimum: None,
        description: "`jsonl` (or `ndjson`), `ocsf` or `cef`: a stream of one event a line (`application/x-ndjson`; CEF as `text/plain`) instead of a JSON array, also asked for with `Accept: application/x-ndjson`. A stream has no default `limit`: it runs to the head the chain had when the request came (header `X-Warden-Audit-Head`); each line carries its `seq` (OCSF: `metadata.sequence`, CEF: `externalId`), the cursor to pass as `after` to go on.",
    },
];

pub(super) const CREDENTIAL_PAGE: &[Query] = &[
    Query {
        name: "after",
        ty: "string",
        minimum: None,
        description: "Only credentials whose id sorts after this one: the last id of the previous page (keyset paging).",
    },
    Query {
        name: "limit",
        ty: "integer",
        minimum: Some(1),
        description: "The most credentials to answer, 1 to 50000; absent for all of them. A page shorter than `limit` is the last.",
    },
];

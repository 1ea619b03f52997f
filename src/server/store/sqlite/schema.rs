//! The SQLite schema, as numbered migrations. `PRAGMA user_version` records
//! how many have run; each runs once, in its own transaction.

use rusqlite::Connection;

/// Append only: a migration, once released, is never edited.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta (key, value) VALUES ('rev', 0), ('audit_head', 0);

    CREATE TABLE people (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        team TEXT,
        manager_id TEXT REFERENCES people(id),
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        departed_at INTEGER,
        rev INTEGER NOT NULL
    );
    CREATE INDEX people_rev ON people(rev);

    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        person_id TEXT REFERENCES people(id),
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
    );

    CREATE TABLE agents (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        environment TEXT NOT NULL,
        owner_id TEXT REFERENCES people(id),
        description TEXT,
        runtime TEXT,
        labels TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        rev INTEGER NOT NULL
    );
    CREATE INDEX agents_rev ON agents(rev);
    CREATE INDEX agents_owner ON agents(owner_id);

    CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id),
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        scopes TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_used_at INTEGER,
        status TEXT NOT NULL,
        revoked_at INTEGER,
        revoked_reason TEXT,
        rev INTEGER NOT NULL
    );
    CREATE INDEX credentials_agent ON credentials(agent_id);
    CREATE INDEX credentials_rev ON credentials(rev);

    CREATE TABLE grants (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id),
        resource TEXT NOT NULL,
        scope TEXT NOT NULL,
        level TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        last_used_at INTEGER,
        rev INTEGER NOT NULL
    );
    CREATE INDEX grants_agent ON grants(agent_id);
    CREATE INDEX grants_rev ON grants(rev);

    CREATE TABLE delegations (
        id TEXT PRIMARY KEY,
        parent_agent TEXT REFERENCES agents(id),
        parent_person TEXT REFERENCES people(id),
        child_agent TEXT NOT NULL REFERENCES agents(id),
        on_behalf_of TEXT REFERENCES people(id),
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        rev INTEGER NOT NULL
    );
    CREATE INDEX delegations_parent ON delegations(parent_agent);
    CREATE INDEX delegations_child ON delegations(child_agent);
    CREATE INDEX delegations_rev ON delegations(rev);

    CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        agent_id TEXT REFERENCES agents(id),
        rule TEXT NOT NULL,
        cause TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT NOT NULL,
        evidence TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        acknowledged_by TEXT,
        ack_reason TEXT,
        resolved_at INTEGER,
        rev INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX alerts_live_cause ON alerts(rule, cause) WHERE status != 'resolved';
    CREATE INDEX alerts_agent ON alerts(agent_id);
    CREATE INDEX alerts_rev ON alerts(rev);

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        scope TEXT,
        result TEXT,
        on_behalf_of TEXT NOT NULL,
        interactive INTEGER NOT NULL
    );
    CREATE INDEX events_agent_at ON events(agent_id, at);

    CREATE TABLE operations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        steps TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
    );
    CREATE INDEX operations_unfinished ON operations(status) WHERE finished_at IS NULL;

    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        reason TEXT,
        result TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );

    CREATE TABLE removed (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        rev INTEGER NOT NULL
    );
    CREATE INDEX removed_rev ON removed(rev);
    "#,
    // 2: the rule engine. The risks an alert maps to; when its rule last saw
    // its cause (bookkeeping for self-resolution, not part of the feed); a
    // credential fingerprint reported by a discovery source; the indexes
    // the sweep's set-based queries use (so none of them reads the whole
    // fleet to find a few rows); per-minute activity, the destinations each
    // agent has used, and refused attempts (R18).
    r#"
    ALTER TABLE alerts ADD COLUMN mapping TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE alerts ADD COLUMN seen_at INTEGER;
    UPDATE alerts SET mapping = '["ASI10"]' WHERE rule = 'R18';

    ALTER TABLE credentials ADD COLUMN fingerprint TEXT;
    CREATE INDEX credentials_fingerprint ON credentials(fingerprint)
        WHERE fingerprint IS NOT NULL;
    CREATE INDEX credentials_no_expiry ON credentials(agent_id)
        WHERE status = 'active' AND expires_at IS NULL;
    CREATE INDEX credentials_active_issued ON credentials(issued_at) WHERE status = 'active';
    CREATE INDEX grants_granted ON grants(granted_at);
    CREATE INDEX grants_privileged_use ON grants(COALESCE(last_used_at, granted_at))
        WHERE level IN ('write', 'admin');
    CREATE INDEX agents_last_active ON agents(COALESCE(last_seen_at, created_at))
        WHERE status != 'killed';
    CREATE INDEX agents_mcp_servers ON agents(seq) WHERE kind = 'mcp-server';
    CREATE INDEX delegations_person ON delegations(parent_person);
    CREATE INDEX delegations_on_behalf ON delegations(on_behalf_of);

    CREATE TABLE activity_minutes (
        agent_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        calls INTEGER NOT NULL,
        PRIMARY KEY (agent_id, minute)
    );
    CREATE INDEX activity_minutes_minute ON activity_minutes(minute);

    CREATE TABLE known_destinations (
        agent_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        PRIMARY KEY (agent_id, destination)
    );

    CREATE TABLE refused_attempts (
        agent_id TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        last_credential TEXT NOT NULL
    );
    "#,
    // 3: the secrets agents say they present to their targets (R07): the
    // latest fingerprint reported per credential and destination, so a key
    // rotated at the target replaces the old one; and, found as it is
    // reported, the Warden credential whose secret it is, if it is one. The
    // indexes let the sweep find shared fingerprints without a pass over
    // every row.
    r#"
    CREATE TABLE presented_secrets (
        credential_id TEXT NOT NULL REFERENCES credentials(id),
        destination TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        warden_credential TEXT,
        PRIMARY KEY (credential_id, destination)
    );
    CREATE INDEX presented_secrets_fingerprint
        ON presented_secrets(fingerprint, credential_id);
    CREATE INDEX presented_secrets_warden ON presented_secrets(fingerprint)
        WHERE warden_credential IS NOT NULL;
    "#,
    // 4: people are looked up by email with lower() on both sides, which
    // PostgreSQL's SQL shares; this index serves it.
    r#"
    CREATE INDEX people_email_lower ON people(lower(email));
    "#,
    // 5: the credential that replaced this one (`POST
    // /v1/credentials/{id}/rotate`), so a credential is replaced once: a
    // second rotation would take the grace period for its lifetime.
    r#"
    ALTER TABLE credentials ADD COLUMN replaced_by TEXT;
    "#,
    // 6: person tokens are first-class: an optional expiry, revocation
    // (when, by whom, why) instead of deletion, and where the token came
    // from: `api` (POST /v1/tokens), `bootstrap` (WARDEN_ADMIN_TOKEN, so a
    // new value can retire the old one) or `session` (minted by Warden for
    // its own in-process dashboard, demo or bench). Rows from before are
    // told apart by who created them.
    r#"
    ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
    ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
    ALTER TABLE tokens ADD COLUMN revoked_by TEXT;
    ALTER TABLE tokens ADD COLUMN revoked_reason TEXT;
    ALTER TABLE tokens ADD COLUMN origin TEXT NOT NULL DEFAULT 'api';
    UPDATE tokens SET origin = 'bootstrap' WHERE created_by = 'WARDEN_ADMIN_TOKEN';
    UPDATE tokens SET origin = 'session' WHERE created_by IN ('local-dashboard', 'demo', 'bench');
    "#,
    // 7: each agent name's UTS #39 skeleton, so a registration finds a
    // look-alike by index instead of reading every name. Rows from before
    // (and bulk imports) are filled by the first registration that needs
    // them.
    r#"
    ALTER TABLE agents ADD COLUMN skeleton TEXT;
    CREATE INDEX agents_skeleton ON agents(skeleton);
    "#,
    // 8: Warden alerts can be snoozed (`POST /v1/alerts/{id}/snooze`):
    // until when, by whom, why. The index finds the snoozes that end
    // without reading every alert.
    r#"
    ALTER TABLE alerts ADD COLUMN snoozed_until INTEGER;
    ALTER TABLE alerts ADD COLUMN snoozed_by TEXT;
    ALTER TABLE alerts ADD COLUMN snooze_reason TEXT;
    CREATE INDEX alerts_snoozed ON alerts(snoozed_until) WHERE snoozed_until IS NOT NULL;
    "#,
    // 9: which relay reported which shadow entry (R17), so an agent's
    // detail lists the unregistered identities it acts for by index.
    r#"
    CREATE TABLE shadow_sightings (
        shadow_id TEXT NOT NULL,
        relay_id TEXT NOT NULL,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        events INTEGER NOT NULL,
        PRIMARY KEY (shadow_id, relay_id)
    );
    CREATE INDEX shadow_sightings_relay ON shadow_sightings(relay_id);
    "#,
    // 10: access tokens issued by RFC 8693 token exchange (issue #17): the
    // chain each one was derived through (the credentials and the person
    // token whose revocation must end it), so introspection and the agent
    // API refuse it the moment any link is revoked, suspended or killed.
    r#"
    CREATE TABLE exchanged_tokens (
        jti TEXT PRIMARY KEY,
        sub TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        actor_agent TEXT NOT NULL,
        act_chain TEXT NOT NULL,
        credentials TEXT NOT NULL,
        person_token TEXT,
        parent_jti TEXT,
        scopes TEXT NOT NULL,
        audience TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX exchanged_tokens_expiry ON exchanged_tokens(expires_at);
    CREATE INDEX exchanged_tokens_actor ON exchanged_tokens(actor_agent);
    "#,
    // Real-time detection (issue 20): the lease that lets one server of
    // several run the scheduled rules, and the index that finds the next
    // credential to expire without reading every credential.
    r#"
    CREATE TABLE rule_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        until_at INTEGER NOT NULL
    );
    CREATE INDEX credentials_active_expiry ON credentials(expires_at)
        WHERE status = 'active' AND expires_at IS NOT NULL;
    "#,
    // Guardrails (issue 20): each automatic action a policy planned on an
    // alert, from pending (in its grace period) to done, stopped by a
    // person, skipped, held by the circuit breaker, or failed. One per
    // policy and alert; `since_seq` is the audit head when it was planned,
    // so a person's action on the agent in the grace period is found by
    // reading only the entries after it.
    r#"
    CREATE TABLE guardrail_actions (
        id TEXT PRIMARY KEY,
        policy TEXT NOT NULL,
        action TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        credentials TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        since_seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        finished_at INTEGER,
        outcome TEXT,
        decided_by TEXT
    );
    CREATE UNIQUE INDEX guardrail_actions_alert ON guardrail_actions(policy, alert_id);
    CREATE INDEX guardrail_actions_pending ON guardrail_actions(due_at) WHERE status = 'pending';
    CREATE INDEX guardrail_actions_policy ON guardrail_actions(policy, finished_at);
    "#,
    // RFC 7009 (issue 17): an exchanged token revoked on its own, and by
    // whom; the tokens derived from it are revoked in the same write.
    r#"
    ALTER TABLE exchanged_tokens ADD COLUMN revoked_at INTEGER;
    ALTER TABLE exchanged_tokens ADD COLUMN revoked_by TEXT;
    CREATE INDEX exchanged_tokens_parent ON exchanged_tokens(parent_jti);
    "#,
];

/// Brings the database up to the newest schema. Refuses a database written
/// by a newer Warden rather than guessing at its shape.
pub fn migrate(conn: &mut Connection) -> Result<(), String> {
    let version: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(|e| e.to_string())? as usize;
    if version > MIGRATIONS.len() {
        return Err(format!(
            "the database has schema version {version}, newer than this Warden knows ({}); upgrade Warden",
            MIGRATIONS.len()
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(sql)
            .map_err(|e| format!("migration {} failed: {e}", i + 1))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_again_is_a_no_op() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
    }

    #[test]
    fn tokens_from_before_migration_6_get_their_origin() {
        let mut c = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS.iter().enumerate().take(5) {
            c.execute_batch(sql).unwrap();
            c.pragma_update(None, "user_version", (i + 1) as i64)
                .unwrap();
        }
        for (id, by) in [
            ("tok_boot", "WARDEN_ADMIN_TOKEN"),
            ("tok_dash", "local-dashboard"),
            ("tok_api", "token:bootstrap-admin"),
        ] {
            c.execute(
                "INSERT INTO tokens (id, name, role, person_id, hash, prefix, created_at, \
                 created_by) VALUES (?1, ?1, 'admin', NULL, ?1, 'p', 0, ?2)",
                [id, by],
            )
            .unwrap();
        }
        migrate(&mut c).unwrap();
        let origins: Vec<(String, String)> = c
            .prepare("SELECT id, origin FROM tokens WHERE revoked_at IS NULL ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want = [
            ("tok_api", "api"),
            ("tok_boot", "bootstrap"),
            ("tok_dash", "session"),
        ];
        assert_eq!(origins, want.map(|(a, b)| (a.to_string(), b.to_string())));
    }

    #[test]
    fn refuses_a_newer_database() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        assert!(migrate(&mut c).unwrap_err().contains("newer"));
    }
}

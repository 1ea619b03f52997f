//! The unclaimed identities screen's rows: every Vault identity no agent
//! claims, the riskiest first (root, then never expiring, then the
//! oldest), rebuilt only when the fleet changes; the selection follows the
//! identity. Each row keeps the identity as a credential with no agent,
//! so `x` revokes it like any credential. `/` keeps the rows that match
//! ([`FIELDS`]).

use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::fleet::state::Fleet;
use crate::tui::components::list_filter::ListFilter;
use crate::fleet::vault::MachineIdentity;
use crate::model::{Credential, CredentialStatus};
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::cmp::Reverse;

#[derive(Debug, Default)]
pub struct UnclaimedList {
    /// In display order, the filter applied.
    pub rows: Vec<MachineIdentity>,
    /// Every row in display order, before the filter.
    sorted: Vec<MachineIdentity>,
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    pub sel: Selection,
    /// The selected row as a credential, for `x`: none for an entity.
    pub credential: Option<Credential>,
    built_for: Option<u64>,
}

impl UnclaimedList {
    /// Rebuilds the rows if the fleet changed since the last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for != Some(fleet.generation) {
            self.built_for = Some(fleet.generation);
            self.sort(fleet);
            self.filtered_with = None;
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let filter = &self.filter;
        self.rows = self
            .sorted
            .iter()
            .filter(|r| filter.is_empty() || filter.keeps(&IdentityFields(r)))
            .cloned()
            .collect();
        self.filter.counted(self.rows.len(), self.sorted.len());
        let rows = &self.rows;
        self.sel.restore(
            rows.len(),
            |id| rows.iter().position(|r| r.id == id),
            |i| rows.get(i).map(|r| r.id.clone()),
        );
        self.select_credential();
    }

    fn sort(&mut self, fleet: &Fleet) {
        let mut rows: Vec<MachineIdentity> = fleet.unclaimed().cloned().collect();
        rows.sort_by(|a, b| {
            (Reverse(a.root), Reverse(a.no_expiry), a.created, &a.id).cmp(&(
                Reverse(b.root),
                Reverse(b.no_expiry),
                b.created,
                &b.id,
            ))
        });
        self.sorted = rows;
    }

    pub fn selected(&self) -> Option<&MachineIdentity> {
        self.rows.get(self.sel.selected)
    }

    fn select_credential(&mut self) {
        self.credential = self.selected().and_then(|i| {
            i.credential_ref()?;
            Some(Credential {
                id: i.id.clone(),
                agent_id: String::new(),
                scopes: i.policies.clone(),
                prefix: i.name.chars().take(24).collect(),
                issued_at: i.created.unwrap_or_default(),
                expires_at: i.expires,
                last_used_at: None,
                status: CredentialStatus::Active,
                revoked_at: None,
                revoked_reason: None,
                replaced_by: None,
                fingerprint: None,
                rev: 0,
            })
        });
    }
}

/// What `/` knows of a Vault identity.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("kind", &[]),
    FieldSpec::text("name", &[]),
    FieldSpec::text("policy", &["policies"]),
    FieldSpec::text("risk", &[]),
    FieldSpec::text("detail", &["meta"]),
];

struct IdentityFields<'a>(&'a MachineIdentity);

impl IdentityFields<'_> {
    fn risk(&self) -> Option<&'static str> {
        match (self.0.root, self.0.no_expiry) {
            (true, _) => Some("root"),
            (false, true) => Some("no-expiry"),
            (false, false) => None,
        }
    }
}

impl Row for IdentityFields<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        let m = self.0;
        match i {
            0 => Value::Text(crate::tui::strings::vault_kind(m.kind)),
            1 => Value::Text(&m.name),
            2 => Value::List(&m.policies),
            3 => self.risk().map_or(Value::None, Value::Text),
            _ => Value::Text(&m.detail),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let m = self.0;
        hit(&m.name)
            || hit(crate::tui::strings::vault_kind(m.kind))
            || m.policies.iter().any(|p| hit(p))
            || hit(&m.detail)
            || self.risk().is_some_and(&mut *hit)
            || hit(&m.id)
    }
}

impl ListState for UnclaimedList {
    fn move_by(&mut self, delta: isize) {
        let rows = &self.rows;
        self.sel
            .move_by(delta, rows.len(), |i| rows.get(i).map(|r| r.id.clone()));
        self.select_credential();
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.rows.len())
    }
}

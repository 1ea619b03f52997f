//! The unclaimed identities screen's rows: every Vault identity no agent
//! claims, the riskiest first (root, then never expiring, then the
//! oldest), rebuilt only when the fleet changes; the selection follows the
//! identity. Each row keeps the identity as a credential with no agent,
//! so `x` revokes it like any credential.

use crate::fleet::state::Fleet;
use crate::fleet::vault::MachineIdentity;
use crate::model::{Credential, CredentialStatus};
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::cmp::Reverse;

#[derive(Debug, Default)]
pub struct UnclaimedList {
    /// In display order.
    pub rows: Vec<MachineIdentity>,
    pub sel: Selection,
    /// The selected row as a credential, for `x`: none for an entity.
    pub credential: Option<Credential>,
    built_for: Option<u64>,
}

impl UnclaimedList {
    /// Rebuilds the rows if the fleet changed since the last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for == Some(fleet.generation) {
            return;
        }
        self.built_for = Some(fleet.generation);
        let mut rows: Vec<MachineIdentity> = fleet.unclaimed().cloned().collect();
        rows.sort_by(|a, b| {
            (Reverse(a.root), Reverse(a.no_expiry), a.created, &a.id).cmp(&(
                Reverse(b.root),
                Reverse(b.no_expiry),
                b.created,
                &b.id,
            ))
        });
        self.rows = rows;
        let rows = &self.rows;
        self.sel.restore(
            rows.len(),
            |id| rows.iter().position(|r| r.id == id),
            |i| rows.get(i).map(|r| r.id.clone()),
        );
        self.select_credential();
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

//! The least a Vault ACL policy must grant Warden: [`policy_hcl`] writes it
//! for a [`ReadPlan`], with or without the right to revoke, so an operator
//! can `bao policy write warden -` it rather than hand Warden a root token.

use super::snapshot::ReadPlan;
use std::fmt::Write;

/// The HCL of a policy that lets a token read everything `plan` names
/// (and, with `act`, revoke tokens by accessor, destroy the AppRole
/// secret-ids and revoke leases there), and nothing else.
pub fn policy_hcl(plan: &ReadPlan, act: bool) -> String {
    let what = if act { "read and revoke" } else { "read" };
    let mut out = format!("# Warden: {what} agents' credentials, nothing else.\n");
    let mut path = |p: &str, caps: &[&str]| {
        let caps: Vec<String> = caps.iter().map(|c| format!("\"{c}\"")).collect();
        let _ = writeln!(
            out,
            "path \"{p}\" {{ capabilities = [{}] }}",
            caps.join(", ")
        );
    };
    path("auth/token/lookup-self", &["read"]);
    if plan.token_accessors {
        // Vault protects the accessor listing as a root path.
        path("auth/token/accessors", &["list", "sudo"]);
        path("auth/token/lookup-accessor", &["update"]);
        if act {
            path("auth/token/revoke-accessor", &["update"]);
        }
    }
    for mount in &plan.approle_mounts {
        let m = mount.trim_matches('/');
        // A LIST asks for `…/role/`; with `+` for the mount (every AppRole
        // mount), `role/+` would match that too and, read-only, win over
        // `role`: the trailing slash makes the listing's rule the exact one.
        path(&format!("auth/{m}/role/"), &["list"]);
        path(&format!("auth/{m}/role/+"), &["read"]);
        path(&format!("auth/{m}/role/+/secret-id/"), &["list"]);
        path(
            &format!("auth/{m}/role/+/secret-id-accessor/lookup"),
            &["update"],
        );
        if act {
            path(
                &format!("auth/{m}/role/+/secret-id-accessor/destroy"),
                &["update"],
            );
            // Rotation: a new secret-id like the old one.
            path(&format!("auth/{m}/role/+/secret-id"), &["update"]);
        }
    }
    if plan.entities {
        path("identity/entity/id", &["list"]);
        path("identity/entity/id/*", &["read"]);
    }
    if !plan.lease_prefixes.is_empty() {
        path("sys/leases/lookup", &["update"]);
        if act {
            path("sys/leases/revoke", &["update"]);
        }
    }
    for prefix in &plan.lease_prefixes {
        let p = prefix.trim_matches('/');
        let glob = if p.is_empty() {
            "sys/leases/lookup/*".to_string()
        } else {
            format!("sys/leases/lookup/{p}/*")
        };
        path(&glob, &["list", "sudo"]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_plan_names() {
        let hcl = policy_hcl(&ReadPlan::default(), true);
        assert_eq!(hcl.matches("path ").count(), 1, "{hcl}");

        let plan = ReadPlan {
            token_accessors: true,
            approle_mounts: vec!["/team/approle/".into()],
            entities: false,
            lease_prefixes: vec!["database/creds/".into()],
            concurrency: 0,
        };
        let read = policy_hcl(&plan, false);
        assert!(
            read.contains(r#"path "auth/token/accessors" { capabilities = ["list", "sudo"] }"#)
        );
        assert!(read.contains(r#"path "auth/team/approle/role/+" { capabilities = ["read"] }"#));
        assert!(read.contains(
            r#"path "sys/leases/lookup/database/creds/*" { capabilities = ["list", "sudo"] }"#
        ));
        assert!(
            !read.contains("revoke") && !read.contains("destroy") && !read.contains("identity")
        );
        let act = policy_hcl(&plan, true);
        for p in [
            "auth/token/revoke-accessor",
            "auth/team/approle/role/+/secret-id-accessor/destroy",
            "sys/leases/revoke",
        ] {
            assert!(act.contains(&format!("path \"{p}\"")), "{p}: {act}");
        }
    }
}

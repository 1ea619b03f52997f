//! Secrets: generating bearer tokens and agent credentials, and the one-way
//! hash under which the server stores them. A secret exists in clear only in
//! the answer that issues it.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Prefix of a person token.
pub const PERSON_TOKEN_PREFIX: &str = "wdn_pt_";
/// Prefix of an agent credential.
pub const AGENT_SECRET_PREFIX: &str = "wdn_ac_";

/// `len` characters of base62 from the operating system's CSPRNG.
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).expect("the operating system's random source failed");
        for b in buf {
            // Rejection sampling keeps the distribution uniform.
            if (b as usize) < 62 * 4 && out.len() < len {
                out.push(ALPHABET[(b as usize) % 62] as char);
            }
        }
    }
    out
}

/// Every prefix the server mints ids with (through [`new_id`]): agents,
/// alerts, credentials, delegations, grants, operations, people, tokens.
/// A new kind of id adds its prefix here, or names could read as its ids.
pub const ID_PREFIXES: [&str; 9] = ["agt", "alr", "crd", "dlg", "gra", "grt", "op", "per", "tok"];

/// A random id with a readable prefix, e.g. `agt_3fK9…`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_base62(14))
}

/// The first word of `text` shaped like an id: one of [`ID_PREFIXES`] in
/// any case, `_`, then ASCII letters and digits. Words are split where the
/// audit trail's search splits them (anything but a letter, digit, `_` or
/// `-`), so a name without such a word can never be found as an id.
pub fn id_like_word(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .find(|word| {
            word.split_once('_').is_some_and(|(prefix, rest)| {
                ID_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(prefix))
                    && !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_alphanumeric())
            })
        })
}

pub fn new_person_token() -> String {
    format!("{PERSON_TOKEN_PREFIX}{}", random_base62(40))
}

pub fn new_agent_secret() -> String {
    format!("{AGENT_SECRET_PREFIX}{}", random_base62(40))
}

/// SHA-256, hex. The secrets are 238 random bits, so a fast hash is enough:
/// there is nothing to brute-force.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The part of a secret that is safe to show: enough to tell two apart.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(11).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_well_formed() {
        let a = new_agent_secret();
        let b = new_agent_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(AGENT_SECRET_PREFIX));
        assert_eq!(a.len(), AGENT_SECRET_PREFIX.len() + 40);
        assert!(a[7..].bytes().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn words_shaped_like_ids_are_found() {
        for prefix in ID_PREFIXES {
            let id = new_id(prefix);
            assert_eq!(id_like_word(&id), Some(id.as_str()));
            assert_eq!(id_like_word(&format!("copy of {id}!")), Some(id.as_str()));
        }
        assert_eq!(id_like_word("AGT_x1"), Some("AGT_x1"));
        for name in [
            "payments-bot",
            "agt_",
            "agt_x-y",
            "agt_x_y",
            "agent_x",
            "op",
            "crd_é",
        ] {
            assert_eq!(id_like_word(name), None, "{name}");
        }
    }

    #[test]
    fn hash_is_stable_and_hides_the_secret() {
        let h = hash("wdn_ac_secret");
        assert_eq!(h, hash("wdn_ac_secret"));
        assert_eq!(h.len(), 64);
        assert!(!h.contains("secret"));
    }
}

//! The popup that shows a rotated credential's new secret, once: it opens
//! only when the backend has answered the rotation, and closing it wipes
//! the secret from the dashboard's memory. The secret never reaches a log:
//! its `Debug` prints a placeholder.

use crate::model::Credential;
use crossterm::event::{KeyCode, KeyEvent};
use zeroize::Zeroizing;

/// A secret in clear: hidden from `Debug`, wiped when dropped.
#[derive(Clone, PartialEq)]
pub struct SecretText(Zeroizing<String>);

impl SecretText {
    pub fn new(secret: String) -> Self {
        SecretText(Zeroizing::new(secret))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(hidden)")
    }
}

/// What the popup shows: the replacement, the credential it replaced as
/// the backend now has it, and the secret.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretPopup {
    pub credential: Credential,
    pub previous: Credential,
    pub agent_name: String,
    pub secret: SecretText,
}

impl SecretPopup {
    /// Whether `key` closes the popup. Enter does not: it is the key that
    /// sent the rotation, and one pressed twice must not throw away the
    /// only sight of the secret.
    pub fn closes(key: &KeyEvent) -> bool {
        matches!(key.code, KeyCode::Esc | KeyCode::Char('q'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let s = SecretText::new("wdn_ac_topsecret".into());
        assert_eq!(s.expose(), "wdn_ac_topsecret");
        assert!(!format!("{s:?}").contains("topsecret"));
    }

    #[test]
    fn esc_or_q_close_and_enter_does_not() {
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert!(SecretPopup::closes(&key(KeyCode::Esc)));
        assert!(SecretPopup::closes(&key(KeyCode::Char('q'))));
        assert!(!SecretPopup::closes(&key(KeyCode::Enter)));
        assert!(!SecretPopup::closes(&key(KeyCode::Char('j'))));
    }
}

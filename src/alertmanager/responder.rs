//! The name a silence is made under: who the responder is to Warden (the
//! person behind the token, else the token's name, from `GET /v1/whoami`
//! of the first Warden backend that answers), else the login name, so an
//! Alertmanager user reading the silence knows whom to ask.

use crate::api::WhoAmI;
use crate::api::client::Client;

/// When nothing says who is at the keyboard.
pub const NOBODY: &str = "warden";

/// The name a Warden backend knows this token by.
pub fn from_whoami(who: &WhoAmI) -> String {
    match &who.person {
        Some(p) if !p.name.trim().is_empty() => p.name.clone(),
        _ => who.name.clone(),
    }
}

/// `$USER` (or `%USERNAME%`), if set.
pub fn login() -> Option<String> {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
}

/// The first Warden backend's answer, else the login name, else
/// [`NOBODY`]. A backend that cannot say is skipped: the silence matters
/// more than the name on it.
pub async fn name(warden: &[Client]) -> String {
    match from_warden(warden).await {
        Some(n) => n,
        None => login().unwrap_or_else(|| NOBODY.to_string()),
    }
}

/// The name the first Warden backend that answers knows this token by.
pub async fn from_warden(warden: &[Client]) -> Option<String> {
    for client in warden {
        match client.whoami().await {
            Ok(who) if !from_whoami(&who).trim().is_empty() => return Some(from_whoami(&who)),
            Ok(_) => {}
            Err(e) => tracing::warn!(
                url = %client.base_url(),
                error = %e,
                "whoami failed; the silence names the login instead"
            ),
        }
    }
    None
}

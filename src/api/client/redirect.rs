//! Which redirects Warden's HTTP clients (the backend's, Vault's,
//! Alertmanager's) follow: only to the host they were pointed at, and
//! never from `https://` down to plain `http://` off this machine. Another
//! host's answer would otherwise be shown as the backend's, and a
//! downgrade would carry the request in clear. Hosts are also written
//! without a trailing dot before any check, so `localhost.` is looked up
//! as `localhost` and not sent to DNS under a name that passed as local.

use super::connect::is_local;
use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};
use std::fmt;

/// reqwest's own default, kept: a loop ends after this many hops.
const MAX_HOPS: usize = 10;

/// Why a redirect was not followed, naming where it pointed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectRefused {
    /// The target, without credentials or query.
    pub to: String,
    pub why: &'static str,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "it redirected to {}, {}; not followed",
            self.to, self.why
        )
    }
}

impl std::error::Error for RedirectRefused {}

/// The policy every Warden client is built with.
pub fn policy() -> Policy {
    Policy::custom(|attempt: Attempt| {
        let verdict = match attempt.previous().first() {
            Some(first) => check(first, attempt.url(), attempt.previous().len()),
            None => Ok(()),
        };
        match verdict {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    })
}

/// Whether a redirect from a chain that began at `first`, after `hops`
/// requests, may go on to `next`.
pub fn check(first: &Url, next: &Url, hops: usize) -> Result<(), RedirectRefused> {
    let refuse = |why| {
        Err(RedirectRefused {
            to: shown(next),
            why,
        })
    };
    // A trailing dot on the target is another name to the resolver: it
    // counts as another host.
    if !next
        .host_str()
        .unwrap_or_default()
        .eq_ignore_ascii_case(first.host_str().unwrap_or_default())
    {
        return refuse("another host than the one configured");
    }
    if first.scheme() == "https" && next.scheme() == "http" && !is_local(next) {
        return refuse("plain http:// from https://, which would cross the network in clear");
    }
    if !matches!(next.scheme(), "http" | "https") {
        return refuse("not http:// or https://");
    }
    if hops > MAX_HOPS {
        return refuse("past 10 redirects");
    }
    Ok(())
}

/// Writes `url`'s host without trailing dots (`localhost.` → `localhost`,
/// `vault.example.` → `vault.example`), so that the checks on it and the
/// name looked up agree. An error says why the host is unusable.
pub fn normalise_host(url: &mut Url) -> Result<(), String> {
    let Some(host) = url.host_str() else {
        return Ok(());
    };
    if !host.ends_with('.') {
        return Ok(());
    }
    let trimmed = host.trim_end_matches('.').to_string();
    if trimmed.is_empty() {
        return Err("the host is only dots".into());
    }
    url.set_host(Some(&trimmed))
        .map_err(|e| format!("the host {trimmed:?} is not valid: {e}"))
}

/// The innermost refusal inside a reqwest error, if it is one.
pub fn refusal(e: &reqwest::Error) -> Option<&RedirectRefused> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<RedirectRefused>() {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

fn shown(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::{check, normalise_host};
    use reqwest::Url;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn same_host_redirects_are_followed_others_are_refused() {
        let first = url("https://warden.example/v1/agents");
        for ok in [
            "https://warden.example/v1/agents/",
            "https://WARDEN.example:8443/v1/x",
        ] {
            assert_eq!(check(&first, &url(ok), 1), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("https://evil.example/v1/agents", "another host"),
            ("https://warden.example./v1/agents", "another host"),
            ("http://warden.example/v1/agents", "in clear"),
            ("https://warden.example/x", "past 10"),
        ] {
            let hops = if why == "past 10" { 11 } else { 1 };
            let e = check(&first, &url(bad), hops).unwrap_err();
            assert!(e.why.contains(why), "{bad}: {e}");
            assert!(e.to_string().contains(bad.trim_end_matches('/')), "{e}");
        }
        // Down to http on this machine is not across the network.
        let local = url("https://127.0.0.1:7878/v1/health");
        assert_eq!(check(&local, &url("http://127.0.0.1:7879/x"), 1), Ok(()));
    }

    #[test]
    fn trailing_dots_are_dropped_from_the_host() {
        for (given, want) in [
            ("http://localhost.:7878/", "http://localhost:7878/"),
            ("https://vault.example../v1/", "https://vault.example/v1/"),
            ("http://127.0.0.1.:1/", "http://127.0.0.1:1/"),
            ("http://[::1]:1/", "http://[::1]:1/"),
        ] {
            let mut u = url(given);
            normalise_host(&mut u).unwrap();
            assert_eq!(u.as_str(), want, "{given}");
        }
    }
}

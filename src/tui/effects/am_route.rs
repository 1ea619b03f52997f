//! Acting on an Alertmanager from the dashboard. The one action it takes is
//! an acknowledgement, which becomes a silence on the alert's labels (see
//! [`crate::alertmanager::silence`]), made under the responder's name: who
//! the first Warden backend says this dashboard is, else the login name.
//! Freezing, killing or reassigning an alert's agent goes to the agent's
//! own Warden backend, as for any agent, and never comes here.

use crate::alertmanager::client::AmClient;
use crate::alertmanager::{Settings, responder, silence};
use crate::api::client::Client;
use crate::fleet::origin::SEPARATOR;
use crate::sources::{self, Origin, Poker, SourceHandle};
use crate::tui::msg::{Action, Msg, Outcome};
use crate::tui::strings;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc};

/// An Alertmanager the dashboard watches: a `[[backend]]` of kind
/// `alertmanager`.
#[derive(Clone)]
pub struct AmTarget {
    /// What the header calls it; it qualifies its alerts' ids.
    pub name: String,
    pub url: String,
    /// For one behind an authenticating proxy; Alertmanager itself takes
    /// none.
    pub token: Option<String>,
    pub settings: Settings,
}

impl fmt::Debug for AmTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmTarget")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("settings", &self.settings)
            .finish()
    }
}

/// Starts a source for each of `targets`, numbered after the `first`
/// backends of the dashboard, and answers their handles (which stop them
/// when dropped) and the routes the runner acknowledges through.
pub fn start(
    targets: &[AmTarget],
    first: usize,
    merged: bool,
    refresh: Duration,
    tx: &mpsc::Sender<Msg>,
    responder: &Responder,
) -> anyhow::Result<(Vec<SourceHandle>, Vec<AmRoute>)> {
    let mut handles = Vec::with_capacity(targets.len());
    let mut routes = Vec::with_capacity(targets.len());
    for (n, t) in targets.iter().enumerate() {
        let client = AmClient::new(&t.url, t.token.as_deref())?;
        let scope = merged.then(|| t.name.clone());
        let origin = Origin {
            index: first + n,
            scope: scope.clone(),
        };
        let handle = sources::alertmanager::spawn(
            client.clone(),
            t.settings.clone(),
            refresh,
            tx.clone(),
            origin,
        );
        routes.push(AmRoute {
            client,
            settings: t.settings.clone(),
            poker: handle.poker(),
            scope,
            responder: responder.clone(),
        });
        handles.push(handle);
    }
    Ok((handles, routes))
}

/// One Alertmanager the runner acts on: its client and settings, a way to
/// poke its source, and the name its alert ids are qualified with.
#[derive(Debug, Clone)]
pub struct AmRoute {
    pub client: AmClient,
    pub settings: Settings,
    pub poker: Poker,
    pub scope: Option<String>,
    pub responder: Responder,
}

impl AmRoute {
    /// The fingerprint in `alert_id`, if the alert is this route's.
    pub fn owns<'a>(&self, alert_id: &'a str) -> Option<&'a str> {
        match &self.scope {
            None => Some(alert_id),
            Some(s) => alert_id
                .strip_prefix(s.as_str())
                .and_then(|rest| rest.strip_prefix(SEPARATOR)),
        }
    }
}

/// The responder's name, asked of the Warden backends once one answers.
#[derive(Debug, Clone, Default)]
pub struct Responder {
    warden: Vec<Client>,
    known: Arc<Mutex<Option<String>>>,
}

impl Responder {
    /// Asks `warden`'s backends, in order, who this dashboard is.
    pub fn new(warden: Vec<Client>) -> Self {
        Responder {
            warden,
            known: Arc::default(),
        }
    }

    /// Only a Warden backend's answer is kept: the login name stands in
    /// while none has answered, not for ever.
    pub async fn name(&self) -> String {
        let mut known = self.known.lock().await;
        if let Some(n) = known.as_ref() {
            return n.clone();
        }
        match responder::from_warden(&self.warden).await {
            Some(n) => {
                *known = Some(n.clone());
                n
            }
            None => responder::login().unwrap_or_else(|| responder::NOBODY.to_string()),
        }
    }
}

/// Carries out `action` on the route's Alertmanager; the alert id in it is
/// the bare fingerprint. The answer's ids are bare too: the runner
/// qualifies them.
pub async fn run(route: &AmRoute, action: Action) -> Result<Outcome, String> {
    match action {
        Action::Ack { alert_id, reason } => {
            let by = route.responder.name().await;
            silence::acknowledge(&route.client, &route.settings, &alert_id, &by, &reason)
                .await
                .map(|s| Outcome::Silenced {
                    alert: s.alert,
                    silence_id: s.silence_id,
                })
                .map_err(|e| e.to_string())
        }
        other => Err(strings::alertmanager_acks_only(other.describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(scope: Option<&str>) -> AmRoute {
        let poke = Arc::new(tokio::sync::Notify::new());
        let handle = crate::sources::SourceHandle::new(poke, tokio::spawn(async {}));
        AmRoute {
            client: AmClient::new("http://127.0.0.1:9", None).unwrap(),
            settings: Settings::default(),
            poker: handle.poker(),
            scope: scope.map(str::to_string),
            responder: Responder::default(),
        }
    }

    #[tokio::test]
    async fn owns_the_alerts_of_its_scope() {
        let r = route(Some("am"));
        assert_eq!(r.owns("am/fp1"), Some("fp1"));
        assert_eq!(r.owns("amx/fp1"), None);
        assert_eq!(r.owns("prod/alr_1"), None);
        assert_eq!(route(None).owns("fp1"), Some("fp1"));
    }

    #[tokio::test]
    async fn only_an_ack_is_taken() {
        let r = route(Some("am"));
        let e = run(
            &r,
            Action::Suspend {
                agent_id: "fp".into(),
                name: "bot".into(),
                reason: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(e.contains("acknowledgements only"), "{e}");
    }

    #[tokio::test]
    async fn with_no_warden_backend_the_login_name_stands_in() {
        let name = Responder::default().name().await;
        assert_eq!(
            name,
            responder::login().unwrap_or_else(|| responder::NOBODY.to_string())
        );
    }
}

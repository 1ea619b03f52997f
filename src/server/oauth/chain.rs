//! Whether an exchanged token may still be used: signed by a published
//! key, not expired, and every link of the chain it was derived through
//! still live (no agent suspended or killed, no credential revoked or
//! expired, the person's token not revoked, the person still here). It is
//! read at each use, so a revocation anywhere reaches every derived token
//! at once; an offline verifier only has the signature and `exp`.

use super::jwt::{self, Claims};
use crate::model::PersonStatus;
use crate::server::AppState;
use crate::server::auth::refusal;
use crate::server::store::{ExchangeState, StoreResult};
use chrono::Utc;

/// Why a token is not active: a short code (RFC 7662 says only "not
/// active"; the code is Warden's, for an operator) and a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Inactive {
    pub reason: &'static str,
    pub detail: String,
}

fn inactive(reason: &'static str, detail: impl Into<String>) -> Inactive {
    Inactive {
        reason,
        detail: detail.into(),
    }
}

/// The token's claims and chain when it is active now.
pub async fn check(
    state: &AppState,
    token: &str,
) -> StoreResult<Result<(Claims, ExchangeState), Inactive>> {
    let claims = match jwt::verify(&state.token_keys, token) {
        Ok(c) => c,
        Err(why) => return Ok(Err(inactive("invalid", why))),
    };
    if claims.exp <= Utc::now().timestamp() {
        return Ok(Err(inactive(
            "expired",
            format!("token {} expired at {}", claims.jti, claims.exp),
        )));
    }
    let Some(chain) = state.store.exchange_state(&claims.jti).await? else {
        return Ok(Err(inactive(
            "unknown",
            format!("token {} was not issued by this server's store", claims.jti),
        )));
    };
    Ok(links_live(&chain).map(|()| (claims, chain)))
}

/// Every link of the chain, as it stands now.
pub fn links_live(chain: &ExchangeState) -> Result<(), Inactive> {
    let jti = &chain.record.jti;
    if let Some((at, by)) = &chain.revoked {
        return Err(inactive(
            "revoked",
            format!(
                "token {jti} (or the token it was exchanged from) was revoked at {} by {by}",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        ));
    }
    for id in &chain.record.credentials {
        let Some((credential, agent)) = chain.links.iter().find(|(c, _)| c.id == *id) else {
            return Err(inactive(
                "revoked",
                format!("credential {id} in the chain of {jti} no longer exists"),
            ));
        };
        if let Some(why) = refusal(agent, credential) {
            let reason = match why.code {
                "agent_killed" => "agent_killed",
                "agent_suspended" => "agent_suspended",
                "credential_expired" => "expired",
                _ => "revoked",
            };
            return Err(inactive(
                reason,
                format!(
                    "{} ({}) is in the chain of {jti}: {}",
                    agent.name, agent.id, why.message
                ),
            ));
        }
    }
    if let Some(id) = &chain.record.person_token {
        let Some(t) = &chain.person_token else {
            return Err(inactive(
                "revoked",
                format!("person token {id}, which started the chain of {jti}, no longer exists"),
            ));
        };
        if t.revoked.is_some() {
            return Err(inactive(
                "revoked",
                format!(
                    "person token {} ({:?}), which started the chain of {jti}, was revoked",
                    t.id, t.name
                ),
            ));
        }
        if t.expires_at.is_some_and(|e| e <= Utc::now()) {
            return Err(inactive(
                "expired",
                format!(
                    "person token {}, which started the chain of {jti}, expired",
                    t.id
                ),
            ));
        }
        if let Some(p) = &t.person
            && p.status == PersonStatus::Departed
        {
            return Err(inactive(
                "person_departed",
                format!(
                    "{}, who started the chain of {jti}, has left the company",
                    p.email
                ),
            ));
        }
    }
    Ok(())
}

/// What a kill's plan adds for the exchanged tokens it ends (nothing when
/// there are none, so plans without token exchange read as before).
pub fn kill_ends(live_tokens: usize) -> String {
    match live_tokens {
        0 => String::new(),
        n => format!("; {n} live exchanged token(s) through it refused at once"),
    }
}

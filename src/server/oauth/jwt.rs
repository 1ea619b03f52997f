//! JWT access tokens (RFC 9068, `typ: at+jwt`) signed with EdDSA: the
//! claims an exchanged token carries, with the chain of actors nested in
//! `act` as RFC 8693 §4.1 puts it (the current actor outermost).

use super::keys::TokenKeys;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// `act`: an actor, and inside it the actor before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Act {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Box<Act>>,
}

impl Act {
    /// The nesting for actors listed first actor first: the last one is
    /// the outermost.
    pub fn nest(chain: &[String]) -> Option<Act> {
        chain.iter().fold(None, |inner, sub| {
            Some(Act {
                sub: sub.clone(),
                act: inner.map(Box::new),
            })
        })
    }

    /// The actors, first actor first.
    pub fn flatten(&self) -> Vec<String> {
        let mut out = vec![self.sub.clone()];
        let mut inner = self.act.as_deref();
        while let Some(a) = inner {
            out.push(a.sub.clone());
            inner = a.act.as_deref();
        }
        out.reverse();
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// Who started the chain: a person id or an agent id.
    pub sub: String,
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    /// Space-separated, as in RFC 8693 and RFC 9068.
    pub scope: String,
    /// The agent the token was issued to.
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
}

/// Whether `token` looks like a JWT rather than an opaque secret.
pub fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.bytes().filter(|b| *b == b'.').count() == 2
}

pub fn encode(keys: &TokenKeys, claims: &Claims) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let (input, sig) = keys.sign(|kid| {
        let header = serde_json::json!({"alg": "EdDSA", "typ": "at+jwt", "kid": kid});
        format!(
            "{}.{payload}",
            URL_SAFE_NO_PAD.encode(header.to_string().as_bytes())
        )
    });
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
}

/// The claims of a token this server signed with a published key, or why
/// not. Expiry is the caller's to judge (introspection says `expired`).
pub fn verify(keys: &TokenKeys, token: &str) -> Result<Claims, &'static str> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT");
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the JWT header is not valid")?;
    if header.alg != "EdDSA" || !header.typ.is_some_and(|t| t.eq_ignore_ascii_case("at+jwt")) {
        return Err("not an access token of this server (alg EdDSA, typ at+jwt)");
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| "the JWT signature is not base64url")?;
    let input = &token[..h.len() + 1 + p.len()];
    if !keys.verify(header.kid.as_deref().unwrap_or(""), input.as_bytes(), &sig) {
        return Err("the signature is not by a key this server publishes");
    }
    URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the JWT claims are not valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn act_nests_the_current_actor_outermost() {
        let chain = vec!["agt_a".to_string(), "agt_b".to_string()];
        let act = Act::nest(&chain).unwrap();
        assert_eq!(act.sub, "agt_b");
        assert_eq!(act.act.as_ref().unwrap().sub, "agt_a");
        assert_eq!(act.flatten(), chain);
        assert_eq!(Act::nest(&[]), None);
    }

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let keys = TokenKeys::open(None, 900).unwrap();
        let claims = Claims {
            iss: "https://warden.example".into(),
            sub: "prs_1".into(),
            aud: vec!["crm".into()],
            exp: 2,
            iat: 1,
            nbf: 1,
            jti: "tkx_1".into(),
            scope: "crm:read".into(),
            client_id: "agt_b".into(),
            act: Act::nest(&["agt_b".into()]),
        };
        let token = encode(&keys, &claims);
        assert!(looks_like_jwt(&token));
        assert_eq!(verify(&keys, &token).unwrap(), claims);
        let mut forged = claims.clone();
        forged.scope = "crm:admin".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert!(verify(&keys, &tampered).is_err());
        // A rotation keeps the old key published: its tokens still verify.
        keys.rotate().unwrap();
        assert_eq!(verify(&keys, &token).unwrap(), claims);
        assert_ne!(keys.jwks()["keys"][0]["kid"], keys.jwks()["keys"][1]["kid"]);
    }
}

//! Token exchange for the tests: a form-encoded `POST /v1/oauth/token`
//! and the claims of the JWT it answers, read without trusting Warden's
//! own decoder.

use super::server::TestServer;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

/// `application/x-www-form-urlencoded`, by hand (RFC 3986 unreserved
/// characters kept, space as `+`).
pub fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Exchanges `subject` for a token for the agent of `actor`, asking for
/// `scope` (all the chain holds when None).
pub async fn exchange(
    s: &TestServer,
    subject: &str,
    actor: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut pairs = vec![
        ("grant_type", GRANT),
        ("subject_token", subject),
        ("subject_token_type", ACCESS),
        ("actor_token", actor),
        ("actor_token_type", ACCESS),
        ("audience", "crm"),
    ];
    if let Some(scope) = scope {
        pairs.push(("scope", scope));
    }
    post_form(s, &form(&pairs)).await
}

pub async fn post_form(s: &TestServer, body: &str) -> (u16, Value) {
    s.call_raw(
        "POST",
        "/v1/oauth/token",
        None,
        Some("application/x-www-form-urlencoded"),
        body.to_string(),
    )
    .await
}

/// The payload of a JWT, decoded (the signature is checked elsewhere, by
/// PyJWT against the JWKS).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

pub fn header(jwt: &str) -> Value {
    let head = jwt.split('.').next().expect("a JWT header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).expect("base64url")).expect("JSON")
}

/// RFC 7009: asks to revoke `token`, authenticated with `bearer` (none:
/// no Authorization header).
pub async fn revoke(s: &TestServer, bearer: Option<&str>, pairs: &[(&str, &str)]) -> (u16, Value) {
    s.call_raw(
        "POST",
        "/v1/oauth/revoke",
        bearer,
        Some("application/x-www-form-urlencoded"),
        form(pairs),
    )
    .await
}

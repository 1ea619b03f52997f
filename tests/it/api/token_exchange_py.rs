//! Token exchange checked by code no one here wrote (issue #17, item 7):
//! Python's authlib runs the exchange as an OAuth 2.0 client, and PyJWT
//! verifies the token against `/.well-known/jwks.json` (EdDSA, `aud`,
//! `iss`, required claims), refuses a tampered copy, authlib reports
//! an escalation as RFC 6749's `invalid_scope`, and its RFC 7009 client
//! revokes the token.

use crate::support::python;
use crate::support::server::*;
use serde_json::{Value, json};

#[tokio::test]
async fn authlib_exchanges_and_pyjwt_verifies_against_the_jwks() {
    let Some(python) = python::with_module("authlib, jwt, cryptography", "authlib pyjwt[crypto]")
    else {
        return;
    };
    let s = TestServer::start().await;
    let person = s.person("Pat", "pat@corp.example").await;
    let agent = s.agent("planner").await;
    let pat = s
        .token_for("viewer", "pat-laptop", "pat@corp.example")
        .await;
    let d = s
        .post(
            "/v1/delegations",
            &pat,
            json!({"parent_person": "pat@corp.example", "child_agent": "planner", "scopes": ["crm:read"]}),
        )
        .await;
    assert_eq!(d.0, 201, "{}", d.1);
    let actor = s
        .credential_with("planner", json!({"scopes": ["crm:read"]}))
        .await;
    let agent_id = txt(&agent, "id").to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/oauth_py.py");
    let out = tokio::process::Command::new(python)
        .args([
            script,
            &s.url,
            &pat,
            txt(&actor, "secret"),
            &agent_id,
            "https://crm.corp.example",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["token"]["token_type"], "Bearer");
    assert_eq!(r["header"]["typ"], "at+jwt");
    assert_eq!(r["header"]["alg"], "EdDSA");
    let c = &r["claims"];
    assert_eq!(c["sub"], person["id"]);
    assert_eq!(c["act"], json!({"sub": agent_id}));
    assert_eq!(c["scope"], "crm:read");
    assert_eq!(c["client_id"], agent_id.as_str());
    assert_eq!(c["iss"], s.url.as_str());
    assert_eq!(r["tampered"], "InvalidSignatureError");
    assert_eq!(r["escalation"], "invalid_scope");
    // authlib's revoke_token (RFC 7009) ended it: introspection says so.
    assert_eq!(r["revocation"]["status"], 200, "{}", r["revocation"]);
    assert_eq!(r["revocation"]["body"]["revoked"], json!([c["jti"]]));
    let resource = s.token("resource").await;
    let access = r["token"]["access_token"].as_str().unwrap();
    let (status, i) = s
        .post("/v1/introspect", &resource, json!({"token": access}))
        .await;
    assert_eq!(
        (status, &i["active"], &i["reason"]),
        (200, &json!(false), &json!("revoked")),
        "{i}"
    );
}

"""Token exchange done by code no one at Warden wrote: authlib's OAuth 2.0
client asks for the token, PyJWT fetches the JWKS and verifies it.
Usage: oauth_py.py URL SUBJECT_TOKEN ACTOR_TOKEN AGENT_ID AUDIENCE
Prints one JSON object: the token answer, the verified claims, the header,
how a tampered token and an escalation were refused, and authlib's RFC 7009
revocation of the token."""

import base64
import json
import sys

import jwt
from authlib.integrations.requests_client import OAuth2Session

url, subject, actor, agent_id, audience = sys.argv[1:6]
ACCESS = "urn:ietf:params:oauth:token-type:access_token"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"

session = OAuth2Session(client_id=agent_id, token_endpoint_auth_method="none")


def exchange(scope):
    return session.fetch_token(
        url + "/v1/oauth/token",
        grant_type=GRANT,
        subject_token=subject,
        subject_token_type=ACCESS,
        actor_token=actor,
        actor_token_type=ACCESS,
        audience=audience,
        scope=scope,
    )


token = exchange("crm:read")
access = token["access_token"]
jwks = jwt.PyJWKClient(url + "/.well-known/jwks.json")
key = jwks.get_signing_key_from_jwt(access)
claims = jwt.decode(
    access,
    key.key,
    algorithms=["EdDSA"],
    audience=audience,
    issuer=url,
    options={"require": ["exp", "iat", "sub", "jti", "aud", "iss"]},
)

# The same token with a wider scope and the old signature.
head, payload, sig = access.split(".")
forged = dict(claims, scope="crm:read crm:admin")
forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
try:
    jwt.decode(head + "." + forged_payload + "." + sig, key.key, algorithms=["EdDSA"], audience=audience)
    tampered = "accepted"
except jwt.InvalidSignatureError:
    tampered = "InvalidSignatureError"

try:
    exchange("crm:read crm:admin")
    escalation = "issued"
except Exception as e:  # authlib's OAuthError carries the RFC 6749 code
    escalation = getattr(e, "error", repr(e))

# RFC 7009: the agent gives the token up, authenticated with its own
# credential; a revocation client sends only the token and its hint.
revoked = session.revoke_token(
    url + "/v1/oauth/revoke",
    token=access,
    token_type_hint="access_token",
    headers={"Authorization": "Bearer " + actor},
)

print(json.dumps({
    "revocation": {"status": revoked.status_code, "body": revoked.json()},
    "token": dict(token),
    "claims": claims,
    "header": jwt.get_unverified_header(access),
    "tampered": tampered,
    "escalation": escalation,
}))

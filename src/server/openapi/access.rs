//! Who may call a route of API v1, as the OpenAPI document says it
//! (`x-warden-access` and the prose of each operation).

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token at all.
    Public,
    /// Any valid token: a person token of any role, or an agent credential.
    Anyone,
    /// A person token with role viewer, responder or admin.
    Viewer,
    /// A person token with role responder or admin.
    Responder,
    /// A person token with role admin.
    Admin,
    /// A person token with role discoverer or admin.
    Discoverer,
    /// An agent credential, acting for its own agent only.
    AgentCredential,
}

impl Access {
    /// The `x-warden-access` value, for tools that read the document.
    pub fn name(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Anyone => "any",
            Access::Viewer => "viewer",
            Access::Responder => "responder",
            Access::Admin => "admin",
            Access::Discoverer => "discoverer",
            Access::AgentCredential => "agent",
        }
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            Access::Public => "none; no token needed.",
            Access::Anyone => {
                "any valid bearer token: a person token of any role, or an agent credential."
            }
            Access::Viewer => {
                "role `viewer` or above (viewer, responder, admin). Agent credentials are refused."
            }
            Access::Responder => "role `responder` or `admin`.",
            Access::Admin => "role `admin`.",
            Access::Discoverer => "role `discoverer` (nothing else) or `admin`.",
            Access::AgentCredential => {
                "an agent credential; it acts for its own agent only. Person tokens are refused."
            }
        }
    }
}

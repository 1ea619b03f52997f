//! The closed sets of the model: kinds, statuses, levels and severities, with
//! their wire spellings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} {:?}; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

wire_enum!(
    /// What sort of agent an identity belongs to.
    AgentKind {
        Chatbot = "chatbot",
        ApiConnector = "api-connector",
        Copilot = "copilot",
        McpServer = "mcp-server",
        Autonomous = "autonomous",
    }
);

wire_enum!(
    /// Where an agent stands. Killed is final.
    AgentStatus {
        Active = "active",
        Dormant = "dormant",
        Suspended = "suspended",
        Killed = "killed",
    }
);

wire_enum!(
    PersonStatus {
        Active = "active",
        Departed = "departed",
    }
);

wire_enum!(
    CredentialStatus {
        Active = "active",
        Revoked = "revoked",
        Expired = "expired",
    }
);

wire_enum!(
    /// Ordered: read < write < admin.
    GrantLevel {
        Read = "read",
        Write = "write",
        Admin = "admin",
    }
);

wire_enum!(
    /// What a person token may do: viewer reads, responder acts, admin
    /// also registers people, agents and tokens. A discoverer only reports
    /// findings (`POST /v1/discoveries`), for `warden discover --register`
    /// on laptops and CI jobs; it reads nothing. A resource (a service
    /// agents call) only introspects the tokens it is shown
    /// (`POST /v1/introspect`), so it ranks lowest of all.
    Role {
        Resource = "resource",
        Discoverer = "discoverer",
        Viewer = "viewer",
        Responder = "responder",
        Admin = "admin",
    }
);

wire_enum!(
    /// Ordered from least to most severe.
    Severity {
        Info = "info",
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
);

wire_enum!(
    AlertStatus {
        Open = "open",
        Acknowledged = "acknowledged",
        Resolved = "resolved",
    }
);

wire_enum!(
    StepStatus {
        Pending = "pending",
        Ok = "ok",
        Skipped = "skipped",
        Failed = "failed",
    }
);

wire_enum!(
    OperationStatus {
        Planned = "planned",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spellings_round_trip() {
        for kind in AgentKind::ALL {
            assert_eq!(kind.as_str().parse::<AgentKind>().unwrap(), *kind);
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert!(Role::Viewer < Role::Responder && Role::Responder < Role::Admin);
    }

    #[test]
    fn unknown_value_names_the_choices() {
        let err = "robot".parse::<AgentKind>().unwrap_err();
        assert!(err.contains("chatbot, api-connector"), "{err}");
    }
}

//! Word lists for a believable demo fleet, and the props of its incidents.

use crate::model::GrantLevel;

pub const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Donald",
    "Shafi",
    "Leslie",
    "Sophie",
    "Guido",
    "Joan",
    "Bjarne",
    "Anita",
    "John",
    "Mary",
    "Niklaus",
    "Adele",
    "Vint",
    "Lynn",
    "Yukihiro",
    "Evelyn",
    "Whitfield",
    "Jean",
    "Ward",
    "Annie",
    "Brian",
    "Carol",
    "Rob",
    "Dorothy",
    "Ivan",
    "Elena",
];

pub const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Knuth",
    "Goldwasser",
    "Lamport",
    "Wilson",
    "van Rossum",
    "Clarke",
    "Stroustrup",
    "Borg",
    "McCarthy",
    "Keller",
    "Wirth",
    "Goldberg",
    "Cerf",
    "Conway",
    "Matsumoto",
    "Berezin",
    "Diffie",
    "Sammet",
    "Cunningham",
    "Easley",
    "Kernighan",
    "Shaw",
    "Pike",
    "Vaughan",
    "Sutherland",
    "Petrova",
];

pub const TEAMS: &[&str] = &[
    "payments", "support", "platform", "security", "sales", "data", "finance", "hr", "legal",
    "growth",
];

/// What an agent does, by team.
pub fn functions(team: &str) -> &'static [&'static str] {
    match team {
        "payments" => &[
            "invoice-reconciler",
            "refund-assistant",
            "fraud-screener",
            "ledger-sync",
        ],
        "support" => &[
            "ticket-triage",
            "support-copilot",
            "reply-drafter",
            "kb-answerer",
        ],
        "platform" => &[
            "deploy-bot",
            "incident-summarizer",
            "cost-optimizer",
            "pr-reviewer",
        ],
        "security" => &[
            "alert-enricher",
            "phishing-triage",
            "vuln-scanner",
            "access-reviewer",
        ],
        "sales" => &[
            "outreach-writer",
            "crm-updater",
            "lead-scorer",
            "meeting-notes",
        ],
        "data" => &[
            "etl-runner",
            "dashboard-narrator",
            "sql-assistant",
            "schema-doc",
        ],
        "finance" => &[
            "expense-auditor",
            "forecast-builder",
            "vendor-checker",
            "close-assistant",
        ],
        "hr" => &[
            "onboarding-guide",
            "policy-answerer",
            "recruiting-screener",
            "survey-summarizer",
        ],
        "legal" => &[
            "contract-reviewer",
            "nda-drafter",
            "compliance-monitor",
            "dpa-checker",
        ],
        _ => &[
            "campaign-writer",
            "seo-auditor",
            "ab-analyzer",
            "social-scheduler",
        ],
    }
}

pub const ENVIRONMENTS: &[&str] = &["prod", "staging", "dev", "sandbox"];

/// Tools and hosts agents act on.
pub const TARGETS: &[&str] = &[
    "api.stripe.com",
    "corp.zendesk.com",
    "api.github.com",
    "slack.com/api",
    "salesforce.corp.example",
    "s3://warehouse-exports",
    "postgres://billing-db",
    "jira.corp.example",
    "mcp://filesystem",
    "mcp://browser",
    "api.openai.com",
    "docs.corp.example",
];

pub const ACTIONS: &[&str] = &[
    "read", "list", "search", "write", "update", "send", "invoke",
];

/// Resources and scopes for credentials and grants.
pub const RESOURCES: &[(&str, &str)] = &[
    ("tickets", "tickets"),
    ("crm", "crm"),
    ("repo", "repo"),
    ("billing", "billing"),
    ("warehouse", "warehouse"),
    ("chat", "chat"),
    ("calendar", "calendar"),
    ("email", "email"),
    ("files", "files"),
    ("iam", "iam"),
];

/// The targets an agent calls with an API key of its own (one per agent
/// and target, never shown: only its fingerprint is reported, for R07).
pub const KEYED_TARGETS: &[&str] = &[
    "api.stripe.com",
    "corp.zendesk.com",
    "api.github.com",
    "slack.com/api",
    "api.openai.com",
];

// ---- The incidents' props. ----

/// Agents nobody registered, as they name themselves in a chain.
pub const SHADOWS: &[&str] = &[
    "gpt-scraper",
    "side-project-bot",
    "auto-reporter",
    "quick-sync",
    "ops-helper",
];

/// Hosts no agent has any business sending data to.
pub const EXFIL_HOSTS: &[&str] = &[
    "paste.example",
    "files.anon-share.example",
    "transfer.dropzone.example",
];

/// Production targets a non-production agent must not touch.
pub const PROD_TARGETS: &[&str] = &[
    "postgres://billing-db.prod.corp.example/invoices",
    "https://api.prod.corp.example/v1/customers",
    "s3://prod-customer-exports/latest",
];

/// Scopes a person rarely delegates: what an escalating chain claims.
pub const ESCALATED_SCOPES: &[&str] = &["iam:admin", "billing:admin", "repo:admin", "files:admin"];

/// A new grant to a system the agent never used: (resource, scope, level).
pub const NEW_GRANTS: &[(&str, &str, GrantLevel)] = &[
    ("payouts-api", "payouts:write", GrantLevel::Write),
    ("hr-records", "hr-records:write", GrantLevel::Write),
    ("github-org", "org:admin", GrantLevel::Admin),
];

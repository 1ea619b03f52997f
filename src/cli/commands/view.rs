//! Looking: `agents` (a table, with the filter language), `agent` (one
//! agent with everything attached to it) and `alerts`.

use crate::api::client::Client;
use crate::cli::args::{AgentArgs, AgentsArgs, JsonFlag};
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out, Table, ago, count, safe, when};
use crate::fleet::filter::{Filter, Subject};
use crate::model::{Agent, AgentDetail, Alert, AlertStatus, Person, PersonStatus, Severity};
use std::collections::HashMap;
use std::process::ExitCode;

/// The highest severity among each agent's open alerts.
fn risks(alerts: &[Alert]) -> HashMap<String, Severity> {
    let mut map: HashMap<String, Severity> = HashMap::new();
    for alert in alerts.iter().filter(|a| a.status == AlertStatus::Open) {
        if let Some(agent) = alert.agent_id.as_deref() {
            let e = map.entry(agent.to_string()).or_insert(alert.severity);
            *e = (*e).max(alert.severity);
        }
    }
    map
}

fn owner_label(owner_id: Option<&str>, person: Option<&Person>) -> String {
    match (owner_id, person) {
        (None, _) => "none".into(),
        (Some(_), Some(p)) if p.status == PersonStatus::Departed => {
            format!("{} (departed)", p.email)
        }
        (Some(_), Some(p)) => p.email.clone(),
        (Some(id), None) => id.to_string(),
    }
}

/// `--filter EXPR` parsed, before anything is asked of the backend: a typo
/// is a usage error whether or not the backend is up.
pub(super) fn parse_filter(expr: Option<&str>) -> Result<Filter, CliError> {
    match expr {
        Some(expr) => Filter::parse(expr).map_err(|e| {
            CliError::usage(format!(
                "bad --filter: {e} (the syntax is in `warden agents --help`)"
            ))
        }),
        None => Ok(Filter::default()),
    }
}

/// Every agent with what the filter language looks at besides the agent:
/// its owner's directory entry and its risk.
pub(super) struct Inventory {
    pub agents: Vec<Agent>,
    people: HashMap<String, Person>,
    risk: HashMap<String, Severity>,
}

impl Inventory {
    pub(super) async fn read(client: &Client) -> Result<Inventory, CliError> {
        let (agents, people, alerts) =
            tokio::try_join!(client.list_agents(), client.list_people(), client.alerts())?;
        Ok(Inventory {
            agents,
            people: people.into_iter().map(|p| (p.id.clone(), p)).collect(),
            risk: risks(&alerts),
        })
    }

    pub(super) fn owner(&self, agent: &Agent) -> Option<&Person> {
        agent.owner.as_deref().and_then(|o| self.people.get(o))
    }

    pub(super) fn risk(&self, agent: &Agent) -> Option<Severity> {
        self.risk.get(agent.id.as_str()).copied()
    }

    /// The agents `filter` matches, in the order the backend listed them.
    pub(super) fn matching(&self, filter: &Filter) -> Vec<&Agent> {
        self.agents
            .iter()
            .filter(|agent| {
                filter.matches(&Subject {
                    agent,
                    owner: self.owner(agent),
                    risk: self.risk(agent),
                })
            })
            .collect()
    }

    /// The owner column: the email, `(departed)` when they left, or `none`.
    pub(super) fn owner_label(&self, agent: &Agent) -> String {
        owner_label(agent.owner.as_deref(), self.owner(agent))
    }
}

pub async fn agents(client: &Client, a: AgentsArgs) -> CmdResult {
    let filter = parse_filter(a.filter.as_deref())?;
    let inventory = Inventory::read(client).await?;
    let agents = &inventory.agents;
    let mut shown = inventory.matching(&filter);

    if a.json.json {
        output::json(&shown)?;
        return Ok(ExitCode::SUCCESS);
    }

    shown.sort_by(|x, y| x.name.cmp(&y.name));
    let mut table = Table::new(&[
        "STATUS",
        "NAME",
        "KIND",
        "OWNER",
        "ENV",
        "RISK",
        "LAST SEEN",
    ]);
    for agent in &shown {
        table.row([
            agent.status.as_str().to_string(),
            agent.name.clone(),
            agent.kind.as_str().to_string(),
            inventory.owner_label(agent),
            agent.environment.clone(),
            inventory
                .risk(agent)
                .map_or("-", Severity::as_str)
                .to_string(),
            ago(agent.last_seen_at),
        ]);
    }
    let mut out = Out::new();
    if shown.is_empty() {
        out.line(if agents.is_empty() {
            "No agents yet: add one with `warden register NAME --kind KIND --env ENV`."
        } else {
            "No agent matches the filter."
        });
    } else {
        out.table(&table);
        out.blank();
        if filter.is_empty() {
            out.line(count(shown.len(), "agent"));
        } else {
            out.line(format!(
                "{} of {} match",
                shown.len(),
                count(agents.len(), "agent")
            ));
        }
    }
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn agent(client: &Client, a: AgentArgs) -> CmdResult {
    let detail = client.get_agent(&a.agent).await?;
    if a.json.json {
        output::json(&detail)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    render_detail(&mut out, &detail);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

fn render_detail(out: &mut Out, d: &AgentDetail) {
    let agent = &d.agent;
    out.line(format!("{} ({})", safe(&agent.name), safe(&agent.id)));
    let owner = match (&agent.owner, &d.owner_person) {
        (None, _) => "none".to_string(),
        (Some(_), Some(p)) => {
            let mut s = format!("{} <{}> ({})", p.name, p.email, p.id);
            if p.status == PersonStatus::Departed {
                s.push_str(" — departed");
            }
            s
        }
        (Some(id), None) => id.clone(),
    };
    let labels = if agent.labels.is_empty() {
        "-".to_string()
    } else {
        agent
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let open: Vec<&Alert> = d
        .alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Open)
        .collect();
    let risk = match open.iter().map(|a| a.severity).max() {
        None => "none".to_string(),
        Some(s) => format!("{s} ({} open)", count(open.len(), "alert")),
    };
    let created = match &agent.created_by {
        Some(by) => format!("{} by {by}", when(agent.created_at)),
        None => when(agent.created_at),
    };
    out.fields(&[
        ("status", agent.status.to_string()),
        ("kind", agent.kind.to_string()),
        ("environment", agent.environment.clone()),
        ("owner", owner),
        (
            "runtime",
            agent.runtime.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "description",
            agent.description.clone().unwrap_or_else(|| "-".into()),
        ),
        ("labels", labels),
        ("risk", risk),
        ("created", created),
        ("last seen", ago(agent.last_seen_at)),
    ]);

    out.section("Credentials", d.credentials.len());
    let mut t = Table::new(&[
        "ID",
        "PREFIX",
        "STATUS",
        "SCOPES",
        "ISSUED",
        "EXPIRES",
        "LAST USED",
    ]);
    for c in &d.credentials {
        t.row([
            c.id.clone(),
            format!("{}…", c.prefix),
            c.status.to_string(),
            c.scopes.join(","),
            ago(Some(c.issued_at)),
            c.expires_at
                .map_or_else(|| "never".into(), |t| ago(Some(t))),
            ago(c.last_used_at),
        ]);
    }
    out.section_table(&t);
    found_secrets(out, d);

    out.section("Grants", d.grants.len());
    out.section_table(&super::directory::grant_table(&d.grants));

    out.section("Delegations", d.delegations.len());
    let mut t = Table::new(&["FROM", "TO", "ACTING FOR", "SCOPES", "ID"]);
    let this = |id: &str| {
        if id == agent.id {
            format!("{id} (this agent)")
        } else {
            id.to_string()
        }
    };
    for dl in &d.delegations {
        let from = match (&dl.parent_agent, &dl.parent_person) {
            (Some(a), _) => format!("agent {}", this(a)),
            (None, Some(p)) => format!("person {p}"),
            (None, None) => "-".into(),
        };
        t.row([
            from,
            format!("agent {}", this(&dl.child_agent)),
            dl.on_behalf_of.clone().unwrap_or_else(|| "-".into()),
            dl.scopes.join(","),
            dl.id.clone(),
        ]);
    }
    out.section_table(&t);

    out.section("Alerts", d.alerts.len());
    out.section_table(&alert_table(&d.alerts, false));
}

/// The secrets `warden discover` found in the agent's config, by the
/// fingerprint the backend holds (a section only a discovered agent has).
fn found_secrets(out: &mut Out, d: &AgentDetail) {
    let found: Vec<_> = d
        .credentials
        .iter()
        .filter_map(|c| Some((c, c.fingerprint.as_deref()?)))
        .collect();
    if found.is_empty() {
        return;
    }
    out.section(
        "Secrets found in plaintext (SHA-256 fingerprints, never the secret)",
        found.len(),
    );
    let mut t = Table::new(&["CREDENTIAL", "STATUS", "KIND", "FIELD", "FINGERPRINT"]);
    for (c, fingerprint) in found {
        let field = c
            .scopes
            .iter()
            .find_map(|s| s.strip_prefix("discovered:"))
            .unwrap_or("-");
        t.row([
            c.id.clone(),
            c.status.to_string(),
            c.prefix
                .strip_suffix(" key")
                .unwrap_or(&c.prefix)
                .to_string(),
            field.to_string(),
            fingerprint.to_string(),
        ]);
    }
    out.section_table(&t);
}

fn alert_table(alerts: &[Alert], with_agent: bool) -> Table {
    let mut sorted: Vec<&Alert> = alerts.iter().collect();
    // Open first, then the most severe, then the newest.
    sorted.sort_by(|a, b| {
        (a.status != AlertStatus::Open)
            .cmp(&(b.status != AlertStatus::Open))
            .then(b.severity.cmp(&a.severity))
            .then(b.created_at.cmp(&a.created_at))
    });
    // Only a list with an Alertmanager's alerts in it needs to say where
    // each came from.
    let with_source = sorted.iter().any(|a| a.source != "warden");
    let mut header = vec!["SEVERITY", "STATUS", "RULE"];
    if with_source {
        header.push("SOURCE");
    }
    if with_agent {
        header.push("AGENT");
    }
    header.extend(["AGE", "ID", "SUMMARY"]);
    let mut t = Table::new(&header);
    for a in sorted {
        let mut row = vec![a.severity.to_string(), a.status.to_string(), a.rule.clone()];
        if with_source {
            row.push(a.source.clone());
        }
        if with_agent {
            row.push(a.agent_id.clone().unwrap_or_else(|| "-".into()));
        }
        row.push(ago(Some(a.created_at)));
        row.push(a.id.clone());
        row.push(a.summary.clone());
        t.row(row);
    }
    t
}

pub async fn alerts(client: &Client, a: JsonFlag) -> CmdResult {
    let alerts = client.alerts().await?;
    print_alerts(&alerts, a.json)?;
    Ok(ExitCode::SUCCESS)
}

/// The alerts as `warden alerts` prints them: a table with a count, or one
/// JSON array.
pub fn print_alerts(alerts: &[Alert], json: bool) -> Result<(), CliError> {
    if json {
        return output::json(alerts);
    }
    let mut out = Out::new();
    if alerts.is_empty() {
        out.line("No alerts.");
    } else {
        out.table(&alert_table(alerts, true));
        let open = alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Open)
            .count();
        out.blank();
        out.line(format!("{}, {open} open", count(alerts.len(), "alert")));
    }
    out.emit()
}

//! `warden triage`: the ownership triage queue with its owner suggestions,
//! as a table to read, or written for a meeting or a ticket (`--format csv`,
//! `markdown`, or `json`, which `--json` also asks for).

use crate::api::client::Client;
use crate::api::{Suggestion, TriageCase, TriageReason, TriageReport};
use crate::cli::args::{TriageArgs, TriageFormat};
use crate::cli::error::{CliError, CmdResult};
use crate::cli::export::{csv_record, md_cell, md_table};
use crate::cli::output::{self, Out, Table, ago, count};
use crate::server::triage::rank::MAX_SUGGESTIONS;
use std::process::ExitCode;

pub async fn triage(client: &Client, a: TriageArgs) -> CmdResult {
    // Checked before the backend is asked: a contradiction is bad usage
    // whether or not the backend is up.
    let format = match (a.format, a.json.json) {
        (Some(f), true) if f != TriageFormat::Json => {
            return Err(CliError::usage(
                "--json is --format json; give one or the other, not both",
            ));
        }
        (_, true) => Some(TriageFormat::Json),
        (f, false) => f,
    };
    let report = client.triage().await?;
    match format {
        None => human(&report).emit()?,
        Some(TriageFormat::Json) => output::json(&report)?,
        Some(TriageFormat::Csv) => output::emit(&csv(&report))?,
        Some(TriageFormat::Markdown) => output::emit(&markdown(&report))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn case_label(c: &TriageCase) -> String {
    match (c.reason, &c.departed_owner) {
        (TriageReason::OwnerDeparted, Some(p)) => format!("owner {} left", p.email),
        (TriageReason::OwnerDeparted, None) => "owner left".into(),
        (TriageReason::Unowned, _) => "no owner".into(),
    }
}

fn who(s: &Suggestion) -> String {
    format!("{} <{}>", s.person.name, s.person.email)
}

/// `registered it (+40); manager of Ann, who left (+25)`
fn why(s: &Suggestion) -> String {
    s.reasons
        .iter()
        .map(|r| format!("{} (+{})", r.text, r.points))
        .collect::<Vec<_>>()
        .join("; ")
}

fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

/// The table: one line per suggestion, the agent's columns on its first.
fn human(report: &TriageReport) -> Out {
    let mut out = Out::new();
    if report.cases.is_empty() {
        out.line("No agent needs an owner: every agent that is not killed has an active owner.");
        return out;
    }
    let mut t = Table::new(&[
        "AGENT",
        "CASE",
        "SINCE",
        "RISK",
        "LEVEL",
        "SUGGESTED OWNER",
        "SCORE",
        "WHY",
    ]);
    for c in &report.cases {
        let first = [
            c.agent.name.clone(),
            case_label(c),
            ago(Some(c.since)),
            or_dash(c.risk),
            or_dash(c.highest_level),
        ];
        if c.suggestions.is_empty() {
            let mut row = first.to_vec();
            row.extend([
                "-".into(),
                "-".into(),
                "no evidence points at an active person".into(),
            ]);
            t.row(row);
        }
        for (i, s) in c.suggestions.iter().enumerate() {
            let mut row = if i == 0 {
                first.to_vec()
            } else {
                vec![String::new(); first.len()]
            };
            row.extend([who(s), s.score.to_string(), why(s)]);
            t.row(row);
        }
    }
    out.table(&t);
    out.blank();
    let departed = report
        .cases
        .iter()
        .filter(|c| c.reason == TriageReason::OwnerDeparted)
        .count();
    out.line(format!(
        "{} need an owner: {} unowned, {departed} whose owner left.",
        count(report.cases.len(), "agent"),
        report.cases.len() - departed,
    ));
    out.line("Assign one with `warden owner AGENT PERSON --reason TEXT`.");
    out
}

/// One record per agent: its columns, then name, score and reasons of each
/// suggestion, empty where there are fewer.
fn csv(report: &TriageReport) -> String {
    let mut header: Vec<String> = [
        "agent",
        "agent_id",
        "environment",
        "kind",
        "status",
        "case",
        "departed_owner",
        "since",
        "risk",
        "highest_level",
    ]
    .map(String::from)
    .to_vec();
    for i in 1..=MAX_SUGGESTIONS {
        header.extend([
            format!("suggestion_{i}"),
            format!("score_{i}"),
            format!("reasons_{i}"),
        ]);
    }
    let mut text = csv_record(&header);
    for c in &report.cases {
        let mut row = vec![
            c.agent.name.clone(),
            c.agent.id.clone(),
            c.agent.environment.clone(),
            c.agent.kind.to_string(),
            c.agent.status.to_string(),
            c.reason.as_str().to_string(),
            c.departed_owner
                .as_ref()
                .map(|p| p.email.clone())
                .unwrap_or_default(),
            c.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            c.risk.map(|r| r.to_string()).unwrap_or_default(),
            c.highest_level.map(|l| l.to_string()).unwrap_or_default(),
        ];
        for i in 0..MAX_SUGGESTIONS {
            match c.suggestions.get(i) {
                Some(s) => row.extend([who(s), s.score.to_string(), why(s)]),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        text.push_str(&csv_record(&row));
    }
    text
}

fn markdown(report: &TriageReport) -> String {
    let mut text = format!(
        "# Ownership triage\n\n{} need an owner (generated {}; events of the last {} days count as evidence).\n\n",
        count(report.cases.len(), "agent"),
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        report.activity_days,
    );
    if report.cases.is_empty() {
        text.push_str("Every agent that is not killed has an active owner.\n");
        return text;
    }
    let rows: Vec<Vec<String>> = report
        .cases
        .iter()
        .map(|c| {
            let suggestions: Vec<String> = if c.suggestions.is_empty() {
                vec!["none: no evidence points at an active person".into()]
            } else {
                c.suggestions
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}. {} — {}: {}", i + 1, who(s), s.score, why(s)))
                    .collect()
            };
            vec![
                md_cell(&[&c.agent.name]),
                md_cell(&[format!("{} ({})", c.agent.environment, c.agent.kind)]),
                md_cell(&[case_label(c)]),
                md_cell(&[c.since.format("%Y-%m-%d").to_string()]),
                md_cell(&[or_dash(c.risk)]),
                md_cell(&[or_dash(c.highest_level)]),
                md_cell(&suggestions),
            ]
        })
        .collect();
    text.push_str(&md_table(
        &[
            "Agent",
            "Where",
            "Case",
            "Since",
            "Risk",
            "Level",
            "Suggested owners",
        ],
        &rows,
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{EvidenceKind, OwnerEvidence};
    use crate::cli::export::tests::parse_csv;
    use crate::model::*;
    use chrono::{DateTime, Utc};

    fn person(name: &str, email: &str) -> Person {
        Person {
            id: format!("per_{name}"),
            name: name.into(),
            email: email.into(),
            team: None,
            manager: None,
            status: PersonStatus::Active,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            departed_at: None,
            rev: 1,
        }
    }

    fn case(name: &str, suggestions: usize) -> TriageCase {
        TriageCase {
            agent: Agent {
                created_at: DateTime::<Utc>::UNIX_EPOCH,
                updated_at: DateTime::<Utc>::UNIX_EPOCH,
                ..fixtures::agent(&format!("agt_{name}"), name)
            },
            reason: TriageReason::Unowned,
            departed_owner: None,
            since: DateTime::<Utc>::UNIX_EPOCH,
            risk: Some(Severity::High),
            highest_level: None,
            suggestions: (0..suggestions)
                .map(|i| Suggestion {
                    person: person(&format!("P{i}"), &format!("p{i}@corp.example")),
                    score: 40 - i as u32,
                    reasons: vec![OwnerEvidence {
                        kind: EvidenceKind::Creator,
                        points: 40 - i as u32,
                        text: "registered it, twice".into(),
                    }],
                })
                .collect(),
        }
    }

    /// Two agents: one with a hostile name and two suggestions, one with none.
    fn report() -> TriageReport {
        TriageReport {
            generated_at: DateTime::<Utc>::UNIX_EPOCH,
            activity_days: 30,
            cases: vec![
                case("=cmd|'/c calc'!A1\x1b[2J\u{202e}", 2),
                case("quiet", 0),
            ],
        }
    }

    #[test]
    fn csv_has_a_header_and_one_record_per_agent() {
        let records = parse_csv(&csv(&report()));
        assert_eq!(records.len(), 3);
        let width = 10 + 3 * MAX_SUGGESTIONS;
        assert!(records.iter().all(|r| r.len() == width), "{records:?}");
        assert_eq!(records[0][0], "agent");
        assert_eq!(records[0][width - 1], format!("reasons_{MAX_SUGGESTIONS}"));
        let hostile = &records[1];
        assert!(hostile[0].starts_with("'="), "{}", hostile[0]);
        assert!(!hostile[0].contains(['\x1b', '\u{202e}']));
        assert_eq!(hostile[5], "unowned");
        assert_eq!(hostile[8], "high");
        assert_eq!(hostile[10], "P0 <p0@corp.example>");
        assert_eq!(hostile[11], "40");
        assert_eq!(hostile[12], "registered it, twice (+40)");
        assert_eq!(hostile[13], "P1 <p1@corp.example>");
        assert_eq!(hostile[16], "");
        assert_eq!(records[2][10], "");
    }

    #[test]
    fn markdown_is_one_table_row_per_agent() {
        let md = markdown(&report());
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 2 + 2, "{md}");
        assert!(rows[0].starts_with("| Agent | Where | Case |"));
        // Seven columns each: a pipe in a name is escaped, not a column.
        for row in &rows {
            let unescaped = row.replace("\\|", "");
            assert_eq!(unescaped.matches('|').count(), 8, "{row}");
        }
        assert!(!md.contains(['\x1b', '\u{202e}']));
        assert!(
            rows[2]
                .contains("1. P0 \\<p0@corp.example\\> — 40: registered it, twice (+40)<br>2. P1")
        );
        assert!(rows[3].contains("none: no evidence"));
    }

    #[test]
    fn the_human_table_escapes_and_says_what_to_do() {
        let text = human(&report()).into_string();
        assert!(!text.contains(['\x1b', '\u{202e}']), "{text}");
        assert!(text.contains("\\x1b[2J"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("AGENT"));
        // One line per suggestion, one for the agent with none.
        assert_eq!(lines.len(), 1 + 2 + 1 + 1 + 2, "{text}");
        assert!(
            lines[2].trim_start().starts_with("P1 <p1@corp.example>"),
            "{}",
            lines[2]
        );
        assert!(lines[3].contains("no evidence points at an active person"));
        assert!(text.contains("2 agents need an owner: 2 unowned, 0 whose owner left."));
        assert!(text.contains("warden owner AGENT PERSON --reason TEXT"));
        let empty = human(&TriageReport {
            cases: Vec::new(),
            ..report()
        })
        .into_string();
        assert!(empty.starts_with("No agent needs an owner"), "{empty}");
    }

    #[test]
    fn the_help_states_the_weights_in_use() {
        use crate::server::triage::rank::*;
        use clap::CommandFactory;
        let cli = crate::cli::args::Cli::command();
        let help = cli
            .find_subcommand("triage")
            .and_then(|c| c.get_after_help())
            .expect("triage has an after_help")
            .to_string();
        for line in [
            format!("{CREATOR}  registered the agent"),
            format!("{DELEGATION}  a delegation"),
            format!("{}-{ACTIVITY_MAX}  its events", ACTIVITY_BASE + 1),
            format!("({ACTIVITY_BASE} + one per event)"),
            format!("{MANAGER}  the departed owner's manager ({MANAGER_ABOVE}:"),
            format!("{TEAM}  on the departed owner's team"),
            format!("Up to {MAX_SUGGESTIONS} active people"),
            format!("the last {} days", crate::server::triage::ACTIVITY_DAYS),
        ] {
            assert!(help.contains(&line), "{line:?} not in:\n{help}");
        }
    }
}

//! The detail view's "delegation chain and alerts" section as lines: the
//! chain as trees (who the agent acts for, whom it delegates to), the Vault
//! identities linked to it and how, then the agent's alerts.

use crate::tui::app::App;
use crate::tui::screens::detail::delegation_tree::{self, Chain, Node, Who};
use crate::tui::strings;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// The delegation chain as trees, then the agent's alerts.
pub(super) fn links(app: &App, agent_id: &str, theme: &Theme) -> Vec<Line<'static>> {
    let chain: Chain = delegation_tree::build(&app.fleet, agent_id);
    let name = app
        .fleet
        .agent(agent_id)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let mut lines = Vec::new();
    if chain.is_empty() {
        lines.push(Line::styled(strings::NO_DELEGATIONS, theme.muted));
    }
    for (nodes, heading) in [
        (&chain.up, strings::ACTS_FOR),
        (&chain.down, strings::DELEGATES_TO),
    ] {
        if nodes.is_empty() {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(name.clone(), theme.header),
            Span::styled(format!(" {heading}:"), theme.muted),
        ]));
        for (prefix, node) in delegation_tree::lines(nodes) {
            lines.push(node_line(prefix, node, theme));
        }
    }
    if chain.truncated {
        lines.push(Line::styled(
            format!(
                "… {}",
                strings::more_delegations(delegation_tree::MAX_NODES)
            ),
            theme.muted,
        ));
    }
    let extras = &app.panes.detail;
    if extras.agent_id.as_deref() == Some(agent_id) && !extras.seen_acting_for.is_empty() {
        lines.push(Line::from(vec![
            Span::styled(name.clone(), theme.header),
            Span::styled(format!(" {}:", strings::ACTS_FOR_UNDELEGATED), theme.muted),
        ]));
        for s in &extras.seen_acting_for {
            let style = if s.origin == crate::model::ORIGIN_SHADOW {
                theme.high
            } else {
                theme.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", s.name), style),
                Span::styled(
                    strings::seen_acting_for(&s.origin, s.status, s.events, s.last_at),
                    theme.muted,
                ),
            ]));
        }
    }
    let vault: Vec<_> = app.fleet.identities_of(agent_id).collect();
    if !vault.is_empty() {
        lines.push(Line::styled(
            strings::vault_identities_heading(vault.len()),
            theme.header,
        ));
        for i in vault.iter().take(6) {
            let mut spans = vec![Span::styled(format!("{} ", i.name), theme.text)];
            if i.root {
                spans.push(Span::styled(format!("{} ", strings::ROOT), theme.critical));
            }
            let how = i.link.as_ref().map(|l| l.how.as_str()).unwrap_or_default();
            spans.push(Span::styled(strings::linked_by(how), theme.muted));
            lines.push(Line::from(spans));
        }
    }
    let alerts = app.fleet.alerts_of(agent_id);
    lines.push(Line::styled(
        format!("{} ({})", strings::ALERTS, alerts.len()),
        theme.header,
    ));
    for a in alerts.iter().take(4) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<9}", a.severity.to_string()),
                theme.severity(a.severity),
            ),
            Span::styled(
                format!("{} {} · {}", a.rule, a.status, a.summary),
                theme.text,
            ),
        ]));
    }
    lines
}

fn node_line(prefix: String, node: &Node, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(prefix, theme.muted)];
    match &node.who {
        Who::Agent { name, status, .. } => {
            spans.push(Span::styled(name.clone(), theme.status(*status)));
            if *status != crate::model::AgentStatus::Active {
                spans.push(Span::styled(format!(" ({status})"), theme.status(*status)));
            }
        }
        Who::Person {
            name,
            departed: false,
            ..
        } => spans.push(Span::styled(strings::person_node(name), theme.text)),
        Who::Person {
            name,
            departed: true,
            ..
        } => spans.push(Span::styled(
            strings::departed_person_node(name),
            theme.error,
        )),
        Who::Missing { id, kind } => {
            spans.push(Span::styled(strings::unknown_node(id, kind), theme.medium))
        }
        Who::Nobody => spans.push(Span::styled(strings::NO_DELEGATOR, theme.medium)),
    }
    if !node.scopes.is_empty() {
        spans.push(Span::styled(
            format!(" · {}", node.scopes.join(" ")),
            theme.muted,
        ));
    }
    if let Some(p) = &node.on_behalf_of {
        spans.push(Span::styled(
            format!(" · {}", strings::on_behalf_of(p)),
            theme.muted,
        ));
    }
    if node.cycle {
        spans.push(Span::styled(
            format!(" ↺ {}", strings::LOOPS_BACK),
            theme.high,
        ));
    }
    if node.cut {
        spans.push(Span::styled(" …", theme.muted));
    }
    Line::from(spans)
}

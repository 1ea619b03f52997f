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
    exchanged_tokens(app, agent_id, theme, &mut lines);
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

/// Shown of the live exchanged tokens, newest first.
const TOKENS_SHOWN: usize = 4;

/// The live tokens exchanged through this agent, each as its path (who
/// started it → each actor), scopes and expiry, from the agent's detail.
fn exchanged_tokens(app: &App, agent_id: &str, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let extras = &app.panes.detail;
    if extras.agent_id.as_deref() != Some(agent_id) || extras.tokens.is_empty() {
        return;
    }
    let tokens = &extras.tokens;
    lines.push(Line::styled(
        strings::exchanged_tokens_heading(tokens.len()),
        theme.header,
    ));
    let name = |id: &str| -> String {
        app.fleet
            .agent(id)
            .map(|a| a.name.clone())
            .or_else(|| app.fleet.people().find(|p| p.id == id).map(|p| p.name.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    for t in tokens.iter().take(TOKENS_SHOWN) {
        let path = std::iter::once(name(&t.sub))
            .chain(t.act.iter().map(|a| name(a)))
            .collect::<Vec<_>>()
            .join(" → ");
        let text = strings::exchanged_token_line(
            path,
            t.scopes.join(" "),
            t.expires_at.format("%H:%M:%S UTC"),
        );
        lines.push(Line::styled(
            format!("  {}", crate::fleet::safe_text::escape(&text)),
            theme.text,
        ));
    }
    if tokens.len() > TOKENS_SHOWN {
        lines.push(Line::styled(
            format!("  {}", strings::more_exchanged_tokens(tokens.len() - TOKENS_SHOWN)),
            theme.muted,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::LiveExchangedToken;
    use crate::model::fixtures::{agent, person};
    use crate::tui::app::Options;

    fn text(lines: &[Line<'static>]) -> String {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn live_exchanged_tokens_are_listed_with_their_path_and_counted_in_a_kill() {
        let mut app = App::new("demo", "http://x", Options::default());
        app.fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("agt_p", "planner"), agent("agt_w", "worker")],
            people: vec![person("per_pat", "Pat", false)],
            ..Changes::default()
        });
        let theme = Theme::dark();
        let token = |jti: &str| LiveExchangedToken {
            jti: jti.into(),
            sub: "per_pat".into(),
            act: vec!["agt_p".into(), "agt_w".into()],
            scopes: vec!["crm:read".into()],
            audience: vec!["crm".into()],
            expires_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let before = text(&links(&app, "agt_p", &theme));
        assert!(!before.contains("exchanged"), "{before}");
        app.panes.detail.agent_id = Some("agt_p".into());
        app.panes.detail.tokens = (0..6).map(|i| token(&format!("tkx_{i}"))).collect();
        let shown = text(&links(&app, "agt_p", &theme));
        assert!(shown.contains("live exchanged tokens (6)"), "{shown}");
        assert!(
            shown.contains("  Pat → planner → worker · crm:read · until 08:00:00 UTC"),
            "{shown}"
        );
        assert!(shown.contains("… and 2 more"), "{shown}");
        // Another agent's detail is not this one's.
        assert!(!text(&links(&app, "agt_w", &theme)).contains("exchanged"));
        let planner = app.fleet.agent("agt_p").unwrap().clone();
        let blast = app.blast_radius(&planner);
        assert!(
            blast.contains(&"6 live exchanged token(s) through it refused at once".to_string()),
            "{blast:?}"
        );
    }
}

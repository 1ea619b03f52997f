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
    let tokens = Tokens::of(app, agent_id);
    let mut placed = vec![false; tokens.paths.len()];
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
            let under = continuation(&prefix, !node.children.is_empty());
            lines.push(node_line(prefix, node, theme));
            tokens.under_link(node, &under, &mut placed, theme, &mut lines);
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
    tokens.elsewhere(&placed, theme, &mut lines);
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

/// Shown of the live exchanged tokens under one link, newest first.
const TOKENS_PER_LINK: usize = 2;
/// Shown of the tokens on no link the trees show.
const TOKENS_SHOWN: usize = 4;

/// The tree's glyphs under a node's line: its branch carried on, and a
/// bar down to its children if it has any.
fn continuation(prefix: &str, children: bool) -> String {
    let trunk = prefix.replace("├─ ", "│  ").replace("└─ ", "   ");
    format!("{trunk}{}", if children { "│ " } else { "  " })
}

/// The live tokens exchanged through the open agent (from its detail), each
/// as the ids of its path (who started it, then each actor) and as that
/// path by name.
struct Tokens<'a> {
    tokens: &'a [crate::model::LiveExchangedToken],
    paths: Vec<Vec<&'a str>>,
    names: Vec<String>,
}

impl<'a> Tokens<'a> {
    fn of(app: &'a App, agent_id: &str) -> Self {
        let extras = &app.panes.detail;
        let tokens: &[_] = if extras.agent_id.as_deref() == Some(agent_id) {
            &extras.tokens
        } else {
            &[]
        };
        let name = |id: &str| -> String {
            app.fleet
                .agent(id)
                .map(|a| a.name.clone())
                .or_else(|| app.fleet.person(id).map(|p| p.name.clone()))
                .unwrap_or_else(|| id.to_string())
        };
        let paths: Vec<Vec<&str>> = tokens
            .iter()
            .map(|t| {
                std::iter::once(t.sub.as_str())
                    .chain(t.act.iter().map(String::as_str))
                    .collect()
            })
            .collect();
        let names = paths
            .iter()
            .map(|p| p.iter().map(|id| name(id)).collect::<Vec<_>>().join(" → "))
            .collect();
        Tokens {
            tokens,
            paths,
            names,
        }
    }

    fn line(&self, i: usize) -> String {
        let t = &self.tokens[i];
        crate::fleet::safe_text::escape(&strings::exchanged_token_line(
            &self.names[i],
            t.scopes.join(" "),
            t.expires_at.format("%H:%M:%S UTC"),
        ))
        .into_owned()
    }

    /// The tokens exchanged along `node`'s delegation: their paths name its
    /// delegator and then its delegate.
    fn under_link(
        &self,
        node: &Node,
        indent: &str,
        placed: &mut [bool],
        theme: &Theme,
        lines: &mut Vec<Line<'static>>,
    ) {
        let (Some(from), to) = (node.link.0.as_deref(), node.link.1.as_str()) else {
            return;
        };
        let on_link: Vec<usize> = (0..self.paths.len())
            .filter(|&i| self.paths[i].windows(2).any(|w| w[0] == from && w[1] == to))
            .collect();
        for &i in &on_link {
            placed[i] = true;
        }
        for &i in on_link.iter().take(TOKENS_PER_LINK) {
            lines.push(Line::from(vec![
                Span::styled(format!("{indent}{} ", strings::TOKEN_MARK), theme.muted),
                Span::styled(self.line(i), theme.text),
            ]));
        }
        if on_link.len() > TOKENS_PER_LINK {
            lines.push(Line::styled(
                format!(
                    "{indent}{} {}",
                    strings::TOKEN_MARK,
                    strings::more_exchanged_tokens(on_link.len() - TOKENS_PER_LINK)
                ),
                theme.muted,
            ));
        }
    }

    /// The count of them all (what a kill refuses), and those on no link
    /// the trees show (a delegation since removed, or a tree cut short).
    fn elsewhere(&self, placed: &[bool], theme: &Theme, lines: &mut Vec<Line<'static>>) {
        if self.tokens.is_empty() {
            return;
        }
        let rest: Vec<usize> = (0..self.tokens.len()).filter(|&i| !placed[i]).collect();
        lines.push(Line::styled(
            strings::exchanged_tokens_heading(self.tokens.len(), rest.len()),
            theme.header,
        ));
        for &i in rest.iter().take(TOKENS_SHOWN) {
            lines.push(Line::styled(format!("  {}", self.line(i)), theme.text));
        }
        if rest.len() > TOKENS_SHOWN {
            lines.push(Line::styled(
                format!("  {}", strings::more_exchanged_tokens(rest.len() - TOKENS_SHOWN)),
                theme.muted,
            ));
        }
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

    fn delegation(id: &str, parent: &str, child: &str) -> crate::model::Delegation {
        let person = parent.starts_with("per_");
        crate::model::Delegation {
            id: id.into(),
            parent_agent: (!person).then(|| parent.into()),
            parent_person: person.then(|| parent.into()),
            child_agent: child.into(),
            on_behalf_of: Some("per_pat".into()),
            scopes: vec!["crm:read".into()],
            created_at: chrono::Utc::now(),
            rev: 1,
        }
    }

    #[test]
    fn live_exchanged_tokens_are_listed_under_each_link_they_use_and_counted_in_a_kill() {
        let mut app = App::new("demo", "http://x", Options::default());
        app.fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![
                agent("agt_p", "planner"),
                agent("agt_w", "worker"),
                agent("agt_x", "other"),
            ],
            people: vec![person("per_pat", "Pat", false)],
            delegations: vec![
                delegation("dlg_1", "per_pat", "agt_p"),
                delegation("dlg_2", "agt_p", "agt_w"),
                delegation("dlg_3", "agt_p", "agt_x"),
            ],
            ..Changes::default()
        });
        let theme = Theme::dark();
        let token = |jti: &str, act: &[&str]| LiveExchangedToken {
            jti: jti.into(),
            sub: "per_pat".into(),
            act: act.iter().map(|a| a.to_string()).collect(),
            scopes: vec!["crm:read".into()],
            audience: vec!["crm".into()],
            expires_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let before = text(&links(&app, "agt_p", &theme));
        assert!(!before.contains("token"), "{before}");
        app.panes.detail.agent_id = Some("agt_p".into());
        // Three through planner to worker, one held by planner alone, and
        // one whose first link (Pat to the unknown agt_gone) no tree shows.
        let mut tokens: Vec<_> = (0..3)
            .map(|i| token(&format!("tkx_{i}"), &["agt_p", "agt_w"]))
            .collect();
        tokens.push(token("tkx_own", &["agt_p"]));
        tokens.push(LiveExchangedToken {
            sub: "agt_gone".into(),
            ..token("tkx_odd", &["agt_p"])
        });
        app.panes.detail.tokens = tokens;
        let shown = text(&links(&app, "agt_p", &theme));
        let expected = "\
planner acts for:
└─ Pat (person) · crm:read
     ↳ token until 08:00:00 UTC · Pat → planner → worker · crm:read
     ↳ token until 08:00:00 UTC · Pat → planner → worker · crm:read
     ↳ token … and 2 more
planner delegates to:
├─ worker · crm:read · for Pat
│    ↳ token until 08:00:00 UTC · Pat → planner → worker · crm:read
│    ↳ token until 08:00:00 UTC · Pat → planner → worker · crm:read
│    ↳ token … and 1 more
└─ other · crm:read · for Pat
live exchanged tokens (5), 1 on no delegation shown above:
  until 08:00:00 UTC · agt_gone → planner · crm:read";
        assert!(shown.starts_with(expected), "{shown}");
        // Another agent's detail is not this one's.
        assert!(!text(&links(&app, "agt_w", &theme)).contains("token"));
        let planner = app.fleet.agent("agt_p").unwrap().clone();
        let blast = app.blast_radius(&planner);
        assert!(
            blast.contains(&"5 live exchanged token(s) through it refused at once".to_string()),
            "{blast:?}"
        );
    }

    #[test]
    fn an_agent_the_fleet_no_longer_holds_counts_no_credentials_in_its_blast_radius() {
        let mut app = App::new("demo", "http://x", Options::default());
        app.fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("agt_p", "planner")],
            credentials: vec![crate::model::fixtures::credential("crd_1", "agt_p")],
            ..Changes::default()
        });
        let gone = agent("agt_gone", "gone");
        let blast = app.blast_radius(&gone);
        assert_eq!(blast[0], "0 live credential(s) will be revoked", "{blast:?}");
        let planner = app.fleet.agent("agt_p").unwrap().clone();
        assert_eq!(app.blast_radius(&planner)[0], "1 live credential(s) will be revoked");
    }
}

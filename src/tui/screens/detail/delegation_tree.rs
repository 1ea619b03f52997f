//! An agent's delegation chain as two trees built from the fleet's
//! delegations: upwards, who it acts for (each delegator, then that
//! delegator's own delegators, up to a person or an agent nobody delegated
//! to), and downwards, the agents it delegated to and theirs. A chain may
//! loop back on itself or name someone this backend does not know; both
//! show as such, and the walk is bounded, so a hostile or broken graph
//! can neither hang nor flood the view.

use crate::fleet::state::Fleet;
use crate::model::{AgentStatus, Delegation, PersonStatus};

/// Deeper than this, a branch is cut (and marked so).
pub const MAX_DEPTH: usize = 8;
/// At most this many nodes in both trees together.
pub const MAX_NODES: usize = 64;

/// Who a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Agent {
        id: String,
        name: String,
        status: AgentStatus,
    },
    Person {
        id: String,
        name: String,
        departed: bool,
    },
    /// Named by a delegation but not in this backend's fleet or directory.
    Missing { id: String, kind: &'static str },
    /// A delegation that names no delegator at all.
    Nobody,
}

/// One delegator or delegate, with the delegation that links it to its
/// parent in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub who: Who,
    pub scopes: Vec<String>,
    /// The person at the start of the chain, by name (or id if unknown).
    pub on_behalf_of: Option<String>,
    pub children: Vec<Node>,
    /// This agent is already on the path above: the chain loops here.
    pub cycle: bool,
    /// It has children, left out because the tree is [`MAX_DEPTH`] deep.
    pub cut: bool,
    /// The delegation's ends, by id: who delegated (none if nobody is
    /// named) and to which agent. A token exchanged along this link names
    /// the two next to each other in its `sub`/`act` path.
    pub link: (Option<String>, String),
}

/// Both trees around one agent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    /// Whom the agent acts for: its delegators, each with theirs below.
    pub up: Vec<Node>,
    /// Whom it delegated to, each with theirs below.
    pub down: Vec<Node>,
    /// Nodes were left out: the trees hold [`MAX_NODES`] already.
    pub truncated: bool,
}

impl Chain {
    pub fn is_empty(&self) -> bool {
        self.up.is_empty() && self.down.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

struct Walk<'a> {
    fleet: &'a Fleet,
    nodes: usize,
    truncated: bool,
}

/// The chain around `agent_id`.
pub fn build(fleet: &Fleet, agent_id: &str) -> Chain {
    let mut walk = Walk {
        fleet,
        nodes: 0,
        truncated: false,
    };
    let mut path = vec![agent_id.to_string()];
    let up = walk.level(agent_id, Direction::Up, &mut path);
    let down = walk.level(agent_id, Direction::Down, &mut path);
    Chain {
        up,
        down,
        truncated: walk.truncated,
    }
}

impl Walk<'_> {
    /// The nodes one step from `agent_id` in `dir`, each expanded in turn.
    /// `path` holds the agents from the root of the walk to here.
    fn level(&mut self, agent_id: &str, dir: Direction, path: &mut Vec<String>) -> Vec<Node> {
        let mut nodes = Vec::new();
        let fleet = self.fleet;
        for d in links(fleet, agent_id, dir) {
            if self.nodes >= MAX_NODES {
                self.truncated = true;
                break;
            }
            self.nodes += 1;
            let mut node = self.node(d, dir);
            if let Who::Agent { id, .. } = &node.who {
                if path.contains(id) {
                    node.cycle = true;
                } else if path.len() >= MAX_DEPTH {
                    node.cut = !links(fleet, id, dir).is_empty();
                } else {
                    let id = id.clone();
                    path.push(id.clone());
                    node.children = self.level(&id, dir, path);
                    path.pop();
                }
            }
            nodes.push(node);
        }
        nodes
    }

    /// The node a delegation leads to: its delegator going up, its
    /// delegate going down.
    fn node(&self, d: &Delegation, dir: Direction) -> Node {
        let who = match dir {
            Direction::Down => self.agent(&d.child_agent),
            Direction::Up => match (&d.parent_agent, &d.parent_person) {
                (Some(a), _) => self.agent(a),
                (None, Some(p)) => match self.fleet.person(p) {
                    Some(p) => Who::Person {
                        id: p.id.clone(),
                        name: p.name.clone(),
                        departed: p.status == PersonStatus::Departed,
                    },
                    None => Who::Missing {
                        id: p.clone(),
                        kind: "person",
                    },
                },
                (None, None) => Who::Nobody,
            },
        };
        // A person delegating acts for themself: saying so again is noise.
        let own = matches!(&who, Who::Person { id, .. } if d.on_behalf_of.as_ref() == Some(id));
        let on_behalf_of = d.on_behalf_of.as_deref().filter(|_| !own).map(|p| {
            self.fleet
                .person(p)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| p.to_string())
        });
        Node {
            who,
            scopes: d.scopes.clone(),
            on_behalf_of,
            children: Vec::new(),
            cycle: false,
            cut: false,
            link: (
                d.parent_agent.clone().or_else(|| d.parent_person.clone()),
                d.child_agent.clone(),
            ),
        }
    }

    fn agent(&self, id: &str) -> Who {
        match self.fleet.agent(id) {
            Some(a) => Who::Agent {
                id: a.id.clone(),
                name: a.name.clone(),
                status: a.status,
            },
            None => Who::Missing {
                id: id.to_string(),
                kind: "agent",
            },
        }
    }
}

/// The delegations one step from `agent_id` in `dir`, oldest first.
fn links<'a>(fleet: &'a Fleet, agent_id: &str, dir: Direction) -> Vec<&'a Delegation> {
    fleet
        .delegations_of(agent_id)
        .into_iter()
        .filter(|d| match dir {
            Direction::Up => d.child_agent == agent_id,
            Direction::Down => d.parent_agent.as_deref() == Some(agent_id),
        })
        .collect()
}

/// A tree drawn as lines: the branch glyphs before each node.
pub fn lines(nodes: &[Node]) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    push_lines(nodes, "", &mut out);
    out
}

fn push_lines<'a>(nodes: &'a [Node], indent: &str, out: &mut Vec<(String, &'a Node)>) {
    for (i, node) in nodes.iter().enumerate() {
        let last = i + 1 == nodes.len();
        out.push((
            format!("{indent}{}", if last { "└─ " } else { "├─ " }),
            node,
        ));
        let deeper = format!("{indent}{}", if last { "   " } else { "│  " });
        push_lines(&node.children, &deeper, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::{Agent, AgentKind, Person};
    use chrono::Utc;

    fn agent(id: &str) -> Agent {
        Agent {
            kind: AgentKind::Autonomous,
            ..crate::model::fixtures::agent(id, &format!("{id}-name"))
        }
    }

    fn person(id: &str, departed: bool) -> Person {
        crate::model::fixtures::person(id, &format!("{id}-name"), departed)
    }

    /// `parent` is `agt_…` for an agent, anything else for a person.
    fn delegation(id: &str, parent: Option<&str>, child: &str) -> Delegation {
        let is_agent = parent.is_some_and(|p| p.starts_with("agt_"));
        Delegation {
            id: id.into(),
            parent_agent: parent.filter(|_| is_agent).map(Into::into),
            parent_person: parent.filter(|_| !is_agent).map(Into::into),
            child_agent: child.into(),
            on_behalf_of: Some("per_ada".into()),
            scopes: vec!["tickets:read".into()],
            created_at: Utc::now(),
            rev: 1,
        }
    }

    fn fleet(agents: &[&str], delegations: Vec<Delegation>) -> Fleet {
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 1,
            full: true,
            people: vec![person("per_ada", false), person("per_gone", true)],
            agents: agents.iter().map(|a| agent(a)).collect(),
            delegations,
            ..Changes::default()
        });
        f
    }

    fn ids(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match &n.who {
                Who::Agent { id, .. } | Who::Person { id, .. } | Who::Missing { id, .. } => {
                    id.clone()
                }
                Who::Nobody => "-".into(),
            })
            .collect()
    }

    #[test]
    fn up_to_the_root_person_and_down_to_the_leaves() {
        let f = fleet(
            &["agt_a", "agt_b", "agt_c", "agt_d"],
            vec![
                delegation("d1", Some("per_ada"), "agt_a"),
                delegation("d2", Some("agt_a"), "agt_b"),
                delegation("d3", Some("agt_b"), "agt_c"),
                delegation("d4", Some("agt_c"), "agt_d"),
            ],
        );
        let chain = build(&f, "agt_b");
        assert_eq!(ids(&chain.up), ["agt_a"]);
        assert_eq!(ids(&chain.up[0].children), ["per_ada"]);
        assert_eq!(
            chain.up[0].children[0].who,
            Who::Person {
                id: "per_ada".into(),
                name: "per_ada-name".into(),
                departed: false
            }
        );
        assert_eq!(chain.up[0].on_behalf_of.as_deref(), Some("per_ada-name"));
        assert_eq!(
            chain.up[0].children[0].on_behalf_of, None,
            "Ada delegating acts for herself: not said twice"
        );
        assert_eq!(ids(&chain.down), ["agt_c"]);
        assert_eq!(ids(&chain.down[0].children), ["agt_d"]);
        let drawn: Vec<String> = lines(&chain.down).into_iter().map(|(p, _)| p).collect();
        assert_eq!(drawn, ["└─ ", "   └─ "]);
        assert!(build(&f, "agt_zzz").is_empty());
    }

    #[test]
    fn a_cycle_is_marked_and_not_followed() {
        let f = fleet(
            &["agt_a", "agt_b", "agt_c"],
            vec![
                delegation("d1", Some("agt_a"), "agt_b"),
                delegation("d2", Some("agt_b"), "agt_c"),
                delegation("d3", Some("agt_c"), "agt_a"),
                // An agent that delegates to itself.
                delegation("d4", Some("agt_b"), "agt_b"),
            ],
        );
        let chain = build(&f, "agt_a");
        // a → b → c → a: the walk stops at a, marked.
        let b = &chain.down[0];
        assert_eq!(ids(&chain.down), ["agt_b"]);
        let c = b.children.iter().find(|n| !n.cycle).unwrap();
        assert_eq!(ids(&c.children), ["agt_a"]);
        assert!(c.children[0].cycle && c.children[0].children.is_empty());
        assert!(
            b.children
                .iter()
                .any(|n| n.cycle && ids(std::slice::from_ref(n)) == ["agt_b"])
        );
        // Upwards the same loop ends too.
        let up = &chain.up[0];
        assert_eq!(ids(&chain.up), ["agt_c"]);
        assert_eq!(ids(&up.children), ["agt_b"]);
        assert!(up.children[0].children.iter().any(|n| n.cycle));
    }

    #[test]
    fn missing_parents_and_children_are_named_not_dropped() {
        let mut nobody = delegation("d3", None, "agt_a");
        nobody.on_behalf_of = Some("per_unknown".into());
        let f = fleet(
            &["agt_a"],
            vec![
                delegation("d1", Some("agt_elsewhere"), "agt_a"),
                delegation("d2", Some("per_nobody"), "agt_a"),
                nobody,
                delegation("d4", Some("agt_a"), "agt_gone"),
                delegation("d5", Some("per_gone"), "agt_a"),
            ],
        );
        let chain = build(&f, "agt_a");
        let whos: Vec<&Who> = chain.up.iter().map(|n| &n.who).collect();
        assert!(whos.contains(&&Who::Missing {
            id: "agt_elsewhere".into(),
            kind: "agent"
        }));
        assert!(whos.contains(&&Who::Missing {
            id: "per_nobody".into(),
            kind: "person"
        }));
        assert!(whos.contains(&&Who::Nobody));
        assert!(
            whos.iter()
                .any(|w| matches!(w, Who::Person { departed: true, .. }))
        );
        let unknown = chain.up.iter().find(|n| n.who == Who::Nobody).unwrap();
        assert_eq!(unknown.on_behalf_of.as_deref(), Some("per_unknown"));
        assert_eq!(
            chain.down[0].who,
            Who::Missing {
                id: "agt_gone".into(),
                kind: "agent"
            }
        );
    }

    #[test]
    fn a_huge_or_deep_graph_is_bounded() {
        // A line of 30 agents, and one agent with 200 delegates.
        let names: Vec<String> = (0..230).map(|i| format!("agt_{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut ds: Vec<Delegation> = (1..30)
            .map(|i| delegation(&format!("l{i}"), Some(refs[i - 1]), refs[i]))
            .collect();
        ds.extend((30..230).map(|i| delegation(&format!("w{i}"), Some("agt_0"), refs[i])));
        let f = fleet(&refs, ds);
        let chain = build(&f, "agt_0");
        fn count(nodes: &[Node]) -> usize {
            nodes.iter().map(|n| 1 + count(&n.children)).sum()
        }
        fn depth(nodes: &[Node]) -> usize {
            nodes
                .iter()
                .map(|n| 1 + depth(&n.children))
                .max()
                .unwrap_or(0)
        }
        assert!(count(&chain.down) <= MAX_NODES);
        assert!(chain.truncated, "the wide part did not fit and says so");
        assert_eq!(depth(&chain.down), MAX_DEPTH);
        // The line goes first (oldest delegation first) and is cut, marked.
        let mut n = &chain.down[0];
        while let Some(next) = n.children.first() {
            n = next;
        }
        assert!(n.cut, "the deepest node says there is more");
    }
}

//! What an entry's target text names: the ids in it by their prefixes, and
//! an agent's name in the parentheses after its id. Targets are written by
//! the store as text ("crd_1 of agt_2 (support-bot)"); a SIEM wants fields.

/// The ids and the name a target holds.
#[derive(Debug, Default, PartialEq)]
pub struct Named {
    pub agent: Option<String>,
    pub agent_name: Option<String>,
    pub credential: Option<String>,
    pub token: Option<String>,
    pub person: Option<String>,
    pub alert: Option<String>,
    pub operation: Option<String>,
    /// The first id of any kind, for entities with no field of their own.
    pub first: Option<String>,
}

pub fn parse(target: &str) -> Named {
    let mut n = Named::default();
    let words: Vec<&str> = target
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, raw) in words.iter().enumerate() {
        let w = raw.trim_matches(|c: char| c == '(' || c == ')');
        let Some((prefix, rest)) = w.split_once('_') else {
            continue;
        };
        if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let slot = match prefix {
            "agt" => &mut n.agent,
            "crd" => &mut n.credential,
            "tok" => &mut n.token,
            "per" => &mut n.person,
            "alr" => &mut n.alert,
            "op" => &mut n.operation,
            "grt" | "dlg" => &mut n.first,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(w.to_string());
            if prefix == "agt" {
                n.agent_name = words
                    .get(i + 1)
                    .and_then(|next| next.strip_prefix('('))
                    .map(|s| s.trim_end_matches(')').to_string());
            }
        }
        if n.first.is_none() {
            n.first = Some(w.to_string());
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_the_agents_name_are_found() {
        let n = parse("crd_1 of agt_2 (support-bot)");
        assert_eq!(n.credential.as_deref(), Some("crd_1"));
        assert_eq!(n.agent.as_deref(), Some("agt_2"));
        assert_eq!(n.agent_name.as_deref(), Some("support-bot"));
        let n = parse("agt_9 (bot) (op_3)");
        assert_eq!(n.operation.as_deref(), Some("op_3"));
        let n = parse("alr_5 on agt_7");
        assert_eq!(
            (n.alert.as_deref(), n.agent.as_deref()),
            (Some("alr_5"), Some("agt_7"))
        );
        assert_eq!(parse("nothing here"), Named::default());
    }
}

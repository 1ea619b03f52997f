//! Keeping a sorted list of fleet indices in step with a poll: the agents
//! a poll changed leave the list and go back in at their place, found by
//! binary search, so a poll of a thousand changes costs a few thousand
//! comparisons instead of a sort of the whole fleet.

use std::cmp::Ordering;

/// Takes the `changed` indices (each below `len`, the fleet's size now)
/// out of `list`, a list sorted by `cmp`, and puts back those `include`
/// accepts, each where `cmp` places it. `cmp` must be a total order (end
/// on the index) that `list` is sorted by.
pub fn merge_changed(
    list: &mut Vec<usize>,
    changed: &[usize],
    len: usize,
    include: impl Fn(usize) -> bool,
    cmp: impl Fn(usize, usize) -> Ordering,
) {
    if changed.is_empty() {
        return;
    }
    let mut is_changed = vec![false; len];
    for &i in changed {
        if let Some(c) = is_changed.get_mut(i) {
            *c = true;
        }
    }
    list.retain(|&i| !is_changed.get(i).copied().unwrap_or(true));
    let mut back: Vec<usize> = changed
        .iter()
        .copied()
        .filter(|&i| i < len && include(i))
        .collect();
    back.sort_unstable_by(|&a, &b| cmp(a, b));
    back.dedup();
    let mut out = Vec::with_capacity(list.len() + back.len());
    let mut start = 0;
    for x in back {
        let at = start + list[start..].partition_point(|&y| cmp(y, x) == Ordering::Less);
        out.extend_from_slice(&list[start..at]);
        out.push(x);
        start = at;
    }
    out.extend_from_slice(&list[start..]);
    *list = out;
}

/// The indices of `names` sorted by name, then index: what a full sync's
/// name order is built from. Each name's first eight bytes are compared as
/// one number, from an array beside the index, so most comparisons touch
/// no string at all (at a million agents, 20 million comparisons that each
/// read two names from the heap took about a second).
pub fn sorted_by_name<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> Vec<usize> {
    let names: Vec<&str> = names.collect();
    let prefix = |s: &str| {
        let mut b = [0u8; 8];
        let n = s.len().min(8);
        b[..n].copy_from_slice(&s.as_bytes()[..n]);
        u64::from_be_bytes(b)
    };
    let mut keyed: Vec<(u64, u32)> = names
        .iter()
        .enumerate()
        .map(|(i, s)| (prefix(s), i as u32))
        .collect();
    // Equal prefixes (and a name shorter than eight bytes against one
    // padded with zeros) fall back to the whole names.
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| names[a.1 as usize].cmp(names[b.1 as usize]))
            .then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, i)| i as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_order_is_the_plain_sort() {
        let names = [
            "ticket-triage-2",
            "ticket-triage",
            "ticket-triage\0",
            "a",
            "",
            "ticket-triage-10",
            "Zed",
            "ticket-t",
            "ticket-triage-2",
            "é",
            "ticket-triage-1",
        ];
        let mut want: Vec<usize> = (0..names.len()).collect();
        want.sort_by(|&a, &b| names[a].cmp(names[b]).then(a.cmp(&b)));
        assert_eq!(sorted_by_name(names.iter().copied()), want);
    }

    #[test]
    fn changed_entries_move_to_their_new_place() {
        // Keys by index; sorted by key then index.
        let mut keys = vec![5, 1, 4, 2, 3];
        let mut list: Vec<usize> = (0..keys.len()).collect();
        list.sort_by_key(|&i| (keys[i], i));
        keys[1] = 9; // moves to the end
        keys[4] = 0; // moves to the front
        keys.push(3); // a new one, index 5
        let k = keys.clone();
        merge_changed(
            &mut list,
            &[1, 4, 5],
            keys.len(),
            |i| i != 2 || k[i] > 0,
            |a, b| (k[a], a).cmp(&(k[b], b)),
        );
        let mut want: Vec<usize> = (0..keys.len()).collect();
        want.sort_by_key(|&i| (keys[i], i));
        assert_eq!(list, want);
        // Excluded ones leave.
        merge_changed(&mut list, &[0], keys.len(), |_| false, |a, b| a.cmp(&b));
        assert!(!list.contains(&0));
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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

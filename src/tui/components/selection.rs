//! A cursor over a list that is rebuilt from the fleet: the selected row,
//! the first row on screen, and the selected item's key, so that a rebuild
//! that adds or reorders rows keeps the cursor on the same item. The
//! moving and scrolling arithmetic ([`moved`], [`scrolled`]) is the one every
//! list uses, the agents table's included.

/// Where a list stands: the first row on screen, the selected row, and
/// how many rows there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub offset: usize,
    pub selected: usize,
    pub len: usize,
}

#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Position of the selected row.
    pub selected: usize,
    /// First visible position.
    pub offset: usize,
    /// The selected item's key, which survives a rebuild.
    key: Option<String>,
}

impl Selection {
    /// The selected item's key, as last remembered.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// After a rebuild: back on the remembered item if `find` locates it,
    /// else on the same row number (clamped), remembering what is there.
    pub fn restore(
        &mut self,
        len: usize,
        find: impl Fn(&str) -> Option<usize>,
        key_at: impl Fn(usize) -> Option<String>,
    ) {
        let at = self.key.as_deref().and_then(find).unwrap_or(self.selected);
        self.select(at, len, key_at);
    }

    /// Selects row `at` (clamped to the list) and remembers its key.
    pub fn select(&mut self, at: usize, len: usize, key_at: impl Fn(usize) -> Option<String>) {
        self.selected = at.min(len.saturating_sub(1));
        self.key = key_at(self.selected);
    }

    /// Moves by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize, len: usize, key_at: impl Fn(usize) -> Option<String>) {
        if len == 0 {
            return;
        }
        self.select(moved(self.selected, delta, len), len, key_at);
    }

    /// [`restore`](Self::restore) over a list of ids, each its own key.
    pub fn restore_ids(&mut self, ids: &[String]) {
        self.restore(
            ids.len(),
            |id| ids.iter().position(|o| o == id),
            |i| ids.get(i).cloned(),
        );
    }

    /// [`move_by`](Self::move_by) over a list of ids, each its own key.
    pub fn move_in(&mut self, delta: isize, ids: &[String]) {
        self.move_by(delta, ids.len(), |i| ids.get(i).cloned());
    }

    /// Where this selection stands in a list `len` long.
    pub fn cursor(&self, len: usize) -> Cursor {
        Cursor {
            offset: self.offset,
            selected: self.selected,
            len,
        }
    }

    /// Keeps the selection inside a window `rows` high.
    pub fn scroll(&mut self, rows: usize, len: usize) {
        self.offset = scrolled(self.selected, self.offset, rows, len);
    }
}

/// Row `selected` moved by `delta` in a list `len` long, stopping at either
/// end; an empty list moves nothing.
pub fn moved(selected: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return selected;
    }
    (selected as isize + delta).clamp(0, len as isize - 1) as usize
}

/// The first row on screen that keeps row `selected` inside a window `rows`
/// high (at least one), moving the window `offset` as little as it can.
pub fn scrolled(selected: usize, offset: usize, rows: usize, len: usize) -> usize {
    let rows = rows.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    };
    offset.min(len.saturating_sub(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_in(items: &[&str]) -> impl Fn(usize) -> Option<String> {
        move |i| items.get(i).map(|s| s.to_string())
    }

    #[test]
    fn follows_its_item_through_a_rebuild() {
        let before = ["a", "b", "c"];
        let mut s = Selection::default();
        s.move_by(1, 3, key_in(&before));
        assert_eq!((s.selected, s.key()), (1, Some("b")));
        let after = ["x", "c", "a", "b"];
        s.restore(4, |k| after.iter().position(|i| *i == k), key_in(&after));
        assert_eq!((s.selected, s.key()), (3, Some("b")));
        // Gone: the same row number, clamped, and what is there now.
        let gone = ["x", "c"];
        s.restore(2, |k| gone.iter().position(|i| *i == k), key_in(&gone));
        assert_eq!((s.selected, s.key()), (1, Some("c")));
        s.restore(0, |_| None, |_| None);
        assert_eq!((s.selected, s.key()), (0, None));
    }

    #[test]
    fn moves_stop_at_the_ends_and_the_window_follows() {
        let items: Vec<String> = (0..50).map(|i| i.to_string()).collect();
        let key = |i: usize| items.get(i).cloned();
        let mut s = Selection::default();
        s.move_by(-3, 50, key);
        assert_eq!(s.selected, 0);
        s.move_by(30, 50, key);
        s.scroll(10, 50);
        assert_eq!((s.selected, s.offset), (30, 21));
        s.move_by(100, 50, key);
        s.scroll(10, 50);
        assert_eq!((s.selected, s.offset), (49, 40));
        s.move_by(-45, 50, key);
        s.scroll(10, 50);
        assert_eq!((s.selected, s.offset), (4, 4));
        s.move_by(1, 0, key);
        assert_eq!(s.selected, 4, "an empty list moves nothing");
    }
}

//! A long list's rows (alerts, credentials): every item's id once, in
//! display order, and the rows shown as small indices into them. A `/`
//! keystroke keeps indices; it never copies an id (at 300,000
//! credentials, copying the ids a filter kept, and finding each
//! credential again by its id, cost half a second). The list keeps what
//! its filter reads of each item beside the ids, by the same index.

/// The sorted ids and the rows the filter shows.
#[derive(Debug, Default)]
pub struct IdOrder {
    /// Every credential's id, in display order.
    pub(crate) ids: Vec<String>,
    /// The rows shown: indices into `ids`, in order.
    pub(crate) shown: Vec<u32>,
}

impl IdOrder {
    /// The rows shown.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Every credential, shown or not.
    pub fn total(&self) -> usize {
        self.ids.len()
    }

    /// The id shown at row `i`.
    pub fn get(&self, i: usize) -> Option<&String> {
        self.shown.get(i).map(|&at| &self.ids[at as usize])
    }

    pub fn first(&self) -> Option<&String> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&String> {
        self.get(self.len().wrapping_sub(1))
    }

    /// The ids shown, in order.
    pub fn iter(&self) -> impl Iterator<Item = &String> + '_ {
        self.shown.iter().map(|&at| &self.ids[at as usize])
    }

    /// The row showing credential `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.iter().position(|o| o == id)
    }

    /// Shows every row.
    pub(crate) fn show_all(&mut self) {
        self.shown = (0..self.ids.len() as u32).collect();
    }
}

impl std::ops::Index<usize> for IdOrder {
    type Output = String;

    fn index(&self, i: usize) -> &String {
        &self.ids[self.shown[i] as usize]
    }
}

impl<const N: usize> PartialEq<[&str; N]> for IdOrder {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

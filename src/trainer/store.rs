//! Where the trainer keeps the latest snapshot of the run: IndexedDB in the worker, memory in tests.
//! Every failure comes back as text; the trainer then says persistence is off and carries on.

use crate::data::Dataset;
use crate::i18n::Text;
use crate::snapshot::RunSnapshot;

/// A saved record that cannot be read as a run: why, and its weights file if that part is intact (so
/// the user can still download it). Such a record is kept, never overwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub why: Text,
    pub model: Option<Vec<u8>>,
}

/// A saved run, or what is left of an unreadable one.
pub type StoredRun = Option<Result<RunSnapshot, Unreadable>>;

#[allow(async_fn_in_trait)] // Used by one single-threaded loop; no Send bound needed.
pub trait RunStore {
    /// Writes `snapshot` as the latest run, replacing the previous one.
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), Text>;
    /// This tab's saved run, if any. `Err`: the store itself is unavailable. An unreadable record is
    /// moved out of the way (among the recent models), so the next save cannot overwrite it.
    async fn load(&mut self) -> Result<StoredRun, Text>;
    /// The most recently saved readable run of `dataset` in another tab (or an older page), for a tab
    /// that has none. Runs of the other dataset are passed over: a newer one must not hide it.
    async fn latest_elsewhere(&mut self, dataset: Dataset) -> Result<Option<RunSnapshot>, Text>;
    /// Forgets the saved run.
    async fn clear(&mut self) -> Result<(), Text>;
    /// Keeps `snapshot` among the recent models under `id`.
    async fn keep_recent(&mut self, id: u64, snapshot: &RunSnapshot) -> Result<(), Text>;
    /// Every recent model, oldest first.
    async fn recent(&mut self) -> Result<Vec<(u64, StoredRun)>, Text>;
    async fn forget_recent(&mut self, id: u64) -> Result<(), Text>;
}

/// A store in memory, for native tests.
#[derive(Default)]
pub struct MemoryStore {
    pub saved: Option<RunSnapshot>,
    /// Every save, in order (steps of the saved runs), so tests can see what was written when.
    pub saves: Vec<usize>,
    pub recent: Vec<(u64, RunSnapshot)>,
    /// What other tabs saved.
    pub elsewhere: Vec<RunSnapshot>,
}

impl RunStore for MemoryStore {
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), Text> {
        self.saves.push(snapshot.meta.steps);
        self.saved = Some(snapshot.clone());
        Ok(())
    }

    async fn load(&mut self) -> Result<StoredRun, Text> {
        Ok(self.saved.clone().map(Ok))
    }

    async fn latest_elsewhere(&mut self, dataset: Dataset) -> Result<Option<RunSnapshot>, Text> {
        Ok(latest_of(self.elsewhere.iter().cloned(), dataset))
    }

    async fn clear(&mut self) -> Result<(), Text> {
        self.saved = None;
        Ok(())
    }

    async fn keep_recent(&mut self, id: u64, snapshot: &RunSnapshot) -> Result<(), Text> {
        self.recent.retain(|(i, _)| *i != id);
        self.recent.push((id, snapshot.clone()));
        Ok(())
    }

    async fn recent(&mut self) -> Result<Vec<(u64, StoredRun)>, Text> {
        Ok(self.recent.iter().map(|(id, s)| (*id, Some(Ok(s.clone())))).collect())
    }

    async fn forget_recent(&mut self, id: u64) -> Result<(), Text> {
        self.recent.retain(|(i, _)| *i != id);
        Ok(())
    }
}

/// The most recently saved of `runs` that learnt from `dataset`.
pub fn latest_of(runs: impl IntoIterator<Item = RunSnapshot>, dataset: Dataset) -> Option<RunSnapshot> {
    runs.into_iter().filter(|s| s.settings().dataset == dataset).max_by(|a, b| a.meta.saved_at_ms.total_cmp(&b.meta.saved_at_ms))
}

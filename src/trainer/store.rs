//! Where the trainer keeps the latest snapshot of the run: IndexedDB in the worker, memory in tests.
//! Every failure comes back as text; the trainer then says persistence is off and carries on.

use crate::snapshot::RunSnapshot;

/// A saved record that cannot be read as a run: why, and its weights file if that part is intact (so
/// the user can still download it). Such a record is kept, never overwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub why: String,
    pub model: Option<Vec<u8>>,
}

/// A saved run, or what is left of an unreadable one.
pub type StoredRun = Option<Result<RunSnapshot, Unreadable>>;

#[allow(async_fn_in_trait)] // Used by one single-threaded loop; no Send bound needed.
pub trait RunStore {
    /// Writes `snapshot` as the latest run, replacing the previous one.
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), String>;
    /// This tab's saved run, if any. `Err`: the store itself is unavailable. An unreadable record is
    /// moved out of the way (among the recent models), so the next save cannot overwrite it.
    async fn load(&mut self) -> Result<StoredRun, String>;
    /// The most recently saved readable run of another tab (or an older page), for a tab that has none.
    async fn latest_elsewhere(&mut self) -> Result<Option<RunSnapshot>, String>;
    /// Forgets the saved run.
    async fn clear(&mut self) -> Result<(), String>;
    /// Keeps `snapshot` among the recent models under `id`.
    async fn keep_recent(&mut self, id: u64, snapshot: &RunSnapshot) -> Result<(), String>;
    /// Every recent model, oldest first.
    async fn recent(&mut self) -> Result<Vec<(u64, StoredRun)>, String>;
    async fn forget_recent(&mut self, id: u64) -> Result<(), String>;
}

/// A store in memory, for native tests.
#[derive(Default)]
pub struct MemoryStore {
    pub saved: Option<RunSnapshot>,
    /// Every save, in order (steps of the saved runs), so tests can see what was written when.
    pub saves: Vec<usize>,
    pub recent: Vec<(u64, RunSnapshot)>,
    /// What another tab saved.
    pub elsewhere: Option<RunSnapshot>,
}

impl RunStore for MemoryStore {
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), String> {
        self.saves.push(snapshot.meta.steps);
        self.saved = Some(snapshot.clone());
        Ok(())
    }

    async fn load(&mut self) -> Result<StoredRun, String> {
        Ok(self.saved.clone().map(Ok))
    }

    async fn latest_elsewhere(&mut self) -> Result<Option<RunSnapshot>, String> {
        Ok(self.elsewhere.clone())
    }

    async fn clear(&mut self) -> Result<(), String> {
        self.saved = None;
        Ok(())
    }

    async fn keep_recent(&mut self, id: u64, snapshot: &RunSnapshot) -> Result<(), String> {
        self.recent.retain(|(i, _)| *i != id);
        self.recent.push((id, snapshot.clone()));
        Ok(())
    }

    async fn recent(&mut self) -> Result<Vec<(u64, StoredRun)>, String> {
        Ok(self.recent.iter().map(|(id, s)| (*id, Some(Ok(s.clone())))).collect())
    }

    async fn forget_recent(&mut self, id: u64) -> Result<(), String> {
        self.recent.retain(|(i, _)| *i != id);
        Ok(())
    }
}

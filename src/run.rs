//! A whole training run as the page (and the native trainer's tests) drive it: epochs of shuffled
//! batches, losses read back in groups, the seed's log lines, divergence handling and the end-of-epoch
//! evaluation. No UI here: the page calls `step`, awaits `read_losses`, and renders the events.

#[cfg(feature = "trainer")]
use {
    std::sync::Arc,
    burn::module::Module,
    burn::tensor::{Device, Tensor, Transaction},
    crate::data::batcher::batches_per_epoch,
    crate::data::{MnistDataset, epoch_order, make_batch},
    crate::evaluation::{Evaluation, ReadError, evaluate},
    crate::training::{PhaseTimings, TrainingConfig, TrainingSession},
};

/// The seed's script logs every 100 batches.
pub const LOG_INTERVAL: usize = 100;
/// Test images per evaluation batch.
pub const EVAL_BATCH: usize = 500;
/// Misclassified test digits kept for the gallery.
pub const MAX_MISTAKES: usize = 24;

/// The loss of one optimizer step, once read back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLoss {
    /// Steps since the run started, from 1.
    pub step: usize,
    pub epoch: usize,
    /// Index of the batch within its epoch, from 0.
    pub batch: usize,
    pub loss: f32,
}

/// What reading the pending losses found.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Loss(StepLoss),
    /// A line of the seed's log (`Train Epoch: …`).
    Log(String),
    /// The loss became NaN or infinite; the weights were put back to those of step `restored_step`.
    Diverged { step: usize, loss: f32, restored_step: usize },
}

/// Where the run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub epoch: usize,
    pub epochs: usize,
    /// Batches done in the current epoch.
    pub batch: usize,
    pub batches_per_epoch: usize,
    pub steps: usize,
}

#[cfg(feature = "trainer")]
pub struct TrainingRun {
    session: TrainingSession,
    /// The session as it was at the last read where every loss was finite.
    last_good: TrainingSession,
    train: Arc<MnistDataset>,
    test: Arc<MnistDataset>,
    epoch: usize,
    order: Vec<usize>,
    next_batch: usize,
    pending: Vec<(StepLoss, Tensor<1>)>,
    diverged: bool,
}

#[cfg(feature = "trainer")]
impl TrainingRun {
    pub fn new(config: TrainingConfig, train: Arc<MnistDataset>, test: Arc<MnistDataset>, device: &Device) -> Self {
        Self::from_session(TrainingSession::new(config, device), train, test)
    }

    /// Continues with an existing session (e.g. a loaded or fine-tuned model).
    pub fn from_session(session: TrainingSession, train: Arc<MnistDataset>, test: Arc<MnistDataset>) -> Self {
        let order = epoch_order(train.len(), session.config().shuffle_seed, 0);
        Self {
            last_good: session.clone(),
            session,
            train,
            test,
            epoch: 0,
            order,
            next_batch: 0,
            pending: Vec::new(),
            diverged: false,
        }
    }

    /// Puts a restored run back where it was saved: in `epoch`, with `batch` of its batches done.
    pub fn resume_at(mut self, epoch: usize, batch: usize) -> Self {
        self.epoch = epoch.min(self.session.config().epochs);
        self.order = epoch_order(self.train.len(), self.session.config().shuffle_seed, self.epoch);
        self.next_batch = batch.min(self.progress().batches_per_epoch);
        self
    }

    pub fn session(&self) -> &TrainingSession {
        &self.session
    }

    pub fn session_mut(&mut self) -> &mut TrainingSession {
        &mut self.session
    }

    pub fn train_set(&self) -> &Arc<MnistDataset> {
        &self.train
    }

    pub fn test_set(&self) -> &Arc<MnistDataset> {
        &self.test
    }

    pub fn progress(&self) -> Progress {
        let config = self.session.config();
        Progress {
            epoch: self.epoch,
            epochs: config.epochs,
            batch: self.next_batch,
            batches_per_epoch: batches_per_epoch(self.train.len(), config.batch_size),
            steps: self.session.steps(),
        }
    }

    /// Every batch of the current epoch has been stepped.
    pub fn epoch_complete(&self) -> bool {
        self.next_batch >= self.progress().batches_per_epoch
    }

    /// All epochs are done (or the run diverged).
    pub fn finished(&self) -> bool {
        self.diverged || self.epoch >= self.session.config().epochs
    }

    pub fn diverged(&self) -> bool {
        self.diverged
    }

    /// Steps not yet read back.
    pub fn pending_steps(&self) -> usize {
        self.pending.len()
    }

    /// Trains on the next batch of the epoch; does nothing at the end of an epoch or of the run.
    pub fn step(&mut self) {
        if self.finished() || self.epoch_complete() {
            return;
        }
        let batch_size = self.session.config().batch_size;
        let start = self.next_batch * batch_size;
        let end = (start + batch_size).min(self.order.len());
        let batch = make_batch(&self.train, &self.order[start..end], self.session.device());
        let loss = self.session.step(&batch); // [1]
        let step = StepLoss { step: self.session.steps(), epoch: self.epoch, batch: self.next_batch, loss: f32::NAN };
        self.pending.push((step, loss));
        self.next_batch += 1;
    }

    /// One step like [`step`](Self::step) with its phases timed, each waited for (three extra reads of
    /// one number): the profiler's sample. `Ok(None)` when the epoch or the run is over.
    pub async fn step_profiled(&mut self) -> Result<Option<PhaseTimings>, String> {
        if self.finished() || self.epoch_complete() {
            return Ok(None);
        }
        let batch_size = self.session.config().batch_size;
        let start = self.next_batch * batch_size;
        let end = (start + batch_size).min(self.order.len());
        let batch = make_batch(&self.train, &self.order[start..end], self.session.device());
        let (value, timings) = self.session.step_profiled_async(&batch).await?;
        // Already read: queued as a one-element tensor, so the losses stay in order and a NaN still
        // stops the run at the next read.
        let loss = Tensor::<1>::from_floats([value], self.session.device()); // [1]
        let step = StepLoss { step: self.session.steps(), epoch: self.epoch, batch: self.next_batch, loss: f32::NAN };
        self.pending.push((step, loss));
        self.next_batch += 1;
        Ok(Some(timings))
    }

    /// Reads every pending loss in one transfer and turns them into events. A NaN or infinite loss
    /// stops the run and puts back the weights and optimizer state of the last good read.
    pub async fn read_losses(&mut self) -> Result<Vec<RunEvent>, ReadError> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        let pending = std::mem::take(&mut self.pending);
        let transaction = pending.iter().fold(Transaction::default(), |t, (_, loss)| t.register(loss.clone()));
        let data = transaction.execute_async().await?;
        let batches = self.progress().batches_per_epoch;
        let batch_size = self.session.config().batch_size;
        let mut events = Vec::with_capacity(pending.len() + 1);
        for ((step, _), values) in pending.into_iter().zip(data) {
            let loss = values.iter::<f32>().next().unwrap_or(f32::NAN);
            if !loss.is_finite() {
                let restored_step = self.last_good.steps();
                self.session = self.last_good.clone();
                self.diverged = true;
                events.push(RunEvent::Diverged { step: step.step, loss, restored_step });
                return Ok(events);
            }
            events.push(RunEvent::Loss(StepLoss { loss, ..step }));
            if step.batch % LOG_INTERVAL == 0 {
                events.push(RunEvent::Log(seed_log_line(step.epoch, step.batch, batch_size, self.train.len(), batches, loss)));
            }
        }
        self.last_good = self.session.clone();
        Ok(events)
    }

    /// Evaluates on the test set and moves on to the next epoch. Call after the epoch's losses are read.
    pub async fn finish_epoch(&mut self) -> Result<Evaluation, ReadError> {
        let model = self.session.inference_model();
        let device = model.devices().into_iter().next().unwrap_or_else(Device::flex);
        let result = evaluate(&model, &self.test, EVAL_BATCH, &device, MAX_MISTAKES).await?;
        self.epoch += 1;
        self.next_batch = 0;
        self.order = epoch_order(self.train.len(), self.session.config().shuffle_seed, self.epoch);
        Ok(result)
    }
}

/// `Train Epoch: 0 [6400/60000 (11%)]\tLoss: 0.123456`, as PyTorch's MNIST example prints it.
pub fn seed_log_line(epoch: usize, batch: usize, batch_size: usize, dataset_len: usize, batches: usize, loss: f32) -> String {
    format!(
        "Train Epoch: {epoch} [{}/{dataset_len} ({:.0}%)]\tLoss: {loss:.6}",
        batch * batch_size,
        100.0 * batch as f64 / batches.max(1) as f64
    )
}

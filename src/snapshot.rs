//! A saved training run: the model (as the same safetensors file the page downloads), Adam's moments,
//! the settings, where in the run it was, and the metric history. The page keeps the latest one in
//! IndexedDB (after every epoch and on pause) and in memory as the "last good weights" to fall back
//! to if the GPU is lost. Capturing reads the device asynchronously, so it works on WebGPU.

use std::sync::Arc;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::data::MnistDataset;
use crate::evaluation::ReadError;
use crate::optimizer::MlpOptimizer;
use crate::run::TrainingRun;
use crate::settings::PlaygroundSettings;
use crate::training::TrainingSession;
use crate::weights_file::{self, TrainingFacts};

/// Bumped when the layout changes; older snapshots are ignored rather than misread.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Test results of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub accuracy: f64,
    pub mean_loss: f64,
}

/// What the charts, the log and the results panels showed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunHistory {
    pub losses: Vec<f32>,
    pub epochs: Vec<EpochRecord>,
    pub log: Vec<String>,
    /// `confusion[truth][predicted]`, from the last evaluation.
    pub confusion: Option<Vec<Vec<u32>>>,
    /// `(test index, truth, predicted)` of the misclassified gallery.
    pub mistakes: Vec<(usize, u8, u8)>,
}

/// Everything about a snapshot except the tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    pub version: u32,
    /// The settings as a query string (`hidden=512,256,128&lr=0.001…`).
    pub settings: String,
    pub epoch: usize,
    pub batch: usize,
    pub steps: usize,
    /// Milliseconds since 1970, when it was taken.
    pub saved_at_ms: f64,
    pub history: RunHistory,
    /// For an entry of "recent models": what replaced or forgot it ("Reset", "Load weights", …).
    #[serde(default)]
    pub kept_because: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RunSnapshot {
    /// A `.safetensors` file in PyTorch layout (see [`weights_file`]).
    pub model: Vec<u8>,
    /// Adam's moments ([`MlpOptimizer::save`]); `None` for SGD or before the first step.
    pub optimizer: Option<Vec<u8>>,
    pub meta: SnapshotMeta,
}

impl RunSnapshot {
    /// Reads the run's weights and optimizer state from the device (async) and bundles them.
    pub async fn capture(run: &TrainingRun, settings: &PlaygroundSettings, history: RunHistory, saved_at_ms: f64) -> Result<Self, ReadError> {
        let progress = run.progress();
        let facts = TrainingFacts {
            epochs: progress.epoch,
            test_accuracy: history.epochs.last().map(|e| e.accuracy),
            source: "trained in Backprop Playground".into(),
        };
        let model = weights_file::save(&run.session().inference_model(), &facts).await?;
        let optimizer = run.session().optimizer().save().await?;
        let meta = SnapshotMeta {
            version: SNAPSHOT_VERSION,
            settings: settings.to_query(),
            epoch: progress.epoch,
            batch: progress.batch,
            steps: progress.steps,
            saved_at_ms,
            history,
            kept_because: None,
        };
        Ok(Self { model, optimizer, meta })
    }

    /// The settings the run was trained with (unknown keys and bad values fall back to defaults).
    pub fn settings(&self) -> PlaygroundSettings {
        PlaygroundSettings::from_query(&self.meta.settings).0
    }

    /// Rebuilds the run on `device`, at the position it was saved. Adam's moments that do not fit are
    /// dropped (with the reason returned alongside) rather than refusing the model.
    pub fn restore(&self, train: Arc<MnistDataset>, test: Arc<MnistDataset>, device: &Device) -> Result<(TrainingRun, Option<String>), String> {
        if self.meta.version != SNAPSHOT_VERSION {
            return Err(format!("saved by another version of the page (format {})", self.meta.version));
        }
        let loaded = weights_file::load(&self.model, &device.clone().autodiff()).map_err(|e| e.to_string())?;
        let settings = self.settings();
        let config = settings.training.fitted_to(&loaded.model);
        let (optimizer, dropped) = match &self.optimizer {
            Some(bytes) => match MlpOptimizer::load(config.optimizer, bytes, &loaded.model, device) {
                Ok(o) => (o, None),
                Err(e) => (config.init_optimizer(), Some(format!("the optimizer state could not be restored ({e}); Adam starts afresh"))),
            },
            None => (config.init_optimizer(), None),
        };
        let session = TrainingSession::with_model_and_optimizer(config, loaded.model, optimizer, self.meta.steps, device);
        let run = TrainingRun::from_session(session, train, test).resume_at(self.meta.epoch, self.meta.batch);
        Ok((run, dropped))
    }

    /// The metadata as JSON, for storage next to the two byte arrays.
    pub fn meta_json(&self) -> String {
        serde_json::to_string(&self.meta).unwrap_or_default()
    }

    pub fn from_parts(model: Vec<u8>, optimizer: Option<Vec<u8>>, meta_json: &str) -> Result<Self, String> {
        let meta: SnapshotMeta = serde_json::from_str(meta_json).map_err(|e| format!("unreadable run details ({e})"))?;
        Ok(Self { model, optimizer, meta })
    }
}

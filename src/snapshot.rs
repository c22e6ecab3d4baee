//! A saved training run: the model (as the same safetensors file the page downloads), Adam's moments,
//! the settings, where in the run it was, and the metric history. The page keeps the latest one in
//! IndexedDB (after every epoch and on pause) and in memory as the "last good weights" to fall back
//! to if the GPU is lost. Capturing reads the device asynchronously, so it works on WebGPU.

use std::sync::Arc;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::data::MnistDataset;
use crate::evaluation::ReadError;
use crate::i18n::Text;
use crate::optimizer::MlpOptimizer;
use crate::run::TrainingRun;
use crate::settings::PlaygroundSettings;
use crate::training::TrainingSession;
use crate::weights_file::{self, TrainingFacts};

/// Bumped when the layout changes. Version 3 writes why a recent model was kept as a message (any
/// language) instead of English words; version 2 writes non-finite numbers as text; version 1 records
/// (whose non-finite numbers serde_json wrote as `null`) are read with `null` as NaN. Anything newer
/// is refused with a message, not misread.
pub const SNAPSHOT_VERSION: u32 = 3;
/// The oldest layout this version still reads.
pub const OLDEST_READABLE_VERSION: u32 = 1;

/// `kept_because` as written by this page (a [`Text`], format 3) or by an older one (English words,
/// which are read back as the messages they were, so they show in the reader's language).
fn kept_because<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Text>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Message(Text),
        Words(String),
    }
    Ok(Option::<Written>::deserialize(deserializer)?.map(|w| match w {
        Written::Message(t) => t,
        Written::Words(words) => match words.as_str() {
            "Reset" => crate::text!("because-reset"),
            "Use pretrained model" => crate::text!("because-use-pretrained"),
            "a new run started after it ended" => crate::text!("because-new-run"),
            "a recent model was restored" => crate::text!("because-recent-restored"),
            "the loss diverged: these are the last good weights" => crate::text!("because-diverged"),
            other => match other.strip_prefix("Load weights (").and_then(|n| n.strip_suffix(')')) {
                Some(name) => crate::text!("because-load-weights", name = name),
                None => Text::verbatim(other),
            },
        },
    }))
}

/// JSON has no NaN or ∞ (serde_json writes them as `null` and then refuses to read them back), so
/// the snapshot's numbers go through here: finite numbers as numbers, the rest as `"NaN"`,
/// `"inf"`, `"-inf"`; `null` (version 1) reads as NaN.
mod lossless {
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Value(f64),
        Text(String),
        Null(()),
    }

    fn to_f64(n: Number) -> Result<f64, String> {
        match n {
            Number::Value(v) => Ok(v),
            Number::Null(()) => Ok(f64::NAN),
            Number::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(format!("`{other}` is not a number")),
            },
        }
    }

    pub fn text(v: f64) -> Option<&'static str> {
        match v {
            v if v.is_nan() => Some("NaN"),
            v if v == f64::INFINITY => Some("inf"),
            v if v == f64::NEG_INFINITY => Some("-inf"),
            _ => None,
        }
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        match text(*v) {
            Some(t) => s.serialize_str(t),
            None => s.serialize_f64(*v),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        to_f64(Number::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    pub mod vec_f32 {
        use serde::ser::SerializeSeq;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(values: &[f32], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(values.len()))?;
            for &v in values {
                match super::text(v as f64) {
                    Some(t) => seq.serialize_element(t)?,
                    None => seq.serialize_element(&v)?,
                }
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
            Vec::<super::Number>::deserialize(d)?
                .into_iter()
                .map(|n| super::to_f64(n).map(|v| v as f32).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}

/// Test results of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    #[serde(with = "lossless")]
    pub accuracy: f64,
    #[serde(with = "lossless")]
    pub mean_loss: f64,
}

/// What the charts, the log and the results panels showed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunHistory {
    #[serde(with = "lossless::vec_f32")]
    pub losses: Vec<f32>,
    pub epochs: Vec<EpochRecord>,
    pub log: Vec<String>,
    /// `confusion[truth][predicted]`, from the last evaluation.
    pub confusion: Option<Vec<Vec<u32>>>,
    /// `(test index, truth, predicted)` of the misclassified gallery.
    pub mistakes: Vec<(usize, u8, u8)>,
    /// As saved: each of `losses` is the mean of this many steps (0 or 1: one loss per step), and the
    /// run had taken `loss_steps` steps. See [`RunHistory::for_saving`].
    #[serde(default)]
    pub loss_stride: usize,
    #[serde(default)]
    pub loss_steps: usize,
}

/// Losses a snapshot stores at most: longer histories are saved as means of equal runs of steps,
/// so a snapshot stays small however long the run (the page keeps every step in memory).
pub const MAX_SAVED_LOSSES: usize = 10_000;

impl RunHistory {
    /// This history as a snapshot stores it: at most [`MAX_SAVED_LOSSES`] losses.
    pub fn for_saving(&self) -> RunHistory {
        let steps = self.losses.len();
        if steps <= MAX_SAVED_LOSSES {
            return RunHistory { loss_stride: 1, loss_steps: steps, ..self.clone() };
        }
        let stride = steps.div_ceil(MAX_SAVED_LOSSES);
        let losses = self.losses.chunks(stride).map(|c| (c.iter().map(|&v| v as f64).sum::<f64>() / c.len() as f64) as f32).collect();
        RunHistory { losses, loss_stride: stride, loss_steps: steps, ..self.clone() }
    }

    /// A saved history with one loss per step again (each saved mean stands for its steps).
    pub fn expanded(&self) -> RunHistory {
        if self.loss_stride <= 1 {
            return self.clone();
        }
        let losses = self.losses.iter().flat_map(|&v| std::iter::repeat_n(v, self.loss_stride)).take(self.loss_steps).collect();
        RunHistory { losses, loss_stride: 1, ..self.clone() }
    }
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
    #[serde(with = "lossless")]
    pub saved_at_ms: f64,
    pub history: RunHistory,
    /// For an entry of "recent models": what replaced or forgot it ("Reset", "Load weights", …), as a
    /// message in any language; older pages wrote English words, which are read as they are.
    #[serde(default, deserialize_with = "kept_because")]
    pub kept_because: Option<Text>,
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
            history: history.for_saving(),
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
    pub fn restore(&self, train: Arc<MnistDataset>, test: Arc<MnistDataset>, device: &Device) -> Result<(TrainingRun, Option<Text>), Text> {
        if !(OLDEST_READABLE_VERSION..=SNAPSHOT_VERSION).contains(&self.meta.version) {
            return Err(crate::text!(
                "snapshot-newer",
                format = self.meta.version,
                oldest = OLDEST_READABLE_VERSION,
                newest = SNAPSHOT_VERSION
            ));
        }
        let loaded = weights_file::load(&self.model, &device.clone().autodiff()).map_err(|e| Text::verbatim(e.to_string()))?;
        let settings = self.settings();
        let config = settings.training.fitted_to(&loaded.model);
        let (optimizer, dropped) = match &self.optimizer {
            Some(bytes) => match MlpOptimizer::load(config.optimizer, bytes, &loaded.model, device) {
                Ok(o) => (o, None),
                Err(e) => (config.init_optimizer(), Some(crate::text!("snapshot-adam-afresh", reason = e.to_string()))),
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

    pub fn from_parts(model: Vec<u8>, optimizer: Option<Vec<u8>>, meta_json: &str) -> Result<Self, Text> {
        let meta: SnapshotMeta = serde_json::from_str(meta_json).map_err(|e| crate::text!("record-unreadable-details", detail = e.to_string()))?;
        Ok(Self { model, optimizer, meta })
    }
}

//! The trainer's side of the network view: predictions with every layer's output, and the first
//! layer's weight tiles while the view is open.

use web_time::Instant;

use super::Trainer;
use crate::protocol::{Event, Notice};
use super::store::RunStore;
use crate::cpu_forward::CpuForward;
use crate::data::mnist::IMAGE_PIXELS;
use crate::i18n::Text;
use crate::inspect::{self, Activations};
use crate::text;

/// While training, tiles are sent at most this often (a read, and 1.6 MB for the page to decode and
/// paint each time).
pub const TILES_EVERY_MS: u128 = 1000;

impl<S: RunStore> Trainer<S> {
    /// Answers every prediction request, with no probabilities when there is no answer (the page
    /// then asks again with its next stroke rather than waiting for ever).
    pub(super) async fn predict(&mut self, id: u64, pixels: &[u8]) {
        let activations = match self.activations(pixels).await {
            Ok(a) => a,
            Err(e) => {
                if let Some(e) = e {
                    self.notice(Notice::Drawing, e);
                }
                Activations::default()
            }
        };
        self.emit(Event::Prediction { id, activations });
    }

    /// Every layer's output for a test image, chosen in the network view instead of a drawing.
    pub(super) async fn inspect_test(&mut self, index: usize) {
        let Some(test) = self.test.clone().filter(|t| !t.is_empty()) else {
            return self.notice(Notice::Drawing, text!("not-ready-yet"));
        };
        let index = index % test.len();
        let (pixels, label) = (test.image(index).to_vec(), test.label(index));
        match self.activations(&pixels).await {
            Ok(activations) => self.emit(Event::Inspected { index, label, pixels, activations }),
            Err(Some(e)) => self.notice(Notice::Drawing, e),
            Err(None) => {}
        }
    }

    /// `Err(None)`: nothing to say (the model is still loading, or the GPU was lost and the trainer
    /// moved to the CPU); `Err(Some(why))`: a failure.
    async fn activations(&mut self, pixels: &[u8]) -> Result<Activations, Option<Text>> {
        if pixels.len() != IMAGE_PIXELS {
            return Err(Some(text!("drawing-wrong-size", expected = IMAGE_PIXELS, got = pixels.len())));
        }
        let (Some(predictor), Some(device)) = (&self.predictor, &self.device) else {
            if self.device.is_some() && !self.settings.dataset.has_pretrained_model() {
                return Err(Some(text!("train-first-no-pretrained")));
            }
            return Err(Some(text!("model-still-loading")));
        };
        // From the CPU copy of the predicting model's weights: one read per model (≈ 3 ms on a
        // software WebGPU adapter, where a GPU forward pass and read took ≈ 40 ms; ≈ 1.5 ms on the
        // CPU path). Training on the CPU changes the model every chunk (≈ 30 ms), and copying it
        // each time would cost more than the prediction it saves (≈ 0.7 ms), so burn predicts there.
        let model_changes_every_chunk = self.is_training() && !self.on_gpu();
        if predictor.cpu_copy.get().is_none() && !model_changes_every_chunk {
            let copied = CpuForward::read(&predictor.model).await;
            match copied {
                Ok(copy) => {
                    let _ = predictor.cpu_copy.set(copy);
                }
                Err(e) if self.on_gpu() => {
                    self.fall_back_to_cpu(&e.to_string());
                    return Err(None);
                }
                Err(e) => return Err(Some(text!("prediction-failed", reason = e.to_string()))),
            }
        }
        if let Some(copy) = predictor.cpu_copy.get().and_then(Option::as_ref) {
            return copy.activations(pixels).ok_or_else(|| Some(text!("drawing-wrong-size", expected = IMAGE_PIXELS, got = pixels.len())));
        }
        match inspect::activations(&predictor.model, pixels, device).await {
            Ok(a) => Ok(a),
            Err(e) if self.on_gpu() => {
                self.fall_back_to_cpu(&e.to_string());
                Err(None)
            }
            Err(e) => Err(Some(text!("prediction-failed", reason = e.to_string()))),
        }
    }

    /// Sends the first layer's tiles when the network view is open and the predicting model changed
    /// since the tiles sent last; while training, at most every [`TILES_EVERY_MS`], so the reads
    /// cost training almost nothing.
    pub(super) async fn refresh_tiles(&mut self) {
        if !self.watching_weights {
            return;
        }
        if let Some((version, at)) = self.tiles_sent {
            if version == self.model_version || (self.is_training() && at.elapsed().as_millis() < TILES_EVERY_MS) {
                return;
            }
        }
        let Some(predictor) = &self.predictor else { return };
        let read = inspect::first_layer_tiles(&predictor.model, self.model_version).await;
        self.tiles_sent = Some((self.model_version, Instant::now()));
        match read {
            Ok(tiles) => self.emit(Event::WeightTiles(tiles)),
            Err(e) if self.on_gpu() => self.fall_back_to_cpu(&e.to_string()),
            Err(e) => self.error(text!("weight-tiles-failed", reason = e.to_string())),
        }
    }
}

//! Test-set metrics: accuracy, mean loss, the 10×10 confusion matrix and the misclassified digits.
//! Reads are async (the only kind WebGPU has); native callers wrap them in `block_on`.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Transaction};

use crate::data::mnist::NUM_CLASSES;
use crate::data::{MnistDataset, make_batch};
use crate::model::Mlp;

/// A test image the model got wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mistake {
    /// Index in the evaluated dataset.
    pub index: usize,
    pub truth: u8,
    pub predicted: u8,
}

/// Results of one pass over a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub count: usize,
    pub correct: usize,
    /// Sum of per-sample cross-entropy.
    pub loss_sum: f64,
    /// `confusion[truth][predicted]`.
    pub confusion: [[u32; NUM_CLASSES]; NUM_CLASSES],
    /// The first misclassified samples, in dataset order.
    pub mistakes: Vec<Mistake>,
}

impl Evaluation {
    fn empty() -> Self {
        Self { count: 0, correct: 0, loss_sum: 0.0, confusion: [[0; NUM_CLASSES]; NUM_CLASSES], mistakes: Vec::new() }
    }

    /// Fraction of correct predictions, 0…1.
    pub fn accuracy(&self) -> f64 {
        if self.count == 0 { 0.0 } else { self.correct as f64 / self.count as f64 }
    }

    pub fn mean_loss(&self) -> f64 {
        if self.count == 0 { 0.0 } else { self.loss_sum / self.count as f64 }
    }

    /// Adds one batch's predictions; `first_index` is the dataset index of `truths[0]`.
    pub fn add_batch(&mut self, first_index: usize, truths: &[u8], predictions: &[i64], batch_loss_sum: f64, max_mistakes: usize) {
        for (offset, (&truth, &predicted)) in truths.iter().zip(predictions).enumerate() {
            let predicted = predicted.clamp(0, NUM_CLASSES as i64 - 1) as u8;
            self.confusion[truth as usize][predicted as usize] += 1;
            if truth == predicted {
                self.correct += 1;
            } else if self.mistakes.len() < max_mistakes {
                self.mistakes.push(Mistake { index: first_index + offset, truth, predicted });
            }
        }
        self.count += truths.len();
        self.loss_sum += batch_loss_sum;
    }

    /// The seed's closing line, e.g. `Test Accuracy of the model on the 10000 test images: 96.4%`.
    pub fn seed_log_line(&self) -> String {
        format!("Test Accuracy of the model on the {} test images: {:.1}%", self.count, 100.0 * self.accuracy())
    }
}

/// Error from the device while evaluating (e.g. a lost WebGPU device).
pub type ReadError = burn::backend::ExecutionError;

/// Runs `model` over all of `dataset` in batches of `batch_size`; keeps at most `max_mistakes` mistakes.
pub async fn evaluate(
    model: &Mlp,
    dataset: &MnistDataset,
    batch_size: usize,
    device: &Device,
    max_mistakes: usize,
) -> Result<Evaluation, ReadError> {
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut result = Evaluation::empty();
    let batch_size = batch_size.max(1);
    for start in (0..dataset.len()).step_by(batch_size) {
        let end = (start + batch_size).min(dataset.len());
        let indices: Vec<usize> = (start..end).collect();
        let batch = make_batch(dataset, &indices, device);
        let logits = model.forward(batch.images); // [batch, 10]
        let mean_loss = loss_fn.forward(logits.clone(), batch.targets); // [1]
        let predictions = logits.argmax(1); // [batch, 1]
        let data = Transaction::default().register(predictions).register(mean_loss).execute_async().await?;
        let predictions: Vec<i64> = data[0].iter::<i64>().collect();
        let mean_loss = data[1].iter::<f64>().next().unwrap_or(f64::NAN);
        result.add_batch(start, &dataset.labels()[start..end], &predictions, mean_loss * indices.len() as f64, max_mistakes);
    }
    Ok(result)
}

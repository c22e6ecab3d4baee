//! "Teach it back": a few optimizer steps on the user's own labelled drawings, each batch mixed with
//! MNIST samples so the network does not forget what it knew.

use crate::data::batcher::make_batch_from;
use crate::data::MnistDataset;
use crate::training::TrainingSession;

/// MNIST samples mixed into each fine-tuning batch.
pub const MNIST_PER_BATCH: usize = 48;
/// Optimizer steps one press of "fine-tune" runs.
pub const FINE_TUNE_STEPS: usize = 12;

/// Runs `steps` optimizer steps, each on all of `mine` (the user's digits) plus `MNIST_PER_BATCH`
/// samples of `mnist` chosen by `seed`. Returns the losses as tensors (read them when convenient).
pub fn fine_tune(session: &mut TrainingSession, mine: &MnistDataset, mnist: &MnistDataset, steps: usize, seed: u64) -> Vec<burn::tensor::Tensor<1>> {
    if mine.is_empty() {
        return Vec::new();
    }
    let order = crate::data::epoch_order(mnist.len(), seed, 0);
    (0..steps)
        .map(|step| {
            let start = (step * MNIST_PER_BATCH) % mnist.len().max(1);
            let picked: Vec<usize> = order.iter().cycle().skip(start).take(MNIST_PER_BATCH.min(mnist.len())).copied().collect();
            let batch = make_batch_from(&[(mine, &(0..mine.len()).collect::<Vec<_>>()), (mnist, &picked)], session.device());
            session.step(&batch)
        })
        .collect()
}

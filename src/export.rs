//! What the class saw, as files (made in the page, no server): the loss of every step, each epoch's
//! accuracy and mean loss, the confusion matrix as CSV, and file names that say which run they are
//! from. UI-free, so the numbers are tested natively.

use crate::data::mnist::NUM_CLASSES;
use crate::settings::PlaygroundSettings;

/// The smoothing of the loss chart: an exponential moving average, as TensorBoard smooths.
pub const LOSS_SMOOTHING: f32 = 0.9;

/// Exponential moving average with `weight` on the past (the first value starts it).
pub fn smooth(values: &[f32], weight: f32) -> Vec<f32> {
    let mut out = Vec::with_capacity(values.len());
    let mut last = None;
    for &v in values {
        let s = match last {
            None => v,
            Some(prev) => weight * prev + (1.0 - weight) * v,
        };
        out.push(s);
        last = Some(s);
    }
    out
}

/// A number as CSV writes it: NaN and ±∞ spelled out (a diverged run's last losses), else as Rust
/// prints it (round-trips exactly).
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{v}")
    }
}

/// `step,epoch,loss,smoothed_loss`, one row per training step; steps and epochs count from 1.
pub fn losses_csv(losses: &[f32], batches_per_epoch: usize) -> String {
    let smoothed = smooth(losses, LOSS_SMOOTHING);
    let mut out = String::from("step,epoch,loss,smoothed_loss\n");
    for (i, (&loss, &s)) in losses.iter().zip(&smoothed).enumerate() {
        let epoch = i / batches_per_epoch.max(1) + 1;
        out.push_str(&format!("{},{epoch},{},{}\n", i + 1, number(loss as f64), number(s as f64)));
    }
    out
}

/// `epoch,test_accuracy,mean_test_loss`, one row per finished epoch (accuracy as a fraction).
pub fn epochs_csv(epochs: &[(usize, f64, f64)]) -> String {
    let mut out = String::from("epoch,test_accuracy,mean_test_loss\n");
    for &(epoch, accuracy, mean_loss) in epochs {
        out.push_str(&format!("{},{},{}\n", epoch + 1, number(accuracy), number(mean_loss)));
    }
    out
}

/// The confusion matrix: a header of predicted classes, then one row per true class.
pub fn confusion_csv(matrix: &[[u32; NUM_CLASSES]; NUM_CLASSES], class_names: &[String]) -> String {
    let name = |i: usize| class_names.get(i).cloned().unwrap_or_else(|| i.to_string());
    let mut out = String::from("true\\predicted");
    for p in 0..NUM_CLASSES {
        out.push(',');
        out.push_str(&name(p));
    }
    out.push('\n');
    for (t, row) in matrix.iter().enumerate() {
        out.push_str(&name(t));
        for v in row {
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    out
}

/// `backprop-playground_784-512-256-128-10_adam_lr0.001_batch64_2026-12-01_1152`: the run's network,
/// optimizer and learning rate, and when the file was made (`date` as `YYYY-MM-DD_HHMM`).
pub fn file_stem(settings: &PlaygroundSettings, date: &str) -> String {
    let t = &settings.training;
    let mut sizes = vec![crate::data::mnist::IMAGE_PIXELS];
    sizes.extend(&t.model.hidden);
    sizes.push(NUM_CLASSES);
    let sizes = sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("-");
    let data = match settings.dataset {
        crate::data::Dataset::Mnist => String::new(),
        other => format!("{}_", other.key()),
    };
    let name = format!("backprop-playground_{data}{sizes}_{}_lr{}_batch{}_{date}", t.optimizer.name().to_ascii_lowercase(), t.learning_rate, t.batch_size);
    // Only characters every file system accepts.
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect()
}

use std::sync::Arc;

use backprop_playground::block_on;
use backprop_playground::data::Split;
use backprop_playground::run::{RunEvent, TrainingRun, seed_log_line};
use backprop_playground::training::TrainingConfig;
use burn::tensor::Device;

#[test]
fn seed_log_line_matches_pytorch_format() {
    assert_eq!(seed_log_line(0, 100, 64, 60000, 938, 0.123456), "Train Epoch: 0 [6400/60000 (11%)]\tLoss: 0.123456");
    assert_eq!(seed_log_line(2, 0, 64, 60000, 938, 2.3), "Train Epoch: 2 [0/60000 (0%)]\tLoss: 2.300000");
}

#[test]
fn an_epoch_logs_every_hundred_batches_and_evaluates() {
    let device = Device::flex();
    let train = Arc::new(super::mnist(Split::Train).first(6500));
    let test = Arc::new(super::mnist(Split::Test).first(300));
    let mut run = TrainingRun::new(TrainingConfig::new().with_epochs(2), train, test, &device);
    let mut events = Vec::new();
    while !run.epoch_complete() {
        for _ in 0..7 {
            run.step();
        }
        events.extend(block_on(run.read_losses()).unwrap());
    }
    assert_eq!(run.progress().batches_per_epoch, 102);
    let losses: Vec<_> = events.iter().filter_map(|e| if let RunEvent::Loss(l) = e { Some(*l) } else { None }).collect();
    assert_eq!(losses.len(), 102);
    assert_eq!(losses.iter().map(|l| l.step).collect::<Vec<_>>(), (1..=102).collect::<Vec<_>>());
    let logs: Vec<_> = events.iter().filter_map(|e| if let RunEvent::Log(l) = e { Some(l.clone()) } else { None }).collect();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert!(logs[0].starts_with("Train Epoch: 0 [0/6500 (0%)]\tLoss: 2."), "{}", logs[0]);
    assert!(logs[1].starts_with("Train Epoch: 0 [6400/6500 (98%)]\tLoss: "), "{}", logs[1]);

    let eval = block_on(run.finish_epoch()).unwrap();
    assert_eq!(eval.count, 300);
    assert!(eval.accuracy() > 0.8, "{}", eval.accuracy());
    assert_eq!(eval.seed_log_line(), format!("Test Accuracy of the model on the 300 test images: {:.1}%", 100.0 * eval.accuracy()));
    assert_eq!(run.progress().epoch, 1);
    assert!(!run.finished() && !run.epoch_complete());
}

#[test]
fn a_diverging_run_stops_and_keeps_the_last_good_weights() {
    let device = Device::flex();
    let train = Arc::new(super::mnist(Split::Train).first(3000));
    let test = Arc::new(super::mnist(Split::Test).first(100));
    // lr = 10 with SGD blows the loss up within a few steps.
    let config = TrainingConfig::new().with_learning_rate(10.0).with_optimizer(backprop_playground::training::OptimizerKind::Sgd);
    let mut run = TrainingRun::new(config, train, test, &device);
    let mut diverged = None;
    while !run.finished() && !run.epoch_complete() {
        run.step();
        for event in block_on(run.read_losses()).unwrap() {
            if let RunEvent::Diverged { step, loss, restored_step } = event {
                diverged = Some((step, loss, restored_step));
            }
        }
    }
    let (step, loss, restored_step) = diverged.expect("lr = 10 must diverge");
    assert!(!loss.is_finite());
    assert_eq!(restored_step, step - 1, "reading every step keeps the weights of the step before");
    assert!(run.finished() && run.diverged());
    assert_eq!(run.session().steps(), restored_step);
    let weights: Vec<f32> =
        run.session().inference_model().layers.iter().flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>()).collect();
    assert!(weights.iter().all(|w| w.is_finite()), "the kept weights are finite");
}

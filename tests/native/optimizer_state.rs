use backprop_playground::block_on;
use backprop_playground::data::{Split, make_batch};
use backprop_playground::model::MlpConfig;
use backprop_playground::optimizer::MlpOptimizer;
use backprop_playground::training::{OptimizerKind, TrainingConfig, TrainingSession};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::Device;

fn values(session: &TrainingSession) -> Vec<f32> {
    session.inference_model().layers.iter().flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>()).collect()
}

/// The session's optimizer is burn's Adam stepped per parameter; it must match burn's own
/// `ModuleOptimizer` (what `AdamConfig::init` returns) step for step.
#[test]
fn session_adam_matches_burns_module_optimizer() {
    let device = Device::flex();
    let train = super::mnist(Split::Train).first(256);
    let config = TrainingConfig::new().with_model(MlpConfig::new().with_hidden(vec![32, 16]));
    let mut session = TrainingSession::new(config.clone(), &device);

    let mut reference_model = session.model.clone();
    let mut reference = AdamConfig::new().with_beta_1(0.9).with_beta_2(0.999).with_epsilon(1e-8).init();
    let loss_fn = burn::nn::loss::CrossEntropyLossConfig::new().init(&device.clone().autodiff());
    for step in 0..4 {
        let indices: Vec<usize> = (step * 64..step * 64 + 64).collect();
        let batch = make_batch(&train, &indices, session.device());
        session.step(&batch);
        let loss = loss_fn.forward(reference_model.forward(batch.images.clone()), batch.targets.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &reference_model);
        reference_model = reference.step(1e-3, reference_model, grads);
    }
    let ours = values(&session);
    let theirs: Vec<f32> = reference_model.valid().layers.iter().flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>()).collect();
    assert_eq!(ours.len(), theirs.len());
    let worst = ours.iter().zip(&theirs).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "largest difference {worst}");
    assert_eq!(session.optimizer().adam_time(), 4);
}

/// Saving Adam's moments and loading them into a fresh session continues exactly where it stopped;
/// fresh moments would not.
#[test]
fn saved_adam_state_continues_the_same_trajectory() {
    let device = Device::flex();
    let train = super::mnist(Split::Train).first(256);
    let config = TrainingConfig::new().with_model(MlpConfig::new().with_hidden(vec![32, 16]));
    let batch = |i: usize| make_batch(&train, &(i * 64..i * 64 + 64).collect::<Vec<_>>(), &device.clone().autodiff());
    let mut session = TrainingSession::new(config.clone(), &device);
    for i in 0..3 {
        session.step(&batch(i));
    }
    let bytes = block_on(session.optimizer().save()).unwrap().expect("Adam has state after 3 steps");
    let model = session.inference_model();
    let restored_optimizer = MlpOptimizer::load(OptimizerKind::Adam, &bytes, &model, &device).unwrap();
    assert_eq!(restored_optimizer.adam_time(), 3);
    let mut restored = TrainingSession::with_model_and_optimizer(config.clone(), model.clone(), restored_optimizer, 3, &device);
    let mut fresh = TrainingSession::with_model(config.clone(), model, &device);

    session.step(&batch(3));
    restored.step(&batch(3));
    fresh.step(&batch(3));
    assert_eq!(values(&session), values(&restored));
    assert_eq!(restored.steps(), 4);
    assert_ne!(values(&session), values(&fresh), "fresh moments take a different step");

    // Moments for another architecture are refused, not half-loaded.
    let other = MlpConfig::new().with_hidden(vec![8]).init(&device);
    assert!(MlpOptimizer::load(OptimizerKind::Adam, &bytes, &other, &device).is_err());
    assert!(MlpOptimizer::load(OptimizerKind::Adam, b"garbage", &other, &device).is_err());
}

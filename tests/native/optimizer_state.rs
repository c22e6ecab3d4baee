use backprop_playground::block_on;
use backprop_playground::data::{Split, make_batch};
use backprop_playground::model::MlpConfig;
use backprop_playground::optimizer::MlpOptimizer;
use backprop_playground::training::{OptimizerKind, TrainingConfig, TrainingSession};
use burn::module::Module;
use backprop_playground::fused_adam;
use backprop_playground::optimizer::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON};
use burn::optim::{AdamConfig, AdamState, GradientsParams, Optimizer};
use burn::tensor::{Distribution, Tensor};
use burn::tensor::Device;

fn values(session: &TrainingSession) -> Vec<f32> {
    session.inference_model().layers.iter().flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>()).collect()
}

/// The session's optimizer (the fused CPU Adam here) must match burn's own `ModuleOptimizer` (what
/// `AdamConfig::init` returns) step for step, over 100 steps of real training.
#[test]
fn session_adam_matches_burns_module_optimizer() {
    let device = Device::flex();
    let train = super::mnist(Split::Train).first(256);
    let config = TrainingConfig::new().with_model(MlpConfig::new().with_hidden(vec![32, 16]));
    let mut session = TrainingSession::new(config.clone(), &device);

    let mut reference_model = session.model.clone();
    let mut reference = AdamConfig::new().with_beta_1(0.9).with_beta_2(0.999).with_epsilon(1e-8).init();
    let loss_fn = burn::nn::loss::CrossEntropyLossConfig::new().init(&device.clone().autodiff());
    for step in 0..100 {
        let indices: Vec<usize> = ((step % 4) * 64..(step % 4) * 64 + 64).collect();
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
    assert_eq!(session.optimizer().adam_time(), 100);
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

fn floats<const D: usize>(t: &Tensor<D>) -> Vec<f32> {
    t.clone().into_data().iter::<f32>().collect()
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// The fused pass against burn's `Adam::step` on the same parameter: weights and both moments
/// within 1e-6 after each of 100 steps, with gradients of every size (tiny ones test ε, large ones
/// the bias correction), and the fused path really taken on the CPU device.
#[test]
fn fused_adam_equals_burns_adam_over_100_steps() {
    let device = Device::flex();
    let adam = AdamConfig::new().with_beta_1(ADAM_BETA1).with_beta_2(ADAM_BETA2).with_epsilon(ADAM_EPSILON).build();
    let start = Tensor::<2>::random([37, 23], Distribution::Normal(0.0, 0.1), &device); // [37, 23]
    let (mut ours, mut theirs) = (start.clone(), start);
    let (mut our_state, mut their_state): (Option<AdamState<2>>, Option<AdamState<2>>) = (None, None);
    for step in 0..100 {
        let scale = [1e-9, 1e-4, 1.0, 30.0][step % 4];
        let grad = Tensor::<2>::random([37, 23], Distribution::Normal(0.0, scale), &device); // [37, 23]
        assert!(fused_adam::fits(&ours, &grad, &our_state), "step {step}: the CPU tensors take the fused path");
        (ours, our_state) = fused_adam::step(1e-3, ours, grad.clone(), our_state.take());
        let (next, state) = adam.step(1e-3, theirs, grad, their_state.take());
        (theirs, their_state) = (next, state);
        let (a, b) = (our_state.as_ref().unwrap(), their_state.as_ref().unwrap());
        assert_eq!(a.momentum.time, b.momentum.time);
        for (what, x, y) in [
            ("weights", floats(&ours), floats(&theirs)),
            ("first moment", floats(&a.momentum.moment_1), floats(&b.momentum.moment_1)),
            ("second moment", floats(&a.momentum.moment_2), floats(&b.momentum.moment_2)),
        ] {
            let worst = largest_difference(&x, &y);
            assert!(worst < 1e-6, "step {step}: {what} differ by {worst}");
            // Burn's operations in burn's order: the same bits, not only close (1e-6 says nothing
            // about second moments of 1e-18).
            let same_bits = x.iter().zip(&y).filter(|(a, b)| a.to_bits() == b.to_bits()).count();
            assert_eq!(same_bits, x.len(), "step {step}: {what} not bit-identical");
        }
    }
    assert_ne!(floats(&ours), floats(&Tensor::<2>::zeros([37, 23], &device)));
}

/// Tensors the fused pass cannot take (another shape, moments of another shape) go through burn's
/// `Adam` instead of being misread.
#[test]
fn fused_adam_refuses_what_does_not_fit() {
    let device = Device::flex();
    let w = Tensor::<2>::zeros([4, 3], &device); // [4, 3]
    assert!(!fused_adam::fits(&w, &Tensor::<2>::zeros([3, 4], &device), &None));
    let other = AdamState::new(burn::optim::AdaptiveMomentumState::new(1, Tensor::<2>::zeros([2, 2], &device), Tensor::<2>::zeros([2, 2], &device)));
    assert!(!fused_adam::fits(&w, &Tensor::<2>::zeros([4, 3], &device), &Some(other)));
    assert!(fused_adam::fits(&w, &Tensor::<2>::zeros([4, 3], &device), &None));
}

/// The WebGPU kernel's extension, through its CPU implementation (burn's operations): its
/// bookkeeping (step count, the first step from zero moments, the state handed back) gives burn's
/// `Adam` bit for bit over 100 steps, for a weight matrix and a bias. The kernel's own arithmetic is
/// held to burn's on WebGPU in `tests/browser.rs`.
#[test]
fn fused_adam_on_device_bookkeeping_equals_burns_adam() {
    let device = Device::flex();
    let adam = AdamConfig::new().with_beta_1(ADAM_BETA1).with_beta_2(ADAM_BETA2).with_epsilon(ADAM_EPSILON).build();
    let start = Tensor::<2>::random([37, 23], Distribution::Normal(0.0, 0.1), &device); // [37, 23]
    let bias = Tensor::<1>::random([23], Distribution::Normal(0.0, 0.1), &device); // [23]
    let (mut ours, mut theirs) = (start.clone(), start);
    let (mut our_bias, mut their_bias) = (bias.clone(), bias);
    let (mut our_state, mut their_state): (Option<AdamState<2>>, Option<AdamState<2>>) = (None, None);
    let (mut our_bias_state, mut their_bias_state): (Option<AdamState<1>>, Option<AdamState<1>>) = (None, None);
    let bits = |values: Vec<f32>| values.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    for step in 0..100 {
        let scale = [1e-9, 1e-4, 1.0, 30.0][step % 4];
        let grad = Tensor::<2>::random([37, 23], Distribution::Normal(0.0, scale), &device); // [37, 23]
        let bias_grad = Tensor::<1>::random([23], Distribution::Normal(0.0, scale), &device); // [23]
        (ours, our_state) = fused_adam::on_device::step(1e-3, ours, grad.clone(), our_state.take());
        (theirs, their_state) = adam.step(1e-3, theirs, grad, their_state.take());
        (our_bias, our_bias_state) = fused_adam::on_device::step(1e-3, our_bias, bias_grad.clone(), our_bias_state.take());
        (their_bias, their_bias_state) = adam.step(1e-3, their_bias, bias_grad, their_bias_state.take());
        let (a, b) = (our_state.as_ref().unwrap(), their_state.as_ref().unwrap());
        assert_eq!(a.momentum.time, b.momentum.time, "step {step}: Adam's step count");
        assert!(largest_difference(&floats(&ours), &floats(&theirs)) < 1e-6, "step {step}: weights");
        assert_eq!(bits(floats(&ours)), bits(floats(&theirs)), "step {step}: weights not bit-identical");
        assert_eq!(bits(floats(&a.momentum.moment_1)), bits(floats(&b.momentum.moment_1)), "step {step}: first moment");
        assert_eq!(bits(floats(&a.momentum.moment_2)), bits(floats(&b.momentum.moment_2)), "step {step}: second moment");
        assert_eq!(bits(floats(&our_bias)), bits(floats(&their_bias)), "step {step}: bias");
        let (a, b) = (our_bias_state.as_ref().unwrap(), their_bias_state.as_ref().unwrap());
        assert_eq!(a.momentum.time, b.momentum.time, "step {step}: the bias's step count");
    }
    assert_ne!(floats(&ours), floats(&Tensor::<2>::zeros([37, 23], &device)));
}

/// On the CPU the session's Adam takes the CPU loop, never the WebGPU kernel's path.
#[test]
fn fused_adam_on_device_is_not_taken_on_the_cpu() {
    let device = Device::flex();
    let w = Tensor::<2>::zeros([4, 3], &device); // [4, 3]
    let g = Tensor::<2>::zeros([4, 3], &device); // [4, 3]
    assert!(!fused_adam::on_device::fits(&w, &g, &None));
    assert!(fused_adam::fits(&w, &g, &None));
}

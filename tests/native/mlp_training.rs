use backprop_playground::data::{Split, epoch_order, make_batch};
use backprop_playground::evaluation::evaluate;
use backprop_playground::model::MlpConfig;
use backprop_playground::training::{OptimizerKind, TrainingConfig, TrainingSession};
use backprop_playground::block_on;
use burn::tensor::Device;

#[test]
fn two_hundred_adam_steps_learn_mnist() {
    let device = Device::flex();
    let train = super::mnist(Split::Train).first(2000);
    let held_out = super::mnist(Split::Test).first(500);
    let config = TrainingConfig::new();
    assert_eq!(config.model.layer_shapes(), vec![(784, 512), (512, 256), (256, 128), (128, 10)]);
    assert_eq!(config.model.parameter_count(), 567_434);
    let mut session = TrainingSession::new(config, &device);

    let before = block_on(evaluate(&session.inference_model(), &train, 500, &device, 0)).unwrap();
    let mut step = 0;
    let mut epoch = 0;
    while step < 200 {
        for indices in epoch_order(train.len(), 7, epoch).chunks(64) {
            if step == 200 {
                break;
            }
            let loss: f32 = session.step(&make_batch(&train, indices, session.device())).into_scalar();
            assert!(loss.is_finite(), "step {step}: loss {loss}");
            step += 1;
        }
        epoch += 1;
    }
    assert_eq!(session.steps(), 200);
    let after = block_on(evaluate(&session.inference_model(), &train, 500, &device, 0)).unwrap();
    let test = block_on(evaluate(&session.inference_model(), &held_out, 500, &device, 10)).unwrap();
    assert!(before.mean_loss() > 2.0, "an untrained 10-way classifier starts near ln 10: {}", before.mean_loss());
    assert!(after.mean_loss() < before.mean_loss() * 0.25, "loss {} → {}", before.mean_loss(), after.mean_loss());
    assert!(test.accuracy() > 0.80, "held-out accuracy {}", test.accuracy());
    // The confusion matrix accounts for every image, and mistakes are real mistakes.
    assert_eq!(test.confusion.iter().flatten().sum::<u32>() as usize, 500);
    let diagonal: u32 = (0..10).map(|i| test.confusion[i][i]).sum();
    assert_eq!(diagonal as usize, test.correct);
    for m in &test.mistakes {
        assert_ne!(m.truth, m.predicted);
        assert_eq!(held_out.label(m.index), m.truth);
    }
}

#[test]
fn same_seed_gives_bit_identical_initial_weights() {
    let device = Device::flex();
    let weights = |seed| {
        let model = MlpConfig::new().with_init_seed(seed).init(&device);
        model.layers.iter().flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>()).collect::<Vec<f32>>()
    };
    let a = weights(3);
    let b = weights(3);
    let c = weights(4);
    assert_eq!(a.len(), 784 * 512 + 512 * 256 + 256 * 128 + 128 * 10);
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    assert!(a.iter().zip(&c).filter(|(x, y)| x != y).count() > a.len() / 2);
    // PyTorch's nn.Linear bound for fc1: 1/√784.
    let bound = 1.0 / 28.0;
    assert!(a[..784 * 512].iter().all(|w| w.abs() <= bound));
}

#[test]
fn sgd_also_lowers_the_loss() {
    let device = Device::flex();
    let train = super::mnist(Split::Train).first(256);
    let config = TrainingConfig::new().with_optimizer(OptimizerKind::Sgd).with_learning_rate(0.1);
    let mut session = TrainingSession::new(config, &device);
    let batch = make_batch(&train, &(0..256).collect::<Vec<_>>(), session.device());
    let losses: Vec<f32> = (0..60).map(|_| session.step(&batch).into_scalar()).collect();
    // Plain SGD on this deep ReLU net starts slowly and is a little noisy: compare averages.
    let last_ten = losses[50..].iter().sum::<f32>() / 10.0;
    assert!(last_ten < losses[0] * 0.6, "SGD losses {losses:?}");
}

#[test]
fn invalid_settings_are_refused_with_a_reason() {
    let ok = TrainingConfig::new();
    assert!(ok.validate().is_ok());
    for (config, field) in [
        (ok.clone().with_learning_rate(f64::NAN), "learning rate"),
        (ok.clone().with_learning_rate(-1.0), "learning rate"),
        (ok.clone().with_batch_size(0), "batch size"),
        (ok.clone().with_epochs(0), "epochs"),
        (ok.clone().with_model(MlpConfig::new().with_hidden(vec![])), "hidden sizes"),
        (ok.clone().with_model(MlpConfig::new().with_hidden(vec![100_000])), "hidden sizes"),
    ] {
        assert_eq!(config.validate().unwrap_err().field, field);
    }
}

#[test]
fn a_plain_model_can_be_trained_after_switching_to_autodiff() {
    let device = Device::flex();
    let model = MlpConfig::new().with_hidden(vec![32]).init(&device);
    let train = super::mnist(Split::Train).first(128);
    let mut session = TrainingSession::with_model(TrainingConfig::new(), model, &device);
    let batch = make_batch(&train, &(0..128).collect::<Vec<_>>(), session.device());
    let first: f32 = session.step(&batch).into_scalar();
    for _ in 0..10 {
        session.step(&batch);
    }
    let last: f32 = session.step(&batch).into_scalar();
    assert!(last < first * 0.7, "{first} → {last}");
}

#[test]
fn profiled_async_step_is_the_same_step_split_into_phases() {
    // The page's phase profile (bench `&profile=1`) must time the real step, not a different one.
    let device = Device::flex();
    let train = super::mnist(Split::Train).first(128);
    let mut plain = TrainingSession::new(TrainingConfig::new(), &device);
    let mut profiled = plain.clone();
    for indices in [(0..64).collect::<Vec<_>>(), (64..128).collect()] {
        let batch = make_batch(&train, &indices, &device);
        let expected: f32 = plain.step(&batch).into_scalar();
        let (loss, timings) = block_on(profiled.step_profiled_async(&batch)).unwrap();
        assert_eq!(loss.to_bits(), expected.to_bits());
        assert!(timings.forward_ms > 0.0 && timings.backward_ms > 0.0 && timings.update_ms > 0.0, "{timings:?}");
    }
    assert_eq!(profiled.steps(), 2);
    let weights = |s: &TrainingSession| s.inference_model().layers[3].weight.val().into_data().iter::<f32>().collect::<Vec<_>>();
    assert_eq!(weights(&plain), weights(&profiled));
}

use backprop_playground::data::{MnistBatch, Split, make_batch};
use backprop_playground::data_parallel::{ShareGradients, combine, layer_shapes, mlp_from_parameters, parameter_lens, parameters, shapes_chain, share_gradients};
use backprop_playground::model::{Activation, Mlp};
use backprop_playground::training::{TrainingConfig, TrainingSession};
use burn::tensor::Device;

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn flat(values: &[Vec<f32>]) -> Vec<f32> {
    values.concat()
}

/// What a helper worker does with a request: a model rebuilt from the weights on its own device,
/// and the gradients of its share.
fn as_a_helper_would(model: &Mlp, share: &MnistBatch) -> ShareGradients {
    let values = parameters(model).expect("a CPU model");
    let device = Device::flex().autodiff();
    let copy = mlp_from_parameters(&layer_shapes(model), model.activation, values, &device).expect("the weights fit");
    share_gradients(&copy, share).expect("gradients of a share")
}

#[test]
fn uneven_shares_combine_to_the_whole_batch_gradient() {
    let train = crate::mnist(Split::Train);
    let session = TrainingSession::new(TrainingConfig::new(), &Device::flex());
    let device = session.device().clone();
    let whole = session.share_gradients(&make_batch(&train, &(0..64).collect::<Vec<_>>(), &device)).expect("whole batch");
    // 24 + 40: each share must count by its size, not as a half.
    let first = session.share_gradients(&make_batch(&train, &(0..24).collect::<Vec<_>>(), &device)).expect("first share");
    let second = as_a_helper_would(&session.model, &make_batch(&train, &(24..64).collect::<Vec<_>>(), &device));
    assert_eq!((first.images, second.images, whole.images), (24, 40, 64));
    let lens = parameter_lens(&layer_shapes(&session.model)).expect("small layers");
    let (loss, gradients) = combine(vec![first.clone(), second.clone()], &lens).expect("shares that fit");
    assert!((loss - whole.loss).abs() < 1e-5, "loss {loss} vs {}", whole.loss);
    let (gradients, expected) = (flat(&gradients), flat(&whole.gradients));
    let scale = expected.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    assert!(scale > 1e-3, "a gradient worth comparing: largest {scale}");
    let error = largest_difference(&gradients, &expected);
    assert!(error < 1e-6, "combined gradient differs from the whole batch's by {error} (largest {scale})");
    // A plain mean of the two shares (ignoring their sizes) is measurably wrong: the check can fail.
    let plain: Vec<f32> = flat(&first.gradients).iter().zip(&flat(&second.gradients)).map(|(a, b)| (a + b) / 2.0).collect();
    assert!(largest_difference(&plain, &expected) > 100.0 * error.max(1e-7));
}

#[test]
fn a_run_stepped_in_shares_follows_the_one_batch_run() {
    let train = crate::mnist(Split::Train);
    let config = TrainingConfig::new();
    let mut whole = TrainingSession::new(config.clone(), &Device::flex());
    let mut shared = TrainingSession::new(config, &Device::flex());
    let device = whole.device().clone();
    for step in 0..30 {
        let start = step * 64;
        let batch = make_batch(&train, &(start..start + 64).collect::<Vec<_>>(), &device);
        let own = make_batch(&train, &(start..start + 32).collect::<Vec<_>>(), &device);
        let theirs = make_batch(&train, &(start + 32..start + 64).collect::<Vec<_>>(), &device);
        let expected = whole.step(&batch).into_data().iter::<f32>().next().expect("a loss");
        let mine = shared.share_gradients(&own).expect("own share");
        let other = as_a_helper_would(&shared.model, &theirs);
        let loss = shared.apply_shares(vec![mine, other]).expect("shares that fit");
        assert!((loss - expected).abs() < 1e-4, "step {step}: loss {loss} vs {expected}");
    }
    assert_eq!(shared.steps(), whole.steps());
    let values = |s: &TrainingSession| flat(&parameters(&s.model).expect("CPU"));
    let (a, b) = (values(&whole), values(&shared));
    let moved = largest_difference(&a, &values(&TrainingSession::new(TrainingConfig::new(), &Device::flex())));
    let error = largest_difference(&a, &b);
    let mean_error = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32;
    // Adam divides by the gradient's running magnitude, so a gradient that is nearly zero can take a
    // step of either sign when summed in another order: a few weights may differ by a step or two
    // (lr 1e-3), the rest agree to float rounding.
    assert!(moved > 1e-2, "the weights moved by {moved}");
    assert!(error < 5e-3, "largest difference {error}");
    assert!(mean_error < 1e-6, "mean difference {mean_error}");
}

#[test]
fn flat_weights_round_trip_and_wrong_lengths_are_refused() {
    let session = TrainingSession::new(TrainingConfig::new(), &Device::flex());
    let shapes = layer_shapes(&session.model);
    assert_eq!(shapes, vec![(784, 512), (512, 256), (256, 128), (128, 10)]);
    let lens = parameter_lens(&shapes).expect("small layers");
    let values = parameters(&session.model).expect("CPU");
    assert_eq!(values.iter().map(Vec::len).collect::<Vec<_>>(), lens);
    assert_eq!(lens.iter().sum::<usize>(), TrainingConfig::new().model.parameter_count());
    let copy = mlp_from_parameters(&shapes, Activation::Relu, values.clone(), &Device::flex()).expect("fits");
    assert_eq!(parameters(&copy).expect("CPU"), values);
    let mut short = values.clone();
    short[3].pop();
    assert!(mlp_from_parameters(&shapes, Activation::Relu, short.clone(), &Device::flex()).is_none());
    assert!(mlp_from_parameters(&shapes, Activation::Relu, values[1..].to_vec(), &Device::flex()).is_none());
    // Layers that do not chain from 784 pixels to 10 classes are refused before burn sees them.
    assert!(shapes_chain(&shapes));
    for bad in [vec![], vec![(784, 512), (256, 10)], vec![(100, 10)], vec![(784, 12)]] {
        assert!(!shapes_chain(&bad), "{bad:?}");
        let values = parameter_lens(&bad).expect("small").into_iter().map(|n| vec![0.0; n]).collect();
        assert!(mlp_from_parameters(&bad, Activation::Relu, values, &Device::flex()).is_none(), "{bad:?}");
    }
    assert!(parameter_lens(&[(usize::MAX, 2)]).is_none());
    // A model that is not on the autodiff graph has no gradients to give.
    let batch = make_batch(&crate::mnist(Split::Test), &[0, 1], &Device::flex());
    assert!(share_gradients(&copy, &batch).is_none());
    let share = ShareGradients { images: 3, loss: 1.0, gradients: values.clone() };
    assert!(combine(vec![share.clone(), ShareGradients { gradients: short, ..share.clone() }], &lens).is_none());
    assert!(combine(vec![ShareGradients { images: 0, ..share.clone() }], &lens).is_none());
    let (loss, one) = combine(vec![share], &lens).expect("one share that fits");
    assert_eq!((loss, one), (1.0, values));
}

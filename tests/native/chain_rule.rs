//! The closed-form gradients the backprop page shows equal burn's autodiff (1e-5) and central finite
//! differences (1e-3); the Adam step written out by hand equals burn's Adam (1e-6).

use backprop_playground::block_on;
use backprop_playground::chain_rule::{adam_step, autodiff_gradients, chain_rule, finite_difference};
use backprop_playground::data::{Split, make_batch};
use backprop_playground::model::{Activation, MlpConfig};
use backprop_playground::training::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, TrainingConfig, TrainingSession};
use burn::tensor::Device;

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn closed_forms_match_autodiff_and_finite_differences() {
    let device = Device::flex().autodiff();
    let test = super::mnist(Split::Test);
    for (seed, activation, sample) in [(1, Activation::Relu, 0), (2, Activation::Relu, 17), (3, Activation::Tanh, 5), (4, Activation::Sigmoid, 123)] {
        let model = MlpConfig::new().with_init_seed(seed).with_activation(activation).init(&device);
        let (pixels, label) = (test.image(sample), test.label(sample));
        let c = block_on(chain_rule(&model, pixels, label, &device)).unwrap();
        let (w_out, b_out, w_prev) = block_on(autodiff_gradients(&model, pixels, label, &device)).unwrap();

        // The softmax sums to one, δ_L = p − onehot, and L = −log p_y.
        assert!((c.probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!((c.delta_out[label as usize] - (c.probabilities[label as usize] - 1.0)).abs() < 1e-6);
        assert!((c.loss + c.probabilities[label as usize].ln()).abs() < 1e-5);
        assert_eq!((c.sizes, c.grad_w_out.len(), c.grad_w_prev.len()), ((256, 128), 128 * 10, 256 * 128));
        if activation == Activation::Relu {
            for (z, m) in c.pre_prev.iter().zip(&c.activation_grad_prev) {
                assert_eq!(*m, if *z > 0.0 { 1.0 } else { 0.0 });
            }
        }

        assert!(max_abs_diff(&c.grad_w_out, &w_out) < 1e-5, "∂L/∂W4 vs autodiff: {}", max_abs_diff(&c.grad_w_out, &w_out));
        assert!(max_abs_diff(&c.grad_b_out, &b_out) < 1e-5);
        assert!(max_abs_diff(&c.grad_w_prev, &w_prev) < 1e-5, "∂L/∂W3 vs autodiff: {}", max_abs_diff(&c.grad_w_prev, &w_prev));

        // Finite differences on the weights with the largest gradients (well away from rounding noise).
        let plain = model.valid_model();
        let plain_device = Device::flex();
        let arg_max = |g: &[f32]| g.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map(|(i, _)| i).unwrap();
        let i = arg_max(&c.grad_w_out);
        let fd = block_on(finite_difference(&plain, 3, i / 10, i % 10, pixels, label, 1e-2, &plain_device)).unwrap();
        assert!((fd - c.grad_w_out[i] as f64).abs() < 1e-3, "W4 finite difference {fd} vs {}", c.grad_w_out[i]);
        let j = arg_max(&c.grad_w_prev);
        let fd = block_on(finite_difference(&plain, 2, j / 128, j % 128, pixels, label, 1e-3, &plain_device)).unwrap();
        assert!((fd - c.grad_w_prev[j] as f64).abs() < 1e-3, "W3 finite difference {fd} vs {}", c.grad_w_prev[j]);
    }
}

trait Valid {
    fn valid_model(&self) -> Self;
}
impl Valid for backprop_playground::model::Mlp {
    fn valid_model(&self) -> Self {
        use burn::module::Module;
        self.valid()
    }
}

#[test]
fn adam_written_out_equals_burns_adam() {
    let device = Device::flex();
    let test = super::mnist(Split::Test);
    let mut session = TrainingSession::new(TrainingConfig::new(), &device);
    let batch = make_batch(&test, &[7], session.device());
    let lr = session.config().learning_rate;
    let (row, col) = (3usize, 5usize);
    let weight = |s: &TrainingSession| s.model.layers[3].weight.val().into_data().iter::<f32>().nth(row * 10 + col).unwrap() as f64;
    let grad = |s: &TrainingSession| {
        let (w, _, _) = block_on(autodiff_gradients(&s.model, test.image(7), test.label(7), s.device())).unwrap();
        w[row * 10 + col] as f64
    };
    let (b1, b2, eps) = (ADAM_BETA1 as f64, ADAM_BETA2 as f64, ADAM_EPSILON as f64);

    let (w0, g1) = (weight(&session), grad(&session));
    session.step(&batch);
    let first = adam_step(w0, g1, 0.0, 0.0, 1, lr, b1, b2, eps);
    assert!((weight(&session) - first.w).abs() < 1e-6, "step 1: burn {} vs by hand {}", weight(&session), first.w);

    let g2 = grad(&session);
    session.step(&batch);
    let second = adam_step(first.w, g2, first.m, first.v, 2, lr, b1, b2, eps);
    assert!((weight(&session) - second.w).abs() < 1e-6, "step 2: burn {} vs by hand {}", weight(&session), second.w);
    // The first step of Adam moves every weight by about lr, whatever the gradient's size.
    assert!(((w0 - first.w).abs() - lr).abs() < 1e-4);
}

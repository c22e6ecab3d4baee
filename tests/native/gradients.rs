//! Gradient truth for the seed's §4.2 neuron: the closed form `(ŷ − y)·ŷ(1 − ŷ)·x` the page prints
//! equals burn's autodiff and central finite differences.

use backprop_playground::neuron::{SigmoidNeuron, sigmoid};
use burn::tensor::Device;

fn cases() -> Vec<SigmoidNeuron> {
    vec![
        SigmoidNeuron::article_example(),
        SigmoidNeuron { x: vec![1.0, 2.0], y: 0.0, w: vec![-0.4, 0.25], b: 0.3 },
        SigmoidNeuron { x: vec![-2.0, 0.1], y: 1.0, w: vec![1.5, -3.0], b: -0.7 },
        SigmoidNeuron { x: vec![0.0, 3.0, -1.0], y: 0.25, w: vec![0.9, 0.1, 0.2], b: 0.0 },
    ]
}

#[test]
fn closed_form_matches_autodiff_and_finite_differences() {
    let device = Device::flex();
    for neuron in cases() {
        let step = neuron.step(0.5);
        let (auto_dw, auto_db) = neuron.autodiff_gradients(&device);
        let (fd_dw, fd_db) = neuron.finite_difference_gradients(1e-5);
        assert_eq!(auto_dw.len(), step.dw.len());
        for i in 0..step.dw.len() {
            assert!((step.dw[i] - auto_dw[i]).abs() < 1e-5, "{neuron:?}: dw[{i}] {} vs autodiff {}", step.dw[i], auto_dw[i]);
            assert!((step.dw[i] - fd_dw[i]).abs() < 1e-3, "{neuron:?}: dw[{i}] {} vs finite diff {}", step.dw[i], fd_dw[i]);
        }
        assert!((step.db - auto_db).abs() < 1e-5, "{neuron:?}: db {} vs autodiff {auto_db}", step.db);
        assert!((step.db - fd_db).abs() < 1e-3, "{neuron:?}: db {} vs finite diff {fd_db}", step.db);
    }
}

#[test]
fn article_sign_is_the_negative_of_the_gradient_and_raises_the_loss() {
    for neuron in cases() {
        let right = neuron.step(0.5);
        let wrong = neuron.step_with_article_sign(0.5);
        for (r, w) in right.dw.iter().zip(&wrong.dw) {
            assert_eq!(*r, -*w);
        }
        let loss_after_right = neuron.updated(&right).step(0.5).loss;
        let loss_after_wrong = neuron.updated(&wrong).step(0.5).loss;
        assert!(loss_after_right < right.loss, "a correct step lowers the loss");
        assert!(loss_after_wrong > right.loss, "the article's sign raises it");
    }
}

#[test]
fn article_defaults_match_a_hand_computation() {
    let step = SigmoidNeuron::article_example().step(SigmoidNeuron::ARTICLE_ALPHA);
    // z = 0.5·0.3 + (−1.2)·0.8 + 0.1 = −0.71
    let z = 0.5 * 0.3 - 1.2 * 0.8 + 0.1;
    let y_hat = 1.0 / (1.0 + f64::exp(0.71));
    let g = (y_hat - 1.0) * y_hat * (1.0 - y_hat);
    assert!((step.z - z).abs() < 1e-12 && (step.z + 0.71).abs() < 1e-12);
    assert!((step.y_hat - sigmoid(-0.71)).abs() < 1e-12 && (step.y_hat - 0.329599).abs() < 1e-6);
    assert!((step.loss - 0.5 * (1.0 - y_hat).powi(2)).abs() < 1e-12);
    assert!((step.dw[0] - g * 0.5).abs() < 1e-12 && (step.dw[1] - g * -1.2).abs() < 1e-12);
    assert!((step.w_new[0] - (0.3 - 0.5 * g * 0.5)).abs() < 1e-12);
    assert!((step.b_new - (0.1 - 0.5 * g)).abs() < 1e-12);
}

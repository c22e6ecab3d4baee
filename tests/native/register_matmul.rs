//! The register-tiled matmul extension on the CPU backend: its product is burn's, and its backward
//! pass (the extension's own, under autodiff) gives burn's gradients for each tracked operand.

use backprop_playground::register_matmul::matmul;
use burn::tensor::{Device, Tensor, TensorData};

fn values(seed: u32, n: usize) -> Vec<f32> {
    // Small, uneven numbers: a transpose or a swapped operand changes every gradient.
    (0..n).map(|i| (((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 20) % 97) as f32 / 48.0 - 1.0).collect()
}

fn tensor(seed: u32, shape: [usize; 2], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values(seed, shape[0] * shape[1]), shape), device)
}

fn read(t: Tensor<2>) -> Vec<f32> {
    t.into_data().iter::<f32>().collect()
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn the_product_is_burns_for_plain_and_transposed_operands() {
    let device = Device::flex();
    let (a, b) = (tensor(1, [5, 7], &device), tensor(2, [7, 3], &device));
    assert_eq!(read(matmul(a.clone(), b.clone())), read(a.clone().matmul(b.clone())));
    // Transposed views, as the backward pass passes them.
    let (at, bt) = (tensor(3, [7, 5], &device).transpose(), tensor(4, [3, 7], &device).transpose());
    assert_eq!(read(matmul(at.clone(), bt.clone())), read(at.matmul(bt)));
}

/// Gradients of `sum(weights ⊙ (a·b))` for `a` and `b` (each `None` where not tracked), through
/// `product`.
fn gradients(product: fn(Tensor<2>, Tensor<2>) -> Tensor<2>, track_a: bool, track_b: bool) -> (Option<Vec<f32>>, Option<Vec<f32>>) {
    let device = Device::flex().autodiff();
    let mut a = tensor(5, [6, 9], &device);
    let mut b = tensor(6, [9, 4], &device);
    if track_a {
        a = a.require_grad();
    }
    if track_b {
        b = b.require_grad();
    }
    let weights = tensor(7, [6, 4], &device);
    let loss = (product(a.clone(), b.clone()) * weights).sum(); // [1]
    let grads = loss.backward();
    let grad_of = |t: &Tensor<2>, tracked: bool| tracked.then(|| t.grad(&grads).map(|g| g.into_data().iter::<f32>().collect())).flatten();
    (grad_of(&a, track_a), grad_of(&b, track_b))
}

#[test]
fn its_backward_pass_gives_burns_gradients_for_each_tracked_operand() {
    let burns = |a: Tensor<2>, b: Tensor<2>| a.matmul(b);
    for (track_a, track_b) in [(true, true), (true, false), (false, true)] {
        let (ours_a, ours_b) = gradients(matmul, track_a, track_b);
        let (burn_a, burn_b) = gradients(burns, track_a, track_b);
        assert_eq!(ours_a.is_some(), track_a, "a gradient for a exactly when it is tracked ({track_a}, {track_b})");
        assert_eq!(ours_b.is_some(), track_b, "a gradient for b exactly when it is tracked ({track_a}, {track_b})");
        for (ours, burn) in [(ours_a, burn_a), (ours_b, burn_b)] {
            if let (Some(ours), Some(burn)) = (ours, burn) {
                assert!(burn.iter().any(|g| g.abs() > 0.1), "gradients worth comparing");
                let difference = largest_difference(&ours, &burn);
                assert!(difference < 1e-5, "({track_a}, {track_b}): gradients differ by {difference}");
            }
        }
    }
}

//! The drawing loop natively: an MNIST test digit, upscaled to canvas size and put through the
//! drawing preprocessing, is still read the same by the shipped pretrained model; fine-tuning on the
//! user's digits changes the prediction towards their label.

use backprop_playground::block_on;
use backprop_playground::data::{MnistDataset, Split};
use backprop_playground::fine_tune::{FINE_TUNE_STEPS, fine_tune};
use backprop_playground::inference::{digit_probabilities, top_prediction};
use backprop_playground::preprocess::{DrawingInput, preprocess_drawing};
use backprop_playground::training::{TrainingConfig, TrainingSession};
use backprop_playground::weights_file;
use burn::tensor::Device;

fn pretrained(device: &Device) -> weights_file::LoadedModel {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap();
    weights_file::load(&bytes, device).unwrap()
}

fn upscale(pixels: &[u8], factor: usize) -> Vec<u8> {
    let side = 28 * factor;
    (0..side * side).map(|i| pixels[(i / side / factor) * 28 + (i % side) / factor]).collect()
}

fn predict(model: &backprop_playground::model::Mlp, pixels: &[u8], device: &Device) -> (u8, f32) {
    let p: Vec<f32> = digit_probabilities(model, pixels, device).into_data().iter::<f32>().collect();
    assert_eq!(p.len(), 10);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    top_prediction(&p).unwrap()
}

#[test]
fn pretrained_model_reads_mnist_digits_after_the_drawing_pipeline() {
    let device = Device::flex();
    let loaded = pretrained(&device);
    assert!(loaded.facts.test_accuracy.unwrap() > 0.96, "{:?}", loaded.facts);
    let test = super::mnist(Split::Test);
    let mut same = 0;
    let n = 100;
    for i in 0..n {
        let direct = predict(&loaded.model, test.image(i), &device).0;
        let DrawingInput::Digit(p) = preprocess_drawing(&upscale(test.image(i), 10), 280, 280) else {
            panic!("MNIST image {i} read as empty")
        };
        if predict(&loaded.model, &p.pixels, &device).0 == direct {
            same += 1;
        }
    }
    assert!(same >= 95, "{same}/{n} MNIST digits keep their prediction after the drawing pipeline");
}

#[test]
fn fine_tuning_on_my_digits_moves_the_prediction_to_my_label() {
    let device = Device::flex();
    let loaded = pretrained(&device.clone().autodiff());
    let test = super::mnist(Split::Test);
    // A test "7" the user insists is a 1.
    let index = (0..test.len()).find(|&i| test.label(i) == 7).unwrap();
    let mine = MnistDataset::new(test.image(index).repeat(4), vec![1; 4]).unwrap();
    let mut session = TrainingSession::with_model(TrainingConfig::new(), loaded.model, &device);
    let before: Vec<f32> = digit_probabilities(&session.inference_model(), test.image(index), &device).into_data().iter::<f32>().collect();
    let mnist = super::mnist(Split::Train).first(2000);
    let losses = fine_tune(&mut session, &mine, &mnist, FINE_TUNE_STEPS, 3);
    assert_eq!(losses.len(), FINE_TUNE_STEPS);
    let after: Vec<f32> = digit_probabilities(&session.inference_model(), test.image(index), &device).into_data().iter::<f32>().collect();
    assert!(after[1] > before[1] + 0.3, "p(1) {} → {}", before[1], after[1]);
    // It has not forgotten MNIST.
    let eval = block_on(backprop_playground::evaluation::evaluate(&session.inference_model(), &test.first(1000), 500, &device, 0)).unwrap();
    assert!(eval.accuracy() > 0.9, "accuracy after fine-tuning {}", eval.accuracy());
}

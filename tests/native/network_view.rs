//! The network view's numbers: weight tiles and activation strips, from the live model.

use std::collections::BTreeMap;

use backprop_playground::block_on;
use backprop_playground::cpu_forward::CpuForward;
use backprop_playground::data::Split;
use backprop_playground::data::batcher::normalise_images;
use backprop_playground::inference::digit_probabilities;
use backprop_playground::inspect::{activations, first_layer_tiles};
use backprop_playground::model::{Activation, Mlp, MlpConfig};
use backprop_playground::weights_file::{self, TrainingFacts};
use burn::tensor::Device;
use safetensors::SafeTensors;

fn floats(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// Every layer's weights `[in, out]` row-major and biases, read out of the model.
fn layers(model: &Mlp) -> Vec<(usize, usize, Vec<f32>, Vec<f32>)> {
    model
        .layers
        .iter()
        .map(|l| {
            let [i, o] = l.weight.dims();
            let w = l.weight.val().into_data().iter::<f32>().collect();
            let b = l.bias.as_ref().map(|b| b.val().into_data().iter::<f32>().collect()).unwrap_or_else(|| vec![0.0; o]);
            (i, o, w, b)
        })
        .collect()
}

/// Tile `j` is PyTorch's `fc1.weight[j]` (the weights into unit `j`, pixel by pixel): checked against
/// the weights file the page downloads, which is written by other code, and against burn's column.
#[test]
fn a_tile_shows_exactly_the_weights_into_its_unit() {
    let device = Device::flex();
    let model = MlpConfig::new().init(&device);
    let tiles = block_on(first_layer_tiles(&model, 7)).unwrap();
    assert_eq!((tiles.units, tiles.model_version), (512, 7));

    let file = block_on(weights_file::save(&model, &TrainingFacts::default())).unwrap();
    let file = SafeTensors::deserialize(&file).unwrap();
    let by_name: BTreeMap<String, Vec<f32>> = file.tensors().into_iter().map(|(n, v)| (n, floats(v.data()))).collect();
    let (fc1, bias) = (&by_name["fc1.weight"], &by_name["fc1.bias"]);
    for unit in [0, 1, 200, 511] {
        assert_eq!(tiles.tile(unit).unwrap(), &fc1[unit * 784..(unit + 1) * 784], "tile {unit}");
    }
    assert_eq!(&tiles.biases, bias);
    assert!(tiles.tile(512).is_none());

    let (_, outputs, w, _) = &layers(&model)[0];
    let column: Vec<f32> = (0..784).map(|p| w[p * outputs + 300]).collect();
    assert_eq!(tiles.tile(300).unwrap(), column.as_slice());
    let mut magnitudes: Vec<f32> = w.iter().map(|v| v.abs()).collect();
    magnitudes.sort_by(f32::total_cmp);
    let p99 = magnitudes[((magnitudes.len() - 1) as f64 * 0.99).round() as usize];
    assert_eq!(tiles.scale, p99, "one shared scale: the 99th percentile of |weight|");
    let beyond = magnitudes.iter().filter(|&&m| m > tiles.scale).count();
    assert!(beyond > 0 && beyond <= magnitudes.len() / 100 + 1, "about 1 % saturate: {beyond}");
}

/// Each strip is its layer's output for the input, computed here again by plain loops from the
/// weights; ReLU's zeros are exact zeros, and the output is the drawing panel's probabilities.
#[test]
fn each_activation_strip_is_its_layers_output_for_the_image() {
    let device = Device::flex();
    let model = weights_file::load(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap(), &device).unwrap().model;
    let test = super::mnist(Split::Test).first(3);
    for index in 0..3 {
        let pixels = test.image(index);
        let shown = block_on(activations(&model, pixels, &device)).unwrap();
        assert_eq!(shown.hidden.iter().map(Vec::len).collect::<Vec<_>>(), vec![512, 256, 128]);

        let mut x: Vec<f32> = normalise_images([pixels]);
        for (layer, (inputs, outputs, w, b)) in layers(&model).into_iter().enumerate() {
            let mut z: Vec<f32> = b.clone();
            for o in 0..outputs {
                for i in 0..inputs {
                    z[o] += x[i] * w[i * outputs + o];
                }
            }
            if layer == 3 {
                break;
            }
            x = z.iter().map(|v| v.max(0.0)).collect();
            let strip = &shown.hidden[layer];
            let worst = strip.iter().zip(&x).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "image {index}, layer {layer}: off by {worst}");
            assert!(strip.iter().all(|&v| v >= 0.0), "ReLU outputs are never negative");
            assert!(strip.iter().any(|&v| v == 0.0), "layer {layer}: ReLU's zeros are exact zeros");
        }
        let bars: Vec<f32> = digit_probabilities(&model, pixels, &device).into_data().iter::<f32>().collect();
        let worst = shown.probabilities.iter().zip(&bars).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-6, "the output strip is the drawing panel's probabilities (off by {worst})");
        assert_eq!(backprop_playground::inference::top_prediction(&shown.probabilities).map(|p| p.0), Some(test.label(index)));
    }
    assert!(block_on(activations(&model, &[0; 10], &device)).is_err(), "a wrong-size image is refused");
}

/// The drawing's prediction on the CPU comes from a copy of the weights run through plain loops
/// (`cpu_forward`): every layer's output equals burn's for the same image, for each activation,
/// blank and fully inked images included; ReLU's zeros stay exact.
#[test]
fn the_cpu_copy_gives_every_layers_output_as_burn_does() {
    let device = Device::flex();
    let pretrained = weights_file::load(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap(), &device).unwrap().model;
    let test = super::mnist(Split::Test).first(20);
    let mut images: Vec<Vec<u8>> = (0..test.len()).map(|i| test.image(i).to_vec()).collect();
    images.push(vec![0; 784]);
    images.push(vec![255; 784]);
    let models = [
        ("pretrained ReLU", pretrained),
        ("sigmoid", MlpConfig::new().with_activation(Activation::Sigmoid).with_init_seed(3).init(&device)),
        ("tanh, one hidden layer", MlpConfig::new().with_activation(Activation::Tanh).with_hidden(vec![37]).init(&device)),
    ];
    for (name, model) in models {
        let copy = block_on(CpuForward::read(&model)).unwrap().expect("the seed's layers chain");
        for (index, pixels) in images.iter().enumerate() {
            let fast = copy.activations(pixels).unwrap();
            let burn = block_on(activations(&model, pixels, &device)).unwrap();
            assert_eq!(fast.hidden.iter().map(Vec::len).collect::<Vec<_>>(), burn.hidden.iter().map(Vec::len).collect::<Vec<_>>(), "{name}");
            for (layer, (a, b)) in fast.hidden.iter().zip(&burn.hidden).enumerate() {
                let worst = a.iter().zip(b).map(|(a, b)| (a - b).abs() / b.abs().max(1.0)).fold(0.0f32, f32::max);
                assert!(worst < 1e-4, "{name}, image {index}, layer {layer}: off by {worst}");
            }
            let worst = fast.probabilities.iter().zip(&burn.probabilities).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(worst < 1e-6, "{name}, image {index}: probabilities off by {worst}");
            assert!((fast.probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            if name == "pretrained ReLU" && index < test.len() {
                assert!(fast.hidden.iter().all(|h| h.iter().any(|&v| v == 0.0)), "ReLU's zeros are exact zeros");
                let top = |p: &[f32]| backprop_playground::inference::top_prediction(p).map(|p| p.0);
                assert_eq!(top(&fast.probabilities), top(&burn.probabilities));
            }
        }
        assert!(copy.activations(&[0; 10]).is_none(), "a wrong-size image is refused");
    }
    let big = MlpConfig::new().with_hidden(vec![6000]).init(&device);
    assert!(block_on(CpuForward::read(&big)).unwrap().is_none(), "a model over {} weights predicts through its device", backprop_playground::cpu_forward::MAX_PARAMETERS);
}

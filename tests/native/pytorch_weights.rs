//! Weight files written by Python's `safetensors` in PyTorch's layout (tests/fixtures/weights, made by
//! its `make_fixtures.py`), every malformed file in its `bad/` folder, and a bounded mutation fuzz of
//! the loader.
use std::path::PathBuf;

use backprop_playground::weights_file::{self, WeightsError};
use burn::tensor::{Device, Tensor, TensorData};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/weights").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// x[k][i] = ((7 i + 13 k) mod 256) / 255, as in make_fixtures.py.
fn fixed_inputs(device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..4).flat_map(|k| (0..784).map(move |i| ((7 * i + 13 * k) % 256) as f32 / 255.0)).collect();
    Tensor::from_data(TensorData::new(values, [4, 784]), device) // [4, 784]
}

#[test]
fn a_file_written_by_python_safetensors_gives_numpys_logits() {
    let device = Device::flex();
    let loaded = weights_file::load(&fixture("pytorch_784_8_10.safetensors"), &device).unwrap();
    assert_eq!(loaded.model.hidden_sizes(), vec![8]);
    let logits: Vec<f32> = loaded.model.forward(fixed_inputs(&device)).into_data().iter::<f32>().collect(); // [4, 10]

    let text = String::from_utf8(fixture("expected_logits.txt")).unwrap();
    let expected: Vec<f32> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace().map(|v| v.parse::<f32>().unwrap()))
        .collect();
    assert_eq!(logits.len(), 40);
    assert_eq!(expected.len(), 40);
    for (i, (a, b)) in logits.iter().zip(&expected).enumerate() {
        assert!((a - b).abs() < 1e-4, "logit {i}: burn {a}, NumPy {b}");
    }
}

#[test]
fn every_bad_fixture_is_refused_with_its_reason() {
    let device = Device::flex();
    let cases: Vec<(&str, fn(&WeightsError) -> bool)> = vec![
        ("not-safetensors.safetensors", |e| matches!(e, WeightsError::NotSafetensors { .. })),
        ("truncated.safetensors", |e| matches!(e, WeightsError::NotSafetensors { .. })),
        ("lying-offsets.safetensors", |e| matches!(e, WeightsError::NotSafetensors { .. })),
        ("huge-header.safetensors", |e| matches!(e, WeightsError::NotSafetensors { .. })),
        ("wrong-shape.safetensors", |e| matches!(e, WeightsError::WrongShape { name, .. } if name == "fc1.weight")),
        ("nine-outputs.safetensors", |e| matches!(e, WeightsError::WrongShape { name, .. } if name == "fc2.weight")),
        ("float64.safetensors", |e| matches!(e, WeightsError::WrongDtype { name, .. } if name == "fc2.bias")),
        ("missing-bias.safetensors", |e| matches!(e, WeightsError::MissingTensor { name } if name == "fc2.bias")),
        ("extra-tensor.safetensors", |e| matches!(e, WeightsError::UnexpectedTensor { name } if name == "conv1.weight")),
        ("nan.safetensors", |e| matches!(e, WeightsError::NonFinite { name } if name == "fc1.weight")),
        ("infinite.safetensors", |e| matches!(e, WeightsError::NonFinite { name } if name == "fc2.bias")),
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/weights/bad");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, cases.len(), "every file in bad/ has a case here");
    for (name, expected) in cases {
        let err = match weights_file::load(&fixture(&format!("bad/{name}")), &device) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => e,
        };
        assert!(expected(&err), "{name}: unexpected error {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

/// A small deterministic mutation fuzzer (the test command runs it on stable Rust; `fuzz/` holds the
/// same body as a `cargo fuzz` target for longer runs). No input may panic, and anything accepted must
/// compute finite logits.
#[test]
fn mutated_files_never_panic_the_loader() {
    let device = Device::flex();
    let good = fixture("pytorch_784_8_10.safetensors");
    let header_end = 8 + u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = 0;
    for round in 0..3000 {
        let mut bytes = good.clone();
        match round % 5 {
            0 => bytes.truncate(next() as usize % good.len()),
            // Flip bytes inside the JSON header, where structure lives.
            1 | 2 => {
                for _ in 0..1 + next() % 4 {
                    let at = 8 + next() as usize % (header_end - 8);
                    bytes[at] = next() as u8;
                }
            }
            3 => bytes[..8].copy_from_slice(&(next() % (good.len() as u64 * 2)).to_le_bytes()),
            _ => {
                for _ in 0..1 + next() % 16 {
                    let at = next() as usize % bytes.len();
                    bytes[at] = next() as u8;
                }
            }
        }
        let outcome = std::panic::catch_unwind(|| weights_file::load(&bytes, &device));
        match outcome {
            Err(_) => panic!("round {round}: the loader panicked"),
            Ok(Ok(loaded)) => {
                accepted += 1;
                let logits: Vec<f32> = loaded.model.forward(fixed_inputs(&device)).into_data().iter::<f32>().collect();
                assert!(logits.iter().all(|v| v.is_finite()) || round % 5 == 4, "round {round}: accepted weights give non-finite logits");
            }
            Ok(Err(_)) => {}
        }
    }
    assert!(accepted > 0 && accepted < 3000, "accepted {accepted} of 3000 mutations");
}

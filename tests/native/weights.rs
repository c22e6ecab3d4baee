use backprop_playground::block_on;
use backprop_playground::data::{Split, make_batch};
use backprop_playground::model::MlpConfig;
use backprop_playground::weights_file::{self, TrainingFacts, WeightsError};
use burn::tensor::Device;

#[test]
fn save_then_load_gives_identical_outputs_and_pytorch_layout() {
    let device = Device::flex();
    let model = MlpConfig::new().with_init_seed(11).init(&device);
    let facts = TrainingFacts { epochs: 2, test_accuracy: Some(0.971), source: "test".into() };
    let bytes = block_on(weights_file::save(&model, &facts)).unwrap();

    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(file.tensor("fc1.weight").unwrap().shape(), &[512, 784]);
    assert_eq!(file.tensor("fc4.weight").unwrap().shape(), &[10, 128]);
    assert_eq!(file.tensor("fc3.bias").unwrap().shape(), &[128]);
    // PyTorch's [out, in]: element (o=1, i=0) is burn's (i=0, o=1).
    let burn_w: Vec<f32> = model.layers[0].weight.val().into_data().iter::<f32>().collect();
    let torch = file.tensor("fc1.weight").unwrap();
    let at = |k: usize| f32::from_le_bytes(torch.data()[4 * k..4 * k + 4].try_into().unwrap());
    assert_eq!(at(784), burn_w[1]);

    // The file says how its input must be prepared, with the numbers the page normalises by.
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().clone().unwrap_or_default();
    assert_eq!(meta.get("input_mean").map(String::as_str), Some("0.1307"));
    assert_eq!(meta.get("input_std").map(String::as_str), Some("0.3081"));
    assert_eq!(meta.get("input_scale").map(String::as_str), Some("1/255"));
    assert!(meta.get("input_layout").is_some_and(|l| l.starts_with("784 float32 pixels, row-major")));
    let pixel = 200u8;
    let stated = (pixel as f32 / 255.0 - meta["input_mean"].parse::<f32>().unwrap()) / meta["input_std"].parse::<f32>().unwrap();
    let page = backprop_playground::data::batcher::normalise_pixel(pixel);
    assert_eq!(stated, page, "the metadata's recipe is the page's own");

    let loaded = weights_file::load(&bytes, &device).unwrap();
    assert_eq!(loaded.facts, facts);
    assert_eq!(loaded.model.hidden_sizes(), vec![512, 256, 128]);
    let test = super::mnist(Split::Test).first(32);
    let batch = make_batch(&test, &(0..32).collect::<Vec<_>>(), &device);
    let a: Vec<f32> = model.forward(batch.images.clone()).into_data().iter::<f32>().collect();
    let b: Vec<f32> = loaded.model.forward(batch.images).into_data().iter::<f32>().collect();
    assert_eq!(a, b);
}

#[test]
fn bad_files_are_refused_with_their_reason() {
    let device = Device::flex();
    let model = MlpConfig::new().with_hidden(vec![16, 8]).init(&device);
    let good = block_on(weights_file::save(&model, &TrainingFacts::default())).unwrap();
    assert!(weights_file::load(&good, &device).is_ok());

    let not_safetensors = b"PK\x03\x04 this is a zip file".to_vec();
    assert!(matches!(weights_file::load(&not_safetensors, &device), Err(WeightsError::NotSafetensors { .. })));
    assert!(matches!(weights_file::load(&good[..good.len() - 10], &device), Err(WeightsError::NotSafetensors { .. })));
    assert!(matches!(weights_file::load(&[], &device), Err(WeightsError::NotSafetensors { .. })));

    // A header that lies about its length, and one over 100 MB, are refused from the first 8 bytes.
    let mut lying_header = good.clone();
    lying_header[..8].copy_from_slice(&(good.len() as u64).to_le_bytes());
    assert!(matches!(weights_file::load(&lying_header, &device), Err(WeightsError::NotSafetensors { .. })));
    let big = 150_000_000usize;
    let err = weights_file::check_size(big, &(120_000_000u64).to_le_bytes()).unwrap_err();
    assert_eq!(err, WeightsError::HeaderTooLarge { bytes: 120_000_000 });
    assert!(matches!(weights_file::check_size(300_000_000, &good), Err(WeightsError::TooLarge { .. })));

    // Wrong shape: a model with other hidden sizes is fine, but a last layer that is not 10-way is not.
    let mut odd = good.clone();
    let json_start = 8;
    let header_len = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let header = String::from_utf8(good[json_start..json_start + header_len].to_vec()).unwrap();
    let renamed = header.replacen("fc3.bias", "fc9.bias", 1);
    odd[json_start..json_start + header_len].copy_from_slice(renamed.as_bytes());
    assert_eq!(weights_file::load(&odd, &device).unwrap_err(), WeightsError::UnexpectedTensor { name: "fc9.bias".into() });
    let wrong_dtype = header.replacen("F32", "F16", 1);
    if wrong_dtype.len() == header.len() {
        let mut bad = good.clone();
        bad[json_start..json_start + header_len].copy_from_slice(wrong_dtype.as_bytes());
        assert!(weights_file::load(&bad, &device).is_err());
    }

    // A NaN in fc2.bias.
    let mut nan = good.clone();
    let file = safetensors::SafeTensors::deserialize(&good).unwrap();
    let bias = file.tensor("fc2.bias").unwrap().data();
    let offset = good.windows(bias.len()).position(|w| w == bias).unwrap();
    nan[offset..offset + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let err = weights_file::load(&nan, &device).unwrap_err();
    assert_eq!(err, WeightsError::NonFinite { name: "fc2.bias".into() });
    assert!(err.to_string().contains("NaN"));
}

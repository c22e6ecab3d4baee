//! The model as a `.safetensors` file named and shaped like the seed's PyTorch `state_dict()`:
//! `fc1.weight` `[512, 784]`, `fc1.bias` `[512]`, … `fc4.weight` `[10, 128]`, float32. burn keeps a
//! Linear weight as `[in, out]`, so weights are transposed on the way out and in.
//!
//! Saving reads every parameter through one async `Transaction` (a synchronous read such as
//! `into_record()` panics on WebGPU). Loading validates everything before touching the model, so a bad
//! file leaves the user's model as it was.

use std::fmt;

use safetensors::tensor::SafeTensorError;

use crate::data::mnist::{MNIST_MEAN, MNIST_STD};
#[cfg(feature = "trainer")]
use {
    std::collections::BTreeMap,
    burn::tensor::{Device, Transaction},
    safetensors::tensor::{Dtype, SafeTensors, TensorView},
    crate::data::mnist::{IMAGE_PIXELS, NUM_CLASSES},
    crate::evaluation::ReadError,
    crate::model::{Activation, Mlp, linear_from_values},
    crate::training::{MAX_HIDDEN_LAYERS, MAX_LAYER_WIDTH},
};

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: usize = 200 * 1024 * 1024;
/// Headers larger than this are refused (the safetensors crate's own limit too).
pub const MAX_HEADER_BYTES: usize = 100_000_000;

/// What was known about the model when it was saved; written as safetensors metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainingFacts {
    pub epochs: usize,
    /// 0…1
    pub test_accuracy: Option<f64>,
    /// Free text, e.g. "trained here" or "pretrained".
    pub source: String,
}

#[cfg(feature = "trainer")]
/// A model read from a file, with what its metadata said.
#[derive(Debug)]
pub struct LoadedModel {
    pub model: Mlp,
    pub facts: TrainingFacts,
}

/// Why a weights file was refused; every message names the problem in words a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightsError {
    TooLarge { bytes: usize },
    HeaderTooLarge { bytes: usize },
    NotSafetensors { reason: String },
    MissingTensor { name: String },
    UnexpectedTensor { name: String },
    WrongDtype { name: String, found: String },
    WrongShape { name: String, expected: Vec<usize>, found: Vec<usize> },
    NonFinite { name: String },
    BadArchitecture { reason: String },
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightsError::TooLarge { bytes } => write!(
                f,
                "the file is {:.0} MB; weight files larger than {} MB are refused",
                *bytes as f64 / 1e6,
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            WeightsError::HeaderTooLarge { bytes } => {
                write!(f, "the safetensors header claims {bytes} bytes; headers over 100 MB are refused")
            }
            WeightsError::NotSafetensors { reason } => write!(f, "not a valid safetensors file ({reason})"),
            WeightsError::MissingTensor { name } => write!(f, "the tensor `{name}` is missing"),
            WeightsError::UnexpectedTensor { name } => {
                write!(f, "the file has a tensor `{name}` this network does not have (expected fc1…fcN weights and biases)")
            }
            WeightsError::WrongDtype { name, found } => write!(f, "`{name}` is {found}; expected float32 (F32)"),
            WeightsError::WrongShape { name, expected, found } => {
                write!(f, "`{name}` has shape {found:?}; expected {expected:?}")
            }
            WeightsError::NonFinite { name } => write!(f, "`{name}` contains NaN or infinite values"),
            WeightsError::BadArchitecture { reason } => write!(f, "unsupported network: {reason}"),
        }
    }
}

impl std::error::Error for WeightsError {}

impl WeightsError {
    /// The refusal for the page, in the reader's language (`Display` stays English, for the CLI).
    pub fn describe(&self) -> crate::i18n::Text {
        use crate::text;
        match self {
            WeightsError::TooLarge { bytes } => {
                text!("weights-too-large", size = format!("{:.0}", *bytes as f64 / 1e6), max = MAX_FILE_BYTES / (1024 * 1024))
            }
            WeightsError::HeaderTooLarge { bytes } => text!("weights-header-too-large", bytes = bytes.to_string()),
            WeightsError::NotSafetensors { reason } => text!("weights-not-safetensors", reason = reason),
            WeightsError::MissingTensor { name } => text!("weights-missing-tensor", name = name),
            WeightsError::UnexpectedTensor { name } => text!("weights-unexpected-tensor", name = name),
            WeightsError::WrongDtype { name, found } => text!("weights-wrong-dtype", name = name, found = found),
            WeightsError::WrongShape { name, expected, found } => {
                text!("weights-wrong-shape", name = name, found = format!("{found:?}"), expected = format!("{expected:?}"))
            }
            WeightsError::NonFinite { name } => text!("weights-non-finite", name = name),
            WeightsError::BadArchitecture { reason } => text!("weights-bad-architecture", reason = reason),
        }
    }
}

impl From<SafeTensorError> for WeightsError {
    fn from(e: SafeTensorError) -> Self {
        match e {
            SafeTensorError::HeaderTooLarge => WeightsError::HeaderTooLarge { bytes: usize::MAX },
            other => WeightsError::NotSafetensors { reason: format!("{other:?}") },
        }
    }
}

/// The input layout a weights file states in its metadata (`input_layout`).
pub const INPUT_LAYOUT: &str = "784 float32 pixels, row-major (28 rows of 28, top-left first), one image per row of the batch";
/// The input normalisation in words (`input_normalisation`); `input_scale`, `input_mean` and
/// `input_std` give the numbers.
pub fn input_normalisation() -> String {
    format!("x = (pixel / 255 - {MNIST_MEAN}) / {MNIST_STD}, pixel in 0..=255 with 0 the background")
}

#[cfg(feature = "trainer")]
/// Serialises `model` with PyTorch names and layout, and `facts`, the architecture and how an input
/// must be prepared as metadata.
pub async fn save(model: &Mlp, facts: &TrainingFacts) -> Result<Vec<u8>, ReadError> {
    let mut transaction = Transaction::default();
    for layer in &model.layers {
        transaction = transaction.register(layer.weight.val()); // [in, out]
        if let Some(bias) = &layer.bias {
            transaction = transaction.register(bias.val()); // [out]
        }
    }
    let mut data = transaction.execute_async().await?.into_iter();

    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (index, layer) in model.layers.iter().enumerate() {
        let name = Mlp::layer_name(index);
        let [fan_in, fan_out] = layer.weight.dims();
        let weight: Vec<f32> = data.next().map(|d| d.iter::<f32>().collect()).unwrap_or_default();
        // burn [in, out] → PyTorch [out, in]
        let mut torch = vec![0.0f32; fan_in * fan_out];
        for i in 0..fan_in.min(weight.len() / fan_out.max(1)) {
            for o in 0..fan_out {
                torch[o * fan_in + i] = weight[i * fan_out + o];
            }
        }
        tensors.push((format!("{name}.weight"), vec![fan_out, fan_in], f32_bytes(&torch)));
        if layer.bias.is_some() {
            let bias: Vec<f32> = data.next().map(|d| d.iter::<f32>().collect()).unwrap_or_default();
            tensors.push((format!("{name}.bias"), vec![fan_out], f32_bytes(&bias)));
        }
    }

    let hidden: Vec<String> = model.hidden_sizes().iter().map(|h| h.to_string()).collect();
    let mut metadata = vec![
        ("format".to_owned(), "pt".to_owned()),
        ("architecture".to_owned(), "MetaVerseModel MLP".to_owned()),
        ("hidden_sizes".to_owned(), hidden.join(",")),
        ("activation".to_owned(), model.activation.name().to_owned()),
        ("epochs".to_owned(), facts.epochs.to_string()),
        // How an input must be prepared, so a PyTorch user gets this page's accuracy without guessing:
        // the seed's ToTensor() then Normalize((0.1307,), (0.3081,)) over 784 row-major pixels.
        ("input_layout".to_owned(), INPUT_LAYOUT.to_owned()),
        ("input_scale".to_owned(), "1/255".to_owned()),
        ("input_mean".to_owned(), MNIST_MEAN.to_string()),
        ("input_std".to_owned(), MNIST_STD.to_string()),
        ("input_normalisation".to_owned(), input_normalisation()),
    ];
    if let Some(acc) = facts.test_accuracy {
        metadata.push(("test_accuracy".to_owned(), format!("{acc:.6}")));
    }
    if !facts.source.is_empty() {
        metadata.push(("source".to_owned(), facts.source.clone()));
    }

    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .filter_map(|(name, shape, bytes)| TensorView::new(Dtype::F32, shape.clone(), bytes).ok().map(|v| (name.clone(), v)))
        .collect();
    safetensors::serialize(views, Some(metadata.into_iter().collect()))
        .map_err(|e| ReadError::WithContext { reason: format!("safetensors serialisation failed: {e:?}") })
}

#[cfg(feature = "trainer")]
fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Checks the file size and the header length from the first 8 bytes, so the page can refuse a file
/// before reading it all. `file_len` is the whole file's length; `prefix` at least its first 8 bytes.
pub fn check_size(file_len: usize, prefix: &[u8]) -> Result<(), WeightsError> {
    if file_len > MAX_FILE_BYTES {
        return Err(WeightsError::TooLarge { bytes: file_len });
    }
    let Some(prefix) = prefix.get(..8) else {
        return Err(WeightsError::NotSafetensors { reason: format!("only {file_len} bytes long") });
    };
    let mut n = [0u8; 8];
    n.copy_from_slice(prefix);
    let header = u64::from_le_bytes(n);
    if header > (file_len - 8) as u64 {
        return Err(WeightsError::NotSafetensors {
            reason: format!("its first 8 bytes announce a {header}-byte header, but the file has {file_len} bytes"),
        });
    }
    if header > MAX_HEADER_BYTES as u64 {
        return Err(WeightsError::HeaderTooLarge { bytes: header as usize });
    }
    Ok(())
}

#[cfg(feature = "trainer")]
/// Parses and validates a safetensors file of an MLP with PyTorch names and layout; the architecture
/// (how many layers, their sizes) is read from the tensors' shapes.
pub fn load(bytes: &[u8], device: &Device) -> Result<LoadedModel, WeightsError> {
    check_size(bytes.len(), bytes)?;
    let (_, metadata) = SafeTensors::read_metadata(bytes)?;
    let file = SafeTensors::deserialize(bytes)?;
    let tensors: BTreeMap<String, TensorView<'_>> = file.tensors().into_iter().collect();

    let layer_count = (1..).take_while(|i| tensors.contains_key(&format!("fc{i}.weight"))).count();
    if layer_count == 0 {
        return Err(WeightsError::MissingTensor { name: "fc1.weight".into() });
    }
    if layer_count > MAX_HIDDEN_LAYERS + 1 {
        return Err(WeightsError::BadArchitecture { reason: format!("{layer_count} layers; at most {} are supported", MAX_HIDDEN_LAYERS + 1) });
    }
    let expected: Vec<String> =
        (1..=layer_count).flat_map(|i| [format!("fc{i}.weight"), format!("fc{i}.bias")]).collect();
    if let Some(name) = tensors.keys().find(|k| !expected.contains(k)) {
        return Err(WeightsError::UnexpectedTensor { name: name.clone() });
    }

    let read_f32 = |name: &str, shape: &[usize]| -> Result<Vec<f32>, WeightsError> {
        let view = tensors.get(name).ok_or_else(|| WeightsError::MissingTensor { name: name.into() })?;
        if view.dtype() != Dtype::F32 {
            return Err(WeightsError::WrongDtype { name: name.into(), found: format!("{:?}", view.dtype()) });
        }
        if view.shape() != shape {
            return Err(WeightsError::WrongShape { name: name.into(), expected: shape.to_vec(), found: view.shape().to_vec() });
        }
        let values: Vec<f32> =
            view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        if values.iter().any(|v| !v.is_finite()) {
            return Err(WeightsError::NonFinite { name: name.into() });
        }
        Ok(values)
    };

    let mut fan_in = IMAGE_PIXELS;
    let mut layers = Vec::with_capacity(layer_count);
    for i in 1..=layer_count {
        let weight_name = format!("fc{i}.weight");
        let fan_out = match tensors.get(&weight_name).map(|v| v.shape().to_vec()) {
            Some(shape) if shape.len() == 2 => shape[0],
            Some(shape) => {
                return Err(WeightsError::WrongShape { name: weight_name, expected: vec![0, fan_in], found: shape });
            }
            None => return Err(WeightsError::MissingTensor { name: weight_name }),
        };
        let fan_out = if i == layer_count { NUM_CLASSES } else { fan_out };
        if fan_out == 0 || fan_out > MAX_LAYER_WIDTH {
            return Err(WeightsError::BadArchitecture { reason: format!("fc{i} has {fan_out} outputs") });
        }
        let torch = read_f32(&weight_name, &[fan_out, fan_in])?;
        let bias = read_f32(&format!("fc{i}.bias"), &[fan_out])?;
        // PyTorch [out, in] → burn [in, out]
        let mut weight = vec![0.0f32; fan_in * fan_out];
        for o in 0..fan_out {
            for k in 0..fan_in {
                weight[k * fan_out + o] = torch[o * fan_in + k];
            }
        }
        layers.push((weight, bias, fan_in, fan_out));
        fan_in = fan_out;
    }

    let meta = metadata.metadata().clone().unwrap_or_default();
    let activation = match meta.get("activation").map(|s| s.to_ascii_lowercase()) {
        None => Activation::Relu,
        Some(a) if a == "relu" => Activation::Relu,
        Some(a) if a == "sigmoid" => Activation::Sigmoid,
        Some(a) if a == "tanh" => Activation::Tanh,
        Some(other) => return Err(WeightsError::BadArchitecture { reason: format!("unknown activation `{other}`") }),
    };
    let facts = TrainingFacts {
        epochs: meta.get("epochs").and_then(|e| e.parse().ok()).unwrap_or(0),
        test_accuracy: meta.get("test_accuracy").and_then(|a| a.parse().ok()).filter(|a: &f64| a.is_finite()),
        source: meta.get("source").cloned().unwrap_or_default(),
    };
    let layers = layers.into_iter().map(|(w, b, i, o)| linear_from_values(w, b, i, o, device)).collect();
    Ok(LoadedModel { model: Mlp { layers, activation }, facts })
}

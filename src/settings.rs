//! The page's settings as text: parsed from form fields and from the URL's query string
//! (`?lr=0.01&batch=128&hidden=256,128&train=2000&test=500`), so a teacher can share a link.
//! Every refusal says which field and why, for the message next to that field.

use crate::data::Dataset;
use crate::i18n::Text;
use crate::model::Activation;
use crate::text;
use crate::training::{MAX_BATCH_SIZE, MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_LAYER_WIDTH, OptimizerKind, TrainingConfig};

/// Which compute backend the page should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendPreference {
    /// WebGPU on a real GPU; on a software adapter, whichever measures faster.
    #[default]
    Auto,
    Cpu,
    WebGpu,
}

/// Everything the settings form holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaygroundSettings {
    pub training: TrainingConfig,
    /// Use only the first N training images (`?train=`).
    pub train_limit: Option<usize>,
    /// Use only the first N test images (`?test=`).
    pub test_limit: Option<usize>,
    pub backend: BackendPreference,
    /// MNIST or Fashion-MNIST (`?dataset=fashion`).
    pub dataset: Dataset,
}

impl Default for PlaygroundSettings {
    fn default() -> Self {
        Self { training: TrainingConfig::new(), train_limit: None, test_limit: None, backend: BackendPreference::Auto, dataset: Dataset::Mnist }
    }
}

/// A field the user filled in wrongly.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The query/form key, e.g. `lr`.
    pub field: &'static str,
    pub message: Text,
}

impl FieldError {
    /// "Learning rate — must be a number above 0 and at most 100", for the error banner.
    pub fn describe(&self) -> Text {
        text!("field-problem", field = field_label(self.field), problem = self.message.clone())
    }
}

/// Every field's problem, one after the other.
pub fn describe_all(errors: &[FieldError]) -> Text {
    errors.iter().map(FieldError::describe).reduce(|all, next| text!("list-joined", first = all, rest = next)).unwrap_or_else(|| text!("empty"))
}

/// The label the settings form shows for `field`.
pub fn field_label(field: &str) -> Text {
    match field {
        "hidden" => text!("setting-hidden"),
        "activation" => text!("setting-activation"),
        "optimizer" => text!("setting-optimizer"),
        "lr" => text!("setting-lr"),
        "batch" => text!("setting-batch"),
        "epochs" => text!("setting-epochs"),
        "seed" => text!("setting-seed"),
        "train" => text!("setting-train"),
        "test" => text!("setting-test"),
        "backend" => text!("setting-backend"),
        "dataset" => text!("setting-dataset"),
        other => Text::verbatim(other),
    }
}

/// The keys, in the order the form shows them.
pub const FIELDS: [&str; 11] = ["hidden", "activation", "optimizer", "lr", "batch", "epochs", "seed", "train", "test", "backend", "dataset"];

fn parse_count(field: &'static str, value: &str, min: usize, max: usize) -> Result<usize, FieldError> {
    let value = value.trim();
    let err = |message: Text| FieldError { field, message };
    if value.is_empty() {
        return Err(err(text!("field-required")));
    }
    let n: i128 = value.parse().map_err(|_| err(text!("field-not-whole", value = value)))?;
    if n < min as i128 || n > max as i128 {
        return Err(err(text!("field-between", min = min, max = max)));
    }
    Ok(n as usize)
}

impl PlaygroundSettings {
    /// Applies one `key=value`; unknown keys are ignored (links may carry other parameters).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        let v = value.trim();
        match key {
            "lr" => {
                let lr: f64 = v.parse().map_err(|_| FieldError { field: "lr", message: text!("field-not-number", value = v) })?;
                if !(lr.is_finite() && lr > 0.0 && lr <= 100.0) {
                    return Err(FieldError { field: "lr", message: text!("field-lr-range") });
                }
                self.training.learning_rate = lr;
            }
            "batch" => self.training.batch_size = parse_count("batch", v, 1, MAX_BATCH_SIZE)?,
            "epochs" => self.training.epochs = parse_count("epochs", v, 1, MAX_EPOCHS)?,
            "seed" => {
                let seed: u64 = v.parse().map_err(|_| FieldError { field: "seed", message: text!("field-seed", value = v) })?;
                self.training.model.init_seed = seed;
                self.training.shuffle_seed = seed;
            }
            "hidden" => {
                let sizes: Result<Vec<usize>, FieldError> =
                    v.split(',').filter(|s| !s.trim().is_empty()).map(|s| parse_count("hidden", s, 1, MAX_LAYER_WIDTH)).collect();
                let sizes = sizes?;
                if sizes.is_empty() || sizes.len() > MAX_HIDDEN_LAYERS {
                    return Err(FieldError {
                        field: "hidden",
                        message: text!("field-hidden", max = MAX_HIDDEN_LAYERS),
                    });
                }
                self.training.model.hidden = sizes;
            }
            "activation" => {
                self.training.model.activation = match v.to_ascii_lowercase().as_str() {
                    "relu" => Activation::Relu,
                    "sigmoid" => Activation::Sigmoid,
                    "tanh" => Activation::Tanh,
                    _ => return Err(FieldError { field: "activation", message: text!("field-activation") }),
                }
            }
            "optimizer" => {
                self.training.optimizer = match v.to_ascii_lowercase().as_str() {
                    "adam" => OptimizerKind::Adam,
                    "sgd" => OptimizerKind::Sgd,
                    _ => return Err(FieldError { field: "optimizer", message: text!("field-optimizer") }),
                }
            }
            "train" => self.train_limit = if v.is_empty() { None } else { Some(parse_count("train", v, 1, 60_000)?) },
            "test" => self.test_limit = if v.is_empty() { None } else { Some(parse_count("test", v, 1, 10_000)?) },
            "backend" => {
                self.backend = match v.to_ascii_lowercase().as_str() {
                    "" | "auto" => BackendPreference::Auto,
                    "cpu" => BackendPreference::Cpu,
                    "webgpu" | "gpu" => BackendPreference::WebGpu,
                    _ => return Err(FieldError { field: "backend", message: text!("field-backend") }),
                }
            }
            "dataset" => self.dataset = Dataset::parse(v).ok_or(FieldError { field: "dataset", message: text!("field-dataset") })?,
            _ => {}
        }
        Ok(())
    }

    /// Settings from query pairs; a bad value keeps the default for that field and is reported.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Self, Vec<FieldError>) {
        let mut settings = Self::default();
        let errors = pairs.into_iter().filter_map(|(k, v)| settings.set(k, v).err()).collect();
        (settings, errors)
    }

    /// Settings from a query string as [`to_query`](Self::to_query) writes it (`hidden=64,32&lr=0.01`;
    /// a leading `?` and `%2C` for commas are accepted too).
    pub fn from_query(query: &str) -> (Self, Vec<FieldError>) {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.replace("%2C", ",").replace("%2c", ",")))
            .collect();
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The value of `key` as the form shows it.
    pub fn get(&self, key: &str) -> String {
        let t = &self.training;
        match key {
            "lr" => t.learning_rate.to_string(),
            "batch" => t.batch_size.to_string(),
            "epochs" => t.epochs.to_string(),
            "seed" => t.model.init_seed.to_string(),
            "hidden" => t.model.hidden.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(","),
            "activation" => t.model.activation.name().to_ascii_lowercase(),
            "optimizer" => t.optimizer.name().to_ascii_lowercase(),
            "train" => self.train_limit.map(|n| n.to_string()).unwrap_or_default(),
            "test" => self.test_limit.map(|n| n.to_string()).unwrap_or_default(),
            "backend" => match self.backend {
                BackendPreference::Auto => "auto",
                BackendPreference::Cpu => "cpu",
                BackendPreference::WebGpu => "webgpu",
            }
            .into(),
            "dataset" => self.dataset.key().into(),
            _ => String::new(),
        }
    }

    /// The query string that reproduces these settings, listing only what differs from the defaults.
    pub fn to_query(&self) -> String {
        let defaults = Self::default();
        FIELDS
            .iter()
            .filter(|k| self.get(k) != defaults.get(k))
            .map(|k| format!("{k}={}", self.get(k)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

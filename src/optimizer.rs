//! The optimizer of a training session: burn's own `Adam` (or `Sgd`), stepped one parameter at a time
//! with the per-parameter state held here rather than inside burn's `ModuleOptimizer`.
//!
//! Why not `ModuleOptimizer`: its state can only be exported with `to_record()`, which reads tensors
//! synchronously and panics on WebGPU. Holding Adam's moments here lets the page read them with one
//! async `Transaction`, store them (IndexedDB) and put them back after a reload or a lost GPU.
//! The arithmetic is burn's: `Optimizer::step` of the same `Adam` that `AdamConfig::init` wraps, or
//! the same operations in one pass per parameter (`fused_adam`: a loop on the CPU, equal to the last
//! bit, and one kernel on WebGPU).

#[cfg(feature = "trainer")]
use {
    std::collections::BTreeMap,
    burn::module::Param,
    burn::nn::Linear,
    burn::optim::{AdaptiveMomentumState, Adam, AdamConfig, AdamState, GradientsParams, Optimizer, Sgd, SgdConfig},
    burn::tensor::{Device, Tensor, TensorData, Transaction},
    safetensors::tensor::{Dtype, SafeTensors, TensorView},
    crate::evaluation::ReadError,
    crate::fused_adam,
    crate::model::Mlp,
};

/// Which optimizer updates the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OptimizerKind {
    Adam,
    Sgd,
}

#[cfg(feature = "trainer")]
impl burn::config::Config for OptimizerKind {}

impl OptimizerKind {
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "Adam",
            OptimizerKind::Sgd => "SGD",
        }
    }
}

/// PyTorch's Adam defaults, which the seed uses (burn's own default ε is 1e-5).
pub const ADAM_BETA1: f32 = 0.9;
pub const ADAM_BETA2: f32 = 0.999;
pub const ADAM_EPSILON: f32 = 1e-8;

#[cfg(feature = "trainer")]
/// Adam's running moments of one layer (`None` before its first step).
#[derive(Clone, Default)]
struct LayerMoments {
    weight: Option<AdamState<2>>,
    bias: Option<AdamState<1>>,
}

#[cfg(feature = "trainer")]
#[derive(Clone)]
pub struct MlpOptimizer {
    kind: OptimizerKind,
    adam: Adam,
    sgd: Sgd,
    /// One entry per layer, in `Mlp::layers` order.
    moments: Vec<LayerMoments>,
}

#[cfg(feature = "trainer")]
impl MlpOptimizer {
    /// The seed's optimizer settings (PyTorch's Adam defaults, plain SGD).
    pub fn new(kind: OptimizerKind) -> Self {
        Self {
            kind,
            adam: AdamConfig::new().with_beta_1(ADAM_BETA1).with_beta_2(ADAM_BETA2).with_epsilon(ADAM_EPSILON).build(),
            sgd: SgdConfig::new().build(),
            moments: Vec::new(),
        }
    }

    /// Adam steps taken so far (Adam's `t`); 0 for SGD or before the first step.
    pub fn adam_time(&self) -> usize {
        self.moments.first().and_then(|m| m.weight.as_ref()).map_or(0, |s| s.momentum.time)
    }

    pub fn kind(&self) -> OptimizerKind {
        self.kind
    }

    /// Adam's first and second moments of layer `layer`'s weight (`[in, out]` each), once it has
    /// stepped; `None` for SGD or before the first step.
    pub fn weight_moments(&self, layer: usize) -> Option<(Tensor<2>, Tensor<2>)> {
        let state = self.moments.get(layer)?.weight.as_ref()?;
        Some((state.momentum.moment_1.clone(), state.momentum.moment_2.clone()))
    }

    /// Updates every parameter of `model` that has a gradient in `grads`.
    pub fn step(&mut self, learning_rate: f64, model: Mlp, mut grads: GradientsParams) -> Mlp {
        self.moments.resize_with(model.layers.len(), LayerMoments::default);
        let Mlp { layers, activation } = model;
        let layers = layers
            .into_iter()
            .zip(&mut self.moments)
            .map(|(layer, moments)| match self.kind {
                OptimizerKind::Adam => Linear {
                    weight: step_adam_param(&self.adam, learning_rate, layer.weight, &mut grads, &mut moments.weight),
                    bias: layer.bias.map(|b| step_adam_param(&self.adam, learning_rate, b, &mut grads, &mut moments.bias)),
                },
                OptimizerKind::Sgd => Linear {
                    weight: step_param(&self.sgd, learning_rate, layer.weight, &mut grads, &mut None),
                    bias: layer.bias.map(|b| step_param(&self.sgd, learning_rate, b, &mut grads, &mut None)),
                },
            })
            .collect();
        Mlp { layers, activation }
    }

    /// Reads Adam's moments with one async transaction and writes them as safetensors
    /// (`fc1.weight.exp_avg`, `fc1.weight.exp_avg_sq`, … in burn's `[in, out]` layout; metadata `time`).
    /// `None` when there is nothing to keep (SGD, or no step yet).
    pub async fn save(&self) -> Result<Option<Vec<u8>>, ReadError> {
        let time = self.adam_time();
        if self.kind != OptimizerKind::Adam || time == 0 {
            return Ok(None);
        }
        let mut names = Vec::new();
        let mut transaction = Transaction::default();
        for (index, m) in self.moments.iter().enumerate() {
            let name = Mlp::layer_name(index);
            if let Some(s) = &m.weight {
                transaction = transaction.register(s.momentum.moment_1.clone()).register(s.momentum.moment_2.clone()); // [in, out] ×2
                names.push((format!("{name}.weight"), s.momentum.moment_1.dims().to_vec()));
            }
            if let Some(s) = &m.bias {
                transaction = transaction.register(s.momentum.moment_1.clone()).register(s.momentum.moment_2.clone()); // [out] ×2
                names.push((format!("{name}.bias"), s.momentum.moment_1.dims().to_vec()));
            }
        }
        let data = transaction.execute_async().await?;
        let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        let mut values = data.into_iter();
        for (name, shape) in names {
            for suffix in ["exp_avg", "exp_avg_sq"] {
                let bytes: Vec<u8> = values.next().map(|d| d.iter::<f32>().flat_map(f32::to_le_bytes).collect()).unwrap_or_default();
                buffers.push((format!("{name}.{suffix}"), shape.clone(), bytes));
            }
        }
        let views: Vec<(String, TensorView<'_>)> = buffers
            .iter()
            .filter_map(|(n, s, b)| TensorView::new(Dtype::F32, s.clone(), b).ok().map(|v| (n.clone(), v)))
            .collect();
        let metadata = [("time".to_owned(), time.to_string())].into_iter().collect();
        safetensors::serialize(views, Some(metadata))
            .map(Some)
            .map_err(|e| ReadError::WithContext { reason: format!("optimizer state serialisation failed: {e:?}") })
    }

    /// Puts back moments written by [`save`](Self::save) for `model`'s shapes. A file that does not fit
    /// is refused as a whole (the caller then carries on with fresh moments and says so).
    pub fn load(kind: OptimizerKind, bytes: &[u8], model: &Mlp, device: &Device) -> Result<Self, String> {
        let mut optimizer = Self::new(kind);
        if kind != OptimizerKind::Adam {
            return Ok(optimizer);
        }
        let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| format!("{e:?}"))?;
        let file = SafeTensors::deserialize(bytes).map_err(|e| format!("{e:?}"))?;
        let time: usize = metadata
            .metadata()
            .as_ref()
            .and_then(|m| m.get("time"))
            .and_then(|t| t.parse().ok())
            .filter(|&t| t > 0)
            .ok_or("no step count")?;
        let tensors: BTreeMap<String, TensorView<'_>> = file.tensors().into_iter().collect();
        let read = |name: String, shape: Vec<usize>| -> Result<TensorData, String> {
            let view = tensors.get(&name).ok_or(format!("`{name}` is missing"))?;
            if view.dtype() != Dtype::F32 || view.shape() != shape.as_slice() {
                return Err(format!("`{name}` has the wrong shape or type"));
            }
            let values: Vec<f32> = view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            if values.iter().any(|v| !v.is_finite()) {
                return Err(format!("`{name}` is not finite"));
            }
            Ok(TensorData::new(values, shape))
        };
        for (index, layer) in model.layers.iter().enumerate() {
            let name = Mlp::layer_name(index);
            let dims = layer.weight.dims().to_vec();
            let weight = AdamState::new(AdaptiveMomentumState::new(
                time,
                Tensor::from_data(read(format!("{name}.weight.exp_avg"), dims.clone())?, device), // [in, out]
                Tensor::from_data(read(format!("{name}.weight.exp_avg_sq"), dims)?, device),      // [in, out]
            ));
            let bias = match &layer.bias {
                Some(b) => {
                    let dims = b.dims().to_vec();
                    Some(AdamState::new(AdaptiveMomentumState::new(
                        time,
                        Tensor::from_data(read(format!("{name}.bias.exp_avg"), dims.clone())?, device), // [out]
                        Tensor::from_data(read(format!("{name}.bias.exp_avg_sq"), dims)?, device),      // [out]
                    )))
                }
                None => None,
            };
            optimizer.moments.push(LayerMoments { weight: Some(weight), bias });
        }
        Ok(optimizer)
    }
}

#[cfg(feature = "trainer")]
/// One parameter through Adam: in one fused pass on the CPU (`fused_adam`) or one fused kernel on
/// WebGPU (`fused_adam::on_device`), both burn's arithmetic, or else through burn's `Adam`. The fused
/// passes are plain Adam: this `Adam` is built in [`MlpOptimizer::new`] without weight decay, AMSGrad
/// or clipping, and must stay so for them to agree.
fn step_adam_param<const D: usize>(
    adam: &Adam,
    learning_rate: f64,
    param: Param<Tensor<D>>,
    grads: &mut GradientsParams,
    state: &mut Option<AdamState<D>>,
) -> Param<Tensor<D>> {
    type FusedStep<const D: usize> = fn(f64, Tensor<D>, Tensor<D>, Option<AdamState<D>>) -> (Tensor<D>, Option<AdamState<D>>);
    let fused: Option<FusedStep<D>> = grads.get::<D>(param.id).and_then(|grad| {
        let tensor = param.val().inner();
        if fused_adam::fits(&tensor, &grad, state) {
            Some(fused_adam::step::<D> as FusedStep<D>)
        } else if fused_adam::on_device::fits(&tensor, &grad, state) {
            Some(fused_adam::on_device::step::<D> as FusedStep<D>)
        } else {
            None
        }
    });
    let Some(fused_step) = fused else {
        return step_param(adam, learning_rate, param, grads, state);
    };
    let (id, tensor, mapper) = param.consume();
    let Some(grad) = grads.remove::<D>(id) else {
        return Param::from_mapped_value(id, tensor, mapper);
    };
    let require_grad = tensor.is_require_grad();
    let (updated, new_state) = fused_step(learning_rate, tensor.inner(), grad, state.take());
    *state = new_state;
    let mut updated = Tensor::from_inner(updated);
    if require_grad {
        updated = updated.require_grad();
    }
    Param::from_mapped_value(id, updated, mapper)
}

#[cfg(feature = "trainer")]
/// One parameter through burn's `Optimizer::step`, keeping its id and autodiff tracking (as
/// `ModuleOptimizer` does).
fn step_param<O: Optimizer, const D: usize>(
    optimizer: &O,
    learning_rate: f64,
    param: Param<Tensor<D>>,
    grads: &mut GradientsParams,
    state: &mut Option<O::State<D>>,
) -> Param<Tensor<D>> {
    let (id, tensor, mapper) = param.consume();
    let Some(grad) = grads.remove::<D>(id) else {
        return Param::from_mapped_value(id, tensor, mapper);
    };
    let require_grad = tensor.is_require_grad();
    let (updated, new_state) = optimizer.step(learning_rate, tensor.inner(), grad, state.take());
    *state = new_state;
    let mut updated = Tensor::from_inner(updated);
    if require_grad {
        updated = updated.require_grad();
    }
    Param::from_mapped_value(id, updated, mapper)
}

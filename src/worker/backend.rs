//! Chooses where the worker trains: WebGPU (burn's wgpu backend) or burn's CPU backend in wasm.
//!
//! `navigator.gpu` is checked before wgpu is touched (wgpu panics instead of erroring where WebGPU is
//! missing). The wgpu device can be set up only once per page, so it is cached. On a software adapter
//! (SwiftShader) the CPU path is usually much faster, so in `auto` mode a few steps are timed on both.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::js::{await_promise, get, js_error_text, navigator_gpu, now_ms, sleep_ms};
use crate::data::{MnistDataset, make_batch};
use crate::settings::BackendPreference;
use crate::i18n::Text;
use crate::text;
use crate::trainer::budget::MemoryBudget;
use crate::protocol::{BackendInfo, BackendKind, Event, Phase};
use crate::training::{TrainingConfig, TrainingSession};

const NO_WEBGPU: &str = "this browser offers no WebGPU to the trainer's worker (navigator.gpu is missing there)";

/// What the browser says about its WebGPU adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterInfo {
    pub description: String,
    pub is_fallback: bool,
    /// `limits.maxBufferSize` and `limits.maxStorageBufferBindingSize`.
    pub max_buffer_bytes: u64,
    pub max_binding_bytes: u64,
}

thread_local! {
    static WGPU_DEVICE: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
    /// Every `GPUDevice` created in this worker (destroyed by the `?debug=device-lost` drill).
    static RECORDED_DEVICES: RefCell<Vec<JsValue>> = const { RefCell::new(Vec::new()) };
}

/// Wraps this worker's `navigator.gpu.requestAdapter` so that every device an adapter then creates
/// is remembered and its `lost` promise answered by `on_lost` with the browser's reason: a lost
/// device is then noticed at once, not at the trainer's next read. Must run before wgpu asks for
/// its adapter. Only own properties of the two objects are replaced, so nothing else in the page is
/// touched.
pub fn watch_gpu_devices(on_lost: impl Fn(String) + 'static) {
    let Some(gpu) = navigator_gpu() else { return };
    let Ok(request_adapter) = get(&gpu, "requestAdapter").dyn_into::<Function>() else { return };
    let target = gpu.clone();
    let on_lost: Rc<dyn Fn(String)> = Rc::new(on_lost);
    let wrapped = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |options: JsValue| -> JsValue {
        let asked = request_adapter.call1(&target, &options);
        let on_lost = on_lost.clone();
        future_to_promise(async move {
            let adapter = JsFuture::from(asked?.dyn_into::<Promise>()?).await?;
            watch_devices_of(&adapter, on_lost);
            Ok(adapter)
        })
        .into()
    });
    let _ = Reflect::set(&gpu, &"requestAdapter".into(), wrapped.as_ref());
    wrapped.forget();
}

fn watch_devices_of(adapter: &JsValue, on_lost: Rc<dyn Fn(String)>) {
    let Ok(request_device) = get(adapter, "requestDevice").dyn_into::<Function>() else { return };
    let target = adapter.clone();
    let wrapped = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |descriptor: JsValue| -> JsValue {
        let asked = request_device.call1(&target, &descriptor);
        let on_lost = on_lost.clone();
        future_to_promise(async move {
            let device = JsFuture::from(asked?.dyn_into::<Promise>()?).await?;
            RECORDED_DEVICES.with(|d| d.borrow_mut().push(device.clone()));
            if let Ok(lost) = get(&device, "lost").dyn_into::<Promise>() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(info) = JsFuture::from(lost).await {
                        on_lost(lost_reason(&info));
                    }
                });
            }
            Ok(device)
        })
        .into()
    });
    let _ = Reflect::set(adapter, &"requestDevice".into(), wrapped.as_ref());
    wrapped.forget();
}

/// A `GPUDeviceLostInfo` as one line: its message, else its reason.
fn lost_reason(info: &JsValue) -> String {
    let message = get(info, "message").as_string().unwrap_or_default();
    let reason = get(info, "reason").as_string().unwrap_or_default();
    match (message.trim(), reason.trim()) {
        ("", "") => "the device was lost".to_string(),
        ("", reason) => format!("device lost: {reason}"),
        (message, _) => message.to_string(),
    }
}

/// Destroys every recorded device; returns how many.
pub fn destroy_recorded_devices() -> usize {
    RECORDED_DEVICES.with(|devices| {
        let devices = devices.borrow();
        for device in devices.iter() {
            if let Ok(destroy) = get(device, "destroy").dyn_into::<Function>() {
                let _ = destroy.call0(device);
            }
        }
        devices.len()
    })
}

/// Asks the browser for an adapter, without wgpu, to learn its name and whether it is a software one.
pub async fn adapter_info() -> Result<AdapterInfo, Text> {
    let gpu = navigator_gpu().ok_or(text!("backend-no-navigator-gpu"))?;
    let request = get(&gpu, "requestAdapter");
    let request: Function = request.dyn_into().map_err(|_| text!("backend-no-navigator-gpu"))?;
    let promise = request.call0(&gpu).map_err(|e| Text::verbatim(js_error_text(&e)))?;
    let adapter = await_promise(promise).await.map_err(Text::verbatim)?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err(text!("backend-no-adapter"));
    }
    let info = get(&adapter, "info");
    let text = |k: &str| get(&info, k).as_string().unwrap_or_default();
    let parts: Vec<String> = [text("vendor"), text("architecture"), text("device"), text("description")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let is_fallback = get(&info, "isFallbackAdapter").as_bool().or_else(|| get(&adapter, "isFallbackAdapter").as_bool()).unwrap_or(false)
        || parts.iter().any(|p| p.to_ascii_lowercase().contains("swiftshader"));
    let description = if parts.is_empty() { "unnamed adapter".to_string() } else { parts.join(" ") };
    let limits = get(&adapter, "limits");
    // WebGPU's guaranteed minimums where the adapter says nothing.
    let limit = |k: &str, minimum: f64| get(&limits, k).as_f64().unwrap_or(minimum).max(0.0) as u64;
    Ok(AdapterInfo {
        description,
        is_fallback,
        max_buffer_bytes: limit("maxBufferSize", 268_435_456.0),
        max_binding_bytes: limit("maxStorageBufferBindingSize", 134_217_728.0),
    })
}

/// The wgpu device, set up on first use and cached (success or failure) for the page's lifetime.
pub async fn wgpu_device() -> Result<Device, String> {
    if let Some(cached) = WGPU_DEVICE.with(|d| d.borrow().clone()) {
        return cached;
    }
    navigator_gpu().ok_or(NO_WEBGPU)?;
    let result = Device::wgpu_options().init_async().await.map_err(|e| e.to_string());
    WGPU_DEVICE.with(|d| *d.borrow_mut() = Some(result.clone()));
    result
}

/// Images per second of a few seed-model Adam steps on `device` (one warm-up step first, which
/// compiles the shaders); every step's work is finished inside the timed region.
pub async fn measure_training_speed(device: &Device, sample: &MnistDataset, steps: usize) -> Result<f64, String> {
    let mut session = TrainingSession::new(TrainingConfig::new(), device);
    let batch_size = session.config().batch_size.min(sample.len()).max(1);
    let indices: Vec<usize> = (0..batch_size).collect();
    let batch = make_batch(sample, &indices, session.device());
    let warm = session.step(&batch);
    warm.into_data_async().await.map_err(|e| e.to_string())?;
    let start = now_ms();
    let mut last = None;
    for _ in 0..steps {
        last = Some(session.step(&batch));
    }
    if let Some(loss) = last {
        loss.into_data_async().await.map_err(|e| e.to_string())?;
    }
    let seconds = ((now_ms() - start) / 1000.0).max(1e-6);
    Ok((steps * batch_size) as f64 / seconds)
}

fn cpu(reason: Text) -> (Device, BackendInfo, MemoryBudget) {
    (Device::flex(), BackendInfo::cpu(reason), MemoryBudget::cpu())
}

/// WebGPU on a software adapter, to be timed against the CPU path once the page is ready.
pub struct Candidate {
    pub device: Device,
    pub info: BackendInfo,
    pub budget: MemoryBudget,
    pub adapter: String,
}

/// The backend to start on, and (auto mode, software adapter) the one to time in the background.
pub struct Choice {
    pub device: Device,
    pub info: BackendInfo,
    pub budget: MemoryBudget,
    pub candidate: Option<Candidate>,
}

impl From<(Device, BackendInfo, MemoryBudget)> for Choice {
    fn from((device, info, budget): (Device, BackendInfo, MemoryBudget)) -> Self {
        Self { device, info, budget, candidate: None }
    }
}

/// Picks the backend for `preference`, reporting progress through `status`; with it, the memory a run
/// may use there. In auto mode a software adapter is not timed first: the page starts on the CPU path
/// at once (ready to train and to read drawings) and the adapter comes back as the candidate to time.
pub async fn choose_backend(preference: BackendPreference, status: impl Fn(Text)) -> Choice {
    if preference == BackendPreference::Cpu {
        return cpu(text!("backend-chosen-cpu")).into();
    }
    status(text!("backend-looking"));
    let adapter = match adapter_info().await {
        Ok(a) => a,
        Err(e) => return cpu(text!("backend-no-webgpu", reason = e)).into(),
    };
    // Measured faster on the software adapter (BENCHMARKS.md); hardware adapters keep burn's kernels.
    crate::register_matmul::use_register_tiled(adapter.is_fallback);
    status(text!("backend-setting-up"));
    let device = match wgpu_device().await {
        Ok(d) => d,
        Err(e) => return cpu(text!("backend-no-webgpu", reason = text!("backend-setup-failed", reason = e))).into(),
    };
    let budget = MemoryBudget::webgpu(adapter.max_buffer_bytes, adapter.max_binding_bytes);
    let name = if adapter.is_fallback {
        text!("backend-webgpu-software", adapter = &adapter.description)
    } else {
        text!("backend-webgpu", adapter = &adapter.description)
    };
    let gpu_info = |reason: Text| BackendInfo { kind: BackendKind::WebGpu, name: name.clone(), reason };
    match preference {
        BackendPreference::WebGpu => return (device, gpu_info(text!("backend-chosen-webgpu")), budget).into(),
        _ if !adapter.is_fallback => return (device, gpu_info(text!("backend-hardware")), budget).into(),
        _ => {}
    }
    let candidate = Candidate { device, info: gpu_info(text!("empty")), budget, adapter: adapter.description.clone() };
    let (device, info, budget) = cpu(text!("backend-timing-background", adapter = &adapter.description));
    Choice { device, info, budget, candidate: Some(candidate) }
}

thread_local! {
    /// Whether the trainer is training now (kept by [`observe`] from the trainer's phase events).
    static TRAINING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Follows the trainer's phase, so the background timing can keep out of training's way.
pub fn observe(event: &Event) {
    if let Event::Phase(phase) = event {
        TRAINING.with(|t| t.set(matches!(phase, Phase::Training | Phase::Evaluating)));
    }
}

/// Waits while the trainer trains: timing compiles shaders on this thread, which would slow
/// training (and the drawing's answers) to a crawl.
async fn while_training_wait() {
    while TRAINING.with(|t| t.get()) {
        sleep_ms(500).await;
    }
}

/// Times `candidate` and then the CPU path on `sample` (a few steps each, after a warm-up that
/// compiles the shaders), each while nothing trains, for
/// [`crate::protocol::Command::BackendMeasured`].
pub async fn time_candidate(candidate: &Candidate, sample: &MnistDataset) -> (Result<f64, String>, Result<f64, String>) {
    while_training_wait().await;
    let gpu = measure_training_speed(&candidate.device, sample, 3).await;
    while_training_wait().await;
    let cpu = measure_training_speed(&Device::flex(), sample, 3).await;
    (gpu, cpu)
}

//! `?bench=cpu` / `?bench=webgpu`: the browser benchmark's protocol for this project (bench/run.mjs
//! drives it, and TF.js through the same protocol in bench/tfjs.html). Train the seed's MLP on the
//! first 2,048 MNIST training images, batch 64: 3 warm-up steps (the first one timed on its own:
//! shader compilation), then 32 timed steps ending with a read of the last loss, so every step's GPU
//! work is finished inside the timed region. Then single-image inference, the drawing case. The result
//! is JSON in `window.__benchResult` and in the page.

use burn::tensor::{Device, Tensor, TensorData, activation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;

use super::browser::{get, now_ms};
use super::compute_backend::{adapter_info, wgpu_device};
use super::dataset_loader::load_mnist;
use crate::data::{MnistDataset, make_batch, batcher::normalise_images};
use crate::training::{TrainingConfig, TrainingSession};

const IMAGES: usize = 2048;
const BATCH: usize = 64;
const WARM_UP_STEPS: usize = 3;
const INFERENCE_RUNS: usize = 50;

#[derive(Serialize, Default)]
struct BenchResult {
    engine: String,
    adapter: String,
    images_per_second: f64,
    timed_steps: usize,
    first_step_ms: f64,
    final_loss: f32,
    peak_js_heap_bytes: f64,
    wasm_memory_bytes: f64,
    inference_median_ms: f64,
    inference_p95_ms: f64,
}

fn js_heap() -> f64 {
    let performance = web_sys::window().and_then(|w| w.performance()).map(wasm_bindgen::JsValue::from).unwrap_or_default();
    get(&get(&performance, "memory"), "usedJSHeapSize").as_f64().unwrap_or(0.0)
}

fn wasm_memory() -> f64 {
    get(&get(&wasm_bindgen::memory(), "buffer"), "byteLength").as_f64().unwrap_or(0.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn read_loss(loss: Tensor<1>) -> Result<f32, String> {
    let data = loss.into_data_async().await.map_err(|e| e.to_string())?;
    Ok(data.iter::<f32>().next().unwrap_or(f32::NAN))
}

async fn run(engine: &str) -> Result<BenchResult, String> {
    let (device, adapter) = match engine {
        "webgpu" => (wgpu_device().await?, adapter_info().await.map(|a| a.description).unwrap_or_default()),
        "cpu" => (Device::flex(), "CPU (wasm)".to_string()),
        other => return Err(format!("unknown engine `{other}` (use cpu or webgpu)")),
    };
    let (train, _) = load_mnist(|_| {}).await?;
    let train: MnistDataset = train.first(IMAGES);
    let mut session = TrainingSession::new(TrainingConfig::new().with_batch_size(BATCH), &device);
    // Uploaded once, before timing (TF.js's page does the same with tf.tensor + slice).
    let batches: Vec<_> = (0..IMAGES / BATCH)
        .map(|b| make_batch(&train, &(b * BATCH..(b + 1) * BATCH).collect::<Vec<_>>(), session.device()))
        .collect();
    let mut peak_heap = js_heap();

    let start = now_ms();
    read_loss(session.step(&batches[0])).await?;
    let first_step_ms = now_ms() - start;
    for batch in batches.iter().take(WARM_UP_STEPS).skip(1) {
        read_loss(session.step(batch)).await?;
    }

    let start = now_ms();
    let mut last = None;
    for batch in &batches {
        last = Some(session.step(batch));
        peak_heap = peak_heap.max(js_heap());
    }
    let final_loss = match last {
        Some(loss) => read_loss(loss).await?,
        None => f32::NAN,
    };
    let elapsed = now_ms() - start;

    let model = session.inference_model();
    let image = normalise_images([train.image(0)]);
    let mut times = Vec::with_capacity(INFERENCE_RUNS);
    for run in 0..INFERENCE_RUNS + 3 {
        let start = now_ms();
        let input = Tensor::<2>::from_data(TensorData::new(image.clone(), [1, 784]), &device); // [1, 784]
        let probabilities = activation::softmax(model.forward(input), 1); // [1, 10]
        probabilities.into_data_async().await.map_err(|e| e.to_string())?;
        if run >= 3 {
            times.push(now_ms() - start);
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(BenchResult {
        engine: format!("backprop-playground {engine}"),
        adapter,
        images_per_second: (batches.len() * BATCH) as f64 / (elapsed / 1000.0),
        timed_steps: batches.len(),
        first_step_ms,
        final_loss,
        peak_js_heap_bytes: peak_heap,
        wasm_memory_bytes: wasm_memory(),
        inference_median_ms: percentile(&times, 0.5),
        inference_p95_ms: percentile(&times, 0.95),
    })
}

#[component]
pub fn BenchPage(engine: String) -> impl IntoView {
    let output = RwSignal::new(format!("running the {engine} benchmark…"));
    spawn_local(async move {
        let json = match run(&engine).await {
            Ok(result) => serde_json::to_string(&result).unwrap_or_default(),
            Err(e) => serde_json::json!({ "engine": engine, "error": e }).to_string(),
        };
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"__benchResult".into(), &json.clone().into());
        }
        output.set(json);
    });
    view! { <pre data-testid="bench-result">{move || output.get()}</pre> }
}

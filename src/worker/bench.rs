//! `?bench=cpu` / `?bench=cpu-2workers` / `?bench=webgpu`: the browser benchmark's protocol for this project (bench/run.mjs
//! drives it, and TF.js through the same protocol in bench/tfjs.html). Train the seed's MLP on the
//! first 2,048 MNIST training images, batch 64: 3 warm-up steps (the first one timed on its own:
//! shader compilation), then 32 timed steps ending with a read of the last loss, so every step's GPU
//! work is finished inside the timed region. Then single-image inference, the drawing case. The result
//! is JSON, which the page puts in `window.__benchResult` and shows. It runs in the trainer worker,
//! where the playground trains.
//!
//! With `&profile=1` it also splits steps into phases (forward, backward, update) and times the
//! kernels one step is made of, one at a time, so what is in the way is measured, not guessed.

use burn::tensor::{Device, Distribution, Tensor, TensorData, activation};
use serde::Serialize;

use super::backend::{adapter_info, wgpu_device};
use super::data::load_mnist;
use super::helper::{GradientHelper, RawShare, SplitTimings, step_in_two};
use super::js::{get, global, now_ms};
use crate::cpu_forward::CpuForward;
use crate::data::{MnistDataset, make_batch};
use crate::inspect;
use crate::training::{TrainingConfig, TrainingSession};

const IMAGES: usize = 2048;
const BATCH: usize = 64;
const WARM_UP_STEPS: usize = 3;
const INFERENCE_RUNS: usize = 100;
/// Reads of the weights for the CPU copy (the median is reported).
const COPY_RUNS: usize = 5;
const PROFILED_STEPS: usize = 5;
/// Calls of one kernel between two reads when timing it alone.
const KERNEL_CALLS: usize = 8;

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
    /// The same prediction through burn's tensors on the device (the page's path before the CPU copy).
    inference_burn_median_ms: f64,
    /// Reading the weights out for the CPU copy, once per model change (median of [`COPY_RUNS`]).
    inference_copy_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<Profile>,
    /// `cpu-2workers`: where the timed steps' time went, per step (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    split: Option<SplitTimings>,
}

/// Where a step's time goes (only with `&profile=1`).
#[derive(Serialize)]
struct Profile {
    /// Median over the profiled steps, each phase waited for before the next starts.
    forward_ms: f64,
    backward_ms: f64,
    update_ms: f64,
    /// One read of a one-element tensor: what every wait above includes once.
    read_ms: f64,
    kernels: Vec<KernelTiming>,
}

#[derive(Serialize)]
struct KernelTiming {
    name: String,
    /// Per call, once compiled; the cost of the one read per batch of calls taken out.
    ms_per_call: f64,
    /// The first call and its read: shader compilation on WebGPU.
    first_call_ms: f64,
}

fn js_heap() -> f64 {
    get(&get(&get(&global(), "performance"), "memory"), "usedJSHeapSize").as_f64().unwrap_or(0.0)
}

fn wasm_memory() -> f64 {
    get(&get(&wasm_bindgen::memory(), "buffer"), "byteLength").as_f64().unwrap_or(0.0)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    percentile(values, 0.5)
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

async fn run(base_url: &str, engine: &str, with_profile: bool) -> Result<BenchResult, String> {
    let (device, adapter, mut helper) = match engine {
        // As the page does: the register-tiled matmul on a software adapter, burn's on hardware.
        "webgpu" => {
            let adapter = adapter_info().await.map_err(|e| format!("{e:?}"))?;
            crate::register_matmul::use_register_tiled(adapter.is_fallback);
            (wgpu_device().await?, adapter.description, None)
        }
        // burn's own matmul whatever the adapter: the peer of `webgpu` in one build.
        "webgpu-burn-matmul" => {
            crate::register_matmul::use_register_tiled(false);
            (wgpu_device().await?, adapter_info().await.map(|a| a.description).unwrap_or_default(), None)
        }
        // As the page does, but burn's ten-operation Adam in place of the fused kernel: the peer of
        // `webgpu` for what the kernel gives.
        "webgpu-burn-adam" => {
            let adapter = adapter_info().await.map_err(|e| format!("{e:?}"))?;
            crate::register_matmul::use_register_tiled(adapter.is_fallback);
            crate::fused_adam::on_device::use_fused_on_device(false);
            (wgpu_device().await?, adapter.description, None)
        }
        "cpu" => (Device::flex(), "CPU (wasm)".to_string(), None),
        "cpu-2workers" => (Device::flex(), "CPU (wasm), two workers".to_string(), Some(GradientHelper::start().await?)),
        other => return Err(format!("unknown engine `{other}` (use cpu, cpu-2workers, webgpu, webgpu-burn-matmul or webgpu-burn-adam)")),
    };
    let (train, _) = load_mnist(base_url, crate::data::Dataset::Mnist, |_| {}).await?;
    let train: MnistDataset = train.first(IMAGES);
    if train.len() < IMAGES {
        return Err(format!("the benchmark needs {IMAGES} training images, the data has {}", train.len()));
    }
    let mut session = TrainingSession::new(TrainingConfig::new().with_batch_size(BATCH), &device);
    // Uploaded once, before timing (TF.js's page does the same with tf.tensor + slice).
    let batches: Vec<_> = (0..IMAGES / BATCH)
        .map(|b| make_batch(&train, &(b * BATCH..(b + 1) * BATCH).collect::<Vec<_>>(), session.device()))
        .collect();
    let mut peak_heap = js_heap();
    let mut split = None;
    let (first_step_ms, final_loss, elapsed) = match &mut helper {
        None => {
            let start = now_ms();
            read_loss(session.step(batches.first().ok_or("no benchmark batches")?)).await?;
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
            (first_step_ms, final_loss, now_ms() - start)
        }
        Some(helper) => {
            // Each batch in two halves: the first here, the second in the helper, at the same time.
            let half = BATCH / 2;
            let shares: Vec<_> = (0..IMAGES / BATCH)
                .map(|b| {
                    let (own, theirs): (Vec<usize>, Vec<usize>) = (b * BATCH..(b + 1) * BATCH).partition(|i| i % BATCH < half);
                    (make_batch(&train, &own, session.device()), RawShare::of(&train, &theirs))
                })
                .collect();
            let (own, theirs) = shares.first().ok_or("no benchmark batches")?;
            // What a share costs when the other core is idle, against the whole batch (both compiled
            // and warm after the first call, which is not counted).
            let whole = batches.first().ok_or("no benchmark batches")?;
            let alone_ms = |batch: &crate::data::MnistBatch| {
                let _ = session.share_gradients(batch);
                let start = now_ms();
                for _ in 0..8 {
                    let _ = session.share_gradients(batch);
                }
                (now_ms() - start) / 8.0
            };
            let (half_alone_ms, whole_alone_ms) = (alone_ms(own), alone_ms(whole));
            let start = now_ms();
            let mut warm_up = SplitTimings::default();
            step_in_two(&mut session, own, helper, theirs, &mut warm_up).await?;
            let first_step_ms = now_ms() - start;
            for (own, theirs) in shares.iter().take(WARM_UP_STEPS).skip(1) {
                step_in_two(&mut session, own, helper, theirs, &mut warm_up).await?;
            }
            let start = now_ms();
            let mut final_loss = f32::NAN;
            let mut timings = SplitTimings::default();
            for (own, theirs) in &shares {
                final_loss = step_in_two(&mut session, own, helper, theirs, &mut timings).await?;
                peak_heap = peak_heap.max(js_heap());
            }
            let n = timings.steps.max(1) as f64;
            split = Some(SplitTimings { send_ms: timings.send_ms / n, own_ms: timings.own_ms / n, wait_ms: timings.wait_ms / n, helper_ms: timings.helper_ms / n, apply_ms: timings.apply_ms / n, half_alone_ms, whole_alone_ms, ..timings });
            (first_step_ms, final_loss, now_ms() - start)
        }
    };

    // One drawing's prediction as the trainer answers it: every layer's output, from the CPU copy
    // of the weights (read once per model change, timed on its own). burn's path on the device
    // (what the page did before) is timed alongside, alternating, for the pair.
    let model = session.inference_model();
    let pixels = train.image(0);
    let mut copy_times = Vec::with_capacity(COPY_RUNS);
    let mut cpu_copy = None;
    for _ in 0..COPY_RUNS {
        let start = now_ms();
        cpu_copy = CpuForward::read(&model).await.map_err(|e| e.to_string())?;
        copy_times.push(now_ms() - start);
    }
    copy_times.sort_by(|a, b| a.total_cmp(b));
    let inference_copy_ms = cpu_copy.as_ref().map(|_| percentile(&copy_times, 0.5));
    let mut times = Vec::with_capacity(INFERENCE_RUNS);
    let mut burn_times = Vec::with_capacity(INFERENCE_RUNS);
    for run in 0..INFERENCE_RUNS + 3 {
        let start = now_ms();
        inspect::activations(&model, pixels, &device).await.map_err(|e| e.to_string())?;
        let burn_ms = now_ms() - start;
        let page_path_ms = match &cpu_copy {
            Some(copy) => {
                let start = now_ms();
                copy.activations(pixels).ok_or("the CPU copy refused a 784-pixel image")?;
                now_ms() - start
            }
            None => burn_ms,
        };
        if run >= 3 {
            times.push(page_path_ms);
            burn_times.push(burn_ms);
        }
    }
    burn_times.sort_by(|a, b| a.total_cmp(b));
    times.sort_by(|a, b| a.total_cmp(b));
    let profile = if with_profile { Some(profile(&mut session, &batches, &device).await?) } else { None };
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
        inference_burn_median_ms: percentile(&burn_times, 0.5),
        inference_copy_ms,
        profile,
        split,
    })
}

async fn read_ms(tensor: Tensor<1>) -> Result<f64, String> {
    let start = now_ms();
    read_loss(tensor).await?;
    Ok(now_ms() - start)
}

/// Times `op` alone: a first call (compilation), then `KERNEL_CALLS` calls and one read.
async fn time_kernel(name: &str, read_cost: f64, op: impl Fn() -> Tensor<1>) -> Result<KernelTiming, String> {
    let start = now_ms();
    read_loss(op()).await?;
    let first_call_ms = now_ms() - start;
    let start = now_ms();
    let mut last = None;
    for _ in 0..KERNEL_CALLS {
        last = Some(op());
    }
    if let Some(last) = last {
        read_loss(last).await?;
    }
    let ms_per_call = ((now_ms() - start - read_cost) / KERNEL_CALLS as f64).max(0.0);
    Ok(KernelTiming { name: name.to_string(), ms_per_call, first_call_ms })
}

async fn profile(session: &mut TrainingSession, batches: &[crate::data::MnistBatch], device: &Device) -> Result<Profile, String> {
    let (mut forward, mut backward, mut update) = (Vec::new(), Vec::new(), Vec::new());
    for batch in batches.iter().take(PROFILED_STEPS) {
        let (_, t) = session.step_profiled_async(batch).await?;
        forward.push(t.forward_ms);
        backward.push(t.backward_ms);
        update.push(t.update_ms);
    }
    let one = Tensor::<1>::ones([1], device); // [1]
    read_loss(one.clone()).await?;
    let mut reads = Vec::new();
    for _ in 0..5 {
        reads.push(read_ms(one.clone()).await?);
    }
    let read_cost = median(&mut reads);

    let random = |shape: [usize; 2]| Tensor::<2>::random(shape, Distribution::Default, device);
    let x = random([BATCH, 784]); // [64, 784]
    let w1 = random([784, 512]); // [784, 512]
    let h1 = random([BATCH, 512]); // [64, 512]
    let w2 = random([512, 256]); // [512, 256]
    let g2 = random([BATCH, 256]); // [64, 256]
    let m = random([784, 512]); // [784, 512]
    let v = random([784, 512]); // [784, 512]
    let pixels: Vec<f32> = vec![0.5; BATCH * 784];
    let first = |t: Tensor<2>| t.slice([0..1, 0..1]).reshape([1]); // [1]
    let mut kernels = Vec::new();
    // The matmul the training step uses: the register-tiled one where it is in use, else burn's.
    let product = |a: Tensor<2>, b: Tensor<2>| {
        if crate::register_matmul::register_tiled_in_use() { crate::register_matmul::matmul(a, b) } else { a.matmul(b) } // [m, n]
    };
    kernels.push(time_kernel("fc1 forward matmul [64,784]·[784,512]", read_cost, || first(product(x.clone(), w1.clone()))).await?);
    kernels.push(time_kernel("fc2 forward matmul [64,512]·[512,256]", read_cost, || first(product(h1.clone(), w2.clone()))).await?);
    kernels.push(time_kernel("fc1 weight gradient [784,64]·[64,512] (transposed lhs)", read_cost, || first(product(x.clone().transpose(), h1.clone()))).await?);
    kernels.push(time_kernel("fc2 input gradient [64,256]·[256,512] (transposed rhs)", read_cost, || first(product(g2.clone(), w2.clone().transpose()))).await?);
    kernels.push(time_kernel("ReLU [64,512]", read_cost, || first(activation::relu(h1.clone()))).await?);
    kernels.push(time_kernel("bias gradient: sum over the batch [64,512]→[512]", read_cost, || first(h1.clone().sum_dim(0))).await?);
    kernels.push(
        time_kernel("burn's Adam update of fc1.weight [784,512] (10 elementwise ops)", read_cost, || {
            let g = h1.clone().slice([0..1, 0..512]).expand([784, 512]); // [784, 512]
            let m = m.clone().mul_scalar(0.9).add(g.clone().mul_scalar(0.1)); // [784, 512]
            let v = v.clone().mul_scalar(0.999).add(g.clone().mul(g).mul_scalar(0.001)); // [784, 512]
            first(w1.clone().sub(m.div(v.sqrt().add_scalar(1e-8)).mul_scalar(1e-3)))
        })
        .await?,
    );
    // The fused kernel (WebGPU only), stepping its own weights and moments as the session does: in
    // place, since nothing else holds them (the `[1]` it returns is a fresh tensor, read after it).
    if !crate::fused_adam::runs_on_cpu(device) {
        let fused_state = std::cell::RefCell::new(Some((random([784, 512]), None::<burn::optim::AdamState<2>>)));
        let g1 = random([784, 512]); // [784, 512]
        kernels.push(
            time_kernel("fused Adam kernel of fc1.weight [784,512] (what the session runs on WebGPU)", read_cost, || {
                let mut slot = fused_state.borrow_mut();
                if let Some((w, state)) = slot.take() {
                    *slot = Some(crate::fused_adam::on_device::step(1e-3, w, g1.clone(), state));
                }
                Tensor::<1>::zeros([1], device) // [1]
            })
            .await?,
        );
    }
    kernels.push(
        time_kernel("upload one batch of pixels [64,784]", read_cost, || {
            first(Tensor::<2>::from_data(TensorData::new(pixels.clone(), [BATCH, 784]), device)) // [64, 784]
        })
        .await?,
    );
    // The drawing case, piece by piece: one image through the trained model.
    let model = session.inference_model();
    let image: Vec<f32> = vec![0.5; 784];
    let one_image = Tensor::<2>::from_data(TensorData::new(image.clone(), [1, 784]), device); // [1, 784]
    let w1_of_model = model.layers.first().map(|l| l.weight.val()).ok_or("the model has no layers")?; // [784, 512]
    kernels.push(time_kernel("one image: fc1 matmul [1,784]·[784,512]", read_cost, || first(one_image.clone().matmul(w1_of_model.clone()))).await?);
    kernels.push(time_kernel("one image: forward of the whole model", read_cost, || first(model.forward(one_image.clone()))).await?);
    kernels.push(
        time_kernel("one image: upload, forward, softmax", read_cost, || {
            let input = Tensor::<2>::from_data(TensorData::new(image.clone(), [1, 784]), device); // [1, 784]
            first(activation::softmax(model.forward(input), 1)) // [1]
        })
        .await?,
    );
    Ok(Profile { forward_ms: median(&mut forward), backward_ms: median(&mut backward), update_ms: median(&mut update), read_ms: read_cost, kernels })
}

/// Runs the benchmark and returns its result (or the error) as JSON.
pub async fn run_json(base_url: &str, engine: &str, profile: bool) -> String {
    match run(base_url, engine, profile).await {
        Ok(result) => serde_json::to_string(&result).unwrap_or_default(),
        Err(e) => serde_json::json!({ "engine": engine, "error": e }).to_string(),
    }
}

//! Browser tests (wasm-bindgen-test in headless Chromium): the learning core on WebGPU.
//! Run by `./scripts/test.sh` as `wasm-pack test --headless --chrome -- --profile worker --test browser`.
#![cfg(target_family = "wasm")]

use std::cell::RefCell;
use std::rc::Rc;

use backprop_playground::data::{MnistDataset, make_batch};
use backprop_playground::model::MlpConfig;
use backprop_playground::settings::PlaygroundSettings;
use backprop_playground::trainer::budget::MemoryBudget;
use backprop_playground::protocol::{BackendInfo, BackendKind, Command, Event};
use backprop_playground::trainer::store::MemoryStore;
use backprop_playground::trainer::{Prepared, Trainer, serve};
use backprop_playground::training::{TrainingConfig, TrainingSession};
use backprop_playground::weights_file;
use burn::tensor::Device;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static GPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// The WebGPU device; set up once per page, as the app does. A missing adapter fails the test.
async fn gpu() -> Device {
    backprop_playground::run_static_constructors();
    if let Some(d) = GPU.with(|g| g.borrow().clone()) {
        return d;
    }
    let has_gpu = web_sys::window()
        .map(|w| js_sys::Reflect::get(&w.navigator(), &"gpu".into()).map(|g| !g.is_undefined()).unwrap_or(false))
        .unwrap_or(false);
    assert!(has_gpu, "navigator.gpu is missing: Chromium needs --enable-unsafe-webgpu (see webdriver.json)");
    let device = Device::wgpu_options().init_async().await.expect("WebGPU device");
    GPU.with(|g| *g.borrow_mut() = Some(device.clone()));
    device
}

/// A learnable stand-in for MNIST (the test page has no data files): the label decides which
/// horizontal band of the image is inked, plus seeded noise.
fn synthetic_digits(n: usize) -> MnistDataset {
    let mut state = 12345u32;
    let mut noise = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 24) as u8 / 4
    };
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let mut pixels = Vec::with_capacity(n * 784);
    for &label in &labels {
        for row in 0..28 {
            for _ in 0..28 {
                let band = row / 3 == label as usize;
                pixels.push(if band { 200 + noise() } else { noise() });
            }
        }
    }
    MnistDataset::new(pixels, labels).expect("consistent synthetic data")
}

#[wasm_bindgen_test]
async fn a_few_webgpu_training_steps_lower_the_loss() {
    let device = gpu().await;
    let data = synthetic_digits(32);
    let mut session = TrainingSession::new(TrainingConfig::new(), &device);
    let batch = make_batch(&data, &(0..32).collect::<Vec<_>>(), session.device());
    let mut losses = Vec::new();
    for _ in 0..6 {
        let loss = session.step(&batch);
        let value = loss.into_data_async().await.expect("async read").iter::<f32>().next().expect("one value");
        losses.push(value);
    }
    assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
    assert!(losses[5] < losses[0] * 0.7, "loss should fall on WebGPU: {losses:?}");
}

#[wasm_bindgen_test]
async fn webgpu_reads_match_the_cpu_backend() {
    let gpu = gpu().await; // runs the static constructors, as every test here must first
    let cpu = Device::flex();
    let data = synthetic_digits(16);
    let indices: Vec<usize> = (0..16).collect();
    // Same seed, so bit-identical weights on both devices.
    let on_gpu = MlpConfig::new().init(&gpu).forward(make_batch(&data, &indices, &gpu).images);
    let on_cpu = MlpConfig::new().init(&cpu).forward(make_batch(&data, &indices, &cpu).images);
    let a: Vec<f32> = on_gpu.into_data_async().await.expect("gpu read").iter::<f32>().collect();
    let b: Vec<f32> = on_cpu.into_data_async().await.expect("cpu read").iter::<f32>().collect();
    assert_eq!(a.len(), 16 * 10);
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "largest |WebGPU − CPU| logit difference {worst}");
}

#[wasm_bindgen_test]
async fn the_command_loop_steps_predicts_and_snapshots_on_webgpu() {
    let device = gpu().await;
    let events: Rc<RefCell<Vec<Event>>> = Rc::default();
    let sink = events.clone();
    let mut trainer = Trainer::new(MemoryStore::default(), Rc::new(move |e| sink.borrow_mut().push(e)));
    let backend = BackendInfo { kind: BackendKind::WebGpu, name: backprop_playground::i18n::Text::verbatim("WebGPU"), reason: backprop_playground::i18n::Text::verbatim("test") };
    let prepared = Prepared { train: synthetic_digits(64), test: synthetic_digits(20), device, backend, pretrained: Some(Err("none in this test".into())), budget: MemoryBudget::webgpu(1 << 30, 1 << 30) };
    trainer.prepare(prepared, PlaygroundSettings::default()).await;
    let (sender, mut commands) = futures_channel::mpsc::unbounded();
    sender.unbounded_send(Command::WatchWeights { on: true }).expect("queued");
    for _ in 0..3 {
        sender.unbounded_send(Command::Step { settings: "hidden=32&batch=16".into() }).expect("queued");
    }
    let pixels = synthetic_digits(1).image(0).to_vec();
    sender.unbounded_send(Command::Predict { id: 7, pixels }).expect("queued");
    drop(sender);
    serve(&mut trainer, &mut commands, futures_lite::future::yield_now).await;

    let events = events.borrow();
    let losses: Vec<f32> = events.iter().flat_map(|e| if let Event::Losses(l) = e { l.clone() } else { Vec::new() }).collect();
    assert_eq!(losses.len(), 3, "{events:?}");
    assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
    assert_eq!(trainer.steps(), 3);
    let prediction = events.iter().find_map(|e| if let Event::Prediction { id: 7, activations } = e { Some(activations.clone()) } else { None });
    let activations = prediction.expect("an answer to prediction 7");
    let probabilities = activations.probabilities;
    assert_eq!(probabilities.len(), 10);
    assert_eq!(activations.hidden.iter().map(Vec::len).collect::<Vec<_>>(), vec![32], "the hidden layer's outputs, read from WebGPU");
    // The network view's tiles, read from WebGPU asynchronously after the steps.
    let tiles: Vec<_> = events.iter().filter_map(|e| if let Event::WeightTiles(t) = e { Some(t.clone()) } else { None }).collect();
    assert!(!tiles.is_empty(), "tiles while the view is open");
    assert!(tiles.iter().all(|t| t.units == 32 && t.weights.len() == 32 * 784 && t.scale > 0.0));
    assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{probabilities:?}");
    // The snapshot was read from WebGPU asynchronously after each step and loads back.
    let saved = trainer.store().saved.as_ref().expect("a snapshot");
    assert_eq!(saved.meta.steps, 3);
    assert_eq!(trainer.store().saves, vec![1, 2, 3]);
    let loaded = weights_file::load(&saved.model, &Device::flex()).expect("the snapshot's weights load");
    assert_eq!(loaded.model.hidden_sizes(), vec![32]);
}

/// The worker's own 4-wide loops (its `opt-level = "s"` turns LLVM's vectoriser off): fused Adam
/// gives burn's `Adam` bit for bit on the CPU device in wasm, over steps whose tensor sizes leave a
/// remainder after the four-lane chunks.
#[wasm_bindgen_test]
async fn wasm_fused_adam_equals_burns_adam() {
    use backprop_playground::fused_adam;
    use backprop_playground::optimizer::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON};
    use burn::optim::{AdamConfig, AdamState, Optimizer};
    use burn::tensor::{Distribution, Tensor};
    let device = Device::flex();
    let adam = AdamConfig::new().with_beta_1(ADAM_BETA1).with_beta_2(ADAM_BETA2).with_epsilon(ADAM_EPSILON).build();
    let start = Tensor::<2>::random([37, 23], Distribution::Normal(0.0, 0.1), &device); // [37, 23]: 851 values, 3 past the last chunk
    let (mut ours, mut theirs) = (start.clone(), start);
    let (mut our_state, mut their_state): (Option<AdamState<2>>, Option<AdamState<2>>) = (None, None);
    let bits = |t: &Tensor<2>| t.clone().into_data().iter::<f32>().map(f32::to_bits).collect::<Vec<_>>();
    for step in 0..20 {
        let scale = [1e-9, 1e-4, 1.0, 30.0][step % 4];
        let grad = Tensor::<2>::random([37, 23], Distribution::Normal(0.0, scale), &device); // [37, 23]
        assert!(fused_adam::fits(&ours, &grad, &our_state));
        (ours, our_state) = fused_adam::step(1e-3, ours, grad.clone(), our_state.take());
        (theirs, their_state) = adam.step(1e-3, theirs, grad, their_state.take());
        assert_eq!(bits(&ours), bits(&theirs), "step {step}: weights");
        let (a, b) = (our_state.as_ref().expect("fused state"), their_state.as_ref().expect("burn state"));
        assert_eq!(bits(&a.momentum.moment_2), bits(&b.momentum.moment_2), "step {step}: second moment");
    }
}

/// The drawing's prediction from the CPU copy (4-wide in wasm) against burn's forward pass on the
/// CPU device, every layer, for a layer width that is not a multiple of four.
#[wasm_bindgen_test]
async fn wasm_cpu_copy_predicts_as_burn_does() {
    use backprop_playground::cpu_forward::CpuForward;
    use backprop_playground::inspect::activations;
    let device = Device::flex();
    let images = synthetic_digits(10);
    for model in [MlpConfig::new().with_init_seed(3).init(&device), MlpConfig::new().with_hidden(vec![37, 13]).with_init_seed(5).init(&device)] {
        let copy = CpuForward::read(&model).await.expect("read").expect("the seed's layers chain");
        for index in 0..images.len() {
            let fast = copy.activations(images.image(index)).expect("784 pixels");
            let burn = activations(&model, images.image(index), &device).await.expect("burn's forward");
            for (layer, (a, b)) in fast.hidden.iter().zip(&burn.hidden).enumerate() {
                assert_eq!(a.len(), b.len());
                let worst = a.iter().zip(b).map(|(a, b)| (a - b).abs() / b.abs().max(1.0)).fold(0.0f32, f32::max);
                assert!(worst < 1e-4, "image {index}, layer {layer}: off by {worst}");
            }
            let worst = fast.probabilities.iter().zip(&burn.probabilities).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(worst < 1e-6, "image {index}: probabilities off by {worst}");
        }
    }
}

/// Numbers in [-1, 1) from `seed`, uneven enough that a wrong index changes the product.
fn seeded(seed: u32, n: usize) -> Vec<f32> {
    (0..n).map(|i| (((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 20) % 97) as f32 / 48.0 - 1.0).collect()
}

#[wasm_bindgen_test]
async fn the_register_tiled_matmul_equals_the_cpu_product_and_trains_as_burns_does() {
    use backprop_playground::register_matmul::{matmul, use_register_tiled};
    use burn::tensor::{Tensor, TensorData};
    let gpu = gpu().await;
    let cpu = Device::flex();
    // Edges of the 4×4 blocks and 32×32 workgroups, a prediction's single row, the layers' shapes;
    // `true`: both operands as transposed views, as the backward pass passes them.
    for (m, k, n, transposed) in [(1, 13, 10, false), (5, 7, 3, true), (33, 70, 37, false), (64, 128, 10, true), (64, 784, 512, false)] {
        let make = |seed: u32, rows: usize, cols: usize, device: &Device| -> Tensor<2> {
            if transposed {
                Tensor::<2>::from_data(TensorData::new(seeded(seed, rows * cols), [cols, rows]), device).transpose()
            } else {
                Tensor::<2>::from_data(TensorData::new(seeded(seed, rows * cols), [rows, cols]), device)
            }
        };
        let ours = matmul(make(1, m, k, &gpu), make(2, k, n, &gpu)); // [m, n]
        let expected = make(1, m, k, &cpu).matmul(make(2, k, n, &cpu)); // [m, n]
        let ours: Vec<f32> = ours.into_data_async().await.expect("gpu read").iter::<f32>().collect();
        let expected: Vec<f32> = expected.into_data().iter::<f32>().collect();
        assert_eq!(ours.len(), m * n, "{m}×{k}·{k}×{n}");
        let worst = ours.iter().zip(&expected).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-3, "{m}×{k}·{k}×{n} (transposed {transposed}): largest difference {worst}");
    }

    // Training through it (forward and backward) follows the CPU backend's run.
    async fn four_losses(device: Device, data: &MnistDataset) -> Vec<f32> {
        let mut session = TrainingSession::new(TrainingConfig::new(), &device);
        let batch = make_batch(data, &(0..data.len()).collect::<Vec<_>>(), session.device());
        let mut losses = Vec::new();
        for _ in 0..4 {
            let loss = session.step(&batch).into_data_async().await.expect("loss read");
            losses.push(loss.iter::<f32>().next().expect("one value"));
        }
        losses
    }
    let data = synthetic_digits(32);
    use_register_tiled(true);
    let tiled = four_losses(gpu.clone(), &data).await;
    use_register_tiled(false);
    let on_cpu = four_losses(cpu, &data).await;
    assert!(on_cpu[3] < on_cpu[0], "the run learns: {on_cpu:?}");
    let worst = tiled.iter().zip(&on_cpu).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-3, "register-tiled WebGPU {tiled:?} against CPU {on_cpu:?}");
}

/// WebGPU's fused Adam kernel against burn's `Adam` on the same device, over 100 steps with
/// gradients of every size: weights and both moments within 1e-6 (and 1e-5 relative, which is what
/// says something about second moments of 1e-18), for a matrix whose size is no multiple of a
/// workgroup and a bias. Weights that another tensor still holds keep their values: the kernel
/// writes in place only buffers nothing else holds.
#[wasm_bindgen_test]
async fn the_fused_adam_kernel_equals_burns_adam_on_webgpu() {
    use backprop_playground::fused_adam::on_device;
    use backprop_playground::optimizer::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON};
    use burn::optim::{AdamConfig, AdamState, Optimizer};
    use burn::tensor::{Tensor, TensorData};
    async fn read<const D: usize>(tensor: &Tensor<D>) -> Vec<f32> {
        tensor.clone().into_data_async().await.expect("gpu read").iter::<f32>().collect()
    }
    fn check(step: usize, what: &str, ours: &[f32], theirs: &[f32]) {
        assert_eq!(ours.len(), theirs.len(), "step {step}: {what}");
        for (i, (x, y)) in ours.iter().zip(theirs).enumerate() {
            let difference = (x - y).abs();
            assert!(difference < 1e-6 && difference <= 1e-5 * y.abs().max(f32::MIN_POSITIVE), "step {step}: {what}[{i}] {x} against burn's {y}");
        }
    }
    let gpu = gpu().await;
    let adam = AdamConfig::new().with_beta_1(ADAM_BETA1).with_beta_2(ADAM_BETA2).with_epsilon(ADAM_EPSILON).build();
    let start = Tensor::<2>::from_data(TensorData::new(seeded(3, 37 * 23), [37, 23]), &gpu).mul_scalar(0.1); // [37, 23]
    let start_values = read(&start).await;
    let bias = Tensor::<1>::from_data(TensorData::new(seeded(4, 23), [23]), &gpu); // [23]
    let (mut ours, mut theirs) = (start.clone(), start.clone());
    let (mut our_bias, mut their_bias) = (bias.clone(), bias);
    let (mut our_state, mut their_state): (Option<AdamState<2>>, Option<AdamState<2>>) = (None, None);
    let (mut our_bias_state, mut their_bias_state): (Option<AdamState<1>>, Option<AdamState<1>>) = (None, None);
    for step in 0..100 {
        let scale = [1e-9, 1e-4, 1.0, 30.0][step % 4];
        let grad = Tensor::<2>::from_data(TensorData::new(seeded(10 + step as u32, 37 * 23), [37, 23]), &gpu).mul_scalar(scale); // [37, 23]
        let bias_grad = Tensor::<1>::from_data(TensorData::new(seeded(500 + step as u32, 23), [23]), &gpu).mul_scalar(scale); // [23]
        assert!(on_device::fits(&ours, &grad, &our_state), "step {step}: WebGPU tensors take the kernel");
        (ours, our_state) = on_device::step(1e-3, ours, grad.clone(), our_state.take());
        (theirs, their_state) = adam.step(1e-3, theirs, grad, their_state.take());
        (our_bias, our_bias_state) = on_device::step(1e-3, our_bias, bias_grad.clone(), our_bias_state.take());
        (their_bias, their_bias_state) = adam.step(1e-3, their_bias, bias_grad, their_bias_state.take());
        let (a, b) = (our_state.as_ref().expect("kernel state"), their_state.as_ref().expect("burn state"));
        assert_eq!(a.momentum.time, b.momentum.time, "step {step}: Adam's step count");
        check(step, "weights", &read(&ours).await, &read(&theirs).await);
        check(step, "first moment", &read(&a.momentum.moment_1).await, &read(&b.momentum.moment_1).await);
        check(step, "second moment", &read(&a.momentum.moment_2).await, &read(&b.momentum.moment_2).await);
        check(step, "bias", &read(&our_bias).await, &read(&their_bias).await);
    }
    assert_eq!(read(&start).await, start_values, "the tensor the first step was given a copy of keeps its values");
    assert_ne!(read(&ours).await, start_values, "the kernel moved the weights");
}

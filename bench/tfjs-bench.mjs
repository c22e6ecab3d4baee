// TF.js 4.22 through the protocol of the project's ?bench= page: the seed's MLP (784-512-256-128-10,
// ReLU, softmax cross-entropy, Adam 1e-3, batch 64) on the first 2,048 MNIST training images, 3 warm-up
// steps (the first timed alone), then 32 timed steps ending with a read of the last loss; then 50
// single-image predictions. Training uses optimizer.minimize (TF.js's fastest idiomatic loop: one
// tidy scope per step, no per-step reads).
/* global tf */
const IMAGES = 2048;
const BATCH = 64;
const WARM_UP = 3;
const INFERENCE_RUNS = 50;
const backend = new URLSearchParams(location.search).get('backend');

async function gunzip(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

const heap = () => performance.memory?.usedJSHeapSize ?? 0;
const percentile = (sorted, p) => sorted[Math.round((sorted.length - 1) * p)];

async function run() {
  if (backend === 'wasm') tf.wasm.setWasmPaths('/vendor/tfjs-backend-wasm/');
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} is not available`);
  await tf.ready();
  let adapter = backend;
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    adapter = `wasm (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'})`;
  } else if (backend === 'webgpu') {
    const info = (await navigator.gpu.requestAdapter())?.info;
    adapter = `webgpu (${[info?.vendor, info?.architecture].filter(Boolean).join(' ')})`;
  }
  const images = (await gunzip('/data/train-images-idx3-ubyte.gz')).subarray(16, 16 + IMAGES * 784);
  const labels = (await gunzip('/data/train-labels-idx1-ubyte.gz')).subarray(8, 8 + IMAGES);
  const pixels = Float32Array.from(images, (p) => (p / 255 - 0.1307) / 0.3081);
  const xs = tf.tensor2d(pixels, [IMAGES, 784]);
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), 10).toFloat();
  const batches = [];
  for (let b = 0; b < IMAGES / BATCH; b++) {
    batches.push([tf.slice(xs, [b * BATCH, 0], [BATCH, 784]), tf.slice(ys, [b * BATCH, 0], [BATCH, 10])]);
  }
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(0.001);
  const step = ([x, y]) => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
  let peakHeap = heap();

  let start = performance.now();
  let cost = step(batches[0]);
  await cost.data();
  cost.dispose();
  const firstStepMs = performance.now() - start;
  for (let i = 1; i < WARM_UP; i++) {
    cost = step(batches[i]);
    await cost.data();
    cost.dispose();
  }

  start = performance.now();
  let last = null;
  for (const batch of batches) {
    if (last) last.dispose();
    last = step(batch);
    peakHeap = Math.max(peakHeap, heap());
  }
  const finalLoss = (await last.data())[0];
  const elapsed = performance.now() - start;
  last.dispose();

  const one = pixels.subarray(0, 784);
  const times = [];
  for (let i = 0; i < INFERENCE_RUNS + 3; i++) {
    const t = performance.now();
    const p = tf.tidy(() => tf.softmax(model.predict(tf.tensor2d(one, [1, 784]))));
    await p.data();
    p.dispose();
    if (i >= 3) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    engine: `TF.js ${tf.version.tfjs} ${backend}`,
    adapter,
    images_per_second: (batches.length * BATCH) / (elapsed / 1000),
    timed_steps: batches.length,
    first_step_ms: firstStepMs,
    final_loss: finalLoss,
    peak_js_heap_bytes: peakHeap,
    wasm_memory_bytes: 0,
    inference_median_ms: percentile(times, 0.5),
    inference_p95_ms: percentile(times, 0.95),
  };
}

run()
  .then((r) => JSON.stringify(r))
  .catch((e) => JSON.stringify({ engine: `TF.js ${backend}`, error: String(e?.message ?? e) }))
  .then((json) => {
    window.__benchResult = json;
    document.querySelector('[data-testid="bench-result"]').textContent = json;
  });

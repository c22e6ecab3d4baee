// The browser half of the benchmark (bench/run.sh runs it after building the page): this project on
// WebGPU and on its CPU path in wasm, and TF.js 4.22 on webgpu, webgl, wasm and cpu, each through the
// same protocol (src/app/bench.rs, bench/tfjs-bench.mjs), each repeat in a fresh Chromium profile,
// engines in alternating order; then the page's weight and load times. Prints tables, writes JSON.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { option, flag } from './options.mjs';
import { mark, othersCores, waitUntilQuiet, QUIET_CORES } from './quiet.mjs';

const root = path.resolve(import.meta.dirname, '..');
// --dist DIR serves another build (an earlier commit's, for a before/after pair in one session).
const DIST = path.resolve(option('dist', path.join(root, 'dist')));
const OUT = path.join(root, 'target', 'bench');
const REPEATS = Number(option('repeats', '5'));
// tfjs-wasm runs cross-origin isolated (threads allowed), tfjs-wasm-plain without: which is faster
// depends on the machine, and the headline ratio is against the faster of the two.
const ENGINES = option('engines', 'ours-webgpu,ours-webgpu-burn-matmul,ours-webgpu-burn-adam,ours-cpu,ours-cpu-2workers,tfjs-webgpu,tfjs-webgl,tfjs-wasm,tfjs-wasm-plain,tfjs-cpu').split(',');
// A repeat during which other processes used more than QUIET_CORES (or a compiler ran) is done again,
// at most this many times.
const MAX_REDOS = 3;
const TIMEOUT_MS = 20 * 60_000;

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.gz': 'application/gzip', '.json': 'application/json' };
const MOUNTS = [
  ['/vendor/tfjs/', path.join(root, 'node_modules/@tensorflow/tfjs/dist')],
  ['/vendor/tfjs-backend-webgpu/', path.join(root, 'node_modules/@tensorflow/tfjs-backend-webgpu/dist')],
  ['/vendor/tfjs-backend-wasm/', path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')],
  ['/bench/', path.join(root, 'bench')],
  ['/', DIST],
];

function serve({ isolated = true } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const [prefix, dir] = MOUNTS.find(([p]) => url.pathname.startsWith(p));
    let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) return res.writeHead(404).end('not found');
      // Cross-origin isolated, so TF.js's wasm backend may use its threaded SIMD build; the plain
      // server lets it run as most hosts would.
      const isolation = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...isolation });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, server })));
}

async function freshPage() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { page, close: async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); } };
}

const PROFILE = !flag('no-profile');

const url = (origins, engine, profile) => {
  const [who, backend, variant] = engine.split('-');
  const origin = variant === 'plain' ? origins.plain : origins.isolated;
  // ours-cpu, ours-webgpu, ours-cpu-2workers (a batch split over the trainer worker and one helper),
  // ours-webgpu-burn-matmul (WebGPU with burn's matmul in place of the register-tiled one),
  // ours-webgpu-burn-adam (WebGPU with burn's ten-operation Adam in place of the fused kernel).
  return who === 'ours' ? `${origin}/?bench=${engine.slice('ours-'.length)}${profile ? '&profile=1' : ''}` : `${origin}/bench/tfjs.html?backend=${backend}`;
};

async function runOnce(origins, engine, profile = false) {
  const { page, close } = await freshPage();
  try {
    await page.goto(url(origins, engine, profile));
    await page.waitForFunction(() => window.__benchResult, null, { timeout: TIMEOUT_MS, polling: 500 });
    return JSON.parse(await page.evaluate(() => window.__benchResult));
  } catch (e) {
    return { engine, error: String(e.message ?? e).split('\n')[0] };
  } finally {
    await close();
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function pageWeight(origin) {
  const files = fs.readdirSync(DIST, { recursive: true }).filter((f) => fs.statSync(path.join(DIST, f)).isFile());
  const size = (f) => fs.statSync(path.join(DIST, f)).size;
  const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length;
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const js = files.filter((f) => f.endsWith('.js'));
  const data = files.filter((f) => f.startsWith('data'));
  const times = [];
  for (let i = 0; i < 3; i++) {
    // Load times are as noisy as training figures: each load waits for a quiet machine too.
    await waitUntilQuiet();
    const { page, close } = await freshPage();
    // Every request, the worker's too (Resource Timing in the page sees only the document's own).
    const requests = [];
    page.on('request', (request) => requests.push(request));
    try {
      // Auto mode, as a visitor gets it: the figure the goal "ready to train < 3 s" is about.
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => /^Ready/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), null, { timeout: 300_000, polling: 50 });
      const seen = await page.evaluate(() => {
        const firstPaint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
        // What the document fetched before it painted: what painting needed.
        const beforePaint = performance.getEntriesByType('resource').filter((r) => r.startTime < firstPaint).map((r) => new URL(r.name).pathname);
        return { firstPaint, ready: performance.now(), beforePaint, timeOrigin: performance.timeOrigin };
      });
      const paintedAt = seen.timeOrigin + seen.firstPaint;
      const requestedBeforePaint = requests.filter((r) => r.timing().startTime < paintedAt).map((r) => new URL(r.url()).pathname);
      times.push({ ...seen, requestedBeforePaint });
    } finally {
      await close();
    }
  }
  const distFile = (pathname) => files.find((f) => `/${f}` === pathname);
  const paintFiles = ['index.html', ...new Set(times.flatMap((t) => t.beforePaint).map(distFile).filter(Boolean))];
  const requestedFiles = [...new Set(times.flatMap((t) => t.requestedBeforePaint).map((p) => (p === '/' ? '/index.html' : p)).map(distFile).filter(Boolean))];
  const worker = wasm.filter((f) => f.startsWith('trainer-worker'));
  return {
    before_paint_files: paintFiles,
    before_paint_gzip_bytes: paintFiles.reduce((a, f) => a + gz(f), 0),
    requested_before_paint_files: requestedFiles,
    requested_before_paint_gzip_bytes: requestedFiles.reduce((a, f) => a + gz(f), 0),
    page_wasm_gzip_bytes: wasm.filter((f) => !worker.includes(f)).reduce((a, f) => a + gz(f), 0),
    worker_wasm_gzip_bytes: worker.reduce((a, f) => a + gz(f), 0),
    wasm_raw_bytes: wasm.reduce((a, f) => a + size(f), 0),
    wasm_gzip_bytes: wasm.reduce((a, f) => a + gz(f), 0),
    js_raw_bytes: js.reduce((a, f) => a + size(f), 0),
    js_gzip_bytes: js.reduce((a, f) => a + gz(f), 0),
    data_bytes: data.reduce((a, f) => a + size(f), 0),
    first_contentful_paint_ms: median(times.map((t) => t.firstPaint)),
    ready_to_train_ms: median(times.map((t) => t.ready)),
  };
}

const { origin, server } = await serve();
const plain = await serve({ isolated: false });
const origins = { isolated: origin, plain: plain.origin };
const runs = Object.fromEntries(ENGINES.map((e) => [e, []]));
const disturbed = [];
let waitedMs = 0;
for (let r = 0; r < REPEATS; r++) {
  const order = r % 2 === 0 ? ENGINES : [...ENGINES].reverse();
  for (const engine of order) {
    for (let attempt = 0; ; attempt++) {
      const quiet = await waitUntilQuiet();
      waitedMs += quiet.waitedMs;
      if (quiet.gaveUp) console.error(`the machine did not get quiet (${quiet.gaveUp}); running anyway`);
      const before = mark();
      const result = await runOnce(origins, engine);
      const others = othersCores(before);
      const noisy = others.compilers.length > 0 || others.cores >= QUIET_CORES;
      if (noisy) disturbed.push({ repeat: r + 1, engine, attempt: attempt + 1, cores: others.cores, compilers: others.compilers });
      console.error(`repeat ${r + 1}/${REPEATS} ${engine}: ${result.error ? `ERROR ${result.error}` : `${result.images_per_second.toFixed(1)} images/s`}${noisy ? ` — disturbed (others ${others.cores.toFixed(2)} cores${others.compilers.length ? `, ${others.compilers.join(', ')}` : ''})${attempt < MAX_REDOS ? ', again' : ', kept'}` : ''}`);
      if (!noisy || attempt >= MAX_REDOS) {
        runs[engine].push({ ...result, disturbed: noisy });
        break;
      }
    }
  }
}
// One more run of each of this project's engines with the per-phase and per-kernel profile (its
// extra reads would distort the timed figures above, so it is a run of its own).
const profiles = {};
if (PROFILE) {
  // The two-worker engine steps the same kernels as ours-cpu, and burn's matmul and burn's Adam are
  // peers of ours-webgpu: none of them is profiled.
  for (const engine of ENGINES.filter((e) => e.startsWith('ours-') && !['ours-cpu-2workers', 'ours-webgpu-burn-matmul', 'ours-webgpu-burn-adam'].includes(e))) {
    const result = await runOnce(origins, engine, true);
    profiles[engine] = result.profile ?? { error: result.error ?? 'no profile' };
    console.error(`profile ${engine}: ${result.error ? `ERROR ${result.error}` : 'done'}`);
  }
}
const weight = await pageWeight(origin);
server.close();
plain.server.close();

const metrics = ['images_per_second', 'first_step_ms', 'final_loss', 'peak_js_heap_bytes', 'wasm_memory_bytes', 'inference_median_ms', 'inference_p95_ms', 'inference_burn_median_ms', 'inference_copy_ms'];
const summary = Object.fromEntries(ENGINES.map((e) => {
  const ok = runs[e].filter((r) => !r.error);
  return [e, {
    engine: ok[0]?.engine ?? e,
    adapter: ok[0]?.adapter ?? '',
    repeats: ok.length,
    errors: runs[e].filter((r) => r.error).map((r) => r.error),
    ...Object.fromEntries(metrics.map((m) => [m, median(ok.map((r) => r[m]))])),
  }];
}));
const adapter = summary['ours-webgpu']?.adapter || summary['tfjs-webgpu']?.adapter || '';
const ratio = (a, b) => (summary[a] && summary[b] ? summary[a].images_per_second / summary[b].images_per_second : NaN);
// TF.js wasm in its fastest configuration on this machine: isolated (threads) or plain.
const fastestWasm = ['tfjs-wasm', 'tfjs-wasm-plain'].filter((e) => Number.isFinite(summary[e]?.images_per_second))
  .sort((a, b) => summary[b].images_per_second - summary[a].images_per_second)[0];
const headline = {
  'ours-webgpu / tfjs-webgpu': ratio('ours-webgpu', 'tfjs-webgpu'),
  'ours-webgpu / tfjs-webgl': ratio('ours-webgpu', 'tfjs-webgl'),
  'ours-webgpu / ours-webgpu-burn-matmul': ratio('ours-webgpu', 'ours-webgpu-burn-matmul'),
  'ours-webgpu / ours-webgpu-burn-adam': ratio('ours-webgpu', 'ours-webgpu-burn-adam'),
  [`ours-cpu / fastest tfjs wasm (${fastestWasm ?? 'none'})`]: fastestWasm ? ratio('ours-cpu', fastestWasm) : NaN,
  'ours-cpu / tfjs-wasm (isolated)': ratio('ours-cpu', 'tfjs-wasm'),
  'ours-cpu-2workers / ours-cpu': ratio('ours-cpu-2workers', 'ours-cpu'),
  'ours-cpu / tfjs-wasm-plain': ratio('ours-cpu', 'tfjs-wasm-plain'),
  'ours-cpu / tfjs-cpu': ratio('ours-cpu', 'tfjs-cpu'),
  'ours-cpu / tfjs-webgpu': ratio('ours-cpu', 'tfjs-webgpu'),
  'ours-cpu / tfjs-webgl': ratio('ours-cpu', 'tfjs-webgl'),
};
fs.mkdirSync(OUT, { recursive: true });
const report = { date: new Date().toISOString(), repeats: REPEATS, chromium: '/usr/bin/chromium', adapter, summary, headline, profiles, page_weight: weight, quiet: { waited_ms: waitedMs, disturbed }, runs };
fs.writeFileSync(path.join(OUT, 'browser.json'), JSON.stringify(report, null, 1));

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const mb = (x) => (Number.isFinite(x) && x > 0 ? (x / 1e6).toFixed(1) : '–');
console.log(`\nBrowser training, seed MLP, batch 64, first 2,048 MNIST images, 32 timed steps after 3 warm-up; median of ${REPEATS}.`);
console.log(`Each repeat waited for a quiet machine (no compiler, others under ${QUIET_CORES} cores; ${(waitedMs / 1000).toFixed(0)} s waited in all); ${disturbed.length} repeat(s) were disturbed${disturbed.length ? ` and done again (${disturbed.map((d) => `${d.engine} #${d.repeat}`).join(', ')})` : ''}.`);
console.log(`WebGPU adapter: ${adapter || 'none'}${/swiftshader/i.test(adapter) ? ' — a SOFTWARE adapter (SwiftShader): GPU figures here say little about real GPUs' : ''}.\n`);
console.log('| engine | images/s | first step ms | final loss | peak JS heap MB | wasm memory MB | inference median ms | inference p95 ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const e of ENGINES) {
  const s = summary[e];
  console.log(`| ${e}: ${s.engine}${s.errors.length ? ` (${s.errors.length} failed)` : ''} | ${f(s.images_per_second)} | ${f(s.first_step_ms, 0)} | ${f(s.final_loss, 3)} | ${mb(s.peak_js_heap_bytes)} | ${mb(s.wasm_memory_bytes)} | ${f(s.inference_median_ms, 2)} | ${f(s.inference_p95_ms, 2)} |`);
}
for (const e of ENGINES.filter((e) => e.startsWith('ours-'))) {
  const s = summary[e];
  if (!Number.isFinite(s.inference_burn_median_ms)) continue;
  const copy = Number.isFinite(s.inference_copy_ms) ? `; reading the weights out for the copy, once per model change: ${f(s.inference_copy_ms, 2)} ms` : '';
  console.log(`\nOne prediction on ${e} (every layer's output, as the page asks): ${f(s.inference_median_ms, 2)} ms median from the CPU copy of the weights, against ${f(s.inference_burn_median_ms, 2)} ms through burn's tensors on the device, alternating in the same run${copy}.`);
}
const split = runs['ours-cpu-2workers']?.map((r) => r.split).filter(Boolean) ?? [];
if (split.length) {
  const m = (k) => f(median(split.map((x) => x[k])), 2);
  console.log(`\nA step of ours-cpu-2workers, ms (median over repeats of the per-step means): weights read out and posted ${m('send_ms')}; this worker's half ${m('own_ms')}; then waiting for the helper ${m('wait_ms')} (the helper's own time ${m('helper_ms')}); adding the halves and Adam ${m('apply_ms')}. With the helper idle: a half batch's gradients ${m('half_alone_ms')}, the whole batch's ${m('whole_alone_ms')}.`);
}
console.log('\n| ratio (images/s) | |\n|---|---:|');
for (const [k, v] of Object.entries(headline)) console.log(`| ${k} | ${f(v, 2)}× |`);
for (const [engine, p] of Object.entries(profiles)) {
  if (p.error) {
    console.log(`\nProfile of ${engine}: ${p.error}`);
    continue;
  }
  const step = p.forward_ms + p.backward_ms + p.update_ms;
  console.log(`\nProfile of ${engine}: one step, each phase waited for (each wait includes one ${f(p.read_ms, 2)} ms read)`);
  console.log('| phase | ms | share |\n|---|---:|---:|');
  for (const [name, ms] of [['forward + loss', p.forward_ms], ['backward', p.backward_ms], ['Adam update', p.update_ms]]) {
    console.log(`| ${name} | ${f(ms, 2)} | ${f((100 * ms) / step, 0)} % |`);
  }
  console.log(`\n| kernel, alone (${engine}) | ms per call | first call ms |\n|---|---:|---:|`);
  for (const k of p.kernels) console.log(`| ${k.name} | ${f(k.ms_per_call, 3)} | ${f(k.first_call_ms, 0)} |`);
}
console.log('\n| page weight | |\n|---|---:|');
const kb = (x) => (Number.isFinite(x) ? (x / 1e3).toFixed(0) : '–');
console.log(`| the document's files fetched before first paint, zlib level 9 (${weight.before_paint_files.join(', ')}) | ${kb(weight.before_paint_gzip_bytes)} kB |`);
console.log(`| every request started before first paint, the worker's too, zlib level 9 (${weight.requested_before_paint_files.join(', ')}) | ${kb(weight.requested_before_paint_gzip_bytes)} kB |`);
console.log(`| page .wasm / worker .wasm, zlib level 9 | ${kb(weight.page_wasm_gzip_bytes)} kB / ${kb(weight.worker_wasm_gzip_bytes)} kB |`);
console.log(`| all .wasm raw / zlib level 9 | ${mb(weight.wasm_raw_bytes)} MB / ${(weight.wasm_gzip_bytes / 1e6).toFixed(2)} MB |`);
console.log(`| JS glue raw / gzip | ${(weight.js_raw_bytes / 1e3).toFixed(0)} kB / ${(weight.js_gzip_bytes / 1e3).toFixed(0)} kB |`);
console.log(`| data, MNIST and Fashion-MNIST (gzip) | ${mb(weight.data_bytes)} MB |`);
console.log(`| first contentful paint / ready to train (localhost, auto mode) | ${f(weight.first_contentful_paint_ms, 0)} ms / ${f(weight.ready_to_train_ms, 0)} ms |`);
console.log(`\nJSON: ${path.relative(root, path.join(OUT, 'browser.json'))}`);

// Soak benchmark (issue "nothing lost"): 20 epochs of the full 60,000 MNIST images on the CPU path in
// headless Chromium, with snapshots on (one after every epoch). After each epoch it records the
// trainer worker's wasm memory and JS heap, the page's JS heap, and the origin's storage use
// (IndexedDB); the goal is growth after epoch 1 under 10 %, and no error. Needs a built dist/.
//   node bench/soak.mjs [--epochs 20] [--train 60000]
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, waitUntilReady, byTestId } from '../tests/e2e/harness.mjs';
import { option } from './options.mjs';

const EPOCHS = Number(option('epochs', '20'));
const TRAIN = Number(option('train', '60000'));

const server = await startServer();
const { page, consoleErrors, close } = await openPage(server.origin);
const rows = [];
let failure = null;
try {
  await page.goto(`${server.origin}/?backend=cpu&train=${TRAIN}&epochs=${EPOCHS}`);
  await waitUntilReady(page);
  await page.click(byTestId('train-button'));
  const started = Date.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    await page.waitForFunction((args) => Number(document.querySelector(args[0])?.getAttribute('data-points')) >= args[1] && Number(document.querySelector('.progress-panel')?.dataset.wasmMemory) > 0,
      [byTestId('accuracy-chart'), epoch], { timeout: 600_000, polling: 500 });
    // The epoch's snapshot is written right after its evaluation.
    await page.waitForTimeout(300);
    const row = await page.evaluate(async () => {
      const panel = document.querySelector('.progress-panel');
      const { usage } = await navigator.storage.estimate();
      return {
        workerWasmBytes: Number(panel.dataset.wasmMemory),
        workerJsHeapBytes: Number(panel.dataset.jsHeap),
        pageJsHeapBytes: performance.memory?.usedJSHeapSize ?? 0,
        storageBytes: usage,
        accuracy: document.querySelector('[data-testid="test-accuracy"]').textContent,
        persistence: document.querySelector('[data-testid="persistence-status"]').textContent,
        error: document.querySelector('[data-testid="error-message"]')?.textContent ?? null,
      };
    });
    rows.push({ epoch, seconds: (Date.now() - started) / 1000, ...row });
    console.error(`epoch ${epoch}: ${JSON.stringify(rows.at(-1))}`);
    if (row.error) throw new Error(`the page reported an error: ${row.error}`);
  }
} catch (e) {
  failure = String(e);
} finally {
  await close();
  await server.close();
}

fs.mkdirSync(path.join('target', 'bench'), { recursive: true });
fs.writeFileSync(path.join('target', 'bench', 'soak.json'), JSON.stringify({ date: new Date().toISOString(), rows, failure, consoleErrors }, null, 2));
const mb = (b) => (b / 1024 / 1024).toFixed(1);
const growth = (key) => (rows.length > 1 && rows[0][key] > 0 ? (100 * (rows.at(-1)[key] - rows[0][key])) / rows[0][key] : NaN);
console.log('| epoch | s | worker wasm MB | worker JS heap MB | page JS heap MB | storage MB | test accuracy |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.epoch} | ${r.seconds.toFixed(0)} | ${mb(r.workerWasmBytes)} | ${mb(r.workerJsHeapBytes)} | ${mb(r.pageJsHeapBytes)} | ${mb(r.storageBytes)} | ${r.accuracy} |`);
console.log(`\ngrowth after epoch 1 → ${rows.length}: worker wasm ${growth('workerWasmBytes').toFixed(1)} %, worker JS heap ${growth('workerJsHeapBytes').toFixed(1)} %, page JS heap ${growth('pageJsHeapBytes').toFixed(1)} %, storage ${growth('storageBytes').toFixed(1)} %`);
console.log(failure ? `FAILED: ${failure}` : 'no error');

// Main-thread responsiveness while the trainer worker trains (issue: "one owner for the run"), on the
// CPU path and on WebGPU, and a drawing's prediction round trip through the worker, idle and while
// training. Needs a built dist/ (./scripts/test.sh or bench/run.sh builds it). Prints a table for
// BENCHMARKS.md and writes target/bench/responsiveness.json.
//   node bench/responsiveness.mjs [--seconds 20] [--backends cpu,webgpu]
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, waitUntilReady, byTestId } from '../tests/e2e/harness.mjs';
import { measureWhileTraining, drawStroke, predictionRoundTrips, predictionsAnswered, percentile } from '../tests/e2e/responsiveness.mjs';
import { option } from './options.mjs';

const SECONDS = Number(option('seconds', '20'));
const BACKENDS = option('backends', 'cpu,webgpu').split(',');

/** Round trips of single predictions on an idle page: 40 short strokes, each answered before the next. */
async function singleRoundTrips(page) {
  const before = await predictionsAnswered(page);
  for (let i = 0; i < 40; i++) {
    const x = 60 + (i % 8) * 20;
    await drawStroke(page, [[x, 40 + i * 4], [x + 6, 50 + i * 4]], 1);
    await page.waitForFunction((args) => Number(document.querySelector(args[0])?.dataset.answered) > args[1],
      [byTestId('prediction-latency'), before + i], { timeout: 10_000, polling: 20 }).catch(() => {});
    await page.waitForTimeout(50);
  }
  const answered = Math.min(200, (await predictionsAnswered(page)) - before);
  return (await predictionRoundTrips(page)).slice(-answered);
}

/** Many predictions while drawing one long stroke (input and painting compete on the main thread). */
async function idleRoundTrips(page) {
  const before = await predictionsAnswered(page);
  const zigzag = Array.from({ length: 40 }, (_, i) => [60 + (i % 2) * 160, 30 + i * 5.5]);
  await drawStroke(page, zigzag, 4);
  await page.waitForTimeout(500);
  const answered = Math.min(200, (await predictionsAnswered(page)) - before);
  return (await predictionRoundTrips(page)).slice(-answered);
}

const server = await startServer();
const rows = [];
for (const backend of BACKENDS) {
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=${backend}&train=${backend === 'cpu' ? 60000 : 2000}&test=100&epochs=5`);
    await waitUntilReady(page);
    const single = await singleRoundTrips(page);
    await page.click(byTestId('clear-canvas'));
    const idle = await idleRoundTrips(page);
    await page.click(byTestId('clear-canvas'));
    const training = await measureWhileTraining(page, SECONDS);
    const imagesPerSecond = Number(await page.textContent(byTestId('images-per-second')));
    rows.push({ backend, singleRoundTripsMs: single, idleRoundTripsMs: idle, imagesPerSecond, ...training });
  } finally {
    await close();
  }
}
await server.close();

fs.mkdirSync(path.join('target', 'bench'), { recursive: true });
fs.writeFileSync(path.join('target', 'bench', 'responsiveness.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');
console.log(`| path | training s | long tasks | longest task ms | longest frame gap ms | p99 frame gap ms | one prediction, idle: median / p95 ms (n) | predictions while drawing a stroke: median / p95 ms (n) | prediction while training ms | images/s |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const spread = (v) => `${f(percentile(v, 0.5), 2)} / ${f(percentile(v, 0.95), 2)} (${v.length})`;
for (const r of rows) {
  console.log(`| ${r.backend} | ${f(r.seconds)} | ${r.longTasks} | ${f(r.longestTaskMs, 0)} | ${f(r.longestFrameGapMs, 0)} | ${f(r.p99FrameGapMs, 0)} | ${spread(r.singleRoundTripsMs)} | ${spread(r.idleRoundTripsMs)} | ${r.predictionWhileTrainingMs.map((v) => f(v, 0)).join(', ')} | ${f(r.imagesPerSecond, 0)} |`);
}

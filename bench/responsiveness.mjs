// Main-thread responsiveness while the trainer worker trains (issue: "one owner for the run"), on the
// CPU path and on WebGPU, and a drawing's prediction round trip through the worker, idle and while
// training. Needs a built dist/ (./scripts/test.sh or bench/run.sh builds it). Prints a table for
// BENCHMARKS.md and writes target/bench/responsiveness.json.
//   node bench/responsiveness.mjs [--seconds 20] [--backends cpu,webgpu]
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, waitUntilReady, byTestId } from '../tests/e2e/harness.mjs';
import { measureWhileTraining, drawStroke, predictionRoundTrips, predictionsAnswered, percentile } from '../tests/e2e/responsiveness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SECONDS = Number(option('seconds', '20'));
const BACKENDS = option('backends', 'cpu,webgpu').split(',');

/** Many predictions on an idle page: one long stroke drawn slowly, one request per answered frame. */
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
    const idle = await idleRoundTrips(page);
    await page.click(byTestId('clear-canvas'));
    const training = await measureWhileTraining(page, SECONDS);
    const imagesPerSecond = Number(await page.textContent(byTestId('images-per-second')));
    rows.push({ backend, idleRoundTripsMs: idle, imagesPerSecond, ...training });
  } finally {
    await close();
  }
}
await server.close();

fs.mkdirSync(path.join('target', 'bench'), { recursive: true });
fs.writeFileSync(path.join('target', 'bench', 'responsiveness.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');
console.log(`| path | training s | long tasks | longest task ms | longest frame gap ms | p99 frame gap ms | prediction idle median / p95 ms (n) | prediction while training ms | images/s |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const idle = `${f(percentile(r.idleRoundTripsMs, 0.5), 2)} / ${f(percentile(r.idleRoundTripsMs, 0.95), 2)} (${r.idleRoundTripsMs.length})`;
  console.log(`| ${r.backend} | ${f(r.seconds)} | ${r.longTasks} | ${f(r.longestTaskMs, 0)} | ${f(r.longestFrameGapMs, 0)} | ${f(r.p99FrameGapMs, 0)} | ${idle} | ${r.predictionWhileTrainingMs.map((v) => f(v, 0)).join(', ')} | ${f(r.imagesPerSecond, 0)} |`);
}

// End-to-end: training runs in the worker, so the page keeps up while it trains — on WebGPU and on
// the CPU path — and a digit drawn meanwhile is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, waitUntilReady, ARTIFACTS } from './harness.mjs';
import { measureWhileTraining } from './responsiveness.mjs';

for (const backend of ['cpu', 'webgpu']) {
  test(`the page stays responsive while training on ${backend}; a drawing made meanwhile is read`, { timeout: 600_000 }, async () => {
    const server = await startServer();
    const { page, close } = await openPage(server.origin);
    try {
      // 30,000 images an epoch on both: WebGPU trains ≈ 500 images/s here since its register-tiled
      // matmul, so 5 epochs of 2,000 were over (and evaluating) before the 20 s were up.
      await page.goto(`${server.origin}/?backend=${backend}&train=30000&test=100&epochs=5`);
      await waitUntilReady(page);
      const figures = await measureWhileTraining(page, 20);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(path.join(ARTIFACTS, `responsiveness-${backend}.json`), JSON.stringify(figures, null, 2));
      console.log(`responsiveness on ${backend}: ${JSON.stringify(figures)}`);
      assert.match(figures.status, /^Training/, 'still training after 20 s');
      assert.ok(figures.predictionWhileTrainingMs.length > 0, 'the drawing got its prediction while training');
      // The model is the one training from scratch here, so which digit it reads is not fixed yet.
      assert.match(figures.predicted, /^\d$/, 'the drawing was read as a digit');
      assert.ok(figures.frames > 20 * 10, `the page painted ${figures.frames} frames in 20 s`);
      // The 50 ms goal is a benchmark figure (bench/responsiveness.mjs): on this 2-core machine a
      // major GC or a relayout after the scroll to the canvas, both ≈ 30–40 ms in a trace, now and
      // then meet another task and pass 50 ms with either build. Training on the main thread again
      // would block it for whole chunks and steps (hundreds of ms), which this bound still catches.
      assert.ok(figures.longestTaskMs < 150, `longest main-thread task ${figures.longestTaskMs} ms (training must not run on the page's thread)`);
    } finally {
      await close();
      await server.close();
    }
  });
}

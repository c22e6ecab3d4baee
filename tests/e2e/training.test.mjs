// End-to-end: the playground page trains the seed's MLP in headless Chromium, on WebGPU and on the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, screenshot } from './harness.mjs';

for (const backend of ['webgpu', 'cpu']) {
  test(`one epoch on ${backend}: seed-format log, >70% accuracy, charts drawn, no foreign requests`, { timeout: 900_000 }, async () => {
    const server = await startServer();
    const { page, foreign, close } = await openPage(server.origin);
    try {
      await page.goto(`${server.origin}/?train=2000&test=500&backend=${backend}`);
      await waitUntilReady(page);
      const name = await page.textContent(byTestId('backend-name'));
      assert.match(name, backend === 'webgpu' ? /^WebGPU/ : /^CPU/);

      await page.click(byTestId('train-button'));
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.textContent.includes('%'),
        byTestId('test-accuracy'),
        { timeout: 840_000, polling: 500 },
      );

      const log = await page.textContent(byTestId('train-log'));
      assert.match(log, /^Train Epoch: 0 \[0\/2000 \(0%\)\]\tLoss: \d+\.\d{6}$/m);
      assert.match(log, /^Test Accuracy of the model on the 500 test images: \d+\.\d%$/m);
      const accuracy = parseFloat(await page.textContent(byTestId('test-accuracy')));
      assert.ok(accuracy > 70, `test accuracy ${accuracy}%`);

      const lossPoints = Number(await page.getAttribute(byTestId('loss-chart'), 'data-points'));
      assert.equal(lossPoints, 32, 'one loss per batch: 2000 images / 64 = 32 batches');
      const drawn = await page.$eval(`${byTestId('loss-chart')} polyline.smooth`, (e) => e.getAttribute('points').trim().split(/\s+/).length);
      assert.ok(drawn >= 32, `smoothed loss polyline has ${drawn} points`);
      assert.equal(Number(await page.getAttribute(byTestId('accuracy-chart'), 'data-points')), 1);
      const cells = await page.$$eval(`${byTestId('confusion-matrix')} td`, (tds) => tds.map((td) => Number(td.textContent)));
      assert.equal(cells.length, 100);
      assert.equal(cells.reduce((a, b) => a + b, 0), 500);
      assert.equal(await page.$eval(byTestId('epoch-progress'), (p) => p.value), 32);

      assert.deepEqual(foreign, [], 'the page must not contact any other origin');
      await screenshot(page, `train-${backend}`);
    } finally {
      await close();
      await server.close();
    }
  });
}

test('pause stops training within a batch, step trains exactly one', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?train=20000&test=200&backend=cpu`);
    await waitUntilReady(page);
    await page.click(byTestId('step-button'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-points') === '1', byTestId('loss-chart'));
    await page.click(byTestId('train-button'));
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 20, byTestId('loss-chart'));
    await page.click(byTestId('pause-button'));
    await page.waitForTimeout(500);
    const paused = Number(await page.getAttribute(byTestId('loss-chart'), 'data-points'));
    await page.waitForTimeout(1500);
    assert.equal(Number(await page.getAttribute(byTestId('loss-chart'), 'data-points')), paused, 'no steps after Pause');
    await page.click(byTestId('step-button'));
    await page.waitForFunction((args) => Number(document.querySelector(args[0])?.getAttribute('data-points')) === args[1], [byTestId('loss-chart'), paused + 1]);
    await page.click(byTestId('reset-button'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-points') === '0', byTestId('loss-chart'));
    // Train pressed while Step's batch is still running or being saved is not lost: training goes on.
    await page.click(byTestId('step-button'));
    await page.click(byTestId('train-button'));
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 5, byTestId('loss-chart'));
    assert.match(await page.textContent(byTestId('status')), /^Training/);
  } finally {
    await close();
    await server.close();
  }
});

test('bad settings are refused next to the field; lr = 10 stops with a reason', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?train=3000&test=200&backend=cpu&lr=10&optimizer=sgd`);
    await waitUntilReady(page);
    await page.fill(byTestId('setting-batch'), '-5');
    assert.match(await page.textContent('.field.invalid .field-error'), /between 1 and/);
    await page.click(byTestId('train-button'));
    assert.match(await page.textContent(byTestId('error-message')), /Fix the settings first: Batch size — must be between 1 and/);
    assert.equal(await page.getAttribute(byTestId('loss-chart'), 'data-points'), '0');

    await page.fill(byTestId('setting-batch'), '64');
    await page.click(byTestId('train-button'));
    await page.waitForFunction((sel) => /loss became/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('error-message'), { timeout: 120_000 });
    assert.match(await page.textContent(byTestId('train-log')), /Training stopped: the loss became (NaN|inf|-inf)/);
    await screenshot(page, 'diverged');
  } finally {
    await close();
    await server.close();
  }
});

test('an over-budget network is refused with its memory estimate; the page keeps working', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=100&hidden=4096,4096,4096,4096&batch=8192`);
    await waitUntilReady(page);
    await page.click(byTestId('train-button'));
    await page.waitForSelector(byTestId('error-message'));
    const message = await page.textContent(byTestId('error-message'));
    assert.match(message, /This network needs about 4,192 MB to train \(53,600,266 parameters/);
    assert.match(message, /more than the 1,024 MB allowed on the CPU path in wasm/);
    assert.match(await page.textContent(byTestId('status')), /^Ready/);
    await page.fill(byTestId('setting-hidden'), '64');
    await page.fill(byTestId('setting-batch'), '64');
    await page.click(byTestId('step-button'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-points') === '1', byTestId('loss-chart'), { timeout: 60_000 });
  } finally {
    await close();
    await server.close();
  }
});

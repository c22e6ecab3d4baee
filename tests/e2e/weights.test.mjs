// End-to-end: the user's model is kept — download as .safetensors, restored after a reload, loaded
// back from a file; every bad file refused with a message and the model unchanged; persistence off
// without IndexedDB; a lost WebGPU device moves training to the CPU with the last saved weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, byTestId, waitUntilReady, waitUntilIdle, screenshot, beforeWorkerStarts, stepOnce, ARTIFACTS } from './harness.mjs';

const BAD = path.resolve(import.meta.dirname, '..', 'fixtures', 'weights', 'bad');

/** A fixed digit: one slanted stroke, drawn with mouse moves. */
async function drawFixedDigit(page) {
  await page.click(byTestId('clear-canvas'));
  // Mouse coordinates are the viewport's: the whole canvas must be on screen.
  await page.$eval(byTestId('draw-canvas'), (c) => c.scrollIntoView({ block: 'center' }));
  const box = await page.locator(byTestId('draw-canvas')).boundingBox();
  const points = [[120, 40], [150, 60], [150, 140], [130, 240]];
  await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
  await page.mouse.up();
}

const bars = (page) => page.$$eval(`${byTestId('prediction-bars')} [data-digit]`, (els) => els.map((e) => Number(e.dataset.probability)));

/** The bars once they show a prediction made by a model whose description matches `described`. */
async function prediction(page, described) {
  await page.waitForFunction(
    (args) => new RegExp(args[1]).test(document.querySelector(args[0])?.textContent ?? ''),
    [byTestId('predictor-description'), described.source],
    { timeout: 120_000 },
  );
  await drawFixedDigit(page);
  // The answer for the whole stroke (on a slow device, partial strokes are answered on the way).
  await page.waitForFunction((args) => document.querySelector(args[0])?.textContent !== '–' && document.querySelector(args[1])?.dataset.busy === 'false',
    [byTestId('predicted-digit'), byTestId('prediction-bars')], { timeout: 60_000 });
  return bars(page);
}

function assertSameBars(a, b, tolerance, what) {
  assert.equal(a.length, 10);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  assert.ok(worst <= tolerance, `${what}: bars differ by ${worst} (${a} vs ${b})`);
}

/** The GPU drills' start: one step on WebGPU, saved; returns that model's prediction of the fixed digit. */
async function oneSavedStepOnWebGpu(page, origin) {
  await page.goto(`${origin}/?backend=webgpu&train=256&test=100&hidden=32,16&debug=device-lost`);
  await waitUntilReady(page);
  assert.match(await page.textContent(byTestId('backend-name')), /^WebGPU/);
  await stepOnce(page, 1);
  await page.waitForFunction((sel) => /step 1/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('persistence-status'), { timeout: 60_000 });
  return prediction(page, /model trained here \(1 step,/);
}

async function upload(page, file) {
  await page.setInputFiles(byTestId('upload-weights'), file);
}

async function dismissError(page) {
  if (await page.$(byTestId('error-message'))) await page.click(`${byTestId('error-message')} .dismiss`);
}

test('train, download, reload restores it, start fresh, upload it back, bad files refused', { timeout: 600_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    const url = `${server.origin}/?backend=cpu&train=640&test=200&hidden=64,32`;
    const plain = `${server.origin}/?backend=cpu&train=640&test=200`;
    await page.goto(url);
    await waitUntilReady(page);
    for (let i = 1; i <= 3; i++) await stepOnce(page, i);
    await page.waitForFunction((sel) => /step 3/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('persistence-status'), { timeout: 30_000 });
    const trained = await prediction(page, /model trained here \(3 steps/);

    // Download: PyTorch names and shapes of this 784-64-32-10 network.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(byTestId('download-weights'))]);
    assert.equal(download.suggestedFilename(), 'backprop-playground-mnist.safetensors');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const saved = path.join(ARTIFACTS, 'backprop-playground-mnist.safetensors');
    await download.saveAs(saved);
    const bytes = fs.readFileSync(saved);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    assert.deepEqual(header['fc1.weight'].shape, [64, 784]);
    assert.deepEqual(header['fc3.weight'].shape, [10, 32]);
    assert.equal(header['fc3.bias'].dtype, 'F32');
    assert.equal(header.__metadata__.hidden_sizes, '64,32');
    assert.equal(Object.keys(header).filter((k) => k !== '__metadata__').length, 6);

    // Reload: the run comes back (weights, position, history) and predicts the same.
    await page.reload();
    await waitUntilIdle(page);
    const note = await page.textContent(byTestId('restored-note'));
    assert.match(note, /Restored model from this browser \(saved .*, epoch 0, step 3\)/);
    assert.equal(Number(await page.getAttribute(byTestId('loss-chart'), 'data-points')), 3);
    assert.equal(await page.inputValue(byTestId('setting-hidden')), '64,32');
    assertSameBars(await prediction(page, /model trained here \(3 steps/), trained, 1e-4, 'after reload');
    // The restored run carries on from step 3.
    await stepOnce(page, 4);
    await screenshot(page, 'weights-restored');

    // Start fresh: back to the pretrained model; nothing restored on the next load.
    await page.click(byTestId('start-fresh'));
    await page.waitForFunction((sel) => !document.querySelector(sel), byTestId('restored-note'));
    const pretrained = await prediction(page, /pretrained model/);
    await page.goto(plain);
    await waitUntilReady(page);
    assert.equal(await page.$(byTestId('restored-note')), null);

    // Upload the downloaded file: the same prediction as the model that was downloaded.
    await upload(page, saved);
    await page.waitForFunction((sel) => /Loaded/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('weights-status'), { timeout: 60_000 });
    const uploaded = await prediction(page, /uploaded backprop-playground-mnist\.safetensors/);
    assert.equal(await page.inputValue(byTestId('setting-hidden')), '64,32', 'the form shows the loaded network');
    assertSameBars(uploaded, trained, 1e-4, 'after upload');
    assert.ok(Math.max(...uploaded.map((v, i) => Math.abs(v - pretrained[i]))) > 1e-3, 'the uploaded model is not the pretrained one');

    // Every bad file: a message naming the problem, and the model (its prediction) unchanged.
    const reasons = {
      'not-safetensors.safetensors': /not a valid safetensors file/,
      'truncated.safetensors': /not a valid safetensors file/,
      'lying-offsets.safetensors': /not a valid safetensors file/,
      'huge-header.safetensors': /150000000-byte header/,
      'wrong-shape.safetensors': /`fc1\.weight` has shape \[8, 780\]; expected \[8, 784\]/,
      'nine-outputs.safetensors': /`fc2\.weight` has shape \[9, 8\]; expected \[10, 8\]/,
      'float64.safetensors': /`fc2\.bias` is F64; expected float32/,
      'missing-bias.safetensors': /`fc2\.bias` is missing/,
      'extra-tensor.safetensors': /`conv1\.weight`/,
      'nan.safetensors': /`fc1\.weight` contains NaN or infinite values/,
      'infinite.safetensors': /`fc2\.bias` contains NaN or infinite values/,
    };
    assert.deepEqual(Object.keys(reasons).sort(), fs.readdirSync(BAD).sort(), 'a case for every fixture');
    for (const [name, reason] of Object.entries(reasons)) {
      await dismissError(page);
      await upload(page, path.join(BAD, name));
      await page.waitForSelector(byTestId('error-message'), { timeout: 30_000 });
      const message = await page.textContent(byTestId('error-message'));
      assert.ok(message.includes(`“${name}” was not loaded`), `${name}: ${message}`);
      assert.match(message, reason, name);
      assert.match(message, /Your current model is unchanged/);
      assert.match(await page.textContent(byTestId('predictor-description')), /uploaded backprop-playground-mnist/);
    }
    await screenshot(page, 'weights-bad-file');
    assertSameBars(await prediction(page, /uploaded backprop-playground-mnist/), trained, 1e-4, 'after every bad file');

    // Too large to read: refused from the size and the first 8 bytes (dropped on the drop zone).
    const dropped = async (name, size, headerClaim) => {
      await dismissError(page);
      await page.evaluate(([name, size, headerClaim]) => {
        const head = new DataView(new ArrayBuffer(8));
        head.setBigUint64(0, BigInt(headerClaim), true);
        const file = new File([head.buffer, new Uint8Array(size - 8)], name);
        const transfer = new DataTransfer();
        transfer.items.add(file);
        document.querySelector('[data-testid="weights-drop-zone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, [name, size, headerClaim]);
      await page.waitForSelector(byTestId('error-message'), { timeout: 30_000 });
      return page.textContent(byTestId('error-message'));
    };
    assert.match(await dropped('huge.safetensors', 210 * 1024 * 1024, 100), /larger than 200 MB are refused/);
    assert.match(await dropped('big-header.safetensors', 120 * 1000 * 1000, 110 * 1000 * 1000), /headers over 100 MB are refused/);
    assert.match(await page.textContent(byTestId('predictor-description')), /uploaded backprop-playground-mnist/);
  } catch (e) {
    await screenshot(page, 'weights-failure');
    throw e;
  } finally {
    await close();
    await server.close();
  }
});

test('without IndexedDB the page says persistence is off and still trains', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin, { bypassCSP: true });
  try {
    // IndexedDB is used by the trainer's worker, so it is taken away there.
    await beforeWorkerStarts(page, `Object.defineProperty(self, 'indexedDB', {
      get() { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); },
    });`);
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=200`);
    await waitUntilReady(page);
    await page.waitForFunction((sel) => /Persistence is off/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('persistence-status'), { timeout: 30_000 });
    assert.match(await page.textContent(byTestId('persistence-status')), /IndexedDB is blocked .*SecurityError|denied/);
    await stepOnce(page, 1);
    await stepOnce(page, 2);
    assert.match(await page.textContent(byTestId('persistence-status')), /Persistence is off/);
  } finally {
    await close();
    await server.close();
  }
});

test('a full disk turns persistence off with the reason; training goes on', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin, { bypassCSP: true });
  try {
    await beforeWorkerStarts(page, `IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };`);
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=200`);
    await waitUntilReady(page);
    await stepOnce(page, 1);
    await page.waitForFunction((sel) => /Persistence is off: the storage write failed \(.*The quota has been exceeded/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('persistence-status'), { timeout: 30_000 });
    await stepOnce(page, 2);
    assert.match(await page.textContent(byTestId('predictor-description')), /model trained here \(2 steps/);
  } finally {
    await close();
    await server.close();
  }
});

test('a lost WebGPU device moves training to the CPU with the last saved weights', { timeout: 900_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin);
  try {
    const onGpu = await oneSavedStepOnWebGpu(page, server.origin);

    // With the network view closed nothing reads the GPU after the loss (no tiles, no drawing, no
    // step): only the device's own `lost` promise can tell the trainer.
    await page.click(`${byTestId('network-view')} > summary`);
    assert.equal(await page.$eval(byTestId('network-view'), (d) => d.open), false);
    await page.click(byTestId('simulate-device-lost'));
    await page.waitForFunction((sel) => /destroyed 1 WebGPU device/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('weights-status'));
    await page.waitForFunction((sel) => /GPU stopped working/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('error-message'), { timeout: 60_000 });
    const message = await page.textContent(byTestId('error-message'));
    assert.match(message, /^The GPU stopped working \(.*destroyed.*\)\. Training moved to the CPU with the last saved weights \(step 1, epoch 0\)/i);
    assert.match(await page.textContent(byTestId('backend-name')), /^CPU/);
    assertSameBars(await prediction(page, /model trained here \(1 step,/), onGpu, 1e-3, 'CPU after the loss vs WebGPU before it');
    await screenshot(page, 'device-lost');

    // Training goes on, on the CPU.
    await dismissError(page);
    await stepOnce(page, 2);
    assert.match(await page.textContent(byTestId('predictor-description')), /model trained here \(2 steps/);
    assert.ok(!consoleErrors.some((e) => /panicked|RuntimeError: unreachable/.test(e)), consoleErrors.join('\n'));
  } finally {
    await close();
    await server.close();
  }
});

test('Reset keeps the trained run in recent models; Undo and Restore (after a reload) bring back the same prediction', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=200&hidden=64,32`);
    await waitUntilReady(page);
    for (let i = 1; i <= 3; i++) await stepOnce(page, i);
    const trained = await prediction(page, /model trained here \(3 steps/);

    await page.click(byTestId('reset-button'));
    await page.waitForSelector(byTestId('undo'));
    assert.match(await page.textContent(byTestId('undo-offer')), /before “Reset” \(3 steps\)/);
    assert.match(await page.textContent(byTestId('recent-model')), /before “Reset”: step 3, epoch 0 · 784-64-32-10, Adam/);
    const pretrained = await prediction(page, /pretrained model/);
    assert.ok(Math.max(...pretrained.map((v, i) => Math.abs(v - trained[i]))) > 1e-3, 'Reset predicts with the pretrained model');

    await page.click(byTestId('undo'));
    assertSameBars(await prediction(page, /model trained here \(3 steps/), trained, 1e-4, 'after Undo');
    assert.equal(await page.$(byTestId('undo')), null, 'nothing left to undo');
    await screenshot(page, 'recent-models');

    // Forgotten again, then a reload: the recent model comes back from IndexedDB.
    await page.click(byTestId('reset-button'));
    await page.waitForSelector(byTestId('undo'));
    await page.reload();
    await waitUntilReady(page);
    const restorable = page.locator(`${byTestId('recent-model')}[data-steps="3"] ${byTestId('restore-recent')}`).first();
    await restorable.click();
    assertSameBars(await prediction(page, /model trained here \(3 steps/), trained, 1e-4, 'restored from recent models after a reload');
    assert.equal(await page.inputValue(byTestId('setting-hidden')), '64,32');
  } finally {
    await close();
    await server.close();
  }
});

test('a crash of the trainer (as an uncaught WebGPU error) restarts it on the CPU with the saved run', { timeout: 600_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin);
  try {
    const before = await oneSavedStepOnWebGpu(page, server.origin);

    await page.click(byTestId('simulate-crash'));
    // A drawing made as it dies: its request may go to the dying worker and never be answered; the
    // page must not keep waiting for it once the new worker runs.
    await drawFixedDigit(page);
    await page.waitForFunction((sel) => /restarted on the CPU/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('error-message'), { timeout: 60_000 });
    assert.match(await page.textContent(byTestId('error-message')), /^The trainer stopped unexpectedly \(.*simulated uncaught WebGPU error.*\)\. It has restarted on the CPU with the run saved in this browser\./);
    await page.waitForFunction((sel) => /^CPU/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('backend-name'), { timeout: 120_000 });
    await waitUntilIdle(page);
    assert.match(await page.textContent(byTestId('restored-note')), /step 1\)/);
    assertSameBars(await prediction(page, /model trained here \(1 step,/), before, 1e-3, 'CPU after the crash vs WebGPU before it');
    await dismissError(page);
    await stepOnce(page, 2);
    assert.ok(consoleErrors.some((e) => /simulated uncaught WebGPU error/.test(e)), 'the crash was real');
  } finally {
    await close();
    await server.close();
  }
});

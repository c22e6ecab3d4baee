// End-to-end: drawing with real pointer events, the pretrained model's prediction, teach-back and
// fine-tuning; the backprop page's worked example and gradient checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, waitUntilIdle, screenshot, draw } from './harness.mjs';


const predicted = (page) => page.textContent(byTestId('predicted-digit'));
const bars = (page) => page.$$eval(`${byTestId('prediction-bars')} [data-digit]`, (els) => els.map((e) => Number(e.dataset.probability)));

async function waitForPrediction(page, digit) {
  await page.waitForFunction((args) => document.querySelector(args[0])?.textContent === args[1] && document.querySelector(args[2])?.dataset.busy === 'false',
    [byTestId('predicted-digit'), String(digit), byTestId('prediction-bars')], { timeout: 30_000 }).catch(() => {});
  return predicted(page);
}

/**
 * `data-busy` of the bars right after a stroke, before any animation frame: a test waiting for
 * "answered and not busy" must never take the answer for the drawing as it was. Events are
 * dispatched in one task; a try that a frame interrupted is done again.
 */
async function busyBeforeNextFrame(page) {
  return page.evaluate(async (args) => {
    const canvas = document.querySelector(args[0]);
    const box = canvas.getBoundingClientRect();
    const busy = () => document.querySelector(args[1])?.dataset.busy;
    for (let attempt = 0; attempt < 20; attempt++) {
      while (busy() !== 'false') await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      let framed = false;
      requestAnimationFrame(() => { framed = true; });
      const at = (x, y) => ({ clientX: box.x + x, clientY: box.y + y, pointerId: 1, isPrimary: true, buttons: 1, bubbles: true });
      canvas.dispatchEvent(new PointerEvent('pointerdown', at(150, 50)));
      canvas.dispatchEvent(new PointerEvent('pointermove', at(151, 60 + attempt)));
      canvas.dispatchEvent(new PointerEvent('pointerup', at(151, 60 + attempt)));
      // Leptos runs its effects as microtasks; a zero timeout lets them all finish.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (!framed) return busy();
    }
    return 'every try was interrupted by a frame';
  }, [byTestId('draw-canvas'), byTestId('prediction-bars')]);
}

test('draw a 1 and a 0 with the pretrained model; clear; teach back and fine-tune', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=2000&test=200`);
    await waitUntilReady(page);
    assert.match(await page.textContent(byTestId('predictor-description')), /pretrained model \(3 epochs, 97\.\d% test accuracy\)/);

    await draw(page, [[[140, 40], [138, 140], [136, 240]]]);
    assert.equal(await waitForPrediction(page, 1), '1', 'a vertical stroke reads as 1');
    assert.equal(await page.getAttribute(byTestId('model-input-preview'), 'data-empty'), 'false');
    const p1 = await bars(page);
    assert.equal(p1.length, 10);
    assert.ok(Math.abs(p1.reduce((a, b) => a + b, 0) - 1) < 0.01);
    assert.match(await page.textContent(byTestId('prediction-latency')), /\d+\.\d ms/);
    assert.equal(await busyBeforeNextFrame(page), 'true', 'a new stroke marks the bars busy at once, not a frame later');
    assert.equal(await waitForPrediction(page, 1), '1');

    await page.click(byTestId('clear-canvas'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.empty === 'true', byTestId('model-input-preview'));

    const ring = Array.from({ length: 33 }, (_, i) => {
      const a = (i / 32) * 2 * Math.PI;
      return [140 + 60 * Math.sin(a), 140 - 95 * Math.cos(a)];
    });
    await draw(page, [ring]);
    assert.equal(await waitForPrediction(page, 0), '0', 'a ring reads as 0');
    await screenshot(page, 'draw-zero');

    // Teach it that this ring is a 6, then fine-tune: the probability of 6 must rise.
    const before = await bars(page);
    await page.click(byTestId('label-digit-6'));
    assert.equal(await page.$$eval(`${byTestId('my-digits')} canvas`, (c) => c.length), 1);
    await page.click(byTestId('fine-tune'));
    await page.waitForFunction((sel) => /Fine-tuned/.test(document.querySelector('.draw-message')?.textContent ?? ''), null, { timeout: 120_000 });
    await page.waitForFunction((args) => Number(document.querySelector(`${args[0]} [data-digit="6"]`)?.dataset.probability) > args[1] + 0.05, [byTestId('prediction-bars'), before[6]], { timeout: 30_000 });
    const after = await bars(page);
    assert.ok(after[6] > before[6], `p(6) ${before[6]} → ${after[6]}`);

    // My digits survive a reload (and so does the fine-tuned model, restored from this browser).
    await page.reload();
    await waitUntilIdle(page);
    assert.match(await page.textContent(byTestId('restored-note')), /Restored model from this browser/);
    assert.equal(await page.$$eval(`${byTestId('my-digits')} canvas`, (c) => c.length), 1);
    await page.click(byTestId('clear-my-digits'));
  } finally {
    await close();
    await server.close();
  }
});

test('a digit drawn while the data downloads is read by the pretrained model at once', { timeout: 300_000 }, async () => {
  // The training images are held back, as a slow classroom network would: the page is still loading.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const server = await startServer({ hold: (pathname) => (pathname.endsWith('/data/train-images-idx3-ubyte.gz') ? held : undefined) });
  const { page, close, consoleErrors } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=2000&test=200`);
    await page.waitForFunction((sel) => /pretrained model/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('predictor-description'), { timeout: 60_000 });
    await draw(page, [[[140, 40], [138, 140], [136, 240]]]);
    assert.equal(await waitForPrediction(page, 1), '1', 'a vertical stroke reads as 1 before the data is in');
    assert.doesNotMatch(await page.textContent(byTestId('status')), /^Ready/, 'still downloading');
    assert.equal((await page.textContent(byTestId('backend-name'))).trim(), 'backend chosen after the download', 'the chip does not claim a choice is under way');
    assert.equal(await page.evaluate(() => document.querySelector('.draw-message')?.textContent ?? ''), '', 'no "still loading" message stays behind');
    await screenshot(page, 'draw-while-loading', { fullPage: false });

    const answered = async () => Number(await page.getAttribute(byTestId('prediction-latency'), 'data-answered'));
    const early = await answered();
    release();
    await waitUntilReady(page);
    assert.match(await page.textContent(byTestId('predictor-description')), /pretrained model \(3 epochs/);
    // The prepared trainer announces its model; the page asks again and gets the same answer.
    await page.waitForFunction((args) => Number(document.querySelector(args[0])?.dataset.answered) > args[1], [byTestId('prediction-latency'), early], { timeout: 30_000 });
    assert.equal(await waitForPrediction(page, 1), '1', 'the same answer from the model on the chosen device');
    assert.deepEqual(consoleErrors, []);
  } finally {
    release();
    await close();
    await server.close();
  }
});

for (const backend of ['cpu', 'webgpu']) {
  test(`backprop page on ${backend}: worked example numbers and green gradient checks`, { timeout: 400_000 }, async () => {
    const server = await startServer();
    const { page, close } = await openPage(server.origin);
    try {
      await page.goto(`${server.origin}/?backend=${backend}&train=1000&test=100`);
      await waitUntilReady(page);
      // The article's defaults: z = −0.71, ŷ = σ(−0.71), L = ½(1 − ŷ)².
      const value = async (id) => Number(await page.getAttribute(byTestId(`example-${id}`), 'data-value'));
      const yhat = 1 / (1 + Math.exp(0.71));
      const g = (yhat - 1) * yhat * (1 - yhat);
      assert.ok(Math.abs((await value('z')) + 0.71) < 1e-9);
      assert.ok(Math.abs((await value('yhat')) - yhat) < 1e-9);
      assert.ok(Math.abs((await value('loss')) - 0.5 * (1 - yhat) ** 2) < 1e-9);
      assert.ok(Math.abs((await value('dw1')) - g * 0.5) < 1e-9);
      assert.ok(Math.abs((await value('dw2')) - g * -1.2) < 1e-9);
      assert.ok(Math.abs((await value('w1-new')) - (0.3 - 0.5 * g * 0.5)) < 1e-9);
      assert.match(await page.textContent(byTestId('example-b-new')), /^-?\d+\.\d{4,}$/);
      // Editing an input recomputes.
      await page.fill(byTestId('example-x1'), '2');
      await page.waitForFunction((sel) => Math.abs(Number(document.querySelector(sel)?.dataset.value) + 0.26) < 1e-9, byTestId("example-z")); // 2·0.3 − 1.2·0.8 + 0.1

      // Phases 1 and 2 list every layer (fc1…fc4) with values and norms.
      await page.click(byTestId('phase-2'));
      await page.waitForSelector('.phase-body tbody tr', { timeout: 300_000 });
      assert.equal(await page.$$eval('.phase-body tbody tr', (rows) => rows.length), 4);
      // Phase 4 of the stepper: every gradient check is green.
      await page.click(byTestId('phase-4'));
      assert.equal(await page.getAttribute(byTestId('phase-4'), 'aria-current'), 'step');
      await page.waitForSelector(byTestId('mlp-grad-check'), { timeout: 300_000 });
      const checks = await page.$$eval(byTestId('mlp-grad-check'), (els) => els.map((e) => [e.dataset.ok, e.textContent]));
      assert.equal(checks.length, 3);
      for (const [ok, text] of checks) assert.equal(ok, 'true', text);
      const delta = (await page.getAttribute(byTestId('mlp-delta4'), 'data-values')).split(',').map(Number);
      assert.equal(delta.length, 10);
      assert.ok(Math.abs(delta.reduce((a, b) => a + b, 0)) < 1e-4, 'p − onehot sums to 0');
      await page.click(byTestId('phase-next'));
      assert.equal(await page.getAttribute(byTestId('phase-5'), 'aria-current'), 'step');
      // Step 5 on a copy with a fresh Adam: burn's update equals the step written out on the page.
      await page.click(byTestId('apply-copy'));
      await page.waitForFunction((sel) => /[✔✘]/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('apply-result'), { timeout: 120_000 });
      assert.match(await page.textContent(byTestId('apply-result')), /✔$/);
      await screenshot(page, `backprop-${backend}`);
    } finally {
      await close();
      await server.close();
    }
  });
}

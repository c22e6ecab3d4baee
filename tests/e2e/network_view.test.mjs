// End-to-end: the network view. The weight grid changes while training runs; the activation strips
// change while the user draws and show each cell's value; clicking a tile shows that unit large.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, screenshot, draw } from './harness.mjs';


/** A canvas's pixels, hashed (FNV-1a), with its size. */
const canvasHash = (page, id) => page.$eval(byTestId(id), (c) => {
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < data.length; i += 1) h = Math.imul(h ^ data[i], 16777619) >>> 0;
  return `${c.width}x${c.height}:${h}`;
});

const gridVersion = (page) => page.getAttribute(byTestId('weight-grid'), 'data-version');

test('the weight grid follows training; the strips follow the drawing', { timeout: 400_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    // 50 epochs of 3,000 images: long enough that the run is still going when the test pauses it
    // (3 epochs took about 3 s on the fused CPU path and were over before the click).
    await page.goto(`${server.origin}/?backend=cpu&train=3000&test=200&epochs=50`);
    await waitUntilReady(page);
    assert.match(await page.textContent(byTestId('network-diagram')), /784.*512.*256.*128.*10/s, 'the diagram has the settings\' layer sizes');
    // The weights are read and painted while the grid is on screen (scrolling to it asks for them).
    await page.locator(byTestId('weight-grid')).scrollIntoViewIfNeeded();
    await page.waitForFunction((id) => document.querySelector(id)?.dataset.version, byTestId('weight-grid'), { timeout: 30_000 });
    await page.waitForFunction((id) => document.querySelector(id)?.width === 927, byTestId('weight-grid'), { timeout: 10_000 });
    const pretrained = await canvasHash(page, 'weight-grid');
    assert.match(pretrained, /^927x463:/, '512 tiles of 28×28, 32 across');

    // Draw a 7; every strip gets its layer's values.
    await draw(page, [[[60, 50], [220, 50], [120, 250]]]);
    await page.waitForFunction((id) => document.querySelectorAll(id).length === 3, '[data-testid^="activation-strip-"]', { timeout: 30_000 });
    const strips = async () => Promise.all([0, 1, 2].map((i) => canvasHash(page, `activation-strip-${i}`)));
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="output-strip"] li')].some((li) => Number(li.dataset.probability) > 0.2), null, { timeout: 30_000 });
    const seven = await strips();
    const outputs = await page.$$eval(`${byTestId('output-strip')} li`, (els) => els.map((e) => Number(e.dataset.probability)));
    assert.equal(outputs.length, 10);
    assert.ok(Math.abs(outputs.reduce((a, b) => a + b, 0) - 1) < 0.01, `probabilities sum to 1: ${outputs}`);
    const bars = await page.$$eval(`${byTestId('prediction-bars')} [data-digit]`, (els) => els.map((e) => Number(e.dataset.probability)));
    assert.deepEqual(outputs.map((p) => p.toFixed(3)), bars.map((p) => p.toFixed(3)), 'the output strip is the drawing panel\'s bars');

    // Focus a strip and move along it: the readout names the cell and its value.
    await page.focus(byTestId('activation-strip-0'));
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent(byTestId('activation-readout')), /Hidden layer 1, unit 1: (0|-?\d+\.\d{4})$/);
    await page.locator(byTestId('activation-strip-1')).scrollIntoViewIfNeeded();
    const strip = await page.locator(byTestId('activation-strip-1')).boundingBox();
    await page.mouse.move(strip.x + 3, strip.y + 3);
    assert.match(await page.textContent(byTestId('activation-readout')), /Hidden layer 2, unit 0: /);

    // Add a stroke: the strips change.
    await draw(page, [[[90, 150], [190, 150]]]);
    let changed = false;
    for (let i = 0; i < 60 && !changed; i += 1) {
      await page.waitForTimeout(250);
      changed = JSON.stringify(await strips()) !== JSON.stringify(seven);
    }
    assert.ok(changed, 'the activation strips change while drawing');

    // Click a tile: the unit appears large with its bias and its output for the drawing.
    await page.locator(byTestId('weight-grid')).scrollIntoViewIfNeeded();
    const grid = await page.locator(byTestId('weight-grid')).boundingBox();
    await page.mouse.click(grid.x + grid.width * (3.5 / 32), grid.y + grid.height * (1.5 / 16));
    await page.waitForSelector(`${byTestId('selected-unit')}:not([hidden])`);
    assert.match(await page.textContent(byTestId('selected-unit')), /Unit 35: bias -?\d+\.\d{4}; its output for your drawing \(after ReLU\): (0|\d+\.\d{4})/);
    await screenshot(page, 'network-view-pretrained', { fullPage: true });

    // A test image instead of the drawing: the strips change to it and say which one it is.
    const drawn = await strips();
    assert.equal(await page.textContent(byTestId('inspected-source')), 'Showing: your drawing.');
    await page.click(byTestId('inspect-test-image'));
    await page.waitForFunction((id) => /test image 0/.test(document.querySelector(id)?.textContent ?? ''), byTestId('inspected-source'), { timeout: 30_000 });
    assert.match(await page.textContent(byTestId('inspected-source')), /^Showing: test image 0 \(true class: 7\)\.$/);
    let moved = false;
    for (let i = 0; i < 40 && !moved; i += 1) {
      await page.waitForTimeout(100);
      moved = JSON.stringify(await strips()) !== JSON.stringify(drawn);
    }
    assert.ok(moved, 'the strips show the test image');
    await page.click(byTestId('inspect-test-image'));
    await page.waitForFunction((id) => /test image 1 /.test(document.querySelector(id)?.textContent ?? ''), byTestId('inspected-source'), { timeout: 30_000 });

    // Train: the grid changes while training runs (every few batches), not only at the end.
    const before = await gridVersion(page);
    await page.click(byTestId('train-button'));
    await page.locator(byTestId('weight-grid')).scrollIntoViewIfNeeded();
    await page.waitForFunction((id) => document.querySelector(id)?.textContent.includes('Training'), byTestId('status'), { timeout: 30_000 });
    const seen = new Set();
    for (let i = 0; i < 80 && seen.size < 3; i += 1) {
      await page.waitForTimeout(250);
      const status = await page.textContent(byTestId('status'));
      // Each epoch ends with an evaluation; the run is over only when it stops.
      if (!/Training|Evaluating/.test(status)) break;
      seen.add(await canvasHash(page, 'weight-grid'));
    }
    assert.ok(seen.size >= 2, `the grid changed during training (${seen.size} different pictures)`);
    assert.notEqual(await gridVersion(page), before);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.locator(byTestId('network-view')).scrollIntoViewIfNeeded();
    await screenshot(page, 'network-view-training-1280', { fullPage: false });
    await page.click(byTestId('pause-button'));
    await page.waitForFunction((id) => /Paused/.test(document.querySelector(id)?.textContent ?? ''), byTestId('status'), { timeout: 60_000 });
    await screenshot(page, 'network-view-after', { fullPage: true });

    // Closing the view stops the tiles.
    await page.click(`${byTestId('network-view')} > summary`);
    assert.equal(await page.$eval(byTestId('network-view'), (d) => d.open), false);
  } finally {
    await close();
    await server.close();
  }
});

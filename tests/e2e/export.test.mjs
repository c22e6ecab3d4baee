// End-to-end: every export downloads a file with the right content: the CSVs parse to the numbers
// the page shows, the log is the log, the charts are SVG and PNG as drawn, and names say which run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, byTestId, waitUntilReady, waitForStatus, ARTIFACTS } from './harness.mjs';

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click(byTestId(testid))]);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

const csv = (bytes) => bytes.toString('utf8').trim().split('\n').map((l) => l.split(','));

test('metrics as CSV, the log as text, both charts as SVG and PNG, the weight grid as PNG, named after the run; the profiler', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin);
  try {
    // 640 images, batch 64: 10 steps an epoch; 6 epochs give the profiler its sample (one in 50).
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=100&epochs=6`);
    await waitUntilReady(page);
    await page.click(byTestId('train-button'));
    await waitForStatus(page, /^Finished/, 200_000);
    const stem = /^backprop-playground_784-512-256-128-10_adam_lr0\.001_batch64_\d{4}-\d\d-\d\d_\d{4}_/;

    const losses = await download(page, 'export-losses');
    assert.match(losses.name, new RegExp(stem.source + 'losses\\.csv$'));
    const rows = csv(losses.bytes);
    assert.deepEqual(rows[0], ['step', 'epoch', 'loss', 'smoothed_loss']);
    assert.equal(rows.length - 1, Number(await page.getAttribute(byTestId('loss-chart'), 'data-points')));
    assert.equal(rows.length - 1, 60);
    assert.ok(rows.slice(1).every((r, i) => Number(r[0]) === i + 1 && Number(r[1]) === Math.floor(i / 10) + 1 && Number(r[2]) > 0 && Number(r[3]) > 0), 'every step, its epoch, positive losses');

    const epochs = csv((await download(page, 'export-epochs')).bytes);
    assert.equal(epochs.length, 7);
    const shown = parseFloat(await page.textContent(byTestId('test-accuracy')));
    assert.ok(Math.abs(Number(epochs[6][1]) * 100 - shown) < 0.051, `${epochs[6][1]} vs ${shown}%`);

    const confusion = csv((await download(page, 'export-confusion')).bytes);
    assert.equal(confusion.length, 11);
    assert.ok(confusion.every((r) => r.length === 11));
    const total = confusion.slice(1).flatMap((r) => r.slice(1).map(Number)).reduce((a, b) => a + b, 0);
    assert.equal(total, 100, 'every test image counted once');

    const log = (await download(page, 'export-log')).bytes.toString('utf8');
    assert.equal(log.trim(), (await page.textContent(byTestId('train-log'))).trim());
    assert.match(log, /Test Accuracy/);

    for (const [chart, title] of [['loss', 'Training loss per batch'], ['accuracy', 'Test accuracy per epoch']]) {
      const svg = await download(page, `export-${chart}-svg`);
      assert.match(svg.name, new RegExp(`${stem.source}${chart}-chart\\.svg$`));
      const text = svg.bytes.toString('utf8');
      assert.match(text, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(text.includes(title) && text.includes('<polyline') && text.includes('class="tick"') && text.includes('<style>'), `${chart}: title, series, axes, styles`);
      const png = await download(page, `export-${chart}-png`);
      assert.match(png.name, new RegExp(`${chart}-chart\\.png$`));
      assert.deepEqual([...png.bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG file');
      assert.equal(png.bytes.readUInt32BE(16), 1120, 'twice the chart width');
      fs.mkdirSync(path.join(ARTIFACTS, 'screens'), { recursive: true });
      fs.writeFileSync(path.join(ARTIFACTS, 'screens', `exported-${chart}-chart.png`), png.bytes);
    }
    assert.match(await page.textContent(byTestId('export-status')), /^Saved backprop-playground_/);

    // The weight grid as drawn in the network view: 512 tiles of 28×28, three times their size, under a title.
    // The weights are read while the grid is on screen.
    await page.locator(byTestId('weight-grid')).scrollIntoViewIfNeeded();
    await page.waitForFunction((id) => document.querySelector(id)?.dataset.version, byTestId('weight-grid'), { timeout: 30_000 });
    await page.locator(byTestId('export-weight-grid')).scrollIntoViewIfNeeded();
    const grid = await download(page, 'export-weight-grid');
    assert.match(grid.name, new RegExp(stem.source + 'weight-grid\\.png$'));
    assert.deepEqual([...grid.bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG file');
    assert.deepEqual([grid.bytes.readUInt32BE(16), grid.bytes.readUInt32BE(20)], [927 * 3, 463 * 3 + 44]);
    fs.writeFileSync(path.join(ARTIFACTS, 'screens', 'exported-weight-grid.png'), grid.bytes);

    // The profiler sampled a step: its phases, the read time, the speed, the backend and the cost.
    for (const id of ['profile-forward', 'profile-backward', 'profile-update', 'profile-read']) {
      assert.match(await page.textContent(byTestId(id)), /^\d+\.\d\d ms/, id);
    }
    assert.match(await page.textContent(byTestId('profile-speed')), /^\d+$/);
    assert.equal(await page.textContent(byTestId('profile-backend')), 'CPU (wasm)');
    assert.match(await page.textContent(byTestId('profile-cost')), /One step in 50 .* about (< 0\.1|\d+\.\d) % of training time/);
    await page.$eval('.panel.profiler', (e) => e.scrollIntoView({ block: 'center' }));
    await page.locator('.panel.profiler').screenshot({ path: path.join(ARTIFACTS, 'screens', 'profiler.png') });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await close();
    await server.close();
  }
});

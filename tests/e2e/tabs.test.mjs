// End-to-end: each tab keeps its own run (a new tab starts from a copy of the latest), a tab sees when
// another is training, and a saved record that cannot be read is kept and offered for download.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, byTestId, waitUntilReady, waitUntilIdle, stepOnce } from './harness.mjs';

// Long enough that the first tab is still training while the second looks (50 epochs of 100 batches).
const URL_QUERY = '/?backend=cpu&train=6400&test=100&hidden=64,32&epochs=50';
const steps = async (page) => Number((await page.textContent(byTestId('predictor-description'))).match(/\((\d+) steps?/)?.[1]);

test('two tabs train side by side; each reloads to its own run; a tab sees the other training', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page: first, close } = await openPage(server.origin);
  try {
    await first.goto(server.origin + URL_QUERY);
    await waitUntilReady(first);
    for (let i = 1; i <= 3; i++) await stepOnce(first, i);

    const second = await first.context().newPage();
    await second.goto(server.origin + URL_QUERY);
    await waitUntilIdle(second);
    assert.match(await second.textContent(byTestId('restored-note')), /from another tab .*step 3\); this tab trains its own copy/);
    await stepOnce(second, 4);
    await stepOnce(second, 5);

    await first.click(byTestId('train-button'));
    await second.waitForSelector(byTestId('other-tabs'), { timeout: 20_000 });
    assert.match(await second.textContent(byTestId('other-tabs')), /Another tab of this page is training/);
    await first.click(byTestId('pause-button'));
    await first.waitForFunction((sel) => /^Paused/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('status'));
    await second.waitForSelector(byTestId('other-tabs'), { state: 'detached', timeout: 20_000 });
    const firstSteps = await steps(first);
    assert.ok(firstSteps > 3, `the first tab trained on: ${firstSteps}`);

    await first.reload();
    await second.reload();
    await waitUntilIdle(first);
    await waitUntilIdle(second);
    assert.equal(await steps(first), firstSteps, "the first tab's own run");
    assert.equal(await steps(second), 5, "the second tab's own run, not overwritten by the first");
  } finally {
    await close();
    await server.close();
  }
});

test('a saved record that cannot be read is kept, explained, and its weights can still be downloaded', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.addInitScript(() => sessionStorage.setItem('backprop-playground.tab', 'broken-record-test'));
    await page.goto(server.origin + URL_QUERY);
    await waitUntilReady(page);
    const weights = [...fs.readFileSync(path.resolve(import.meta.dirname, '..', 'fixtures', 'weights', 'pytorch_784_8_10.safetensors'))];
    await page.evaluate((bytes) => new Promise((resolve, reject) => {
      const open = indexedDB.open('backprop-playground', 2);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction('runs', 'readwrite');
        tx.objectStore('runs').put({ model: new Uint8Array(bytes), optimizer: null, meta: '{"version": 2, "settings": ' }, 'tab:broken-record-test');
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    }), weights);
    await page.reload();
    await waitUntilReady(page);
    const message = await page.textContent(byTestId('error-message'));
    assert.match(message, /The run saved in this browser could not be read \(unreadable run details .*\)\. It is kept under Recent models, and this tab starts fresh\. Its weights can still be downloaded/);
    const entry = page.locator(byTestId('recent-model')).first();
    assert.match(await entry.textContent(), /cannot be read: unreadable run details/);
    assert.equal(await entry.locator(byTestId('restore-recent')).isDisabled(), true);
    const [download] = await Promise.all([page.waitForEvent('download'), entry.locator(byTestId('download-recent')).click()]);
    const saved = await download.path();
    assert.deepEqual([...fs.readFileSync(saved)], weights, 'the rescued weights are the stored bytes');

    // Training and saving here does not overwrite the kept record.
    await stepOnce(page, 1);
    await page.reload();
    await waitUntilIdle(page);
    assert.match(await page.textContent(byTestId('recent-model')), /cannot be read/);
  } finally {
    await close();
    await server.close();
  }
});

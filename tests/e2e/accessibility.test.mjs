// End-to-end: axe-core (npm axe-core, injected here) finds no serious or critical violation in either
// language, in the ready, training, finished and backprop-phase-5 states; the charts and the confusion
// matrix have text alternatives, and epoch results (not batches) are announced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer, openPage, byTestId, waitUntilReady } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function audit(page, label) {
  // axe-core's script is added by the harness (the page's CSP is bypassed for this test only).
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${label}: ${JSON.stringify(serious, null, 1)}`);
  return result;
}

for (const lang of ['en', 'zh']) {
  test(`axe-core: no serious or critical violation (${lang}: ready, training, finished, backprop phase 5)`, { timeout: 400_000 }, async () => {
    const server = await startServer();
    const { page, close } = await openPage(server.origin, { bypassCSP: true });
    try {
      await page.goto(`${server.origin}/?backend=cpu&train=640&test=100&epochs=1&lang=${lang}`);
      await waitUntilReady(page);
      await audit(page, `${lang} ready`);

      await page.click(byTestId('train-button'));
      await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 1, byTestId('loss-chart'), { timeout: 120_000 });
      await audit(page, `${lang} training`);

      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('%'), byTestId('test-accuracy'), { timeout: 200_000 });
      await page.waitForFunction(() => !document.querySelector('[data-testid="train-button"]').disabled, null, { timeout: 60_000 });
      await audit(page, `${lang} finished`);
      // Text alternatives: the loss chart's summary, the accuracy table, the confusion summary, and one
      // announcement of the epoch's result.
      assert.match(await page.textContent(byTestId('loss-chart-summary')), /\d/);
      assert.equal(await page.$$eval(`${byTestId('accuracy-table')} tbody tr`, (rows) => rows.length), 1);
      assert.match(await page.textContent(byTestId('confusion-summary')), /\d+.*\d+/);
      assert.match(await page.textContent(byTestId('epoch-announcement')), /1.*\d+\.\d/);
      assert.equal(await page.getAttribute(byTestId('epoch-announcement'), 'aria-live'), 'polite');

      await page.click(byTestId('phase-5'));
      await page.waitForSelector(byTestId('update-learning-rate'), { timeout: 120_000 });
      await audit(page, `${lang} backprop phase 5`);
    } finally {
      await close();
      await server.close();
    }
  });
}

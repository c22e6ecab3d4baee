// End-to-end: phones, tablets and the classroom projector. At 390×844 and 768×1024 nothing scrolls
// sideways, panels stack controls → progress and charts → drawing, the canvas is finger-sized and
// touch targets are at least 44 px. Projector mode at 1280×720: body text ≥ 24 px, the training view
// and the drawing panel each fit one screen. Screenshots of every state go to test-artifacts/screens/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, screenshot } from './harness.mjs';
import { drawStroke } from './responsiveness.mjs';

const top = (page, sel) => page.$eval(sel, (e) => e.getBoundingClientRect().top + window.scrollY);

async function smallTargets(page) {
  return page.$$eval('button, select, input:not([type=file]), summary, a[href]', (els) => els
    .filter((e) => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden' && !e.closest('.sr-only, .skip-link'))
    .map((e) => ({ id: e.dataset.testid ?? e.textContent.trim().slice(0, 20), r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.height < 44 || r.width < 44)
    .map(({ id, r }) => `${id} ${Math.round(r.width)}×${Math.round(r.height)}`));
}

for (const [name, width, height] of [['phone', 390, 844], ['tablet', 768, 1024]]) {
  test(`${name} ${width}×${height}: no sideways scroll, sensible order, a finger-sized canvas, 44 px targets`, { timeout: 300_000 }, async () => {
    const server = await startServer();
    const { page, consoleErrors, close } = await openPage(server.origin, { viewport: { width, height }, hasTouch: true });
    try {
      for (const lang of ['en', 'zh']) {
        await page.goto(`${server.origin}/?backend=cpu&train=640&test=100&epochs=1&lang=${lang}`);
        await waitUntilReady(page);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(wide <= 0, `${lang}: the page is ${wide} px wider than the screen`);
        const order = [await top(page, byTestId('train-button')), await top(page, '.progress-panel'), await top(page, byTestId('loss-chart')), await top(page, byTestId('draw-canvas'))];
        assert.deepEqual([...order].sort((a, b) => a - b), order, `${lang}: controls, progress, charts, drawing in that order: ${order}`);
        const canvas = await page.locator(byTestId('draw-canvas')).boundingBox();
        assert.ok(canvas.width >= 280 && Math.abs(canvas.width - canvas.height) < 2, `${lang}: canvas ${canvas.width}×${canvas.height}`);
        assert.equal(await page.$eval(byTestId('draw-canvas'), (c) => getComputedStyle(c).touchAction), 'none', 'drawing does not pan the page');
        assert.deepEqual(await smallTargets(page), [], `${lang}: touch targets under 44 px`);
        await screenshot(page, `screens/${name}-ready-${lang}`);
      }
      // Drawing keeps the page still, and the network reads it.
      await page.$eval(byTestId('draw-canvas'), (c) => c.scrollIntoView({ block: 'center' }));
      const scrolled = await page.evaluate(() => window.scrollY);
      await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '–', byTestId('predicted-digit'));
      assert.equal(await page.evaluate(() => window.scrollY), scrolled);
      await page.click(byTestId('train-button'));
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('%'), byTestId('test-accuracy'), { timeout: 200_000 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, `screens/${name}-finished-zh`);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await close();
      await server.close();
    }
  });
}

/** The states a teacher shows, at the projector's 1280×720: normal and projector mode. */
for (const lang of ['en', 'zh']) {
  test(`1280×720 (${lang}): ready, training, finished, draw, backprop; projector mode fits the screen`, { timeout: 400_000 }, async () => {
    const server = await startServer();
    const { page, consoleErrors, close } = await openPage(server.origin, { viewport: { width: 1280, height: 720 } });
    const shot = (state) => screenshot(page, `screens/1280x720-${state}-${lang}`, { fullPage: false });
    try {
      await page.goto(`${server.origin}/?backend=cpu&train=1280&test=200&epochs=1&lang=${lang}&projector=1`);
      await waitUntilReady(page);
      assert.equal(await page.evaluate(() => document.documentElement.classList.contains('projector')), true);
      const bodyPx = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
      assert.ok(bodyPx >= 24, `projector body text ${bodyPx} px`);
      // The training view (buttons, progress, both charts) is on the first screen.
      for (const sel of [byTestId('train-button'), '.progress-panel', byTestId('loss-chart'), byTestId('accuracy-chart')]) {
        const box = await page.locator(sel).boundingBox();
        assert.ok(box.y >= 0 && box.y + box.height <= 720, `${sel} ends at ${box.y + box.height} px, below the 720 px screen`);
      }
      const settingsShown = await page.isVisible(byTestId('setting-lr'));
      assert.equal(settingsShown, false, 'secondary panels are folded away');
      await shot('projector-ready');
      await page.keyboard.press('Space');
      await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 5, byTestId('loss-chart'), { timeout: 120_000 });
      await shot('projector-training');
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('%'), byTestId('test-accuracy'), { timeout: 200_000 });
      await page.waitForFunction(() => !document.querySelector('[data-testid="train-button"]').disabled, null, { timeout: 60_000 });
      await shot('projector-finished');
      // The drawing panel fits one screen too.
      const draw = await page.locator('.panel.draw').boundingBox();
      assert.ok(draw.height <= 720, `the drawing panel is ${draw.height} px tall`);
      await page.$eval('.panel.draw', (e) => e.scrollIntoView({ block: 'start' }));
      await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '–', byTestId('predicted-digit'));
      await page.$eval('.panel.draw', (e) => e.scrollIntoView({ block: 'start' }));
      const drawBox = await page.locator('.panel.draw').boundingBox();
      assert.ok(drawBox.y >= -1 && drawBox.y + drawBox.height <= 721, 'the whole drawing panel is on screen');
      await shot('projector-draw');
      // The folded panels open with one click; the backprop stepper in projector type.
      await page.click('.secondary > summary');
      await page.click(byTestId('phase-5'));
      await page.waitForSelector(byTestId('update-learning-rate'), { timeout: 120_000 });
      await page.$eval('.panel.backprop', (e) => e.scrollIntoView({ block: 'start' }));
      await shot('projector-backprop');

      // The same states without projector mode.
      await page.keyboard.press('p');
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot('finished');
      await page.$eval('.panel.draw', (e) => e.scrollIntoView({ block: 'start' }));
      await shot('draw');
      await page.click(byTestId('phase-5'));
      await page.waitForSelector(byTestId('update-learning-rate'), { timeout: 120_000 });
      await page.$eval('.panel.backprop', (e) => e.scrollIntoView({ block: 'start' }));
      await shot('backprop');
      await page.click(byTestId('reset-button'));
      await waitUntilReady(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot('ready');
      await page.click(byTestId('train-button'));
      await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 5, byTestId('loss-chart'), { timeout: 120_000 });
      await shot('training');
      assert.deepEqual(consoleErrors, []);
    } finally {
      await close();
      await server.close();
    }
  });
}

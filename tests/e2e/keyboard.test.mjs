// End-to-end: the shortcuts a teacher uses while talking (Space, S, C, ←/→, P, ?), never while typing
// in a field; and the page used with the keyboard alone, with a visible focus ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, waitForStatus, stepOnce, lossPoints as points } from './harness.mjs';
import { drawStroke } from './responsiveness.mjs';

const status = (page) => page.textContent(byTestId('status'));
const currentPhase = (page) => page.$eval('[aria-current="step"]', (e) => e.dataset.testid);

test('Space, S, C, arrows, P and ? act on the page; typing in a field triggers none of them', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=6400&test=100&epochs=2`);
    await waitUntilReady(page);
    await page.evaluate(() => document.activeElement?.blur());

    // Typing in a field: no step, no projector mode, no help; the letters go into the field.
    await page.fill(byTestId('setting-seed'), '');
    await page.type(byTestId('setting-seed'), 'sp c?');
    assert.equal(await page.inputValue(byTestId('setting-seed')), 'sp c?');
    await page.waitForTimeout(500);
    assert.equal(await points(page), 0, 'typing "s" in a field does not step');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('projector')), false);
    assert.ok(!(await page.isVisible(byTestId('shortcut-help'))));
    await page.fill(byTestId('setting-seed'), '1');
    await page.evaluate(() => document.activeElement?.blur());

    // S: one step.
    await page.keyboard.press('s');
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) === 1, byTestId('loss-chart'));
    await page.click(byTestId('reset-button'));
    await waitUntilReady(page);
    await page.evaluate(() => document.activeElement?.blur());

    // Space: train, Space again: pause; the page does not scroll.
    const scrolledBefore = await page.evaluate(() => window.scrollY);
    await page.keyboard.press('Space');
    await waitForStatus(page, /^Training/);
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 2, byTestId('loss-chart'), { timeout: 60_000 });
    await page.keyboard.press('Space');
    await waitForStatus(page, /^Paused/);
    assert.equal(await page.evaluate(() => window.scrollY), scrolledBefore, 'Space did not scroll the page');
    // After a mouse click on Step the button keeps focus, but Space still means train/pause.
    await stepOnce(page, (await points(page)) + 1);
    await page.keyboard.press('Space');
    await waitForStatus(page, /^Training/);
    await page.keyboard.press('Space');
    await waitForStatus(page, /^Paused/);

    // C clears the drawing.
    await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.empty === 'false', byTestId('model-input-preview'));
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('c');
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.empty === 'true', byTestId('model-input-preview'));

    // → and ← walk the backprop phases while the panel is on screen (and do nothing otherwise).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.keyboard.press('ArrowRight');
    assert.equal(await currentPhase(page), 'phase-1', 'arrows leave a panel off screen alone');
    await page.$eval('.panel.backprop', (e) => e.scrollIntoView({ block: 'center' }));
    assert.equal(await currentPhase(page), 'phase-1');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await currentPhase(page), 'phase-3');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await currentPhase(page), 'phase-2');

    // P: projector mode on and off; ?: the list, closed by Escape.
    await page.keyboard.press('p');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('projector')), true);
    assert.equal(await page.getAttribute(byTestId('projector-toggle'), 'aria-pressed'), 'true');
    await page.keyboard.press('P');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('projector')), false);
    await page.keyboard.press('?');
    assert.ok(await page.isVisible(byTestId('shortcut-help')));
    assert.match(await page.textContent(byTestId('shortcut-help')), /Space.*Train, or pause while training/s);
    await page.keyboard.press('Escape');
    assert.ok(!(await page.isVisible(byTestId('shortcut-help'))));
    assert.match(await status(page), /^Paused/);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await close();
    await server.close();
  }
});

test('every control is reachable with Tab, shows a focus ring, and Train works from the keyboard alone', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, close } = await openPage(server.origin);
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=100`);
    await waitUntilReady(page);
    const reached = new Set();
    let ringless = [];
    for (let i = 0; i < 160; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const style = getComputedStyle(e);
        return { id: e.dataset.testid || e.id || e.tagName, ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      });
      if (!focused) continue;
      reached.add(focused.id);
      if (!focused.ring) ringless.push(focused.id);
    }
    for (const id of ['lang-zh', 'lang-en', 'projector-toggle', 'shortcuts-button', 'train-button', 'step-button', 'setting-lr', 'clear-canvas', 'download-weights', 'phase-1', 'phase-next', 'example-x1']) {
      assert.ok(reached.has(id), `Tab never reaches ${id}: ${[...reached].join(' ')}`);
    }
    assert.deepEqual([...new Set(ringless)], [], 'focused without a visible ring');
    // Train with the keyboard: focus it, press Enter.
    await page.focus(byTestId('train-button'));
    await page.keyboard.press('Enter');
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 0, byTestId('loss-chart'), { timeout: 60_000 });
  } finally {
    await close();
    await server.close();
  }
});

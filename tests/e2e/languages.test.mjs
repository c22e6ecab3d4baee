// End-to-end: 简体中文 and English. The language follows navigator.languages on a first visit,
// switches in the header while training without losing the run, is kept across reloads, can be set by
// a link (?lang=), sets <html lang>, and in Chinese no English message of the interface is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, openPage, byTestId, waitUntilReady, waitForStatus, lossPoints as points } from './harness.mjs';

const LOCALES = path.resolve(import.meta.dirname, '..', '..', 'locales');

/** Messages without arguments or selectors: id → text, as the page shows them. */
function plainMessages(file) {
  const out = new Map();
  for (const line of fs.readFileSync(path.join(LOCALES, file), 'utf8').split('\n')) {
    const m = /^([a-z][a-z0-9-]*) = (.*)$/.exec(line);
    if (m && !m[2].includes('{')) out.set(m[1], m[2].trim());
  }
  return out;
}


test('a Chinese browser gets Chinese; switching while training keeps the run; the choice and ?lang= stick', { timeout: 400_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin, { locale: 'zh-CN' });
  try {
    await page.goto(`${server.origin}/?backend=cpu&train=6400&test=100&epochs=20`);
    await waitUntilReady(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.textContent(byTestId('status')), '准备就绪：请点“训练”。');
    assert.equal(await page.textContent(byTestId('train-button')), '训练');
    assert.equal(await page.title(), 'Backprop Playground · 反向传播演练场');

    // No English interface text is left on the Chinese page (messages that differ between the two).
    const en = plainMessages('en.ftl');
    const zh = plainMessages('zh.ftl');
    const body = await page.evaluate(() => document.body.innerText);
    const leftovers = [...en].filter(([id, text]) => text.length >= 8 && !(zh.get(id) ?? '').includes(text) && body.includes(text)).map(([id]) => id);
    assert.deepEqual(leftovers, [], `English left on the Chinese page: ${leftovers.join(', ')}`);

    await page.click(byTestId('train-button'));
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 3, byTestId('loss-chart'), { timeout: 120_000 });
    const before = await points(page);
    await page.click(byTestId('lang-en'));
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent(byTestId('pause-button')), 'Pause');
    assert.match(await page.textContent(byTestId('status')), /^(Training…|Evaluating)/);
    await page.waitForFunction((args) => Number(document.querySelector(args[0])?.getAttribute('data-points')) > args[1], [byTestId('loss-chart'), before + 3], { timeout: 120_000 });
    assert.ok((await points(page)) > before, 'the run kept training through the switch');
    const englishBody = await page.evaluate(() => document.body.innerText);
    assert.ok(!/[\u4e00-\u9fff]/.test(englishBody.replace('中文', '')), 'no Chinese left on the English page');
    await page.click(byTestId('pause-button'));
    await waitForStatus(page, /^Paused/);
    await page.waitForFunction((sel) => /saved/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('persistence-status'));

    // Kept across a reload (the saved run comes back too) …
    await page.reload();
    await waitForStatus(page, /^Paused/, 120_000);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    // … and a teacher's link wins, and stays in the address bar in step with the switch.
    await page.goto(`${server.origin}/?backend=cpu&train=6400&test=100&lang=zh`);
    await waitForStatus(page, /^已暂停/, 120_000);
    await page.click(byTestId('lang-en'));
    assert.match(page.url(), /lang=en/);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await close();
    await server.close();
  }
});

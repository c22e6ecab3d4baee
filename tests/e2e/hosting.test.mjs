// End-to-end: dist/ unchanged from a sub-path of a static host, offline after one visit (the service
// worker generated at build time), and a normal visit without a 404 or a console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, stepOnce } from './harness.mjs';
import { drawStroke } from './responsiveness.mjs';

/** Records every response with an error status. */
function failures(page) {
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
  return failed;
}

test('from a sub-path (/ai/playground/) the page loads, trains a batch and draws, with no 404 or console error', { timeout: 300_000 }, async () => {
  const prefix = '/ai/playground/';
  const server = await startServer({ prefix });
  const { page, consoleErrors, close } = await openPage(server.origin);
  try {
    const failed = failures(page);
    // Without the trailing slash, as a teacher might type it: the host redirects.
    await page.goto(`${server.origin}/ai/playground?backend=cpu&train=640&test=100`);
    assert.ok(page.url().startsWith(`${server.origin}${prefix}`), page.url());
    await waitUntilReady(page);
    await stepOnce(page, 1);
    await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '–', byTestId('predicted-digit'));
    assert.deepEqual(failed, []);
    assert.deepEqual(consoleErrors, []);
    const icon = await page.getAttribute('link[rel="icon"]', 'href');
    assert.ok(icon && !icon.startsWith('/'), `the icon is linked relative to the page: ${icon}`);
  } finally {
    await close();
    await server.close();
  }
});

test('after one visit the page works offline: reload, train a batch, draw a digit; it says it runs from its copy; Fashion-MNIST once used', { timeout: 400_000 }, async () => {
  // The training images are held back at first: the offline copy must not start downloading while
  // the page's own first load is still going on.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const asked = [];
  const server = await startServer({ prefix: '/class/', hold: (pathname) => { asked.push(pathname); return pathname.endsWith('/data/train-images-idx3-ubyte.gz') ? held : undefined; } });
  const { page, context, consoleErrors, close } = await openPage(server.origin, { serviceWorkers: 'allow' });
  let serving = true;
  try {
    const url = `${server.origin}/class/?backend=cpu&train=640&test=100`;
    await page.goto(url);
    await page.waitForFunction((sel) => /pretrained model/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('predictor-description'), { timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()) ?? null), null, 'no service worker while the data downloads');
    assert.ok(!asked.includes('/class/sw.js'), 'sw.js not fetched yet');
    release();
    await waitUntilReady(page);
    // The service worker has installed (every file cached) and controls the page.
    await page.waitForFunction(async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
    }, null, { timeout: 120_000, polling: 500 });
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('backprop-playground-') && !n.startsWith('backprop-playground-data-')));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    for (const needed of ['/class/index.html', '/class/trainer-worker_loader.js', '/class/data/train-images-idx3-ubyte.gz', '/class/models/pretrained-mnist.safetensors']) {
      assert.ok(cached.includes(needed), `${needed} is not precached: ${cached.join(' ')}`);
    }
    assert.ok(cached.some((p) => /playground-[0-9a-f]+_bg\.wasm$/.test(p)), 'the page wasm is precached');
    assert.equal(await page.$(byTestId('offline-note')), null, 'online, no offline note');
    // Fashion-MNIST is not precached (30 MB); a page that used it once has it offline too.
    const fashion = `${server.origin}/class/?dataset=fashion&backend=cpu&train=640&test=100`;
    await page.goto(fashion);
    await waitUntilReady(page);
    // Kept in a cache of its own once all four files are written.
    await page.waitForFunction(async () => {
      const name = (await caches.keys()).find((n) => n.startsWith('backprop-playground-data-'));
      return name ? (await (await caches.open(name)).keys()).length === 4 : false;
    }, null, { timeout: 60_000, polling: 500 });
    const kept = await page.evaluate(async () => {
      const name = (await caches.keys()).find((n) => n.startsWith('backprop-playground-data-'));
      return name ? (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname) : [];
    });
    assert.ok(kept.includes('/class/data/fashion/train-images-idx3-ubyte.gz'), `kept: ${kept.join(' ')}`);
    assert.ok(!cached.some((p) => p.includes('/data/fashion/')), 'Fashion-MNIST is not precached');

    await server.close();
    serving = false;
    await context.setOffline(true);
    await page.reload();
    await waitUntilReady(page);
    assert.match(await page.textContent(byTestId('offline-note')), /offline/);
    await stepOnce(page, 1);
    await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '–', byTestId('predicted-digit'), { timeout: 60_000 });
    await page.goto(url);
    await waitUntilReady(page);
    assert.equal(await page.getAttribute(byTestId('dataset-mnist'), 'aria-current'), 'page', 'MNIST offline too');
    assert.deepEqual(consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
  } finally {
    release();
    await close();
    if (serving) await server.close();
  }
});

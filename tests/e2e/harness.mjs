// Shared set-up for the end-to-end tests: a static server for dist/ on 127.0.0.1 and headless
// Debian Chromium (WebGPU through SwiftShader) driven by playwright-core.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..', '..');
export const DIST = path.join(root, 'dist');
export const ARTIFACTS = path.join(root, 'test-artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
};

/**
 * Serves dist/ on an ephemeral loopback port, under `prefix` (e.g. '/ai/playground/', as a school's
 * host would; everything outside it is a 404). `hold(pathname)` may return a promise: the response
 * waits for it (a slow network, for one file).
 */
export async function startServer({ prefix = '/', hold = () => undefined } = {}) {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the page first (./scripts/test.sh does)');
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    // As a static host does: the folder without its slash is redirected to it.
    if (`${url.pathname}/` === prefix) { res.writeHead(301, { location: prefix + url.search }).end(); return; }
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
    let file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname.slice(prefix.length - 1))));
    if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    Promise.resolve(hold(url.pathname)).then(() => fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    })).catch(() => res.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * A fresh headless Chromium profile with WebGPU enabled. Records requests to other origins.
 * `bypassCSP`: for tests that start the worker from a blob (beforeWorkerStarts), which the page's
 * policy forbids.
 */
export async function openPage(origin, { bypassCSP = false, serviceWorkers = 'block', locale = 'en-US', viewport = { width: 1400, height: 1000 }, hasTouch = false } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-chromium-'));
  // Service workers are blocked unless a test is about the offline copy: requests they make would
  // bypass the tests' page.route fault injection.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    bypassCSP,
    serviceWorkers,
    locale,
    hasTouch,
    args: [
      '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const foreign = [];
  const consoleErrors = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const close = async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); };
  return { page, context, foreign, consoleErrors, close };
}

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Waits until the page has loaded the data and chosen a backend (its status says Ready, in either language). */
export async function waitUntilReady(page, timeout = 300_000) {
  await page.waitForFunction(
    () => {
      const b = document.querySelector('[data-testid="train-button"]');
      const s = document.querySelector('[data-testid="status"]');
      return b && !b.disabled && s && /^(Ready|准备就绪)/.test(s.textContent);
    },
    null,
    { timeout, polling: 250 },
  );
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}


/** Waits until the status line matches `pattern` (a RegExp). */
export async function waitForStatus(page, pattern, timeout = 30_000) {
  await page.waitForFunction((args) => new RegExp(args[0]).test(document.querySelector(args[1])?.textContent ?? ''), [pattern.source, byTestId('status')], { timeout, polling: 100 });
}

/** How many training losses the loss chart has. */
export const lossPoints = async (page) => Number(await page.getAttribute(byTestId('loss-chart'), 'data-points'));

/** Waits until the page is ready for a command: data loaded, and Ready, Paused (a restored run) or Finished. */
export async function waitUntilIdle(page, timeout = 300_000) {
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="status"]');
      return s && /^(Ready|Paused|Finished)/.test(s.textContent);
    },
    null,
    { timeout, polling: 250 },
  );
}

/** Presses Step and waits until the loss chart has `expectedPoints` points and the page is Paused. */
export async function stepOnce(page, expectedPoints) {
  await page.click(byTestId('step-button'));
  await page.waitForFunction(
    (args) => Number(document.querySelector(args[0])?.getAttribute('data-points')) === args[1] && /^Paused/.test(document.querySelector(args[2])?.textContent ?? ''),
    [byTestId('loss-chart'), expectedPoints, byTestId('status')],
    { timeout: 300_000 },
  );
}

/**
 * Runs `source` (script text) in the trainer's Web Worker before the worker's own code, e.g. to take
 * IndexedDB away there (page init scripts do not reach workers). The page's `Worker` constructor is
 * wrapped: the worker starts from a blob that runs `source`, then loads Trunk's worker script and its
 * wasm by absolute URL. Open the page with `bypassCSP`: its policy allows workers from 'self' only.
 */
export async function beforeWorkerStarts(page, source) {
  await page.addInitScript((prelude) => {
    const Original = window.Worker;
    window.Worker = function (url, options) {
      const base = new URL('.', new URL(url, location.href)).href;
      const script = `${prelude}\nimportScripts(${JSON.stringify(`${base}trainer-worker.js`)});\nwasm_bindgen(${JSON.stringify(`${base}trainer-worker_bg.wasm`)});`;
      return new Original(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })), options);
    };
  }, source);
}

/** Draws polylines (canvas CSS coordinates, 0…280) on the drawing canvas with mouse moves. */
export async function draw(page, strokes) {
  await page.locator(byTestId('draw-canvas')).scrollIntoViewIfNeeded();
  const box = await page.locator(byTestId('draw-canvas')).boundingBox();
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
    await page.mouse.up();
  }
}

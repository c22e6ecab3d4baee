// First contentful paint and "ready to train" of two or more builds, loads alternating between them,
// each in a fresh Chromium profile after the machine is quiet: a before/after pair in one session.
// Text and .wasm are sent gzip-encoded, as a static host does; --mbit N makes the server send at N
// Mbit/s in all (one link shared by every response, 20 ms before each), a classroom's Wi-Fi rather
// than localhost. The server throttles, not Chromium: DevTools' network emulation reaches the page's
// requests but not its worker's (the worker's script and .wasm, the data, the model).
// --draw draws a stroke as soon as the canvas is on screen and also times its first answer: when a
// pupil who draws at once sees the network read the digit.
//   node bench/first-paint.mjs [--loads 8] [--mbit 10] [--draw] DIST_A DIST_B …
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { option } from './options.mjs';
import { waitUntilQuiet } from './quiet.mjs';

const LOADS = Number(option('loads', '8'));
const MBIT = Number(option('mbit', '0'));
const DRAW = process.argv.includes('--draw');
const dists = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !['--loads', '--mbit'].includes(all[i - 1])).map((d) => path.resolve(d));
if (dists.length === 0) {
  console.error('usage: node bench/first-paint.mjs [--loads N] [--mbit N] [--draw] DIST [DIST …]');
  process.exit(2);
}
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

const LATENCY_MS = 20;
const CHUNK = 16 * 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// When the shared link has sent every chunk queued so far (performance.now() time).
let linkFreeAt = 0;

/** Sends `body` at the shared link's rate: each chunk waits for the link time it reserves. */
async function send(res, headers, body) {
  if (MBIT <= 0) return res.writeHead(200, headers).end(body);
  await sleep(LATENCY_MS);
  res.writeHead(200, { ...headers, 'content-length': body.length });
  for (let at = 0; at < body.length; at += CHUNK) {
    const chunk = body.subarray(at, at + CHUNK);
    const now = performance.now();
    // A little slack, so a timer that fires late does not lower the rate of a single stream.
    linkFreeAt = Math.max(linkFreeAt, now - 2) + (chunk.length * 8) / (MBIT * 1e3);
    if (linkFreeAt - now > 1) await sleep(linkFreeAt - now);
    if (res.destroyed) return;
    res.write(chunk);
  }
  res.end();
}

// Compressed once per file, so a 12 MB .wasm does not stall the server (and its link) on every load.
const compressed = new Map();
const gzipped = (file, body) => {
  if (!compressed.has(file)) compressed.set(file, zlib.gzipSync(body, { level: 6 }));
  return compressed.get(file);
};

function serve(dir) {
  const server = http.createServer((req, res) => {
    let file = path.normalize(path.join(dir, decodeURIComponent(new URL(req.url, 'http://localhost').pathname)));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) return res.writeHead(404).end('not found');
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      // The data files are .gz already and are served as they are.
      if (!type.startsWith('application/octet') && /gzip/.test(req.headers['accept-encoding'] ?? '')) {
        return send(res, { 'content-type': type, 'content-encoding': 'gzip' }, gzipped(file, body));
      }
      return send(res, { 'content-type': type }, body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, server })));
}

async function load(origin) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-paint-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${origin}/`);
    let read = Promise.resolve(NaN);
    if (DRAW) {
      const canvas = page.locator('[data-testid="draw-canvas"]');
      await canvas.scrollIntoViewIfNeeded();
      const box = await canvas.boundingBox();
      await page.mouse.move(box.x + 140, box.y + 40);
      await page.mouse.down();
      await page.mouse.move(box.x + 136, box.y + 240, { steps: 8 });
      await page.mouse.up();
      // NaN, not an unhandled rejection, if no answer comes (the Ready wait then says why).
      read = page.waitForFunction(() => Number(document.querySelector('[data-testid="prediction-latency"]')?.dataset.answered) > 0, null, { timeout: 300_000, polling: 50 })
        .then(() => page.evaluate(() => performance.now())).catch(() => NaN);
    }
    await page.waitForFunction(() => /^Ready/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), null, { timeout: 300_000, polling: 50 });
    const ready = await page.evaluate(() => performance.now());
    return { paint: await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN), ready, read: await read };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const servers = await Promise.all(dists.map(serve));
const results = dists.map(() => []);
for (let i = 0; i < LOADS; i++) {
  const order = i % 2 === 0 ? dists.map((_, k) => k) : dists.map((_, k) => k).reverse();
  for (const k of order) {
    await waitUntilQuiet();
    results[k].push(await load(servers[k].origin));
  }
}
servers.forEach((s) => s.server.close());
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`${LOADS} loads each, alternating, ${MBIT > 0 ? `${MBIT} Mbit/s shared by every response (the worker's too), 20 ms latency` : 'localhost, unthrottled'}, gzip-encoded text and .wasm\n`);
const each = (xs) => `${median(xs).toFixed(0)} (${xs.map((x) => x.toFixed(0)).join(', ')})`;
console.log(`| build | first contentful paint, median (each load) ms | ready to train, median (each load) ms |${DRAW ? ' a drawing read, median (each load) ms |' : ''}`);
console.log(`|---|---|---|${DRAW ? '---|' : ''}`);
dists.forEach((d, k) => {
  const pick = (key) => results[k].map((r) => r[key]);
  console.log(`| ${d} | ${each(pick('paint'))} | ${each(pick('ready'))} |${DRAW ? ` ${each(pick('read'))} |` : ''}`);
});

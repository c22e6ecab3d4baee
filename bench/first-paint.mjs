// First contentful paint and "ready to train" of two or more builds, loads alternating between them,
// each in a fresh Chromium profile after the machine is quiet: a before/after pair in one session.
// Text and .wasm are sent gzip-encoded, as a static host does; --mbit N throttles the network to N
// Mbit/s down (20 ms latency), a classroom's Wi-Fi rather than localhost.
//   node bench/first-paint.mjs [--loads 8] [--mbit 10] DIST_A DIST_B …
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
const dists = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !['--loads', '--mbit'].includes(all[i - 1])).map((d) => path.resolve(d));
if (dists.length === 0) {
  console.error('usage: node bench/first-paint.mjs [--loads N] DIST [DIST …]');
  process.exit(2);
}
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

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
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip' });
        return res.end(zlib.gzipSync(body, { level: 6 }));
      }
      res.writeHead(200, { 'content-type': type });
      res.end(body);
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
    if (MBIT > 0) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: (MBIT * 1e6) / 8, uploadThroughput: (MBIT * 1e6) / 8 });
    }
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => /^Ready/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), null, { timeout: 300_000, polling: 50 });
    return await page.evaluate(() => ({ paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, ready: performance.now() }));
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
console.log(`${LOADS} loads each, alternating, ${MBIT > 0 ? `${MBIT} Mbit/s, 20 ms latency` : 'localhost, unthrottled'}, gzip-encoded text and .wasm\n`);
console.log(`| build | first contentful paint, median (each load) ms | ready to train, median ms |\n|---|---|---:|`);
dists.forEach((d, k) => {
  const paints = results[k].map((r) => r.paint);
  console.log(`| ${d} | ${median(paints).toFixed(0)} (${paints.map((p) => p.toFixed(0)).join(', ')}) | ${median(results[k].map((r) => r.ready)).toFixed(0)} |`);
});

// End-to-end: the page works under its strict Content-Security-Policy (scripts/csp.mjs) with zero
// violations while training, drawing, loading weights and stepping through backprop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, openPage, byTestId, waitUntilReady } from './harness.mjs';
import { drawStroke } from './responsiveness.mjs';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'fixtures', 'weights', 'pytorch_784_8_10.safetensors');

test('no CSP violation while training, drawing, loading weights and stepping through backprop', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin);
  try {
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    });
    await page.goto(`${server.origin}/?backend=cpu&train=640&test=100`);
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(policy, /default-src 'self'/);
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(policy, /object-src 'none'; base-uri 'none'/);
    assert.doesNotMatch(policy, /unsafe-inline/);
    await waitUntilReady(page);

    await page.click(byTestId('train-button'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('%'), byTestId('test-accuracy'), { timeout: 120_000 });
    await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '–', byTestId('predicted-digit'));
    await page.setInputFiles(byTestId('upload-weights'), FIXTURE);
    await page.waitForFunction((sel) => /Loaded/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('weights-status'), { timeout: 60_000 });
    for (const n of [2, 3, 4, 5]) await page.click(byTestId(`phase-${n}`));
    await page.waitForSelector(byTestId('apply-copy'), { timeout: 120_000 });
    await page.click(byTestId('apply-copy'));
    await page.waitForFunction((sel) => /[✔✘]/.test(document.querySelector(sel)?.textContent ?? ''), byTestId('apply-result'), { timeout: 120_000 });
    // Equations (MathML) and the worked example render under the policy too.
    assert.ok((await page.$$('.equation math')).length > 3);

    const violations = await page.evaluate(() => window.__cspViolations);
    assert.deepEqual(violations, [], 'CSP violations');
    assert.ok(!consoleErrors.some((e) => /Content Security Policy|Refused to/.test(e)), consoleErrors.join('\n'));
  } finally {
    await close();
    await server.close();
  }
});

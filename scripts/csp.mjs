// Trunk post_build hook: writes the page's Content-Security-Policy into the built index.html, with
// the SHA-256 of every inline script Trunk generated (its module loader), so nothing else may run.
// Styles are set through CSSOM only, so no 'unsafe-inline' anywhere. `trunk serve`'s live-reload
// script is injected after this hook and is blocked by the policy: it only reloads, and the README
// says to publish `trunk build --release` output.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(1);
}
const file = path.join(dir, 'index.html');
let html = fs.readFileSync(file, 'utf8');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map(([, body]) => `'sha256-${crypto.createHash('sha256').update(body, 'utf8').digest('base64')}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}">`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
// Right after the charset, so it comes before every script and stylesheet it governs.
html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n  ${meta}`);
if (!html.includes(meta)) {
  console.error('csp.mjs: index.html has no <meta charset="utf-8" /> to put the policy after');
  process.exit(1);
}
fs.writeFileSync(file, html);
console.log(`csp.mjs: ${hashes.length} inline script hash(es) in the policy`);

// End-to-end: a batch split over the trainer worker and a helper worker it starts (the benchmark's
// `cpu-2workers` engine, issue 15's "all cores") trains the same run as one worker does: the helper's
// half of each batch crosses between the workers and is added to the trainer's, so the losses agree
// up to float order. (Uneven shares and their weighting are checked natively, tests/native/data_parallel.rs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage } from './harness.mjs';

async function bench(origin, engine) {
  const { page, consoleErrors, close } = await openPage(origin);
  try {
    await page.goto(`${origin}/?bench=${engine}`);
    await page.waitForFunction(() => window.__benchResult, null, { timeout: 240_000, polling: 250 });
    const result = JSON.parse(await page.evaluate(() => window.__benchResult));
    return { result, consoleErrors: [...consoleErrors] };
  } finally {
    await close();
  }
}

test('a batch split over two workers trains as one worker does', { timeout: 600_000 }, async () => {
  const server = await startServer();
  try {
    const one = await bench(server.origin, 'cpu');
    const two = await bench(server.origin, 'cpu-2workers');
    assert.equal(one.result.error, undefined, `one worker: ${one.result.error}`);
    assert.equal(two.result.error, undefined, `two workers: ${two.result.error}`);
    assert.deepEqual(one.consoleErrors, []);
    assert.deepEqual(two.consoleErrors, []);
    assert.match(two.result.adapter, /two workers/);
    assert.equal(two.result.timed_steps, one.result.timed_steps);
    // The helper answered every timed step, and spent time on each.
    assert.equal(two.result.split.steps, two.result.timed_steps);
    assert.ok(two.result.split.helper_ms > 0, `helper time ${two.result.split.helper_ms} ms`);
    assert.ok(two.result.images_per_second > 0);
    // 35 steps from the same initial weights on the same batches (here they agree to about 1e-7):
    // training on half of each batch only, as with a lost share, takes another path and ends
    // far more than 1e-3 away.
    assert.ok(Number.isFinite(one.result.final_loss) && one.result.final_loss < 1.5, `one worker's loss ${one.result.final_loss}`);
    assert.ok(Math.abs(two.result.final_loss - one.result.final_loss) < 1e-3, `losses ${two.result.final_loss} vs ${one.result.final_loss}`);
  } finally {
    await server.close();
  }
});

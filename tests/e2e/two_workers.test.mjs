// End-to-end: a batch split over the trainer worker and a helper worker it starts (the benchmark's
// `cpu-2workers` engine, issue 15's "all cores") trains the same run as one worker does: the two
// halves' gradients cross between the workers and are added, so the losses agree up to float order.
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
    assert.deepEqual(two.consoleErrors, []);
    assert.match(two.result.adapter, /two workers/);
    assert.equal(two.result.timed_steps, one.result.timed_steps);
    assert.ok(two.result.images_per_second > 0);
    // 35 steps from the same initial weights on the same batches: a lost or doubled share would
    // move the loss by far more than float order does.
    assert.ok(Number.isFinite(one.result.final_loss) && one.result.final_loss < 1.5, `one worker's loss ${one.result.final_loss}`);
    assert.ok(Math.abs(two.result.final_loss - one.result.final_loss) < 1e-4, `losses ${two.result.final_loss} vs ${one.result.final_loss}`);
  } finally {
    await server.close();
  }
});

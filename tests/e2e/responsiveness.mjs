// Measures how the page's main thread keeps up while the worker trains: long tasks (a
// PerformanceObserver on `longtask`), gaps between animation frames, and the round trip of a drawing's
// prediction. Shared by the end-to-end test (which holds the goals) and `bench/responsiveness.mjs`
// (which prints the figures for BENCHMARKS.md).
import { byTestId } from './harness.mjs';

/** Starts recording long tasks and frame gaps in the page (call again to start afresh). */
export async function startRecording(page) {
  await page.evaluate(() => {
    window.__responsiveness?.observer.disconnect();
    const r = { longTasks: [], frameGaps: [], observer: null, running: true };
    r.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) r.longTasks.push(e.duration); });
    r.observer.observe({ type: 'longtask' });
    let last = performance.now();
    const tick = (t) => { if (!r.running) return; r.frameGaps.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__responsiveness = r;
  });
}

/** Stops recording and summarises. */
export async function stopRecording(page) {
  return page.evaluate(() => {
    const r = window.__responsiveness;
    r.running = false;
    r.observer.disconnect();
    const gaps = [...r.frameGaps].sort((a, b) => a - b);
    return {
      longTasks: r.longTasks.length,
      longestTaskMs: Math.max(0, ...r.longTasks),
      frames: gaps.length,
      longestFrameGapMs: gaps.at(-1) ?? 0,
      p99FrameGapMs: gaps[Math.floor((gaps.length - 1) * 0.99)] ?? 0,
    };
  });
}

/** Draws one stroke of `points` (canvas CSS coordinates) with mouse moves. */
export async function drawStroke(page, points, steps = 8) {
  await page.$eval(byTestId('draw-canvas'), (c) => c.scrollIntoView({ block: 'center' }));
  const box = await page.locator(byTestId('draw-canvas')).boundingBox();
  await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps });
  await page.mouse.up();
}

/** How many predictions the drawing panel has had answered. */
export async function predictionsAnswered(page) {
  return Number(await page.getAttribute(byTestId('prediction-latency'), 'data-answered'));
}

/** The prediction round trips (ms) the drawing panel recorded (the last 200), oldest first. */
export async function predictionRoundTrips(page) {
  const text = await page.getAttribute(byTestId('prediction-latency'), 'data-latencies');
  return (text ?? '').split(' ').filter(Boolean).map(Number);
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))] : NaN;
}

/**
 * Trains for `seconds` (timed from the first loss, so WebGPU's shader compilation is not counted),
 * drawing a digit part-way through; returns the main thread's figures and whether the drawing was read.
 */
export async function measureWhileTraining(page, seconds) {
  await page.click(byTestId('train-button'));
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 0, byTestId('loss-chart'), { timeout: 300_000, polling: 100 });
  await startRecording(page);
  const started = Date.now();
  await page.waitForTimeout(Math.min(5000, seconds * 250));
  await page.click(byTestId('clear-canvas'));
  const before = await predictionsAnswered(page);
  await drawStroke(page, [[140, 40], [138, 140], [136, 240]]);
  await page.waitForFunction((args) => Number(document.querySelector(args[0])?.dataset.answered) > args[1],
    [byTestId('prediction-latency'), before], { timeout: Math.max(30_000, seconds * 1000), polling: 100 });
  const predicted = await page.textContent(byTestId('predicted-digit'));
  const answered = (await predictionsAnswered(page)) - before;
  const whileTraining = (await predictionRoundTrips(page)).slice(-answered);
  await page.waitForTimeout(Math.max(0, seconds * 1000 - (Date.now() - started)));
  const figures = await stopRecording(page);
  const status = await page.textContent(byTestId('status'));
  const losses = Number(await page.getAttribute(byTestId('loss-chart'), 'data-points'));
  return { ...figures, seconds: (Date.now() - started) / 1000, predicted, predictionWhileTrainingMs: whileTraining, status, losses };
}

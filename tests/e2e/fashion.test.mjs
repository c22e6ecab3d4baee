// End-to-end: Fashion-MNIST. `?dataset=fashion` loads the clothes (served by the page itself), trains
// on a subset, and every place that names a class names the clothing: the bars, the prediction, the
// network view's outputs, the confusion matrix and the gallery; the log line says "test images".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, byTestId, waitUntilReady, waitForStatus, screenshot, draw } from './harness.mjs';

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

test('Fashion-MNIST trains in the page on a subset and shows class names', { timeout: 400_000 }, async () => {
  const server = await startServer();
  const { page, consoleErrors, close } = await openPage(server.origin);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  try {
    await page.goto(`${server.origin}/?dataset=fashion&backend=cpu&train=3000&test=500&epochs=2`);
    await waitUntilReady(page);
    assert.ok(fetched.some((p) => p.endsWith('/data/fashion/train-images-idx3-ubyte.gz')), 'the clothes come from the page itself');
    assert.ok(!fetched.some((p) => p.includes('pretrained-mnist')), 'no MNIST model for clothes');
    assert.equal(await page.getAttribute(byTestId('dataset-fashion'), 'aria-current'), 'page');
    assert.match(await page.textContent('.dataset-sizes'), /3000/);
    assert.match(await page.textContent(byTestId('dataset-drawing-note')), /clothes/);
    // The page's own words say clothes, not digits, where they name what the data shows.
    assert.match(await page.textContent('.tagline'), /Fashion-MNIST/);
    assert.match(await page.textContent('#confusion-hint'), /true kind of clothing/);
    assert.match(await page.textContent(`section:has(${byTestId('mistakes')}) > h2`), /^Misclassified test images$/);
    const barLabels = await page.$$eval(`${byTestId('prediction-bars')} .bar-label`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(barLabels, FASHION);

    await page.click(byTestId('train-button'));
    await waitForStatus(page, /^Finished/, 300_000);
    const accuracy = parseFloat(await page.textContent(byTestId('test-accuracy')));
    assert.ok(accuracy > 65, `it learnt the clothes: ${accuracy}% on 500 test images after 2 epochs of 3000`);
    const log = await page.textContent(byTestId('train-log'));
    assert.match(log, /Test Accuracy of the model on the 500 test images: \d+\.\d%/);

    const header = await page.$$eval(`${byTestId('confusion-matrix')} thead th`, (els) => els.slice(1).map((e) => e.textContent));
    assert.deepEqual(header, FASHION, 'the confusion matrix names the classes');
    const caption = await page.textContent(`${byTestId('mistakes')} figcaption`);
    assert.match(caption, new RegExp(`true (${FASHION.map((n) => n.replace('/', '\\/')).join('|')}), said (${FASHION.map((n) => n.replace('/', '\\/')).join('|')})`));

    // A drawing is read as a kind of clothing by the model being trained.
    await draw(page, [[[90, 40], [190, 40], [200, 250], [80, 250], [90, 40]]]);
    await page.waitForFunction((id) => (document.querySelector(id)?.textContent ?? '–') !== '–', byTestId('predicted-digit'), { timeout: 30_000 });
    assert.ok(FASHION.includes(await page.textContent(byTestId('predicted-digit'))), 'the prediction is a class name');
    const outputs = await page.$$eval(`${byTestId('output-strip')} .bar-label`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(outputs, FASHION, 'the network view names the outputs');
    await screenshot(page, 'fashion-mnist', { fullPage: true });

    await page.click(byTestId('lang-zh'));
    await page.waitForFunction((id) => document.querySelector(id)?.textContent.includes('T 恤'), `${byTestId('prediction-bars')}`, { timeout: 10_000 });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await close();
    await server.close();
  }
});

// Every file of the bad-input corpus (tests/data/bad, with its expected outcomes in
// expected.json) dropped on the page at once, then a good file: each corpus file ends
// as the manifest says (an error on its row, or fitted), the column-mapping step that
// some of them open can be declined, the good file's result appears, the results
// loaded before stay, the page throws nothing, and no request leaves the origin.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launch, openPage, requestsOutside, semicircleCsv, sigmaOf, ROOT } from './harness.mjs';

const BAD = path.join(ROOT, 'tests', 'data', 'bad');

let server;
let browser;

describe('the bad-input corpus on the page', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('takes every corpus file, then a good one, and loses nothing', async () => {
    const expected = JSON.parse(await readFile(path.join(BAD, 'expected.json'), 'utf8'));
    const names = (await readdir(BAD)).filter((n) => n !== 'expected.json' && !n.endsWith('.md')).sort();
    assert.ok(names.length >= 40, `${names.length} corpus files`);
    const { page, context, requests, problems } = await openPage(browser, server.origin);
    const example = 'synthetic_semicircle_LCO-like.csv';
    await page.waitForSelector(`[data-spectrum-row][data-file="${example}"][data-state="done"]`, { timeout: 30_000 });
    const exampleSigma = await page.getAttribute(`[data-spectrum-row][data-file="${example}"]`, 'data-sigma');

    const files = await Promise.all(names.map(async (name) => ({ name, mimeType: 'application/octet-stream', buffer: await readFile(path.join(BAD, name)) })));
    await page.setInputFiles('#spectrum-files', files);
    // Decline the column-mapping step as often as it opens (one shape at a time).
    const settled = async () => page.$$eval('[data-series-row]', (rows) => rows.filter((r) => r.dataset.state === 'fitting').length);
    for (let round = 0; round < 120; round += 1) {
      const cancel = await page.$('[data-columns-cancel]');
      if (cancel && await cancel.isVisible()) await cancel.click();
      if (await settled() === 0 && !(await page.$('[data-columns-step]:not([hidden])'))) break;
      await page.waitForTimeout(250);
    }
    const states = Object.fromEntries(await page.$$eval('[data-series-row]', (rows) => rows.map((r) => [r.dataset.file, r.dataset.state])));
    for (const name of names) {
      const want = expected[name];
      assert.ok(want, `${name} has an expected outcome`);
      if (want.ok) assert.equal(states[name], 'done', `${name} is read and fitted`);
      else assert.equal(states[name], 'error', `${name} is refused on its row`);
    }

    const good = semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 21 });
    await page.setInputFiles('#spectrum-files', [{ name: 'good-after-corpus.csv', mimeType: 'text/csv', buffer: Buffer.from(good) }]);
    await page.waitForSelector('[data-series-row][data-file="good-after-corpus.csv"][data-state="done"]', { timeout: 30_000 });
    const sigma = Number(await page.getAttribute('[data-series-row][data-file="good-after-corpus.csv"]', 'data-sigma'));
    const geometry = await page.evaluate(() => [Number(document.querySelector('#thickness-mm').value), Number(document.querySelector('#diameter-mm').value)]);
    assert.ok(Math.abs(sigma / sigmaOf(2040, ...geometry) - 1) < 0.01, `σ ${sigma}`);
    // The selected (good) spectrum's result is shown.
    await page.waitForFunction(() => document.querySelector('[data-result="r-con"]')?.dataset.value);
    // Loaded before the corpus, still there with the same σ.
    assert.equal(await page.getAttribute(`[data-series-row][data-file="${example}"]`, 'data-sigma'), exampleSigma);
    assert.deepEqual(problems, []);
    assert.deepEqual(requestsOutside(requests, server.origin), []);
    await context.close();
  });
});

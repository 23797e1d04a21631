// The Lin-KK verdict of the selected spectrum on the page: `[data-result="kk"]` with
// data-value "pass", "warn" or "fail", computed in the core, and its residual plot.
// Run with `cd tests/e2e && node --test kk.test.mjs` after `make build`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, semicircleCsv } from './harness.mjs';

let server;
let browser;

function verdict(page) {
  return page.$eval('[data-result="kk"]', (node) => node.dataset.value);
}

/**
 * A case (b) spectrum (written out here, not by the core) measured on a pellet that
 * settles from 10 Hz down: each point below 10 Hz is 2.5 % lower than the one before,
 * 20 % at 0.1 Hz.
 */
function driftingCsv() {
  const lines = semicircleCsv({ r1: 40, r2: 960, q: 7.85e-9, alpha: 0.9, noise: 0.005, seed: 3 }).split('\n');
  let factor = 1;
  return lines.map((line) => {
    const fields = line.split(',').map(Number);
    if (fields.length !== 3 || fields.some((v) => !Number.isFinite(v))) return line;
    if (fields[0] < 10) factor -= 0.025;
    return `${fields[0]},${fields[1] * factor},${fields[2] * factor}`;
  }).join('\n');
}

describe('Lin-KK on the page', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('passes both bundled examples and does not pass a drifting spectrum', async () => {
    const { page, context, problems } = await openPage(browser, server.origin, { width: 1280, height: 720 });
    await page.waitForFunction(() => document.querySelector('[data-result="kk"]')?.dataset.value !== '', null, { timeout: 30_000 });
    assert.equal(await verdict(page), 'pass', 'the case (b) example obeys Kramers–Kronig');
    assert.match(await page.textContent('#kk-summary'), /M = \d+/);

    // Case (a): an inductive CPE is causal and linear, and must not be called invalid.
    await page.click('[data-example="synthetic_inductive_NMC-like.csv"]');
    await page.waitForFunction(() => /inductive/i.test(document.querySelector('#result-file')?.textContent ?? ''), null, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-result="kk"]')?.dataset.value === 'pass', null, { timeout: 30_000 });

    await page.setInputFiles('#spectrum-files', [{ name: 'drifting.csv', mimeType: 'text/csv', buffer: Buffer.from(driftingCsv()) }]);
    await page.waitForFunction(() => /drifting/.test(document.querySelector('#result-file')?.textContent ?? ''), null, { timeout: 30_000 });
    await page.waitForFunction(() => ['warn', 'fail'].includes(document.querySelector('[data-result="kk"]')?.dataset.value), null, { timeout: 30_000 });
    assert.match(await page.textContent('#kk-summary'), /flagged/);
    if (process.env.KK_SCREENSHOT) await page.screenshot({ path: process.env.KK_SCREENSHOT, fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

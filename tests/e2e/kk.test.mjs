// The Lin-KK verdict of the selected spectrum on the page: `[data-result="kk"]` with
// data-value "pass", "warn" or "fail", computed in the core, its residual plot, and
// "Exclude flagged", which leaves the flagged points out of the fit by frequency.
// Run with `cd tests/e2e && node --test kk.test.mjs` after `make build`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launch, openPage, semicircleCsv } from './harness.mjs';

let server;
let browser;

function verdict(page) {
  return page.$eval('[data-result="kk"]', (node) => node.dataset.value);
}

/**
 * A case (b) spectrum (written out here, not by the core) measured on a pellet that
 * settles from 10 Hz down: each of the 20 points below 10 Hz is 1 % lower than the one
 * before, 20 % at 0.1 Hz.
 */
function driftingCsv() {
  const lines = semicircleCsv({ r1: 40, r2: 960, q: 7.85e-9, alpha: 0.9, noise: 0.005, seed: 3 }).split('\n');
  let factor = 1;
  return lines.map((line) => {
    const fields = line.split(',').map(Number);
    if (fields.length !== 3 || fields.some((v) => !Number.isFinite(v))) return line;
    if (fields[0] < 10) factor -= 0.01;
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

  it('passes both bundled examples, does not pass a drifting spectrum, and masks its flagged points in one click', async () => {
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

    // One click leaves the flagged points out: the fit reruns on fewer points, R_con
    // moves, and the export's provenance lists the excluded frequencies.
    const pointsFitted = () => page.$eval('#fit-stats', (node) => Number(/(\d+) of 71/.exec(node.textContent)?.[1]));
    const rConBefore = await page.$eval('[data-result="r-con"]', (node) => node.dataset.value);
    assert.equal(await pointsFitted(), 71);
    await page.click('#kk-exclude-flagged');
    await page.waitForFunction((before) => document.querySelector('[data-result="r-con"]')?.dataset.value !== before, rConBefore, { timeout: 30_000 });
    const fitted = await pointsFitted();
    assert.ok(fitted < 71 && fitted > 40, `points fitted after the mask: ${fitted}`);
    assert.match(await page.textContent('#kk-summary'), new RegExp(`${71 - fitted} excluded`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    const drifting = exported.results.find((r) => r.file === 'drifting.csv');
    assert.equal(drifting.settings.exclude_f_hz.length, 71 - fitted, JSON.stringify(drifting.settings));
    assert.ok(drifting.settings.exclude_f_hz.every((f) => f < 100), 'the excluded points are the settled ones');

    await page.click('#kk-include-all');
    await page.waitForFunction(() => /71 of 71/.test(document.querySelector('#fit-stats')?.textContent ?? ''), null, { timeout: 30_000 });
    if (process.env.KK_SCREENSHOT) await page.screenshot({ path: process.env.KK_SCREENSHOT, fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('masking points by hand', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('leaves out a clicked point and brings it back, and a Shift-dragged frequency range of the Bode plot', async () => {
    const { page, context, problems } = await openPage(browser, server.origin, { width: 1280, height: 720 });
    const pointsFitted = () => page.$eval('#fit-stats', (node) => Number(/(\d+) of 71/.exec(node.textContent)?.[1]));
    await page.waitForFunction(() => /71 of 71/.test(document.querySelector('#fit-stats')?.textContent ?? ''), null, { timeout: 30_000 });
    const rCon = () => page.$eval('[data-result="r-con"]', (node) => node.dataset.value);
    const canvas = await page.$('#plot-nyquist');
    const box = await canvas.boundingBox();
    // The first point found scanning the canvas (CSS pixels, every 2), as the core locates it.
    const hit = await page.evaluate(({ w, h }) => {
      const scale = document.querySelector('#plot-nyquist').width / w;
      for (let x = 0; x < w; x += 2) {
        for (let y = 0; y < h; y += 2) {
          const f = window.sigmafitPointAt('nyquist', x * scale, y * scale, 1.5 * scale);
          if (f) return { x, y, f };
        }
      }
      return null;
    }, { w: box.width, h: box.height });
    assert.ok(hit, 'a point of the Nyquist plot is found under the pointer');
    const before = await rCon();
    await page.mouse.click(box.x + hit.x, box.y + hit.y);
    await page.waitForFunction(() => /70 of 71/.test(document.querySelector('#fit-stats')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.equal(await pointsFitted(), 70);
    // Exported with the spectrum's settings: the frequency clicked.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    const excluded = exported.results[0].settings.exclude_f_hz;
    assert.equal(excluded.length, 1);
    assert.ok(Math.abs(excluded[0] / hit.f - 1) < 1e-9, `${excluded} vs ${hit.f}`);
    // Clicked again, it is back.
    await page.mouse.click(box.x + hit.x, box.y + hit.y);
    await page.waitForFunction(() => /71 of 71/.test(document.querySelector('#fit-stats')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.equal(await rCon(), before);

    // Shift-drag across the left third of the Bode plot: the lowest frequencies go.
    await page.$eval('#plot-bode', (node) => node.scrollIntoView({ block: 'center' }));
    const bode = await (await page.$('#plot-bode')).boundingBox();
    await page.keyboard.down('Shift');
    await page.mouse.move(bode.x + 2, bode.y + bode.height / 2);
    await page.mouse.down();
    await page.mouse.move(bode.x + bode.width / 3, bode.y + bode.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.waitForFunction(() => !/71 of 71/.test(document.querySelector('#fit-stats')?.textContent ?? ''), null, { timeout: 30_000 });
    const left = await pointsFitted();
    assert.ok(left < 71 && left > 35, `points fitted after the sweep: ${left}`);
    const [download2] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const swept = JSON.parse(await readFile(await download2.path(), 'utf8')).results[0].settings.exclude_f_hz;
    assert.equal(swept.length, 71 - left);
    // The example runs from 1 MHz down to 0.1 Hz: the left third of the axis is below about 100 Hz.
    assert.ok(swept.every((f) => f < 1e3), JSON.stringify(swept));
    assert.deepEqual(problems, []);
    await context.close();
  });
});

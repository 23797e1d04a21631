// End-to-end tests of the real page: `make test-e2e` (or `cd tests/e2e && node --test`
// after `make build`). playwright-core drives Debian's Chromium against the page
// served on 127.0.0.1 by a server this file starts and stops.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, launch, ROOT, inductiveCsv, semicircleCsv, sigmaOf } from './harness.mjs';

const SHOTS = path.join(ROOT, 'target', 'screenshots');

let server;
let browser;

/** A fresh page that records every request it makes. */
async function openPage({ width = 1440, height = 900, scale = 1 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale, acceptDownloads: true });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, context, requests, problems };
}

function assertSameOrigin(requests) {
  assert.ok(requests.length > 0, 'requests were recorded');
  const outside = requests.filter((u) => !(u.startsWith(`${server.origin}/`) || u.startsWith('blob:') || u.startsWith('data:')));
  assert.deepEqual(outside, [], 'every request stays on the page\'s origin');
}

async function result(page) {
  return page.evaluate(() => {
    const v = (name) => document.querySelector(`[data-result="${name}"]`)?.dataset.value ?? null;
    return { sigma: Number(v('sigma')), rCon: Number(v('r-con')), circuit: v('circuit') };
  });
}

async function rows(page) {
  return page.$$eval('[data-spectrum-row]', (list) => list.map((r) => ({
    file: r.dataset.file, state: r.dataset.state, sigma: r.dataset.sigma === undefined ? null : Number(r.dataset.sigma),
  })));
}

function waitRow(page, file, state) {
  return page.waitForSelector(`[data-spectrum-row][data-file="${file}"][data-state="${state}"]`, { timeout: 30_000 });
}

function relErr(a, b) {
  return Math.abs(a / b - 1);
}

/** Case (b) pellet of the bundled example: R1 = 40, R2 = 960 ohm, d = 1 mm, D = 10 mm. */
const EXAMPLE_SIGMA = sigmaOf(1000, 1.0, 10);

before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('sigmafit page', () => {
  it('shows the fitted example on load, with the default geometry', async () => {
    const { page, context, requests, problems } = await openPage();
    assert.equal(await page.inputValue('#thickness-mm'), '1.0');
    assert.equal(await page.inputValue('#diameter-mm'), '10');
    const list = await rows(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].state, 'done');
    const r = await result(page);
    assert.equal(r.circuit, 'semicircle');
    assert.ok(relErr(r.sigma, EXAMPLE_SIGMA) < 0.01, `example sigma ${r.sigma} vs ${EXAMPLE_SIGMA}`);
    assert.ok(relErr(r.rCon, 1000) < 0.01, `example R_con ${r.rCon}`);
    assert.equal(list[0].sigma, r.sigma);
    assert.match(await page.textContent("#choice-sentence"), /semicircle/);
    assert.match(await page.textContent("#choice-sentence"), /1\u00a0×\u00a010⁻³ S\/cm/);
    assert.ok((await page.$$('#isw-table tr.candidate')).length >= 1, 'candidate ISW rows are highlighted');
    // The canvases are sized in device pixels and have been drawn on.
    const drawn = await page.$eval('#plot-nyquist', (c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] < 200) ink += 1;
      return { ink, w: c.width, cw: c.getBoundingClientRect().width };
    });
    assert.ok(drawn.ink > 1000, 'the Nyquist plot has been drawn');
    assert.equal(drawn.w, Math.round(drawn.cw));
    await page.screenshot({ path: path.join(SHOTS, 'page.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assertSameOrigin(requests);
    await context.close();
  });

  it('is sharp on a high-DPI screen (canvas sized by devicePixelRatio)', async () => {
    const { page, context, requests } = await openPage({ width: 1280, height: 800, scale: 2 });
    const size = await page.$eval('#plot-bode', (c) => ({ w: c.width, css: c.getBoundingClientRect().width }));
    assert.equal(size.w, Math.round(size.css * 2));
    await page.screenshot({ path: path.join(SHOTS, 'page@2x.png') });
    assertSameOrigin(requests);
    await context.close();
  });

  it('fits uploaded case (a) and case (b) spectra to the right circuit and sigma (1 %)', async () => {
    const { page, context, requests, problems } = await openPage();
    // Another pellet: 0.8 mm thick, 12 mm across. The example refits at once.
    const before = await result(page);
    await page.fill('#thickness-mm', '0.8');
    await page.fill('#diameter-mm', '12');
    const exampleTruth = sigmaOf(1000, 0.8, 12);
    await page.waitForFunction((old) => {
      const v = Number(document.querySelector('[data-result="sigma"]').dataset.value);
      return v && v !== old;
    }, before.sigma);
    assert.ok(relErr((await result(page)).sigma, exampleTruth) < 0.01);

    const caseA = { r0: 0.8, alpha: -0.9, share: 2, noise: 0.003, seed: 3 };
    const caseB = { r1: 120, r2: 8000, q: 3e-9, alpha: 0.85, noise: 0.003, seed: 5 };
    await page.setInputFiles('#spectrum-files', [
      { name: 'case_a_inductive.csv', mimeType: 'text/csv', buffer: Buffer.from(inductiveCsv(caseA)) },
      { name: 'case_b_semicircle.csv', mimeType: 'text/csv', buffer: Buffer.from(semicircleCsv(caseB)) },
    ]);
    await waitRow(page, 'case_a_inductive.csv', 'done');
    await waitRow(page, 'case_b_semicircle.csv', 'done');
    const list = await rows(page);
    assert.deepEqual(list.map((r) => r.file), ['synthetic_semicircle_LCO-like.csv', 'case_a_inductive.csv', 'case_b_semicircle.csv']);
    const truthA = sigmaOf(caseA.r0, 0.8, 12);
    const truthB = sigmaOf(caseB.r1 + caseB.r2, 0.8, 12);
    assert.ok(relErr(list[1].sigma, truthA) < 0.01, `case (a) sigma ${list[1].sigma} vs ${truthA}`);
    assert.ok(relErr(list[2].sigma, truthB) < 0.01, `case (b) sigma ${list[2].sigma} vs ${truthB}`);

    // The newest one is selected; selecting a row shows it.
    let r = await result(page);
    assert.equal(r.circuit, 'semicircle');
    assert.ok(relErr(r.sigma, truthB) < 0.01);
    await page.click('[data-spectrum-row][data-file="case_a_inductive.csv"] .row-select');
    r = await result(page);
    assert.equal(r.circuit, 'inductive');
    assert.ok(relErr(r.sigma, truthA) < 0.01, `case (a) sigma ${r.sigma} vs ${truthA}`);
    assert.ok(relErr(r.rCon, caseA.r0) < 0.01);
    // Why there is no attribution: the core's capacitance_note, or the page's own sentence.
    assert.ok(await page.isVisible('#attribution-none'));
    assert.ok((await page.textContent('#attribution-none')).trim().length > 20);
    await page.screenshot({ path: path.join(SHOTS, 'inductive.png'), fullPage: true });

    // Export: CSV and JSON carry the provenance of every spectrum.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = await readFile(await csvDownload.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^file,sha256,sigmafit_version,/);
    assert.match(lines[1], /^synthetic_semicircle_LCO-like\.csv,[0-9a-f]{64},\d+\.\d+\.\d+,/);
    assert.match(csv, /setting_thickness_mm/);
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const doc = JSON.parse(await readFile(await jsonDownload.path(), 'utf8'));
    assert.equal(doc.results.length, 3);
    for (const rec of doc.results) {
      assert.match(rec.sha256, /^[0-9a-f]{64}$/);
      assert.equal(rec.settings.thickness_mm, 0.8);
      assert.equal(rec.settings.diameter_mm, 12);
      assert.ok(rec.sigmafit_version);
      assert.ok(rec.analysis.sigma_S_per_cm.value > 0);
    }
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-png="nyquist"]')]);
    assert.match(png.suggestedFilename(), /case_a_inductive_nyquist\.png$/);
    const bytes = await readFile(await png.path());
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');

    assert.deepEqual(problems, []);
    assertSameOrigin(requests);
    await context.close();
  });

  it('shows a broken file\'s error beside its row while earlier results stay', async () => {
    const { page, context, requests } = await openPage();
    const good = semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 9 });
    await page.setInputFiles('#spectrum-files', [{ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) }]);
    await waitRow(page, 'good.csv', 'done');
    const broken = good.split('\n').map((line, i) => (i === 12 ? line.replace(/,([^,]*)$/, ',12..5') : line)).join('\n');
    await page.setInputFiles('#spectrum-files', [{ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) }]);
    await waitRow(page, 'broken.csv', 'error');
    const message = await page.textContent('[data-result="error"]');
    assert.match(message, /broken\.csv, line 13, column 3/);
    assert.ok(await page.isVisible('[data-result="error"]'));
    const rowError = await page.textContent('[data-spectrum-row][data-file="broken.csv"] .row-error');
    assert.match(rowError, /line 13, column 3/);
    // Nothing loaded before is lost.
    const list = await rows(page);
    assert.equal(list.length, 3);
    assert.equal(list[0].state, 'done');
    assert.equal(list[1].state, 'done');
    assert.ok(relErr(list[1].sigma, sigmaOf(2040, 1, 10)) < 0.01);
    // And the page keeps working: select, refit with another setting.
    await page.click('[data-spectrum-row][data-file="good.csv"] .row-select');
    assert.ok(await page.isHidden('[data-result="error"]'));
    await page.selectOption('#circuit', 'semicircle-c');
    await page.waitForFunction(() => document.querySelector('#circuit-string').textContent.startsWith('R1-p(R2,C2)'));
    assert.equal((await result(page)).circuit, 'semicircle');
    await page.selectOption('#circuit', 'custom');
    // A circuit string is fitted on Enter, not on every keystroke; its error shows under it.
    await page.fill('#circuit-text', 'R1-p(R2,Q2');
    await page.press('#circuit-text', 'Enter');
    await page.waitForSelector('#settings-error:not([hidden])');
    assert.match(await page.textContent('#settings-error'), /position/);
    assert.equal(await page.getAttribute('#circuit-text', 'aria-invalid'), 'true');
    assert.match(await page.textContent('#circuit-text-error'), /position/);
    await page.fill('#circuit-text', 'R1-p(R2,CPE2)');
    await page.press('#circuit-text', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-result="circuit"]').dataset.value === 'custom');
    assert.ok(await page.isHidden('#settings-error'));
    assert.equal(await page.getAttribute('#circuit-text', 'aria-invalid'), null);
    // Error rows are exported with the file's name, SHA-256 and the settings in force.
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const doc = JSON.parse(await readFile(await jsonDownload.path(), 'utf8'));
    const bad = doc.results.find((r) => r.file === 'broken.csv');
    assert.equal(bad.sha256, createHash('sha256').update(Buffer.from(broken)).digest('hex'));
    assert.match(bad.error, /line 13/);
    assert.equal(bad.settings.thickness_mm, 1);
    assertSameOrigin(requests);
    await context.close();
  });

  it('accepts pasted text and dropped files; lead resistance and frequency range refit', async () => {
    const { page, context, requests, problems } = await openPage();
    const text = inductiveCsv({ r0: 5, alpha: -1, share: 0.5 }).replace(/,/g, '\t');
    await page.click('.paste summary');
    await page.fill('#paste-text', text);
    await page.click('#paste-add');
    await waitRow(page, 'pasted-1.txt', 'done');
    let r = await result(page);
    assert.equal(r.circuit, 'inductive');
    assert.ok(relErr(r.sigma, sigmaOf(5, 1, 10)) < 0.01);
    // A measured lead resistance is subtracted from R_con.
    await page.fill('#lead-ohm', '0.5');
    await page.waitForFunction(() => Number(document.querySelector('[data-result="r-con"]').dataset.value) < 4.8);
    r = await result(page);
    assert.ok(relErr(r.rCon, 4.5) < 0.01, `R_con ${r.rCon} with 0.5 ohm leads`);
    assert.ok(relErr(r.sigma, sigmaOf(4.5, 1, 10)) < 0.01);
    // A frequency range leaves points out of the fit.
    await page.fill('#fmin-hz', '10');
    await page.waitForFunction(() => /^51 of 71/.test(document.querySelector('#fit-stats dd').textContent));

    // A file dropped onto the page.
    const csv = semicircleCsv({ r1: 300, r2: 20000, q: 2e-9, alpha: 0.8, seed: 21 });
    await page.evaluate((content) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], 'dropped.csv', { type: 'text/csv' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv);
    await waitRow(page, 'dropped.csv', 'done');
    assert.equal((await result(page)).circuit, 'semicircle');
    // The page declares its Content-Security-Policy.
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /default-src 'self'/);
    assert.deepEqual(problems, []);
    assertSameOrigin(requests);
    await context.close();
  });

  it('flags an extrapolated R_con and says why a circuit has no R_con', async () => {
    const { page, context, problems } = await openPage();
    // The example's apex is at 42 kHz: fitting only up to 1 kHz leaves it outside the window.
    await page.selectOption('#circuit', 'semicircle');
    await page.fill('#fmax-hz', '1000');
    await page.waitForSelector('#quality-badges [data-quality="extrapolated"]', { timeout: 30_000 });
    assert.match(await page.textContent('#choice-sentence'), /extrapolated/);
    // A circuit that blocks direct current has no R_con, and the page says so instead of
    // asking for a geometry it already has.
    await page.fill('#fmax-hz', '');
    await page.selectOption('#circuit', 'custom');
    await page.fill('#circuit-text', 'R0-C1');
    await page.press('#circuit-text', 'Enter');
    await page.waitForFunction(() => /C1 blocks direct current/.test(document.querySelector('#sigma-note')?.textContent ?? ''));
    assert.equal(await page.textContent('#sigma-text'), 'none');
    assert.match(await page.textContent('#choice-sentence'), /There is no R_con/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('reads decimal commas, flags ambiguous numbers beside their field, and hashes the file\'s bytes', async () => {
    const { page, context, requests, problems } = await openPage();
    await page.fill('#thickness-mm', '1,5');
    await page.waitForFunction(() => Math.abs(Number(document.querySelector('[data-result="sigma"]').dataset.value) / (0.15 / (1000 * Math.PI * 0.25)) - 1) < 0.01);
    // "1,000" could be 1 or 1000: an error under the field, the old result stays and says so.
    const before = (await result(page)).sigma;
    await page.fill('#diameter-mm', '1,000');
    await page.waitForSelector('#diameter-mm-error:not([hidden])');
    assert.match(await page.textContent('#diameter-mm-error'), /ambiguous/);
    assert.equal(await page.getAttribute('#diameter-mm', 'aria-invalid'), 'true');
    assert.match(await page.textContent('#settings-error'), /previous valid settings/);
    assert.equal((await result(page)).sigma, before);
    await page.fill('#diameter-mm', '10');
    await page.waitForSelector('#diameter-mm-error', { state: 'hidden' });

    // A file with a byte-order mark: the SHA-256 is of the bytes as stored.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95 }))]);
    await page.setInputFiles('#spectrum-files', [{ name: 'bom.csv', mimeType: 'text/csv', buffer: bytes }]);
    await waitRow(page, 'bom.csv', 'done');
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const doc = JSON.parse(await readFile(await jsonDownload.path(), 'utf8'));
    assert.equal(doc.results.find((r) => r.file === 'bom.csv').sha256, createHash('sha256').update(bytes).digest('hex'));

    // A poor fit is flagged: an inductive spectrum forced into a semicircle.
    await page.setInputFiles('#spectrum-files', [{ name: 'ind.csv', mimeType: 'text/csv', buffer: Buffer.from(inductiveCsv({ r0: 0.8, alpha: -0.9, share: 2 })) }]);
    await waitRow(page, 'ind.csv', 'done');
    await page.selectOption('#circuit', 'semicircle-c');
    await page.waitForSelector('#quality-badges [data-quality="poor-fit"]');
    assert.ok(await page.$('[data-spectrum-row][data-file="ind.csv"] [data-quality="poor-fit"]'));
    assert.deepEqual(problems, []);
    assertSameOrigin(requests);
    await context.close();
  });

  it('fits a 1024×768 screen: no horizontal scroll, plots in one column, first Tab stop visible', async () => {
    const { page, context } = await openPage({ width: 1024, height: 768 });
    const m = await page.evaluate(() => {
      const d = document.documentElement;
      const box = (sel) => document.querySelector(sel).getBoundingClientRect();
      const table = document.querySelector('#param-table');
      const circuit = document.querySelector('#circuit');
      return {
        scroll: d.scrollWidth, client: d.clientWidth,
        tableFits: table.getBoundingClientRect().right <= table.parentElement.getBoundingClientRect().right + 0.5,
        stacked: box('#plot-bode').top > box('#plot-nyquist').bottom,
        select: circuit.getBoundingClientRect().width,
      };
    });
    assert.ok(m.scroll <= m.client, `scrollWidth ${m.scroll} > clientWidth ${m.client}`);
    assert.ok(m.tableFits, 'the parameter table stays inside its panel');
    assert.ok(m.stacked, 'plots are stacked in one column');
    assert.ok(m.select >= 220, `circuit select ${m.select}px wide`);
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => ({ id: document.activeElement.id, outline: getComputedStyle(document.activeElement).outlineStyle }));
    assert.equal(focus.id, 'choose-files');
    assert.notEqual(focus.outline, 'none');
    await page.screenshot({ path: path.join(SHOTS, 'page-1024x768.png'), fullPage: true });
    await context.close();
  });
});

// End-to-end tests of the real page: `make test-e2e` (or `cd tests/e2e && node --test`
// after `make build`). playwright-core drives Debian's Chromium against the page
// served on 127.0.0.1 by a server this file starts and stops.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, launch, openPage as openPageOf, requestsOutside, ROOT, inductiveCsv, semicircleCsv, sigmaOf } from './harness.mjs';
import { PNG_SCALE, captionHeight } from '../../www/png.js';

const SHOTS = path.join(ROOT, 'target', 'screenshots');

let server;
let browser;

/** A fresh page that records every request it makes. */
function openPage(options) {
  return openPageOf(browser, server.origin, options);
}

function assertSameOrigin(requests) {
  assert.ok(requests.length > 0, 'requests were recorded');
  const outside = requestsOutside(requests, server.origin);
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

/**
 * Tab from the top of the page to the calculator's first stop: past the view tabs in the
 * masthead (Calculator, Explorer), which come first.
 */
async function tabPastViews(page) {
  for (let i = 0; i < 4; i += 1) {
    await page.keyboard.press('Tab');
    if (!(await page.evaluate(() => Boolean(document.activeElement?.closest('.tabs'))))) return;
  }
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
    assert.match(await page.textContent("#choice-sentence"), /1\u00a0×\u00a010⁻³\u00a0S\/cm/);
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
    // Two fields, two refits: the first (0.8 mm × 10 mm) may land before the second is
    // typed, so wait for the value of the pellet as finally typed.
    await page.waitForFunction((truth) => {
      const v = Number(document.querySelector('[data-result="sigma"]').dataset.value);
      return Math.abs(v / truth - 1) < 0.01;
    }, exampleTruth, { timeout: 30_000 });
    assert.notEqual((await result(page)).sigma, before.sigma);

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

    // Export: CSV and JSON carry the provenance of every spectrum (the example too, when kept).
    await page.check('#export-keep-example');
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
    await page.waitForFunction(() => document.querySelector('#circuit-string').textContent.startsWith('R1-p(R2,C2) = R(RC) ·'));
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
    // R_con still rests on the measured plateau; only the R1/R2 split is the model's.
    await page.selectOption('#circuit', 'semicircle');
    await page.fill('#fmax-hz', '1000');
    await page.waitForSelector('#quality-badges [data-quality="arc-extrapolated"]', { timeout: 30_000 });
    assert.equal(await page.textContent('#rcon-status'), 'measured');
    assert.equal(await page.$('#quality-badges [data-quality="extrapolated"]'), null);
    assert.match(await page.textContent('#choice-sentence'), /above the window/);
    assert.match(await page.textContent('#analysis-notes'), /split into R1 and R2/);
    // Fitted only from 100 kHz up, the apex (42 kHz) is below the window: the arc does
    // not close in the fitted data, so R_con is extrapolated.
    await page.fill('#fmax-hz', '');
    await page.fill('#fmin-hz', '100000');
    await page.waitForSelector('#quality-badges [data-quality="extrapolated"]', { timeout: 30_000 });
    assert.equal(await page.textContent('#rcon-status'), 'extrapolated');
    assert.match(await page.textContent('#choice-sentence'), /below the lowest fitted frequency: the arc does not close inside the data\. R_con is therefore extrapolated\./);
    await page.fill('#fmin-hz', '');
    // A circuit that blocks direct current has no R_con, and the page says so instead of
    // asking for a geometry it already has.
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
    await tabPastViews(page);
    const focus = await page.evaluate(() => ({ id: document.activeElement.id, outline: getComputedStyle(document.activeElement).outlineStyle }));
    assert.equal(focus.id, 'choose-files');
    assert.notEqual(focus.outline, 'none');
    await page.screenshot({ path: path.join(SHOTS, 'page-1024x768.png'), fullPage: true });
    await context.close();
  });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** WCAG relative luminance and contrast ratio of sRGB colours [r, g, b] (0–255). */
function luminance([r, g, b]) {
  const lin = (c) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
function parseRgba(css) {
  const m = /rgba?\(([^)]+)\)/.exec(css);
  const [r, g, b, alpha = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return { rgb: [r, g, b], alpha };
}
/** A colour with alpha painted over an opaque background. */
function over({ rgb, alpha }, bg) {
  return rgb.map((c, i) => alpha * c + (1 - alpha) * bg[i]);
}

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: d.suggestedFilename(), bytes: await readFile(await d.path()) };
}

describe('exports, notes and layout (issue items 4.6–4.11)', () => {
  it('marks the synthetic example in exports and leaves it out unless kept or alone', async () => {
    const { page, context, problems } = await openPage();
    // Only the example: it is exported (there is nothing else), marked synthetic.
    assert.ok(await page.isVisible('#export-keep-example'));
    let doc = JSON.parse((await download(page, '#export-json')).bytes.toString());
    assert.deepEqual(doc.results.map((r) => [r.file, r.synthetic]), [['synthetic_semicircle_LCO-like.csv', true]]);
    // With a measurement loaded, the example is left out of both exports...
    await page.setInputFiles('#spectrum-files', [{ name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from(semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 4 })) }]);
    await waitRow(page, 'mine.csv', 'done');
    doc = JSON.parse((await download(page, '#export-json')).bytes.toString());
    assert.deepEqual(doc.results.map((r) => [r.file, r.synthetic]), [['mine.csv', false]]);
    let lines = (await download(page, '#export-csv')).bytes.toString().trim().split(/\r?\n/).map((l) => l.split(','));
    assert.equal(lines.length, 2);
    const col = lines[0].indexOf('synthetic');
    assert.ok(col > 0, 'a synthetic column');
    assert.equal(lines[1][0], 'mine.csv');
    assert.equal(lines[1][col], 'false');
    // ...unless the user keeps it.
    await page.check('#export-keep-example');
    lines = (await download(page, '#export-csv')).bytes.toString().trim().split(/\r?\n/).map((l) => l.split(','));
    assert.deepEqual(lines.slice(1).map((l) => [l[0], l[col]]), [['synthetic_semicircle_LCO-like.csv', 'true'], ['mine.csv', 'false']]);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('says what the ± of σ holds, and marks the default pellet until the user edits it', async () => {
    const { page, context, problems } = await openPage();
    const note = () => page.textContent('#sigma-note');
    assert.match(await note(), /± is the fit's standard error of R_con only: the pellet's thickness and diameter were given without uncertainties/);
    assert.match(await note(), /assumed pellet 1\.0 mm × 10 mm: enter yours/);
    assert.ok(await page.isVisible('#thickness-mm-default'));
    assert.ok(await page.isVisible('#diameter-mm-default'));
    assert.match(await page.textContent('#thickness-mm-default'), /default/);
    // Uncertainties given: the ± includes them.
    await page.fill('#thickness-err-mm', '0.02');
    await page.fill('#diameter-err-mm', '0.05');
    await page.waitForFunction(() => /± combines the fit's standard error of R_con with the given uncertainties/.test(document.querySelector('#sigma-note').textContent));
    // Typing the thickness (even the same value) makes it the user's; the diameter is still assumed.
    await page.fill('#thickness-mm', '1.0');
    await page.waitForSelector('#thickness-mm-default', { state: 'hidden' });
    assert.ok(await page.isVisible('#diameter-mm-default'));
    assert.match(await note(), /assumed diameter 10 mm: enter yours/);
    assert.doesNotMatch(await note(), /assumed pellet/);
    await page.fill('#diameter-mm', '12');
    await page.waitForSelector('#diameter-mm-default', { state: 'hidden' });
    await page.waitForFunction(() => !/assumed/.test(document.querySelector('#sigma-note').textContent));
    assert.match(await note(), /± combines the fit's standard error/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('keeps Export in view beside the settings at 1440×900 and 1280×720', async () => {
    for (const [width, height] of [[1440, 900], [1280, 720]]) {
      const { page, context, problems } = await openPage({ width, height });
      await page.setInputFiles('#spectrum-files', [
        { name: 'one.csv', mimeType: 'text/csv', buffer: Buffer.from(semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 2 })) },
        { name: 'two.csv', mimeType: 'text/csv', buffer: Buffer.from(semicircleCsv({ r1: 30, r2: 900, q: 5e-9, alpha: 0.9, seed: 3 })) },
      ]);
      await waitRow(page, 'two.csv', 'done');
      const m = await page.evaluate(() => {
        const ids = ['#export-csv', '#export-json', '#export-fit-table', '#export-keep-example'];
        return { vh: window.innerHeight, scrollY: window.scrollY, sidebar: document.querySelector('.sidebar').scrollTop, bottoms: ids.map((id) => document.querySelector(id).getBoundingClientRect().bottom) };
      });
      assert.equal(m.scrollY, 0);
      assert.equal(m.sidebar, 0);
      for (const b of m.bottoms) assert.ok(b > 0 && b <= m.vh, `${width}×${height}: an export control ends at ${b}px, the window at ${m.vh}px`);
      await page.screenshot({ path: path.join(SHOTS, `sidebar-${width}x${height}.png`) });
      assert.deepEqual(problems, []);
      await context.close();
    }
  });

  it('cuts long file names in the middle and keeps row values clear of the remove button', async () => {
    const { page, context, problems } = await openPage({ width: 1280, height: 720 });
    const longB = 'LCO_pellet_batch_2024-11-03_sample_A_pressed_at_375MPa.csv';
    const longA = 'NMC811_carbon-free_pellet_batch_7_sample_C_pressed_at_500MPa.csv';
    await page.setInputFiles('#spectrum-files', [
      { name: longB, mimeType: 'text/csv', buffer: Buffer.from(semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 6 })) },
      { name: longA, mimeType: 'text/csv', buffer: Buffer.from(inductiveCsv({ r0: 0.8, alpha: -0.9, share: 2 })) },
    ]);
    await waitRow(page, longA, 'done');
    // Forced into a semicircle, the inductive one gets a badge beside its value: the widest row.
    await page.selectOption('#circuit', 'semicircle-c');
    await page.waitForSelector(`[data-spectrum-row][data-file="${longA}"] [data-quality="poor-fit"]`);
    await waitRow(page, longA, 'done');
    await waitRow(page, longB, 'done');
    for (const name of [longB, longA]) {
      const m = await page.$eval(`[data-spectrum-row][data-file="${name}"]`, (row) => {
        const box = (sel) => row.querySelector(sel)?.getBoundingClientRect() ?? null;
        const end = row.querySelector('.row-name-end');
        return {
          title: row.querySelector('.row-select').title,
          text: row.querySelector('.row-name').textContent,
          endText: end?.textContent ?? null,
          endClipped: end ? end.scrollWidth > end.clientWidth + 0.5 : null,
          end: box('.row-name-end'), name: box('.row-name'), select: box('.row-select'),
          value: box('.row-value'), right: box('.row-right'), remove: box('.row-remove'),
        };
      });
      assert.equal(m.title, name);
      assert.equal(m.text, name, 'the row holds the whole name (for screen readers)');
      assert.equal(m.endText, name.slice(-16), 'the last 16 characters are kept whole');
      assert.equal(m.endClipped, false);
      assert.ok(m.end.right <= m.name.right + 0.5, `the end of ${name} shows`);
      assert.ok(m.value.right <= m.remove.left + 0.5, `${name}: value ends at ${m.value.right}, remove button starts at ${m.remove.left}`);
      assert.ok(m.right.right <= m.select.right + 0.5, `${name}: badges and value stay inside the row`);
    }
    await page.screenshot({ path: path.join(SHOTS, 'long-names-1280x720.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('has a focus ring of 3:1 or more, named PNG buttons and a labelled paste box', async () => {
    const { page, context } = await openPage();
    await tabPastViews(page);
    const m = await page.evaluate(() => ({
      id: document.activeElement.id,
      outline: getComputedStyle(document.activeElement).outlineColor,
      page: getComputedStyle(document.body).backgroundColor,
      panel: getComputedStyle(document.querySelector('.panel')).backgroundColor,
    }));
    assert.equal(m.id, 'choose-files');
    for (const bg of [m.page, m.panel]) {
      const base = parseRgba(bg).rgb;
      const ratio = contrast(over(parseRgba(m.outline), base), base);
      assert.ok(ratio >= 3, `focus ring ${m.outline} on ${bg}: ${ratio.toFixed(2)}:1`);
    }
    for (const name of ['Nyquist plot as PNG', 'Bode plot as PNG', 'Residuals plot as PNG']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
    }
    await page.click('.paste summary');
    const label = await page.$eval('#paste-text', (t) => [...t.labels].map((l) => l.textContent.trim()).join(' '));
    assert.ok(label.length > 5, `paste box label: "${label}"`);
    assert.equal(await page.getByRole('textbox', { name: label }).getAttribute('id'), 'paste-text');
    await context.close();
  });

  it('exports a plot as a PNG at twice its size with a caption strip', async () => {
    const { page, context, problems } = await openPage();
    for (const kind of ['nyquist', 'bode', 'residuals']) {
      const css = await page.$eval(`#plot-${kind}`, (c) => { const r = c.getBoundingClientRect(); return { w: r.width, h: r.height }; });
      const png = await download(page, `[data-png="${kind}"]`);
      assert.equal(png.name, `synthetic_semicircle_LCO-like_${kind}.png`);
      const size = pngSize(png.bytes);
      assert.equal(size.width, Math.round(css.w * PNG_SCALE), `${kind} width`);
      assert.equal(size.height, Math.round(css.h * PNG_SCALE) + captionHeight(PNG_SCALE), `${kind} height`);
    }
    assert.ok(captionHeight(PNG_SCALE) >= 100);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('exports the data and the fit of the selected spectrum as CSV', async () => {
    const { page, context, problems } = await openPage();
    assert.ok(await page.isEnabled('#export-fit-table'));
    let csv = (await download(page, '#export-fit-table')).bytes.toString();
    let lines = csv.split('\r\n').filter(Boolean);
    const comments = lines.filter((l) => l.startsWith('#')).join('\n');
    assert.match(comments, /^# file: synthetic_semicircle_LCO-like\.csv$/m);
    assert.match(comments, /^# sha256: [0-9a-f]{64}$/m);
    assert.match(comments, /^# circuit: R1-p\(R2,CPE2\)$/m);
    assert.match(comments, /^# sigmafit version: \d+\.\d+\.\d+$/m);
    let table = lines.filter((l) => !l.startsWith('#')).map((l) => l.split(','));
    const header = table[0];
    assert.deepEqual(header, ['f_Hz', 'Z_re_ohm', 'Z_im_ohm', 'fitted', 'Z_fit_re_ohm', 'Z_fit_im_ohm', 'residual_re_ohm', 'residual_im_ohm', 'residual_rel']);
    // Every point of the example file, all fitted; residuals are Z − Z_fit.
    const example = (await readFile(path.join(ROOT, 'www/examples/synthetic_semicircle_LCO-like.csv'), 'utf8'))
      .split('\n').filter((l) => /^\d/.test(l.trim()));
    assert.equal(table.length - 1, example.length);
    for (const row of table.slice(1)) {
      const [f, re, im, fitted, fre, fim, rre, rim, rel] = row.map((c) => (c === 'true' || c === 'false' ? c : Number(c)));
      assert.ok(f > 0 && fitted === 'true');
      assert.ok(Math.abs(re - fre - rre) <= 1e-9 * Math.abs(re) && Math.abs(im - fim - rim) <= 1e-9 * Math.abs(re));
      assert.ok(Math.abs(rel - Math.hypot(rre, rim) / Math.hypot(re, im)) <= 1e-12);
      assert.ok(rel < 0.02, `residual ${rel} at ${f} Hz`);
    }
    // A fit window leaves points out: they are still there, marked not fitted.
    await page.fill('#fmax-hz', '1000');
    await page.waitForFunction(() => /^4[01] of 71/.test(document.querySelector('#fit-stats dd')?.textContent ?? ''));
    csv = (await download(page, '#export-fit-table')).bytes.toString();
    table = csv.split('\r\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(','));
    const flags = table.slice(1).map((r) => [Number(r[0]), r[3]]);
    assert.equal(flags.length, example.length);
    for (const [f, fitted] of flags) {
      if (Math.abs(f / 1000 - 1) > 1e-6) assert.equal(fitted, f < 1000 ? 'true' : 'false', `${f} Hz`);
    }
    assert.ok(flags.some(([, fitted]) => fitted === 'false') && flags.some(([, fitted]) => fitted === 'true'));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('lets the file picker offer every extension the importer reads or explains', async () => {
    const { page, context } = await openPage();
    const accept = (await page.getAttribute('#spectrum-files', 'accept')).split(',');
    // Plain-text tables (the importer reads by content, whatever the name)...
    for (const ext of ['.csv', '.txt', '.tsv', '.dat', '.prn']) assert.ok(accept.includes(ext), ext);
    // ...and instrument files: text ones may parse as they are, the others get a hint on how to export them.
    for (const ext of ['.dta', '.z', '.mpt', '.mpr', '.par', '.idf', '.ids', '.dfr']) assert.ok(accept.includes(ext), ext);
    await page.setInputFiles('#spectrum-files', [{ name: 'run.mpr', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 1, 2, 3, 200, 201]) }]);
    await waitRow(page, 'run.mpr', 'error');
    assert.match(await page.textContent('[data-spectrum-row][data-file="run.mpr"] .row-error'), /EC-Lab/);
    await context.close();
  });
});

// End-to-end tests of the pressure-series view: files of a synthetic series (spectra
// computed here from known R_con, so σ is known) are given to the real page, which
// fits them in its Web Workers; rows, branches, σ, the summary, the plot and the
// exports are checked against the truth.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launch, openPage as openPageOf, requestsOutside, inductiveCsv, semicircleCsv } from './harness.mjs';

let server;
let browser;

const THICKNESS_MM = 1.0;
const DIAMETER_MM = 10;

/** Loading 10 → 486 MPa in 12 steps, then unloading in 8: the study's protocol. */
const LOADING = [10, 20, 35, 50, 75, 100, 150, 200, 250, 300, 400, 486];
const UNLOADING = [400, 300, 200, 150, 100, 50, 25, 10];

/**
 * σ(p) of a sc-NMC622-like pellet: rising over two and a half decades on loading to
 * 2.5e-2 S/cm, nearly flat on release to 100 MPa, 2.5× lower at the end.
 */
function sigmaTruth(p, branch) {
  const loading = 2.5e-2 * 10 ** (-2.5 * (Math.log10(486) - Math.log10(p)) / (Math.log10(486) - 1));
  if (branch === 'loading') return loading;
  const atTop = 2.5e-2;
  if (p >= 100) return atTop * (1 - 0.1 * (486 - p) / 386);
  return atTop * 0.9 * (p / 100) ** (Math.log(2.5) / Math.log(10));
}

/** A spectrum whose R_con gives σ: semicircle below 1e-3 S/cm, inductive above. */
function spectrumFor(sigma, seed) {
  const d = THICKNESS_MM / 10;
  const area = Math.PI * (DIAMETER_MM / 10) ** 2 / 4;
  const rCon = d / (sigma * area);
  if (sigma < 1e-3) {
    // C·d/A = 1e-9 F/cm, the study's largest: τ2 = R2 C2 puts the apex inside 0.1 Hz … 1 MHz.
    const c2 = 1e-9 * area / d;
    return semicircleCsv({ r1: 0.05 * rCon, r2: 0.95 * rCon, q: c2, alpha: 1, noise: 0.002, seed });
  }
  return inductiveCsv({ r0: rCon, alpha: -0.95, share: 0.3, noise: 0.002, seed });
}

function seriesFiles(prefix, spell = (p) => `${p}MPa`) {
  const steps = [...LOADING.map((p) => [p, 'loading']), ...UNLOADING.map((p) => [p, 'unloading'])];
  return steps.map(([p, branch], i) => {
    const run = String(i + 1).padStart(2, '0');
    const sigma = sigmaTruth(p, branch);
    return { name: `${prefix}_${run}_${spell(p)}.csv`, p, branch, sigma, csv: spectrumFor(sigma, 100 + i) };
  });
}

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page without the bundled single example (it is not part of any series). */
async function openPage() {
  const opened = await openPageOf(browser, server.origin);
  await opened.page.click('[data-spectrum-row][data-file="synthetic_semicircle_LCO-like.csv"] .row-remove');
  return opened;
}

async function give(page, files) {
  await page.setInputFiles('#spectrum-files', files.map((f) => ({ name: f.name, mimeType: 'text/csv', buffer: Buffer.from(f.csv) })));
}

async function waitFitted(page, n) {
  await page.waitForFunction((k) => document.querySelector('[data-result="series-fitted"]')?.dataset.value === String(k), n, { timeout: 60_000 });
}

async function seriesRows(page) {
  return page.$$eval('[data-series-row]', (list) => list.map((r) => ({
    file: r.dataset.file,
    pressure: r.dataset.pressureMpa === undefined ? null : Number(r.dataset.pressureMpa),
    branch: r.dataset.branch ?? null,
    sigma: r.dataset.sigma === undefined ? null : Number(r.dataset.sigma),
    text: r.textContent,
  })));
}

/** Pixels of the canvas that are not background (the plot was drawn). */
async function inkedPixels(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) n += 1;
    return n;
  });
}

describe('pressure series', () => {
  it('fits 20 dropped files in the workers: pressure, order and branch from the names, σ within 1 % of the truth', async () => {
    const { page, context, requests, problems } = await openPage();
    const files = seriesFiles('sc-NMC622');
    // Given out of order: the run index in the name decides the measurement order.
    const shuffled = [...files].sort((a, b) => (a.name.length % 3) - (b.name.length % 3) || b.name.localeCompare(a.name));
    await give(page, shuffled);
    await waitFitted(page, 20);
    const rows = await seriesRows(page);
    assert.equal(rows.length, 20);
    assert.deepEqual(rows.map((r) => r.file), files.map((f) => f.name), 'table in measurement order');
    for (const [i, f] of files.entries()) {
      const row = rows[i];
      assert.equal(row.pressure, f.p, `${f.name}: pressure`);
      assert.equal(row.branch, f.branch, `${f.name}: branch`);
      assert.ok(Math.abs(row.sigma / f.sigma - 1) < 0.01, `${f.name}: σ ${row.sigma} vs truth ${f.sigma}`);
    }
    // 486 MPa, the highest, ends the loading branch.
    assert.equal(rows.find((r) => r.pressure === 486).branch, 'loading');
    assert.ok(await inkedPixels(page, '[data-plot="series"]') > 2000, 'the series plot is drawn');
    const summary = await page.textContent('#series-summary');
    assert.match(summary, /486/);
    assert.match(summary, /Released to 100 MPa/);
    assert.ok(await page.$('#series-summary .series-card[data-series="sc-NMC622"]'), 'a summary card for the series');

    // The same two files given again (same name, size and date) are left out, and said.
    await page.evaluate((again) => {
      const input = document.querySelector('#spectrum-files');
      for (let i = 0; i < 2; i += 1) {
        const transfer = new DataTransfer();
        for (const { name, csv } of again) transfer.items.add(new File([csv], name, { lastModified: 1_700_000_000_000 }));
        input.files = transfer.files;
        input.dispatchEvent(new Event('change'));
      }
    }, files.slice(0, 2).map(({ name, csv }) => ({ name, csv })));
    await page.waitForSelector('#add-note:not([hidden])');
    assert.match(await page.textContent('#add-note'), /Already loaded, not added again: sc-NMC622_01_10MPa\.csv/);
    assert.equal((await seriesRows(page)).length, 22, 'given once more than before: two new files, then the same two again');

    // A row shows its spectrum's full view.
    await page.click('[data-series-row][data-file="sc-NMC622_12_486MPa.csv"] .file');
    await page.waitForFunction(() => document.querySelector('#result-file').textContent === 'sc-NMC622_12_486MPa.csv');
    const sigma = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(Math.abs(sigma / files[11].sigma - 1) < 0.01);
    assert.equal(await page.getAttribute('[data-result="circuit"]', 'data-value'), 'inductive');
    assert.deepEqual(requestsOutside(requests, server.origin), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('groups two series given together, numbers a second cycle, and leaves a file without a pressure out of the branches', async () => {
    const { page, context, problems } = await openPage();
    const a = seriesFiles('uncoated', (p) => `${p} MPa`).slice(0, 6);
    const b = seriesFiles('LNO-coated', (p) => `${String(p / 1000).replace('.', ',')}GPa`).slice(0, 6);
    // A second cycle for the coated one: down after 100 MPa, then up again.
    const cycle = [[50, 'unloading'], [10, 'unloading'], [100, 'loading']].map(([p, branch], i) => ({
      name: `LNO-coated_${String(7 + i).padStart(2, '0')}_${p}MPa.csv`, p, branch, sigma: sigmaTruth(p, 'loading'), csv: spectrumFor(sigmaTruth(p, 'loading'), 300 + i),
    }));
    const lone = { name: 'reference pellet.csv', csv: spectrumFor(1e-4, 7) };
    const broken = { name: 'uncoated_07_486MPa.csv', csv: 'freq,Zre,Zim\n1e6,1,oops\n' };
    // Its header says 53 MPa, its name 300 MPa: the header's is used, the name's is said.
    const headered = { name: 'headered_01_300MPa.csv', csv: `# pressure: 530 bar\n${spectrumFor(1e-4, 9)}` };
    await give(page, [...a, ...b, ...cycle, lone, broken, headered]);
    await waitFitted(page, 17);
    await page.waitForSelector('[data-series-row][data-file="uncoated_07_486MPa.csv"][data-state="error"]');
    const rows = await seriesRows(page);
    assert.equal(rows.length, 18);
    assert.equal(rows.find((r) => r.file === headered.name).pressure, 53);
    const headeredInput = '[data-series-row][data-file="headered_01_300MPa.csv"] input[aria-label^="Pressure"]';
    await page.waitForSelector(`${headeredInput}[data-conflict="name"]`);
    assert.match(await page.getAttribute(headeredInput, 'title'), /header.*the file name says 300 MPa/);
    // A file that could not be read shows its error on its row and takes no branch.
    const failed = rows.find((r) => r.file === 'uncoated_07_486MPa.csv');
    assert.equal(failed.branch, null);
    assert.match(failed.text, /line 2, column 3/);
    assert.equal(rows.find((r) => r.file === a[5].name).branch, 'loading');
    const byFile = Object.fromEntries(rows.map((r) => [r.file, r]));
    for (const f of [...a, ...b, ...cycle]) {
      assert.equal(byFile[f.name].pressure, f.p, f.name);
      assert.equal(byFile[f.name].branch, f.branch, f.name);
    }
    assert.equal(byFile['reference pellet.csv'].branch, null);
    assert.match(byFile['LNO-coated_09_100MPa.csv'].text, /cycle 2/);
    const cards = await page.$$eval('#series-summary .series-card', (list) => list.map((c) => c.dataset.series));
    assert.ok(cards.includes('uncoated') && cards.includes('LNO-coated'), `series found: ${cards}`);

    // A pressure typed into the table wins over the name and moves the point.
    await page.fill('[data-series-row][data-file="reference pellet.csv"] input[aria-label^="Pressure"]', '250');
    await page.press('[data-series-row][data-file="reference pellet.csv"] input[aria-label^="Pressure"]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-series-row][data-file="reference pellet.csv"]').dataset.pressureMpa === '250');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('a thickness typed on a row refits that spectrum with it; the exports carry pressure, branch and provenance', async () => {
    const { page, context } = await openPage();
    const files = seriesFiles('pellet').slice(0, 5);
    await give(page, files);
    await waitFitted(page, 5);
    const row = '[data-series-row][data-file="pellet_03_35MPa.csv"]';
    const before = Number(await page.getAttribute(row, 'data-sigma'));
    await page.fill(`${row} input[aria-label^="Thickness"]`, '0,5');
    await page.press(`${row} input[aria-label^="Thickness"]`, 'Enter');
    await page.waitForFunction((sel) => {
      const v = Number(document.querySelector(sel).dataset.sigma);
      return v > 0 && Math.abs(v) < 1;
    }, row);
    await page.waitForFunction(([sel, b]) => Math.abs(Number(document.querySelector(sel).dataset.sigma) / b - 0.5) < 1e-3, [row, before]);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#series-export-csv')]);
    const text = await readFile(await csv.path(), 'utf8');
    const [head, ...lines] = text.trim().split(/\r\n/);
    const cols = head.split(',');
    for (const c of ['series', 'cycle', 'branch', 'pressure_MPa', 'thickness_mm', 'file', 'sigma_S_per_cm', 'sha256', 'sigmafit_version']) assert.ok(cols.includes(c), c);
    assert.equal(lines.length, 5);
    const third = lines.find((l) => l.includes('pellet_03_35MPa.csv')).split(',');
    assert.equal(Number(third[cols.indexOf('thickness_mm')]), 0.5);
    const first = lines.find((l) => l.includes('pellet_01_10MPa.csv')).split(',');
    assert.equal(Number(first[cols.indexOf('thickness_mm')]), 1);
    assert.equal(Number(third[cols.indexOf('pressure_MPa')]), 35);
    assert.equal(third[cols.indexOf('branch')], 'loading');
    assert.equal(third[cols.indexOf('pressure_source')], 'name');
    assert.equal(Number(third[cols.indexOf('run')]), 3);

    // The order is shown and editable: the third file typed first moves there, and the
    // branches follow the new order (35 MPa, then down to 10: a turn).
    await page.fill(`${row} input[aria-label^="Measurement order"]`, '1');
    await page.press(`${row} input[aria-label^="Measurement order"]`, 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-series-row]').dataset.file === 'pellet_03_35MPa.csv');
    const order = await seriesRows(page);
    assert.deepEqual(order.map((r) => r.file), ['pellet_03_35MPa.csv', 'pellet_01_10MPa.csv', 'pellet_02_20MPa.csv', 'pellet_04_50MPa.csv', 'pellet_05_75MPa.csv']);
    assert.deepEqual(order.map((r) => r.branch), ['loading', 'unloading', 'loading', 'loading', 'loading']);

    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#series-export-svg')]);
    const svgText = await readFile(await svg.path(), 'utf8');
    assert.match(svgText, /^<svg/);
    assert.match(svgText, /sigmafit-provenance/);
    assert.match(svgText, /pellet_05_75MPa\.csv/);
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#series-export-png')]);
    const pngBytes = await readFile(await png.path());
    assert.equal(pngBytes.subarray(1, 4).toString(), 'PNG');
    await context.close();
  });

  it('without run indices the files\' modification times give the order', async () => {
    const { page, context } = await openPage();
    const steps = [[10, 'loading'], [100, 'loading'], [300, 'loading'], [200, 'unloading'], [50, 'unloading']];
    const files = steps.map(([p, branch], i) => ({
      name: `NMC ${p} MPa.csv`, p, branch,
      modified: Date.UTC(2026, 0, 1, 9, i), csv: spectrumFor(sigmaTruth(p, branch), 500 + i),
    }));
    // Given newest first: only the dates can put them right.
    await page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([f.csv], f.name, { type: 'text/csv', lastModified: f.modified }));
      const input = document.querySelector('#spectrum-files');
      input.files = transfer.files;
      input.dispatchEvent(new Event('change'));
    }, [...files].reverse());
    await waitFitted(page, 5);
    const rows = await seriesRows(page);
    assert.deepEqual(rows.map((r) => r.file), files.map((f) => f.name));
    assert.deepEqual(rows.map((r) => r.branch), files.map((f) => f.branch));
    await context.close();
  });

  it('cancel stops the workers\' fits; a cancelled row is fitted when shown, and nothing else is lost', async () => {
    const { page, context, problems } = await openPage();
    const files = seriesFiles('cancel');
    // Given and cancelled in one task: no result can arrive in between.
    await page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const { name, csv } of list) transfer.items.add(new File([csv], name, { type: 'text/csv' }));
      const input = document.querySelector('#spectrum-files');
      input.files = transfer.files;
      input.dispatchEvent(new Event('change'));
      document.querySelector('#fit-cancel').click();
    }, files.map(({ name, csv }) => ({ name, csv })));
    await page.waitForFunction(() => document.querySelectorAll('[data-series-row]').length === 20);
    await page.waitForTimeout(500);
    const states = await page.$$eval('[data-series-row]', (rows) => rows.map((r) => r.dataset.state));
    assert.ok(!states.includes('fitting'), `no row left fitting: ${states}`);
    const cancelled = states.filter((s) => s === 'cancelled').length;
    assert.ok(cancelled >= 18, `cancelled: ${cancelled}`);
    assert.ok(await page.isHidden('#fit-progress'));
    const fitted = Number(await page.getAttribute('[data-result="series-fitted"]', 'data-value'));
    assert.equal(fitted, states.filter((s) => s === 'done').length);
    // Shown, a cancelled spectrum is fitted here.
    const row = `[data-series-row][data-file="${files[4].name}"]`;
    await page.click(`${row} .file`);
    await page.waitForSelector(`${row}[data-state="done"]`);
    assert.ok(Math.abs(Number(await page.getAttribute(row, 'data-sigma')) / files[4].sigma - 1) < 0.01);
    // A settings change fits the rest.
    await page.fill('#diameter-mm', '10.0');
    await waitFitted(page, 20);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('loads the bundled synthetic series with one click, labelled synthetic', async () => {
    const { page, context, problems } = await openPage();
    await page.click('#example-series');
    await waitFitted(page, 32);
    const rows = await seriesRows(page);
    assert.equal(rows.length, 32);
    assert.ok(rows.every((r) => r.branch === 'loading' || r.branch === 'unloading'));
    const top = rows.filter((r) => r.pressure === 486).map((r) => r.sigma).sort((x, y) => y - x);
    assert.ok(top[0] > 1.5e-2 && top[0] < 4e-2, `uncoated at 486 MPa: ${top[0]}`);
    assert.ok(top[1] > 1.5e-3 && top[1] < 4e-3, `coated at 486 MPa: ${top[1]}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
});


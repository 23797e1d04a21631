// End-to-end test of the one-file page: dist/sigmafit.html (`make single`, which
// `make test-e2e` runs first), copied alone into an empty folder and opened from
// file:// in Chromium, with no server. It fits the bundled example, a chosen file and
// a dropped one, the example series in its workers, opens the explorer and fits its
// spectrum, and records that no request leaves the file (only the file itself and
// the blob: URL its workers start from).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, openPage, ROOT, semicircleCsv, inductiveCsv, sigmaOf } from './harness.mjs';

const SINGLE = path.join(ROOT, 'dist', 'sigmafit.html');
const SHOTS = path.join(ROOT, 'target', 'screenshots');

let browser;
let folder;
let url;

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'sigmafit-single-'));
  const copy = path.join(folder, 'sigmafit.html');
  await copyFile(SINGLE, copy).catch(() => {
    throw new Error('dist/sigmafit.html is missing: run `make single` (make test-e2e does)');
  });
  url = pathToFileURL(copy).href;
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** The requests that left the file: anything but the file itself, blob: and data: URLs. */
function outside(requests) {
  return requests.filter((u) => !(u === url || u.startsWith(`${url}#`) || u.startsWith('blob:') || u.startsWith('data:')));
}

function relErr(a, b) {
  return Math.abs(a / b - 1);
}

describe('the one-file page from file://', () => {
  it('is one self-contained file', async () => {
    const html = await readFile(SINGLE, 'utf8');
    const markup = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
    assert.doesNotMatch(markup, /<(?:script|link|img)\b[^>]*\b(?:src|href)="(?!data:)/, 'nothing is loaded from beside the file');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'wasm-unsafe-eval'/);
    assert.match(html, /connect-src 'none'/);
  });

  it('fits the example, a chosen and a dropped file, the series in workers, and runs the explorer, with no request outside the file', async () => {
    const { page, context, requests, problems } = await openPage(browser, null, { width: 1280, height: 720, url });

    // The bundled example: R_con = 1000 Ω on the default 1.0 mm × 10 mm pellet.
    const example = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(relErr(example, sigmaOf(1000, 1.0, 10)) < 0.01, `example σ ${example}`);

    // A chosen file and a dropped one.
    const caseB = { r1: 150, r2: 5000, q: 4e-9, alpha: 0.88, noise: 0.003, seed: 9 };
    await page.setInputFiles('#spectrum-files', [{ name: 'chosen_b.csv', mimeType: 'text/csv', buffer: Buffer.from(semicircleCsv(caseB)) }]);
    await page.waitForSelector('[data-spectrum-row][data-file="chosen_b.csv"][data-state="done"]', { timeout: 30_000 });
    const chosen = Number(await page.getAttribute('[data-spectrum-row][data-file="chosen_b.csv"]', 'data-sigma'));
    assert.ok(relErr(chosen, sigmaOf(caseB.r1 + caseB.r2, 1.0, 10)) < 0.01, `chosen σ ${chosen}`);
    const caseA = { r0: 1.5, alpha: -0.92, share: 1.5, noise: 0.003, seed: 4 };
    await page.evaluate((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'dropped_a.csv', { type: 'text/csv' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, inductiveCsv(caseA));
    await page.waitForSelector('[data-spectrum-row][data-file="dropped_a.csv"][data-state="done"]', { timeout: 30_000 });
    const dropped = Number(await page.getAttribute('[data-spectrum-row][data-file="dropped_a.csv"]', 'data-sigma'));
    assert.ok(relErr(dropped, sigmaOf(caseA.r0, 1.0, 10)) < 0.01, `dropped σ ${dropped}`);
    assert.equal(await page.getAttribute('[data-result="circuit"]', 'data-value'), 'inductive');

    // The bundled series (its index.json and 32 files inlined), fitted by the workers
    // beside the three spectra already there.
    await page.click('#example-series');
    await page.waitForFunction(() => document.querySelector('[data-result="series-fitted"]')?.dataset.value === '35', null, { timeout: 90_000 });
    assert.ok(await page.evaluate(() => window.sigmafitPoolSize) >= 1, 'a pool of workers');
    assert.ok(requests.some((u) => u.startsWith('blob:')), 'the workers started from a blob: URL');

    // The explorer, by its tab: the hooks, and its spectrum fitted by the calculator.
    await page.click('#tab-explore');
    await page.waitForSelector('#explorer:not([hidden])');
    await page.fill('#explore-sigma', '3e-4');
    await page.dispatchEvent('#explore-sigma', 'change');
    await page.fill('#explore-cda', '1e-9');
    await page.dispatchEvent('#explore-cda', 'change');
    await page.waitForFunction(() => Number(document.querySelector('[data-result="explore-boundary"]').dataset.value) === 1e-9 * 1e6);
    assert.equal(await page.getAttribute('[data-result="explore-visible"]', 'data-value'), 'semicircle');
    await page.screenshot({ path: path.join(SHOTS, 'single-explorer-1280x720.png') });
    await page.click('#explore-fit');
    // The sidebar's list is folded past 30 spectra: the result panel says which one is shown.
    await page.waitForFunction(() => document.querySelector('#result-file').textContent.startsWith('explorer_sigma-3.00e-4')
      && document.querySelector('[data-result="sigma"]').dataset.value !== '', null, { timeout: 30_000 });
    const fitted = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(relErr(fitted, 3e-4) < 0.03, `explorer spectrum σ ${fitted}`);

    // Exports still download (a blob: URL, no request); the inlined examples, kept in the
    // export, carry the SHA-256 of the files in www/examples/.
    await page.check('#export-keep-example');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = await readFile(await download.path(), 'utf8');
    assert.match(csv, /^file,sha256,sigmafit_version,/);
    const seriesFile = 'synthetic_sc-NMC622_10_486MPa.csv';
    const seriesSha = createHash('sha256').update(await readFile(path.join(ROOT, 'www/examples/series', seriesFile))).digest('hex');
    assert.ok(csv.includes(`${seriesFile},${seriesSha}`), 'the inlined series file has the bytes of www/examples/series');

    assert.deepEqual(problems, []);
    assert.deepEqual(outside(requests), [], 'no request leaves the file');
    await context.close();
  });
});

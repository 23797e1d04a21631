// The page remembers: spectra and settings come back after a reload (IndexedDB), "Clear
// all" forgets them; a panic inside a worker's WebAssembly (the test-only panic-probe
// build, `make pkg-probe`) costs that file's result and nothing else.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, requestsOutside, semicircleCsv, inductiveCsv, sigmaOf } from './harness.mjs';

let server;
let probeServer;
let browser;

const rowsOf = (page) => page.$$eval('[data-spectrum-row]', (list) => list.map((r) => ({
  file: r.dataset.file, state: r.dataset.state, sigma: r.dataset.sigma === undefined ? null : Number(r.dataset.sigma),
})));

const waitRow = (page, file, state) => page.waitForSelector(`[data-spectrum-row][data-file="${file}"][data-state="${state}"]`, { timeout: 30_000 });

const csv = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

describe('the page remembers and survives', () => {
  before(async () => {
    server = await startServer();
    probeServer = await startServer({ rewrites: { '/pkg/': '/target/pkg-probe/' } });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await probeServer?.close();
  });

  it('brings back the spectra, what was typed in their rows and the settings after a reload; Clear all forgets them', async () => {
    const { page, context, requests } = await openPage(browser, server.origin);
    await page.fill('#thickness-mm', '0.85');
    await page.fill('#diameter-mm', '12');
    const a = semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 3 });
    const b = inductiveCsv({ r0: 0.8, alpha: -0.9, share: 2, seed: 4 });
    await page.setInputFiles('#spectrum-files', [csv('pellet_100MPa.csv', a), csv('pellet_200MPa.csv', b)]);
    await waitRow(page, 'pellet_100MPa.csv', 'done');
    await waitRow(page, 'pellet_200MPa.csv', 'done');
    const before = await rowsOf(page);
    assert.deepEqual(before.map((r) => r.file), ['synthetic_semicircle_LCO-like.csv', 'pellet_100MPa.csv', 'pellet_200MPa.csv']);
    // Writes to IndexedDB are asynchronous: the form's after a 300 ms pause.
    await page.waitForTimeout(800);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await waitRow(page, 'pellet_100MPa.csv', 'done');
    await waitRow(page, 'pellet_200MPa.csv', 'done');
    const after = await rowsOf(page);
    // The example was not kept (it comes with the page); the user's two files are back.
    assert.deepEqual(after.map((r) => r.file), ['pellet_100MPa.csv', 'pellet_200MPa.csv']);
    assert.equal(await page.inputValue('#thickness-mm'), '0.85');
    assert.equal(await page.inputValue('#diameter-mm'), '12');
    // Fitted again with the kept geometry: σ of the semicircle from its known R_con = 2040 Ω.
    const sigma = after[0].sigma;
    assert.ok(Math.abs(sigma / sigmaOf(2040, 0.85, 12) - 1) < 0.01, `σ ${sigma}`);
    assert.match(await page.textContent('#add-note'), /Restored 2 spectra/);
    // The geometry is the user's now, not an assumed default.
    assert.ok(await page.isHidden('#thickness-mm-default'));

    await page.click('#clear-all');
    assert.equal((await rowsOf(page)).length, 0);
    await page.waitForTimeout(300);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await waitRow(page, 'synthetic_semicircle_LCO-like.csv', 'done');
    assert.deepEqual((await rowsOf(page)).map((r) => r.file), ['synthetic_semicircle_LCO-like.csv']);
    assert.notEqual(await page.inputValue('#thickness-mm'), '0.85');
    assert.deepEqual(requestsOutside(requests, server.origin), []);
    await context.close();
  });

  it('starts a worker again after its WebAssembly panics: the file says so, earlier and later results stand', async () => {
    const { page, context, requests, problems } = await openPage(browser, probeServer.origin);
    const good = semicircleCsv({ r1: 40, r2: 2000, q: 5e-9, alpha: 0.95, seed: 9 });
    await page.setInputFiles('#spectrum-files', [csv('first.csv', good)]);
    await waitRow(page, 'first.csv', 'done');
    // The probe file, then a good one given with it, in one drop.
    await page.setInputFiles('#spectrum-files', [csv('sigmafit-panic-probe.csv', good), csv('second.csv', good)]);
    await waitRow(page, 'sigmafit-panic-probe.csv', 'error');
    await waitRow(page, 'second.csv', 'done');
    const message = await page.textContent('[data-spectrum-row][data-file="sigmafit-panic-probe.csv"] .row-error');
    assert.match(message, /crashed on this file/);
    assert.match(message, /started again/);
    // Later files are fitted by the restarted worker; nothing earlier was lost.
    await page.setInputFiles('#spectrum-files', [csv('third.csv', good)]);
    await waitRow(page, 'third.csv', 'done');
    const rows = await rowsOf(page);
    assert.deepEqual(rows.map((r) => [r.file, r.state]), [
      ['synthetic_semicircle_LCO-like.csv', 'done'],
      ['first.csv', 'done'],
      ['sigmafit-panic-probe.csv', 'error'],
      ['second.csv', 'done'],
      ['third.csv', 'done'],
    ]);
    // The page's own WebAssembly never fitted the probe: selecting it shows the error, and the page still works.
    await page.click('[data-spectrum-row][data-file="sigmafit-panic-probe.csv"] .row-select');
    await page.click('[data-spectrum-row][data-file="first.csv"] .row-select');
    await page.waitForFunction(() => document.querySelector('[data-result="r-con"]')?.dataset.value);
    assert.deepEqual(requestsOutside(requests, probeServer.origin), []);
    // The only console error is the worker's report of the deliberate panic.
    assert.ok(problems.every((p) => /panic probe|unreachable|RuntimeError/.test(p)), problems.join('\n'));
    await context.close();
  });
});

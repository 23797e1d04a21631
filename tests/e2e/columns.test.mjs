// The column-mapping step (www/columns.js): a table whose header the core does not
// recognise is shown with its first rows; the mapping chosen reads it and is remembered
// for the next file of the same shape. `cd tests/e2e && node --test columns.test.mjs`
// after `make build`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launch, openPage, ROOT, semicircleCsv, sigmaOf } from './harness.mjs';

const SHOTS = path.join(ROOT, 'target', 'screenshots');

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A semicircle spectrum under names nobody recognises, with a text column between Z' and
 * -Z'': "Messpunkt;Wert A;Bemerkung;Wert B" = f; Z'; a remark; -Z''.
 */
function unknownColumns(r1, r2, seed) {
  const rows = semicircleCsv({ r1, r2, q: 5e-9, alpha: 0.95, seed })
    .split('\n')
    .filter((line) => /^[0-9]/.test(line))
    .map((line) => {
      const [f, re, im] = line.split(',');
      return `${f};${re};ok;${-Number(im)}`;
    });
  return `Messpunkt;Wert A;Bemerkung;Wert B\n${rows.join('\n')}\n`;
}

function waitRow(page, file, state) {
  return page.waitForSelector(`[data-spectrum-row][data-file="${file}"][data-state="${state}"]`, { timeout: 30_000 });
}

const relErr = (a, b) => Math.abs(a / b - 1);

describe('column mapping', () => {
  it('asks once which column is which, then reads files of the same shape at once', async () => {
    const { page, context, problems } = await openPage(browser, server.origin, { width: 1280, height: 720 });
    await page.setInputFiles('#spectrum-files', [
      { name: 'first.csv', mimeType: 'text/csv', buffer: Buffer.from(unknownColumns(40, 2000, 3)) },
    ]);
    await page.waitForSelector('[data-columns-step]', { state: 'visible', timeout: 30_000 });
    // The step shows the header's names and the first rows to choose from.
    const shown = await page.textContent('[data-columns-step]');
    assert.match(shown, /Messpunkt/);
    assert.match(shown, /Bemerkung/);
    await page.screenshot({ path: path.join(SHOTS, 'columns-step-1280x720.png') });
    // The first guess takes column 3 for Z''; the user corrects it.
    await page.selectOption('[data-column-role="0"]', 'f');
    await page.selectOption('[data-column-role="1"]', 're');
    await page.selectOption('[data-column-role="2"]', '_');
    await page.selectOption('[data-column-role="3"]', '-im');
    await page.click('[data-columns-apply]');
    await waitRow(page, 'first.csv', 'done');
    assert.equal(await page.$('[data-columns-step]'), null, 'the step is closed');
    // R_con = R1 + R2 = 2040 ohm of a 1 mm × 10 mm pellet (the page's default geometry).
    await page.click('[data-spectrum-row][data-file="first.csv"] .row-select');
    const sigma = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(relErr(sigma, sigmaOf(2040, 1, 10)) < 0.01, `sigma ${sigma}`);

    // A second file of the same shape: no step, read with the remembered mapping.
    await page.evaluate(() => {
      window.stepShown = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-columns-step]')) window.stepShown = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.setInputFiles('#spectrum-files', [
      { name: 'second.csv', mimeType: 'text/csv', buffer: Buffer.from(unknownColumns(40, 1000, 5)) },
    ]);
    await waitRow(page, 'second.csv', 'done');
    assert.equal(await page.evaluate(() => window.stepShown), false, 'not asked again');
    await page.click('[data-spectrum-row][data-file="second.csv"] .row-select');
    const second = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(relErr(second, sigmaOf(1040, 1, 10)) < 0.01, `sigma ${second}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

// End-to-end tests of what the page takes from the core: its settings form (the
// core's schema), its errors (objects naming the field), and its numbers (the core's
// formatter, so the page shows the CLI's digits).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, launch, ROOT, semicircleCsv } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, context, problems };
}

/** Typeset to ASCII: no-break spaces, true minus, "× 10⁻⁴" as "e-4". */
function ascii(text) {
  const digits = { '⁻': '-', '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9' };
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/\u2212/g, '-')
    .replace(/ × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)/g, (_, e) => `e${[...e].map((c) => digits[c]).join('')}`)
    .trim();
}

describe('the page and the core', () => {
  it('builds its settings form from the core\'s schema, ids and defaults included', async () => {
    const { page, context, problems } = await openPage();
    const fields = await page.$$eval('#settings input, #settings select', (list) => list.map((e) => [e.id, e.value]));
    const byId = Object.fromEntries(fields);
    // The hooks of the contract, and fields the old hand-written form did not have.
    assert.equal(byId['thickness-mm'], '1.0');
    assert.equal(byId['diameter-mm'], '10');
    assert.equal(byId['eps-r'], '10');
    assert.equal(byId['c-norm-max-f-per-cm'], '1e-9');
    assert.equal(byId.circuit, 'auto');
    assert.equal(byId.weighting, 'modulus');
    for (const id of ['area-cm2', 'init', 'fix', 'lead-ohm', 'fmin-hz', 'fmax-hz', 'particle-um', 'circuit-text']) {
      assert.ok(id in byId, `${id} is in the form`);
    }
    // σ sits on the circuit-choice scale (it comes from the result's σ, not a copy in `choice`).
    assert.ok(await page.$('#sigma-scale .mark-sigma'));
    assert.match(await page.textContent('#sigma-scale'), /this σ = 1\.27\u00a0×\u00a010⁻⁴/);
    // (C·d/A)max is a setting: a tenth of it moves the window's boundary to 1e-4 S/cm.
    await page.fill('#c-norm-max-f-per-cm', '1e-10');
    await page.waitForFunction(() => /1\.00\u00a0×\u00a010⁻⁴\u00a0S\/cm/.test(document.querySelector('#choice-sentence').textContent));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('puts a settings error beside the field the core names, not one guessed from its words', async () => {
    const { page, context } = await openPage();
    // The area and the diameter together: the core names the area field.
    await page.$$eval('#settings details.more-settings', (list) => list.forEach((d) => { d.open = true; }));
    await page.fill('#area-cm2', '0.5');
    await page.waitForSelector('#area-cm2[aria-invalid="true"]');
    assert.equal(await page.textContent('#area-cm2-error'), 'give the pellet\'s diameter or its area, not both');
    await page.fill('#area-cm2', '');
    await page.waitForFunction(() => !document.querySelector('#area-cm2').hasAttribute('aria-invalid'));
    // A misspelt starting value: the message is the core's, under the init field.
    await page.fill('#init', 'R1');
    await page.waitForSelector('#init[aria-invalid="true"]');
    assert.match(await page.textContent('#init-error'), /“R1” is not NAME=VALUE/);
    // A name of neither circuit `auto` tries is refused at its field, not ignored.
    await page.fill('#init', 'X9=5');
    await page.waitForFunction(() => /X9 is not a parameter of R0-CPE0 or R1-p\(R2,CPE2\)/.test(document.querySelector('#init-error')?.textContent ?? ''));
    // A fit range above every point: said at the field, not only in the result box.
    await page.fill('#init', '');
    await page.fill('#fmin-hz', '1e7');
    await page.waitForFunction(() => /only 0 of the spectrum's 71 points lie at or above 10 MHz/.test(document.querySelector('#fmin-hz-error')?.textContent ?? ''));
    await context.close();
  });

  it('shows the digits the CLI prints for the same fit, and rounds ΔBIC once', async () => {
    const csv = semicircleCsv({ r1: 40, r2: 960, q: 1.4e-8, alpha: 0.9, noise: 0.004, seed: 11 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sigmafit-digits-'));
    const file = path.join(dir, 'arc.csv');
    await writeFile(file, csv);
    const cli = JSON.parse(execFileSync('cargo', [
      'run', '--release', '--quiet', '--bin', 'sigmafit', '--', 'fit', '--json', '--thickness-mm', '1.0', '--diameter-mm', '10', file,
    ], { cwd: ROOT, encoding: 'utf8' }))[0];

    const { page, context } = await openPage();
    await page.setInputFiles('#spectrum-files', { name: 'arc.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForSelector('[data-spectrum-row][data-file="arc.csv"][data-state="done"]', { timeout: 30_000 });
    const sigma = ascii(`${await page.textContent('#sigma-text')} S/cm`);
    const rCon = ascii(await page.textContent('#rcon-text'));
    assert.equal(sigma, cli.report.figures.sigma);
    assert.equal(rCon, cli.report.figures.r_con);
    const r2 = await page.$$eval('#param-table tbody tr', (rows) => rows.map((r) => r.querySelector('td').firstChild.textContent));
    assert.equal(ascii(r2[1]), cli.report.figures['param:R2']);
    // The sentence and the facts list say the same ΔBIC.
    const sentence = await page.textContent('#choice-sentence');
    const facts = await page.textContent('#choice-facts');
    const inSentence = /ΔBIC = ([^\s).,]+)/.exec(sentence)?.[1];
    const inFacts = /ΔBIC = ([^\s)]+)/.exec(facts)?.[1];
    assert.ok(inSentence, sentence);
    assert.equal(inFacts, inSentence);
    assert.equal(ascii(inSentence), cli.report.figures.delta_bic);
    // No number in a sentence is left in e-notation on the page.
    assert.doesNotMatch(sentence, /\de-?\d/);
    await context.close();
  });

  it('an import error crosses as an object: the row names file, line and column', async () => {
    const { page, context } = await openPage();
    const csv = semicircleCsv({ r1: 40, r2: 960, q: 1.4e-8, alpha: 0.9 }).split('\n');
    csv[5] = csv[5].replace(/,([^,]*)$/, ',abc');
    await page.setInputFiles('#spectrum-files', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\n')) });
    await page.waitForSelector('[data-spectrum-row][data-file="bad.csv"][data-state="error"]', { timeout: 30_000 });
    assert.match(await page.textContent('[data-spectrum-row][data-file="bad.csv"] .row-error'), /^bad\.csv, line 6, column 3: /);
    assert.match(await page.getAttribute('[data-result="error"]', 'data-value'), /^bad\.csv, line 6, column 3: /);
    // Garbage gets no σ in the page either: values that overflow the fit's arithmetic,
    // and a spectrum with one frequency.
    const huge = ['f,Zre,Zim', ...[1e6, 1e5, 1e4, 1e3, 1e2, 10].map((f) => `${f},1e308,-1e308`)].join('\n');
    await page.setInputFiles('#spectrum-files', { name: 'huge.csv', mimeType: 'text/csv', buffer: Buffer.from(huge) });
    await page.waitForSelector('[data-spectrum-row][data-file="huge.csv"][data-state="error"]', { timeout: 30_000 });
    assert.match(await page.textContent('[data-spectrum-row][data-file="huge.csv"] .row-error'), /line 2, column 2: .*too large/);
    const flat = ['f,Zre,Zim', ...Array.from({ length: 8 }, () => '1000,10,-5')].join('\n');
    await page.setInputFiles('#spectrum-files', { name: 'flat.csv', mimeType: 'text/csv', buffer: Buffer.from(flat) });
    await page.waitForSelector('[data-spectrum-row][data-file="flat.csv"][data-state="error"]', { timeout: 30_000 });
    assert.match(await page.textContent('[data-spectrum-row][data-file="flat.csv"] .row-error'), /at least 5 distinct frequencies/);
    // Nothing loaded before is lost.
    assert.ok(await page.$('[data-spectrum-row][data-file="synthetic_semicircle_LCO-like.csv"][data-state="done"]'));
    await context.close();
  });
});

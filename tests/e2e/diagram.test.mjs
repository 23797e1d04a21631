// End-to-end test of the fitted circuit's diagram in the page (`[data-result="circuit-diagram"]`):
// the bundled example's semicircle circuit and a typed circuit are drawn with one
// symbol and one label per element, the fitted values under them, inside the
// parameters panel, and at 1280×720 the Nyquist plot still starts on the first screen.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launch, openPage, ROOT } from './harness.mjs';

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

/** What the diagram shows: its element groups, its texts and the circuit it says it draws. */
function diagram(page) {
  return page.evaluate(() => {
    const box = document.querySelector('[data-result="circuit-diagram"]');
    const svg = box.querySelector('svg');
    return {
      circuit: box.dataset.value,
      isSvg: svg instanceof SVGSVGElement,
      elements: [...box.querySelectorAll('svg g.element')].map((g) => g.dataset.element),
      texts: [...box.querySelectorAll('svg text')].map((t) => t.textContent),
    };
  });
}

/** The number in a value label such as `40.0 Ω` or `1.23 × 10⁻⁹ F`. */
function numberOf(text) {
  const [mantissa, exponent] = text.replace(/\u2212/g, '-').split(/\s*×\s*10/);
  const sup = { '⁻': '-', '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9' };
  const power = exponent ? Number([...exponent.split(/\s/)[0]].map((c) => sup[c] ?? '').join('')) : 0;
  return parseFloat(mantissa.replace(/^[^=]*=\s*/, '')) * 10 ** power;
}

describe('circuit diagram', () => {
  it('draws the example\'s fitted circuit beside the parameters, the Nyquist plot still on the first screen', async () => {
    const { page, context, problems } = await openPage(browser, server.origin, { width: 1280, height: 720 });
    await page.waitForSelector('[data-result="circuit-diagram"] svg g.element', { timeout: 30_000 });
    const d = await diagram(page);
    assert.ok(d.isSvg, 'parsed as SVG, not text');
    assert.equal(d.circuit, 'R1-p(R2,CPE2)');
    assert.deepEqual(d.elements, ['R1', 'R2', 'CPE2']);
    for (const label of ['R1', 'R2', 'CPE2']) assert.ok(d.texts.includes(label), `label ${label} in ${d.texts}`);
    // The example is made with R1 = 40 Ω and R2 = 960 Ω: their values are drawn under them.
    const ohms = d.texts.filter((t) => /Ω$/.test(t)).map(numberOf);
    assert.equal(ohms.length, 2, `two resistances in ${d.texts}`);
    assert.ok(Math.abs(ohms[0] / 40 - 1) < 0.02, `R1 ${ohms[0]}`);
    assert.ok(Math.abs(ohms[1] / 960 - 1) < 0.02, `R2 ${ohms[1]}`);
    assert.ok(d.texts.some((t) => t.startsWith('α = ')), `CPE2's alpha in ${d.texts}`);
    const place = await page.evaluate(() => {
      const box = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
      return { diagram: box('[data-result="circuit-diagram"] svg'), params: box('.params'), nyquist: box('#plot-nyquist') };
    });
    assert.ok(place.diagram.width > 50 && place.diagram.height > 30, 'the diagram has a size');
    assert.ok(place.diagram.left >= place.params.left && place.diagram.right <= place.params.right + 0.5, 'inside the parameters panel');
    assert.ok(place.nyquist.top < 720, `the Nyquist plot starts on the first screen (top ${place.nyquist.top})`);
    await page.screenshot({ path: path.join(SHOTS, 'diagram-1280x720.png') });
    await page.locator('.params').screenshot({ path: path.join(SHOTS, 'diagram-params.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('draws a typed circuit with its four elements', async () => {
    const { page, context, problems } = await openPage(browser, server.origin);
    await page.waitForSelector('[data-result="circuit-diagram"] svg g.element', { timeout: 30_000 });
    await page.selectOption('#circuit', 'custom');
    await page.fill('#circuit-text', 'R0-p(R1,C1)-W1');
    await page.press('#circuit-text', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-result="circuit-diagram"]').dataset.value === 'R0-p(R1,C1)-W1', null, { timeout: 30_000 });
    const d = await diagram(page);
    assert.deepEqual(d.elements, ['R0', 'R1', 'C1', 'W1']);
    for (const label of ['R0', 'R1', 'C1', 'W1']) assert.ok(d.texts.includes(label), `label ${label} in ${d.texts}`);
    assert.ok(d.texts.some((t) => /F$/.test(t)), `C1's value in farads in ${d.texts}`);
    await page.locator('.params').screenshot({ path: path.join(SHOTS, 'diagram-custom.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

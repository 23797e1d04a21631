// End-to-end tests of the teaching explorer (#explore): the hooks the issue names, the
// two lines against values computed here by hand from their formulas, the flip of
// explore-visible on both sides of the apex line, "Fit this spectrum" recovering σ in
// the calculator, the one-screen layout at 1280 × 720, and input that is not a number.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launch, openPage, requestsOutside, ROOT, sigmaOf } from './harness.mjs';

const SHOTS = path.join(ROOT, 'target', 'screenshots');
const TAU = 2 * Math.PI;

let server;
let browser;

/** A page of the server at `hash`, recording requests and errors, once it says it is ready. */
function open({ hash = '#explore', width = 1280, height = 720 } = {}) {
  return openPage(browser, server.origin, { width, height, url: `${server.origin}/${hash}` });
}

/** Types a value into an explorer field and applies it (the fields apply on change). */
async function setField(page, id, value) {
  await page.fill(id, String(value));
  await page.dispatchEvent(id, 'change');
}

async function hooks(page) {
  return page.evaluate(() => ({
    boundary: Number(document.querySelector('[data-result="explore-boundary"]').dataset.value),
    visible: document.querySelector('[data-result="explore-visible"]').dataset.value,
    region: document.querySelector('#explore-verdict').dataset.region,
  }));
}

/** The bounding box of `selector`, asserted to lie inside the viewport. */
async function assertOnScreen(page, selector, { width, height }) {
  const box = await page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, scroll: el.scrollHeight - el.clientHeight };
  });
  assert.ok(box.height > 40, `${selector} has a height (${box.height})`);
  assert.ok(box.top >= 0 && box.left >= 0, `${selector} starts inside the window: ${JSON.stringify(box)}`);
  assert.ok(box.bottom <= height && box.right <= width, `${selector} ends inside ${width} × ${height}: ${JSON.stringify(box)}`);
  return box;
}

before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('explorer', () => {
  it('opens at #explore on load, with the paper\'s boundary (C·d/A)·f_max computed by hand', async () => {
    const { page, context, requests, problems } = await open();
    assert.ok(await page.isVisible('#explorer'));
    assert.ok(await page.isHidden('main.layout'));
    assert.equal(await page.getAttribute('#tab-explore', 'aria-current'), 'page');
    await setField(page, '#explore-cda', '2e-10');
    await setField(page, '#explore-fmax', '3e5');
    await page.waitForFunction(() => Math.abs(Number(document.querySelector('[data-result="explore-boundary"]').dataset.value) / 6e-5 - 1) < 1e-9);
    const h = await hooks(page);
    // 2e-10 F/cm × 3e5 Hz = 6e-5 S/cm.
    assert.ok(Math.abs(h.boundary / (2e-10 * 3e5) - 1) < 1e-9, `boundary ${h.boundary}`);
    // The fields show what is in force; the plots are drawn.
    assert.equal(await page.inputValue('#explore-cda'), '2e-10');
    for (const id of ['#explore-plot-nyquist', '#explore-plot-bode', '#explore-plot-map']) {
      const ink = await page.$eval(id, (c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] < 200) n += 1;
        return n;
      });
      assert.ok(ink > 500, `${id} has been drawn (${ink})`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(requestsOutside(requests, server.origin), []);
    await context.close();
  });

  it('flips explore-visible where the apex 1/(2π R2 C2) leaves the window, on both sides', async () => {
    const { page, context, problems } = await open();
    const cda = 5e-10;
    const fMax = 1e5;
    const share = 0.2;
    await setField(page, '#explore-cda', cda);
    await setField(page, '#explore-fmax', fMax);
    await setField(page, '#explore-r1-share', share);
    // τ2 = R2 C2 = (1 − s)(C·d/A)/σ; the apex f = 1/(2π τ2) reaches f_max at
    // σ* = 2π (R2/R_con)(C·d/A) f_max = 2π × 0.8 × 5e-10 × 1e5 = 2.513e-4 S/cm.
    const crossing = TAU * (1 - share) * cda * fMax;
    const at = async (sigma) => {
      await setField(page, '#explore-sigma', sigma.toExponential(4));
      await page.waitForFunction((s) => Math.abs(Number(document.querySelector('#explore-sigma').value) / s - 1) < 1e-3, sigma);
      return hooks(page);
    };
    const below = await at(crossing * 0.97);
    assert.equal(below.visible, 'semicircle', `σ = 0.97 σ* = ${crossing * 0.97}`);
    assert.equal(below.region, 'part_of_arc', 'above the paper\'s line (C·d/A)·f_max = 5e-5 but below σ*');
    const above = await at(crossing * 1.03);
    assert.equal(above.visible, 'no-semicircle', `σ = 1.03 σ* = ${crossing * 1.03}`);
    // Below the paper's line the whole arc is inside; the boundary is 5e-10 × 1e5 = 5e-5 S/cm.
    const whole = await at(4e-5);
    assert.equal(whole.visible, 'semicircle');
    assert.equal(whole.region, 'whole_arc');
    assert.ok(Math.abs(whole.boundary / 5e-5 - 1) < 1e-9);
    // The apex also leaves at the bottom: f_apex < f_min where σ < 2π (1 − s)(C·d/A) f_min,
    // 2π × 0.8 × 1e-8 × 100 = 5.03e-6 S/cm for C·d/A = 1e-8 F/cm and f_min = 100 Hz.
    await setField(page, '#explore-cda', '1e-8');
    await setField(page, '#explore-fmin', '100');
    const low = TAU * (1 - share) * 1e-8 * 100;
    assert.equal((await at(low * 0.9)).visible, 'no-semicircle', `apex below f_min for σ < ${low}`);
    assert.equal((await at(low * 1.1)).visible, 'semicircle', `apex above f_min for σ > ${low}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('moving the σ slider alone goes from a whole arc through part of one to none', async () => {
    const { page, context, problems } = await open();
    const seen = await page.evaluate(async () => {
      const slider = document.querySelector('#explore-sigma-slider');
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const regions = [];
      for (let position = 0; position <= 1000; position += 25) {
        slider.value = String(position);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        await frame();
        const region = document.querySelector('#explore-verdict').dataset.region;
        if (regions[regions.length - 1] !== region) regions.push(region);
      }
      return regions;
    });
    assert.deepEqual(seen, ['whole_arc', 'part_of_arc', 'no_arc']);
    // At the top of the slider (1 S/cm) the cables' inductance shows: Im Z > 0 at f_max.
    const sentence = await page.textContent('[data-sentence="inductance"]');
    assert.match(sentence, /inside the window/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('"Fit this spectrum" fits the generated spectrum in the calculator and recovers σ', async () => {
    const { page, context, requests, problems } = await open();
    // The calculator's default pellet (1.0 mm × 10 mm): the truth is the σ typed.
    const truth = 2e-4;
    await setField(page, '#explore-sigma', truth);
    await setField(page, '#explore-cda', '8e-10');
    await setField(page, '#explore-noise', '0.5');
    await page.click('#explore-fit');
    await page.waitForSelector('main.layout:not([hidden])');
    assert.equal(await page.evaluate(() => window.location.hash), '#calculator');
    await page.waitForSelector('[data-spectrum-row][data-state="done"][data-file^="explorer_sigma-2.00e-4"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#result-file').textContent.startsWith('explorer_'));
    const fitted = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(Math.abs(fitted / truth - 1) < 0.03, `fitted σ ${fitted} against the truth ${truth}`);
    assert.equal(await page.getAttribute('[data-result="circuit"]', 'data-value'), 'semicircle');
    // The bundled example, untouched, made way: one spectrum, its result at the top.
    assert.equal((await page.$$('[data-spectrum-row]')).length, 1);
    // The truth beside it, in the result panel.
    assert.ok(await page.isVisible('#explore-truth'));
    assert.equal(Number(await page.getAttribute('[data-result="truth-sigma"]', 'data-value')), truth);
    // R_con = d / (σ A) for the default pellet.
    const rCon = Number(await page.getAttribute('[data-result="truth-r-con"]', 'data-value'));
    assert.ok(Math.abs(rCon / (sigmaOf(1, 1.0, 10) / truth) - 1) < 1e-9, `truth R_con ${rCon}`);
    // The explanation and the Nyquist plot share the screen at 1280 × 720.
    const viewport = { width: 1280, height: 720 };
    await page.evaluate(() => window.scrollTo(0, 0));
    await assertOnScreen(page, '#choice-sentence', viewport);
    await assertOnScreen(page, '#plot-nyquist', viewport);
    const ink = await page.$eval('#plot-nyquist', (c) => c.width > 100 && c.height > 100);
    assert.ok(ink, 'the Nyquist plot was drawn again at its size after the explorer');
    await page.screenshot({ path: path.join(SHOTS, 'explorer-fitted-1280x720.png') });
    assert.deepEqual(problems, []);
    assert.deepEqual(requestsOutside(requests, server.origin), []);
    await context.close();
  });

  it('a case (a) preset fits as inductive with its σ', async () => {
    const { page, context, problems } = await open();
    await page.click('[data-preset="sc-nmc622"]');
    await page.waitForFunction(() => document.querySelector('[data-result="explore-visible"]').dataset.value === 'no-semicircle');
    await page.click('#explore-fit');
    await page.waitForSelector('[data-spectrum-row][data-state="done"][data-file^="explorer_sigma-2.50e-2"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#result-file').textContent.startsWith('explorer_'));
    assert.equal(await page.getAttribute('[data-result="circuit"]', 'data-value'), 'inductive');
    const fitted = Number(await page.getAttribute('[data-result="sigma"]', 'data-value'));
    assert.ok(Math.abs(fitted / 2.5e-2 - 1) < 0.03, `fitted σ ${fitted}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('is reached by its tab and by a hash change, and the calculator comes back', async () => {
    const { page, context, problems } = await open({ hash: '' });
    assert.ok(await page.isHidden('#explorer'));
    assert.ok(await page.isVisible('#tab-explore'));
    await page.click('#tab-explore');
    await page.waitForSelector('#explorer:not([hidden])');
    await page.waitForFunction(() => document.querySelector('[data-result="explore-visible"]').dataset.value !== '');
    await page.evaluate(() => { window.location.hash = '#calculator'; });
    await page.waitForSelector('main.layout:not([hidden])');
    assert.ok(await page.isHidden('#explorer'));
    await page.evaluate(() => { window.location.hash = '#explore'; });
    await page.waitForSelector('#explorer:not([hidden])');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('fits its plots, map and sentences on one 1280 × 720 screen', async () => {
    const { page, context } = await open();
    const viewport = { width: 1280, height: 720 };
    for (const preset of ['lco', 'coated-nmc622', 'nmc83611', 'dummy']) {
      await page.click(`[data-preset="${preset}"]`);
      await page.waitForTimeout(100);
      for (const selector of ['#explore-plot-nyquist', '#explore-plot-bode', '#explore-plot-map', '.explore-why', '.explore-controls']) {
        await assertOnScreen(page, selector, viewport);
      }
      // Every sentence is inside its panel, none scrolled away.
      const overflow = await page.$eval('.explore-why', (el) => el.scrollHeight - el.clientHeight);
      assert.ok(overflow <= 1, `${preset}: the sentences overflow their panel by ${overflow} px`);
      await page.screenshot({ path: path.join(SHOTS, `explorer-${preset}-1280x720.png`) });
    }
    await context.close();
  });

  it('takes any typed value without breaking: junk is refused, out of range is clamped', async () => {
    const { page, context, problems } = await open();
    await setField(page, '#explore-sigma', 'abc');
    assert.ok(await page.isVisible('#explore-sigma-note'));
    assert.equal(await page.getAttribute('#explore-sigma', 'aria-invalid'), 'true');
    await setField(page, '#explore-sigma', '1e308');
    await page.waitForFunction(() => document.querySelector('#explore-sigma').value === '1e0');
    assert.match(await page.textContent('#explore-sigma-note'), /is used/);
    await setField(page, '#explore-r1-share', '-3');
    await page.waitForFunction(() => document.querySelector('#explore-r1-share').value === '0');
    await setField(page, '#explore-fmax', '0');
    await setField(page, '#explore-inductance', '0');
    await page.waitForFunction(() => /never turns inductive/.test(document.querySelector('[data-sentence="inductance"]')?.textContent ?? ''));
    await setField(page, '#explore-alpha', '1,0');
    await page.waitForFunction(() => document.querySelector('#explore-alpha').value === '1');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

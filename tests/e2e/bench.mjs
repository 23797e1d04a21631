// Page benchmarks for BENCHMARKS.md: `make bench-web` (after `make build`).
// - time from navigation start to body[data-ready="true"] (WebAssembly loaded,
//   example fetched, fitted and drawn), median of LOADS fresh loads;
// - per spectrum, fit (inside WebAssembly) and fit + render + redraw of the three
//   plots, median of REFITS refits triggered through the thickness field.
// The page is served by the same static server as the tests; the server sends
// no-store, so every load fetches the .wasm again (but it is local).

import { startServer, launch, semicircleCsv, inductiveCsv } from './harness.mjs';

const LOADS = Number(process.env.LOADS ?? 9);
const REFITS = Number(process.env.REFITS ?? 25);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const server = await startServer();
const browser = await launch();
try {
  const ready = [];
  for (let i = 0; i < LOADS; i += 1) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    ready.push(Number(await page.getAttribute('body', 'data-ready-ms')));
    await context.close();
  }

  const spectra = {
    'case (b) semicircle, 71 points': semicircleCsv({ r1: 40, r2: 960, q: 1.4e-8, alpha: 0.9, noise: 0.003, seed: 2 }),
    'case (a) inductive, 71 points': inductiveCsv({ r0: 2, alpha: -0.95, share: 1, noise: 0.003, seed: 4 }),
  };
  const perSpectrum = {};
  for (const [label, csv] of Object.entries(spectra)) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('body[data-ready="true"]');
    // Leave only this spectrum loaded, so each refit is one fit.
    await page.setInputFiles('#spectrum-files', [{ name: 'bench.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }]);
    await page.waitForSelector('[data-spectrum-row][data-file="bench.csv"][data-state="done"]');
    await page.click('[data-spectrum-row][data-file="synthetic_semicircle_LCO-like.csv"] .row-remove');
    await page.click('[data-spectrum-row][data-file="bench.csv"] .row-select');
    await page.evaluate(() => { window.sigmafitTimings.fitMs.length = 0; window.sigmafitTimings.fitAndDrawMs.length = 0; });
    for (let i = 0; i < REFITS; i += 1) {
      const n = await page.evaluate(() => window.sigmafitTimings.fitAndDrawMs.length);
      await page.fill('#thickness-mm', String(1 + (i + 1) * 0.01));
      await page.waitForFunction((k) => window.sigmafitTimings.fitAndDrawMs.length > k, n);
    }
    const t = await page.evaluate(() => window.sigmafitTimings);
    perSpectrum[label] = { fit: median(t.fitMs), fitAndDraw: median(t.fitAndDrawMs), n: t.fitAndDrawMs.length };
    await context.close();
  }

  const chromium = browser.version();
  console.log(`Chromium ${chromium}, ${LOADS} loads, ${REFITS} refits per spectrum (1440x900, DPR 1)`);
  console.log(`navigation -> data-ready: median ${median(ready).toFixed(0)} ms (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)})`);
  for (const [label, r] of Object.entries(perSpectrum)) {
    console.log(`${label}: fit (auto: both circuits) median ${r.fit.toFixed(2)} ms; fit + render + 3 plots median ${r.fitAndDraw.toFixed(1)} ms (n = ${r.n})`);
  }
} finally {
  await browser.close();
  await server.close();
}

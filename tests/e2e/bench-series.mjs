// Series benchmark for BENCHMARKS.md: `make bench-series` (after `make build`).
// Gives the page N spectra of 71 points at once (σ spread over 1e-5 … 1e-1 S/cm, case
// (b) below 1e-3 S/cm and case (a) above) and measures, in the page, the time from the file
// input's change event to every spectrum fitted with `auto` ([data-result=
// "series-fitted"] = N), and every main-thread task longer than 50 ms meanwhile
// (PerformanceObserver 'longtask'). Each round runs the page with one worker (the
// baseline) and with one worker per core, in alternation, so a change in the
// machine's speed affects both alike; medians and the median ratio are printed.

import { startServer, launch, semicircleCsv, inductiveCsv } from './harness.mjs';

const N = Number(process.env.N ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function files() {
  const area = Math.PI / 4;
  const out = [];
  for (let i = 0; i < N; i += 1) {
    const sigma = 10 ** (-5 + (4 * i) / Math.max(1, N - 1));
    const rCon = 0.1 / (sigma * area);
    const p = Math.round(10 + (476 * i) / Math.max(1, N - 1));
    const name = `bench_${String(i + 1).padStart(4, '0')}_${p}MPa.csv`;
    // As in the study: semicircle spectra below 1e-3 S/cm (C·d/A = 1e-9 F/cm puts the arc
    // inside the window), inductive ones above.
    const csv = sigma >= 1e-3
      ? inductiveCsv({ r0: rCon, alpha: -0.95, share: 0.3, noise: 0.005, seed: i + 1 })
      : semicircleCsv({ r1: 0.04 * rCon, r2: 0.96 * rCon, q: 1e-9 * area / 0.1, alpha: 0.9, noise: 0.005, seed: i + 1 });
    out.push({ name, text: csv });
  }
  return out;
}

async function once(browser, origin, given, workers) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${origin}/${workers ? `?workers=${workers}` : ''}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.click('[data-spectrum-row][data-file="synthetic_semicircle_LCO-like.csv"] .row-remove');
  // The File objects are made in the page first, in their own task: what is timed is the
  // page taking them (as from a drop), not the test driver building them.
  await page.evaluate((list) => {
    window.benchFiles = list.map(({ name, text }) => new File([text], name, { type: 'text/csv' }));
  }, given);
  await page.evaluate((n) => {
    const probe = { start: null, end: null, longTasks: [] };
    window.benchProbe = probe;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (probe.start !== null && probe.end === null && e.startTime >= probe.start - 1) probe.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
    const counter = document.querySelector('[data-result="series-fitted"]');
    new MutationObserver(() => {
      if (probe.end === null && counter.dataset.value === String(n)) probe.end = performance.now();
    }).observe(counter, { attributes: true, attributeFilter: ['data-value'] });
    setTimeout(() => {
      const input = document.querySelector('#spectrum-files');
      const transfer = new DataTransfer();
      for (const file of window.benchFiles) transfer.items.add(file);
      input.files = transfer.files;
      probe.start = performance.now();
      input.dispatchEvent(new Event('change'));
    }, 50);
  }, given.length);
  await page.waitForFunction(() => window.benchProbe.end !== null, null, { timeout: 120_000, polling: 100 });
  // Let a last long task (if any) be reported.
  await page.waitForTimeout(200);
  const probe = await page.evaluate(() => window.benchProbe);
  const pool = await page.evaluate(() => window.sigmafitPoolSize);
  const split = await page.evaluate(() => window.sigmafitTimings.workers());
  const fitMs = await page.evaluate(() => window.sigmafitTimings.fitMs.reduce((a, b) => a + b, 0));
  await context.close();
  return { ms: probe.end - probe.start, longTasks: probe.longTasks, pool, workers: split, fitMs };
}

const server = await startServer();
const browser = await launch();
try {
  const given = files();
  const one = [];
  const all = [];
  const ratios = [];
  const longest = [];
  let longCount = 0;
  let poolSize = null;
  for (let r = 0; r < ROUNDS; r += 1) {
    const base = await once(browser, server.origin, given, 1);
    const full = await once(browser, server.origin, given, null);
    poolSize = full.pool;
    one.push(base.ms);
    all.push(full.ms);
    ratios.push(full.ms / base.ms);
    longCount += full.longTasks.length;
    longest.push(Math.max(0, ...full.longTasks));
    console.log(`round ${r + 1}: 1 worker ${base.ms.toFixed(0)} ms, ${full.pool} workers ${full.ms.toFixed(0)} ms, long tasks ${full.longTasks.length} (longest ${Math.max(0, ...full.longTasks).toFixed(0)} ms)`);
    const split = full.workers.filter(Boolean).map((w) => Object.entries(w).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
    console.log(`  per worker (ms, wall): ${split.join(' | ')}; fit_ms summed over spectra ${full.fitMs.toFixed(0)}`);
  }
  console.log(`${N} spectra of 71 points, auto, ${ROUNDS} rounds:`);
  console.log(`  1 worker (baseline): median ${median(one).toFixed(0)} ms`);
  console.log(`  ${poolSize} workers: median ${median(all).toFixed(0)} ms (${(median(all) / N * 1000).toFixed(0)} µs per spectrum), median ratio to the baseline ${median(ratios).toFixed(2)}`);
  console.log(`  main-thread tasks over 50 ms while fitting with ${poolSize} workers: ${longCount} in ${ROUNDS} rounds (longest ${Math.max(...longest).toFixed(0)} ms)`);
} finally {
  await browser.close();
  await server.close();
}

// Explorer timings for BENCHMARKS.md: `make bench-explore` (after `make build`).
// Opens the page at #explore (1280 × 720, device pixel ratio 1 and 2), moves the σ
// slider through 200 positions, one per animation frame, and reports the time of each
// update (the core's spectrum, its Nyquist and Bode plots, the map, and the sentences
// written into the page), as measured by www/explore.js around its update. Then, if
// dist/sigmafit.html exists (`make single`), its size and the time from opening it
// from file:// to the page being ready, over 5 loads.

import { stat, mkdtemp, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, launch, ROOT } from './harness.mjs';

const STEPS = 200;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const server = await startServer();
const browser = await launch();
try {
  for (const scale of [1, 2]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: scale });
    const page = await context.newPage();
    await page.goto(`${server.origin}/#explore`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#explore-verdict')?.dataset.value);
    const times = await page.evaluate(async (steps) => {
      const slider = document.querySelector('#explore-sigma-slider');
      const timings = window.sigmafitTimings.exploreMs;
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      // A few warm-up moves, then the measured sweep up and down the slider.
      for (let i = 0; i < 10; i += 1) {
        slider.value = String(200 + i);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        await frame();
        await frame();
      }
      const start = timings.length;
      for (let i = 0; i < steps; i += 1) {
        const t = i < steps / 2 ? i / (steps / 2) : 2 - i / (steps / 2);
        slider.value = String(Math.round(t * 1000));
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        await frame();
        await frame();
      }
      return timings.slice(start);
    }, STEPS);
    const slowest = times.map((t, i) => [t, i]).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([t, i]) => `${t.toFixed(1)} ms at move ${i}`).join(", ");
    console.log(`device pixel ratio ${scale}: slowest ${slowest}`);
    console.log(`device pixel ratio ${scale}: ${times.length} updates, median ${median(times).toFixed(2)} ms, 90th percentile ${quantile(times, 0.9).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`);
    await context.close();
  }
  const single = path.join(ROOT, 'dist', 'sigmafit.html');
  const size = await stat(single).then((st) => st.size, () => null);
  if (size !== null) {
    const folder = await mkdtemp(path.join(tmpdir(), 'sigmafit-bench-'));
    await copyFile(single, path.join(folder, 'sigmafit.html'));
    const loads = [];
    for (let i = 0; i < 5; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await page.goto(pathToFileURL(path.join(folder, 'sigmafit.html')).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      loads.push(Number(await page.getAttribute('body', 'data-ready-ms')));
      await context.close();
    }
    await rm(folder, { recursive: true, force: true });
    console.log(`dist/sigmafit.html: ${size} bytes; from file:// to data-ready (the example fitted and drawn): median ${median(loads)} ms (${loads.join(', ')} ms)`);
  }
} finally {
  await browser.close();
  await server.close();
}

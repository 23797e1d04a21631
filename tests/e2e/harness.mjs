// Shared pieces of the end-to-end tests and the benchmark: a static server on
// 127.0.0.1 (a free port) for the repository root, Debian's Chromium through
// playwright-core, and synthetic spectra computed here from known parameters.

import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
};

/**
 * A tiny static file server for ROOT on 127.0.0.1 and a free port. `rewrites` maps a
 * path prefix to another (`{'/pkg/': '/target/pkg-probe/'}` serves a test build).
 */
export async function startServer({ rewrites = {} } = {}) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let rel = decodeURIComponent(url.pathname);
      for (const [from, to] of Object.entries(rewrites)) if (rel.startsWith(from)) rel = to + rel.slice(from.length);
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(ROOT, `.${rel}`);
      if (!file.startsWith(ROOT + path.sep) || !(await stat(file)).isFile()) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic', '--disable-dev-shm-usage',
      // Extra flags for an experiment, e.g. CHROMIUM_ARGS='--js-flags=--no-liftoff'.
      ...(process.env.CHROMIUM_ARGS ? process.env.CHROMIUM_ARGS.split(' ') : []),
    ],
  });
}

/**
 * A fresh page of `origin` (or of `url`: a hash, the one-file page) that records every
 * request it makes and every page or console error, once the page says it is ready.
 */
export async function openPage(browser, origin, { width = 1440, height = 900, scale = 1, url = `${origin}/` } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale, acceptDownloads: true });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, context, requests, problems };
}

/** The requests that left `origin` (blob: and data: URLs stay in the page). */
export function requestsOutside(requests, origin) {
  return requests.filter((u) => !(u.startsWith(`${origin}/`) || u.startsWith('blob:') || u.startsWith('data:')));
}

// ---------------------------------------------------------------------------
// Synthetic spectra (written out here, independently of the Rust code)

const TAU = 2 * Math.PI;

/** (iω)^α as [re, im]. */
function iwPow(f, alpha) {
  const m = (TAU * f) ** alpha;
  return [m * Math.cos((alpha * Math.PI) / 2), m * Math.sin((alpha * Math.PI) / 2)];
}

function inv([a, b]) {
  const d = a * a + b * b;
  return [a / d, -b / d];
}

/** 1 MHz to 0.1 Hz, 10 points per decade. */
export function frequencies() {
  return Array.from({ length: 71 }, (_, i) => 1e6 * 10 ** (-i / 10));
}

/** Deterministic Gaussian noise (mulberry32 + Box–Muller). */
function gauss(seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(TAU * uniform());
}

function toCsv(header, z, noise, seed) {
  const g = gauss(seed);
  const lines = [`# synthetic test spectrum: ${header}`, 'frequency/Hz,Z_real/ohm,Z_imag/ohm'];
  for (const f of frequencies()) {
    const [re, im] = z(f);
    const mod = Math.hypot(re, im);
    lines.push(`${f.toExponential(8)},${(re + mod * noise * g()).toExponential(10)},${(im + mod * noise * g()).toExponential(10)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Case (a): R0 + inductive CPE0 (α < 0), Im Z at 1 MHz = share × R0. */
export function inductiveCsv({ r0, alpha, share, noise = 0, seed = 1 }) {
  const q = (TAU * 1e6) ** -alpha * Math.sin((-alpha * Math.PI) / 2) / (share * r0);
  return toCsv(`R0 = ${r0} ohm + CPE0(Q = ${q}, alpha = ${alpha})`, (f) => {
    const [a, b] = iwPow(f, alpha);
    const [re, im] = inv([q * a, q * b]);
    return [r0 + re, im];
  }, noise, seed);
}

/** Case (b): R1 + (R2 ‖ CPE2), 0 < α ≤ 1. */
export function semicircleCsv({ r1, r2, q, alpha, noise = 0, seed = 1 }) {
  return toCsv(`R1 = ${r1} ohm + (R2 = ${r2} ohm || CPE2(Q = ${q}, alpha = ${alpha}))`, (f) => {
    const [a, b] = iwPow(f, alpha);
    const [re, im] = inv([1 / r2 + q * a, q * b]);
    return [r1 + re, im];
  }, noise, seed);
}

/** σ = d / (R A) in S/cm for thickness and diameter in mm. */
export function sigmaOf(rOhm, thicknessMm, diameterMm) {
  const d = thicknessMm / 10;
  const area = (Math.PI * (diameterMm / 10) ** 2) / 4;
  return d / (rOhm * area);
}

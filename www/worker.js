// A fitting worker: holds its own instance of the WebAssembly core (compiled once by
// the page and handed over as a WebAssembly.Module) and fits the jobs of a chunk in
// order, each starting from its predecessor's fit when that is closer than the
// automatic guess. It posts one message per spectrum, so the page can show progress.

import { initSync, LoadedSpectrum, sha256Hex } from '../pkg/sigmafit.js';

/** An Error from the core, as plain data (structured clone keeps only name and message). */
function errorData(e) {
  const data = { message: e && e.message ? e.message : String(e) };
  for (const key of ['kind', 'file', 'line', 'column', 'reason', 'field', 'id']) {
    if (e && e[key] !== undefined && e[key] !== null) data[key] = e[key];
  }
  // A trap (a panic in Rust, an out-of-memory) leaves the instance unusable.
  if (e instanceof WebAssembly.RuntimeError) data.fatal = true;
  return data;
}

self.stats = { read: 0, parse: 0, analyse: 0, json: 0, post: 0 };
/** Results posted together: one message per spectrum costs more than the fit itself. */
const BATCH = 8;

async function fitChunk({ chunk, gen, jobs }) {
  let hint = null;
  const batch = [];
  const flush = () => {
    if (!batch.length) return;
    const t3 = performance.now();
    const results = batch.splice(0);
    // Bytes read here go back to the page (moved, not copied): a refit sends them
    // instead of reading the files again.
    const moved = results.filter((r) => r.bytes).map((r) => r.bytes.buffer);
    postMessage({ type: 'results', chunk, gen, results }, moved);
    self.stats.post += performance.now() - t3;
  };
  // The chunk's files are read all at once: each read is a round trip to the browser,
  // and one after another they kept the worker waiting longer than the fits took.
  const readStart = performance.now();
  const reads = await Promise.all(jobs.map((job) => (job.bytes || !job.file
    ? null
    : job.file.arrayBuffer().then((buffer) => ({ bytes: new Uint8Array(buffer) }), (e) => ({ error: errorData(e).message })))));
  self.stats.read += performance.now() - readStart;
  for (const [index, job] of jobs.entries()) {
    const read = reads[index];
    if (read?.bytes) job.bytes = read.bytes;
    const readHere = Boolean(read?.bytes);
    if (read?.error) {
      batch.push({ type: 'result', chunk, gen, id: job.id, importFailed: true, error: { message: `${job.name}: cannot be read (${read.error})` } });
      continue;
    }
    const out = { type: 'result', chunk, gen, id: job.id };
    if (readHere) out.bytes = job.bytes;
    let loaded = null;
    try {
      const t0 = performance.now();
      loaded = LoadedSpectrum.fromBytes(job.bytes, job.name);
      self.stats.parse += performance.now() - t0;
      out.sha256 = loaded.sha256;
      out.headerPressureMpa = loaded.headerPressureMpa ?? null;
      const started = performance.now();
      try {
        // The result stays JSON text: the page parses it (a string is cheap to post).
        const t1 = performance.now();
        const json = loaded.analyse(job.settingsJson, hint);
        self.stats.analyse += performance.now() - t1;
        const t2 = performance.now();
        out.resultJson = json;
        out.hintOffered = hint;
        const parsed = JSON.parse(json);
        hint = parsed.start_hint ?? null;
        // What the page needs before it parses the whole result (rows' hooks, the plot).
        out.sigma = parsed.analysis?.sigma_S_per_cm ?? null;
        out.fitMs = parsed.fit_ms;
        self.stats.json += performance.now() - t2;
      } catch (e) {
        out.error = errorData(e);
      }
      out.workerMs = performance.now() - started;
    } catch (e) {
      out.error = errorData(e);
      out.importFailed = true;
      // A file that cannot be read is still named by its fingerprint in exports.
      if (!out.error.fatal) out.sha256 = sha256Hex(job.bytes);
    } finally {
      loaded?.free();
    }
    batch.push(out);
    if (batch.length >= BATCH || out.error?.fatal) flush();
    if (out.error?.fatal) {
      postMessage({ type: 'fatal', chunk, gen, message: out.error.message, reported: true });
      return;
    }
  }
  flush();
  postMessage({ type: 'chunk-done', chunk, gen, stats: self.stats });
}

self.onmessage = (ev) => {
  const message = ev.data;
  if (message.type === 'init') {
    try {
      initSync({ module: message.module });
      postMessage({ type: 'ready' });
    } catch (e) {
      postMessage({ type: 'fatal', message: `the fitting worker could not start: ${errorData(e).message}` });
    }
  } else if (message.type === 'chunk') {
    fitChunk(message).catch((e) => {
      postMessage({ type: 'fatal', chunk: message.chunk, gen: message.gen, message: errorData(e).message });
    });
  }
};

// A fitting worker: holds its own instance of the WebAssembly core (compiled once by
// the page and handed over as a WebAssembly.Module) and fits the jobs of a chunk in
// order, each starting from its predecessor's fit when that is closer than the
// automatic guess. It posts the results a few at a time, so the page can show progress.

import { initSync, LoadedSpectrum, sha256Hex, warmUp } from '../pkg/sigmafit.js';

/** An Error from the core, as plain data (structured clone keeps only name and message). */
function errorData(e) {
  const data = { message: e && e.message ? e.message : String(e) };
  for (const key of ['kind', 'file', 'line', 'column', 'reason', 'field', 'id', 'importKind', 'columnsFound']) {
    if (e && e[key] !== undefined && e[key] !== null) data[key] = e[key];
  }
  // A trap (a panic in Rust, an out-of-memory) leaves the instance unusable: the pool
  // starts this worker again, and the row says what happened.
  if (e instanceof WebAssembly.RuntimeError) {
    data.fatal = true;
    data.message = `sigmafit crashed on this file (${data.message}); its worker was started again and nothing else was lost. This is a bug: please report it with the file`;
  }
  return data;
}

self.stats = { read: 0, parse: 0, analyse: 0, json: 0, post: 0 };
/** Results posted together: one message per spectrum costs more than the fit itself. */
const BATCH = 8;

/**
 * The bytes of the jobs' files (jobs that bring their bytes read nothing): one read of
 * one Blob of them all, cut by the files' sizes; where that read fails (a file changed
 * or removed since it was chosen), each file alone, so only that one fails.
 */
async function readFiles(jobs) {
  const wanted = jobs.filter((job) => !job.bytes && job.file);
  const reads = new Map();
  try {
    const whole = new Uint8Array(await new Blob(wanted.map((job) => job.file)).arrayBuffer());
    let offset = 0;
    for (const job of wanted) {
      // A copy per file: each one's buffer is moved to the page on its own.
      reads.set(job, { bytes: whole.slice(offset, offset + job.file.size) });
      offset += job.file.size;
    }
    if (offset !== whole.length) throw new Error('the files changed while being read');
  } catch {
    reads.clear();
    await Promise.all(wanted.map((job) => job.file.arrayBuffer().then(
      (buffer) => reads.set(job, { bytes: new Uint8Array(buffer) }),
      (e) => reads.set(job, { error: errorData(e).message }),
    )));
  }
  return jobs.map((job) => reads.get(job) ?? null);
}

async function fitChunk({ chunk, gen, jobs }, reading) {
  let hint = null;
  const batch = [];
  const flush = () => {
    if (!batch.length) return;
    const t3 = performance.now();
    const results = batch.splice(0);
    // Bytes read here go back to the page (moved, not copied): a refit sends them
    // instead of reading the files again.
    const moved = results.flatMap((r) => [r.bytes?.buffer, r.resultJson?.buffer]).filter(Boolean);
    postMessage({ type: 'results', chunk, gen, results }, moved);
    self.stats.post += performance.now() - t3;
  };
  // The chunk's files were read as one Blob (each read is a round trip to the browser,
  // and one per file kept the worker waiting longer than the fits took); the time
  // counted is what is left to wait for.
  const readStart = performance.now();
  const reads = await reading;
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
      loaded = LoadedSpectrum.fromBytes(job.bytes, job.name, job.columns ?? undefined);
      self.stats.parse += performance.now() - t0;
      out.sha256 = loaded.sha256;
      out.headerPressureMpa = loaded.headerPressureMpa ?? null;
      const started = performance.now();
      try {
        // The result stays JSON text: the page parses it (a string is cheap to post).
        const t1 = performance.now();
        // UTF-8 bytes, moved to the page and decoded there only if the spectrum is looked at.
        const json = loaded.analyseJsonBytes(job.settingsJson, hint);
        self.stats.analyse += performance.now() - t1;
        const t2 = performance.now();
        out.resultJson = json;
        out.hintOffered = hint;
        // Taken from the core, not from the text: the page parses that only when a
        // spectrum is looked at. The hint stays JSON text from one fit to the next.
        hint = loaded.startHintJson ?? null;
        out.sigma = loaded.sigma ?? null;
        out.fitMs = loaded.fitMs;
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
      // An instance that trapped refuses even to free what it holds; it is replaced anyway.
      try { loaded?.free(); } catch { /* the fatal result above says what happened */ }
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

/**
 * Rounds of warmUp() (two synthetic fits each) run after start-up, one per task, until
 * the first chunk arrives. Chromium first runs WebAssembly in its baseline tier and
 * optimises a function only once it has run a while (on a background thread, which
 * this 2-core machine gives little time once the workers are busy); warmed up at
 * start-up, the first thousand spectra took 0.9 s instead of 1.3 s (BENCHMARKS.md).
 */
const WARM_UP_ROUNDS = 25;
let workArrived = false;

function warmUpWhileIdle(rounds) {
  if (rounds <= 0 || workArrived) return;
  warmUp(1);
  setTimeout(() => warmUpWhileIdle(rounds - 1), 0);
}

/** The page's current run, and the chunks waiting for this worker. */
let currentGen = 0;
let queue = Promise.resolve();

self.onmessage = (ev) => {
  const message = ev.data;
  if (message.type === 'init') {
    try {
      initSync({ module: message.module });
      postMessage({ type: 'ready' });
      warmUpWhileIdle(WARM_UP_ROUNDS);
    } catch (e) {
      postMessage({ type: 'fatal', message: `the fitting worker could not start: ${errorData(e).message}` });
    }
  } else if (message.type === 'gen') {
    currentGen = message.gen;
  } else if (message.type === 'chunk') {
    workArrived = true;
    // Chunks are fitted one after another in the order given; one of a run that was
    // superseded meanwhile is handed back unfitted.
    // Its files are read at once, while the chunk before it is being fitted.
    const reading = readFiles(message.jobs);
    queue = queue.then(() => (message.gen < currentGen
      ? postMessage({ type: 'chunk-done', chunk: message.chunk, gen: message.gen })
      : fitChunk(message, reading))).catch((e) => {
      postMessage({ type: 'fatal', chunk: message.chunk, gen: message.gen, message: errorData(e).message });
    });
  }
};

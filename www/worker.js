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

function fitChunk({ chunk, gen, jobs }) {
  let hint = null;
  for (const job of jobs) {
    const out = { type: 'result', chunk, gen, id: job.id };
    let loaded = null;
    try {
      loaded = LoadedSpectrum.fromBytes(job.bytes, job.name);
      out.sha256 = loaded.sha256;
      out.headerPressureMpa = loaded.headerPressureMpa ?? null;
      const started = performance.now();
      try {
        const result = loaded.analyse(job.settings, hint);
        out.result = result;
        out.hintOffered = hint;
        hint = result.start_hint ?? null;
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
    postMessage(out);
    if (out.error?.fatal) {
      postMessage({ type: 'fatal', chunk, gen, message: out.error.message, reported: true });
      return;
    }
  }
  postMessage({ type: 'chunk-done', chunk, gen });
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
    try {
      fitChunk(message);
    } catch (e) {
      postMessage({ type: 'fatal', chunk: message.chunk, gen: message.gen, message: errorData(e).message });
    }
  }
};

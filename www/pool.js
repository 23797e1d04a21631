// A pool of fitting workers, one per core. The page compiles the WebAssembly once and
// hands the compiled module to each worker. Work is given out in chunks (spectra of
// one series in measurement order, so each may start from its predecessor's fit).
// Each worker holds up to IN_FLIGHT chunks, so that it starts the next one as soon as
// it ends one, not when this thread, busy with the table, gets round to sending it.
// A new run supersedes the previous one: chunks of an old run are skipped by the
// workers and their results dropped.

/** Most workers started, whatever the machine reports. */
const MAX_WORKERS = 8;
/** Chunks given to a worker at a time: the one it fits and the next. */
const IN_FLIGHT = 2;
/** Workers replaced after a trap before the pool gives up (a module that cannot start). */
const MAX_RESTARTS = 20;

export function workerCount() {
  const cores = Number(navigator.hardwareConcurrency) || 2;
  return Math.max(1, Math.min(MAX_WORKERS, cores));
}

export class FitPool {
  /**
   * @param {WebAssembly.Module} module the compiled core
   * @param {number} size number of workers
   */
  constructor(module, size = workerCount()) {
    this.module = module;
    this.size = size;
    this.workers = [];
    this.queue = [];
    this.gen = 0;
    this.handlers = null;
    for (let i = 0; i < size; i += 1) this.workers.push(this.start());
  }

  start() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const slot = { worker, ready: false, inFlight: [] };
    worker.onmessage = (ev) => this.onMessage(slot, ev.data);
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      this.onFatal(slot, ev.message || 'the fitting worker stopped');
    };
    worker.postMessage({ type: 'init', module: this.module });
    return slot;
  }

  /**
   * Starts a run over `chunks` (arrays of jobs {id, name, bytes, settings}); supersedes
   * any run in progress. `handlers.result(message)` gets each spectrum's outcome,
   * `handlers.done()` fires once every chunk of this run is back.
   */
  run(chunks, handlers) {
    this.gen += 1;
    this.queue = chunks.map((jobs, i) => ({ chunk: i, gen: this.gen, jobs }));
    this.pending = this.queue.length;
    this.handlers = handlers;
    this.announceGen();
    if (this.pending === 0) {
      handlers.done?.();
      return;
    }
    for (const slot of this.workers) this.feed(slot);
  }

  /** Stops giving out chunks of the current run; the chunks being fitted finish unseen. */
  cancel() {
    this.gen += 1;
    this.queue = [];
    this.handlers = null;
    this.announceGen();
  }

  /** Tells the workers which run is current, so that they skip chunks of older ones. */
  announceGen() {
    for (const slot of this.workers) if (slot.ready) slot.worker.postMessage({ type: 'gen', gen: this.gen });
  }

  feed(slot) {
    while (slot.ready && slot.inFlight.length < IN_FLIGHT && this.queue.length) {
      const next = this.queue.shift();
      slot.inFlight.push({ ...next, doneIds: [] });
      slot.worker.postMessage({ type: 'chunk', ...next });
    }
  }

  finishChunk(slot, chunkIndex, gen) {
    const at = slot.inFlight.findIndex((c) => c.chunk === chunkIndex && c.gen === gen);
    const chunk = at >= 0 ? slot.inFlight.splice(at, 1)[0] : null;
    if (chunk && chunk.gen === this.gen) {
      this.pending -= 1;
      if (this.pending === 0) {
        const handlers = this.handlers;
        this.handlers = null;
        handlers?.done?.();
      }
    }
    this.feed(slot);
  }

  onMessage(slot, message) {
    if (message.type === 'ready') {
      slot.ready = true;
      slot.worker.postMessage({ type: 'gen', gen: this.gen });
      this.feed(slot);
    } else if (message.type === 'results') {
      const chunk = slot.inFlight.find((c) => c.chunk === message.chunk && c.gen === message.gen);
      for (const result of message.results) {
        chunk?.doneIds.push(result.id);
        if (result.gen === this.gen) this.handlers?.result?.(result);
      }
    } else if (message.type === 'chunk-done') {
      if (message.stats) slot.stats = message.stats;
      this.finishChunk(slot, message.chunk, message.gen);
    } else if (message.type === 'fatal') {
      this.onFatal(slot, message.message, Boolean(message.reported));
    }
  }

  /**
   * A worker whose WebAssembly trapped (or that could not start) is replaced by a
   * fresh one. The spectrum in flight is reported failed unless the worker already
   * said so; the rest of its chunk, and the chunk it held next, go back to the front
   * of the queue.
   */
  onFatal(slot, message, reported = false) {
    const [chunk, ...held] = slot.inFlight.filter((c) => c.gen === this.gen);
    slot.inFlight = [];
    slot.worker.terminate();
    this.restarts = (this.restarts ?? 0) + 1;
    const index = this.workers.indexOf(slot);
    // A worker that cannot even start would be restarted forever: stop after a few.
    if (index >= 0) {
      if (this.restarts <= MAX_RESTARTS) this.workers[index] = this.start();
      else this.workers.splice(index, 1);
    }
    if (!this.workers.length) {
      // No worker left: every chunk of this run ends here, unfitted.
      this.queue = [];
      this.pending = 0;
    }
    for (const next of held.reverse()) {
      if (this.workers.length) this.queue.unshift({ chunk: next.chunk, gen: next.gen, jobs: next.jobs });
    }
    if (!chunk) {
      this.endIfNoWorkers(message);
      return;
    }
    const rest = chunk.jobs.filter((job) => !chunk.doneIds.includes(job.id));
    const remaining = reported ? rest : rest.slice(1);
    if (!reported && rest.length) {
      this.handlers?.result?.({ type: 'result', gen: chunk.gen, id: rest[0].id, error: { message: `fitting stopped: ${message}`, fatal: true } });
    }
    if (remaining.length && this.workers.length) {
      this.queue.unshift({ chunk: chunk.chunk, gen: chunk.gen, jobs: remaining });
    } else if (this.workers.length) {
      this.pending -= 1;
      if (this.pending === 0) {
        const handlers = this.handlers;
        this.handlers = null;
        handlers?.done?.(null);
      }
    }
    this.endIfNoWorkers(message);
    for (const other of this.workers) this.feed(other);
  }

  endIfNoWorkers(message) {
    if (this.workers.length || !this.handlers) return;
    const handlers = this.handlers;
    this.handlers = null;
    handlers.done?.(message);
  }

  terminate() {
    for (const slot of this.workers) slot.worker.terminate();
    this.workers = [];
  }
}

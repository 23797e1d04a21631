// sigmafit page: loads the WebAssembly core, keeps the list of spectra, refits
// on every settings change and draws the results. No framework, no bundler.

import init, { LoadedSpectrum, checkSettings, effectiveSettings, version, describeNames, placeSeries, sha256Hex } from '../pkg/sigmafit.js';
import { buildSettingsForm, readSettings, inputForError, CUSTOM_CIRCUIT } from './settings.js';
import { renderResult, renderEmpty, qualityBadges } from './views.js';
import { exportCsv, exportJson, exportSeriesCsv, exportedEntries, download } from './export.js';
import { sci, sig } from './format.js';
import { PNG_SCALE, withCaption } from './png.js';
import { FitPool } from './pool.js';
import { SeriesView } from './series.js';
import { Explorer, renderTruth } from './explore.js';
import { Store, formValues, restoreForm } from './persist.js';
import { ColumnMappingStep } from './columns.js';

const EXAMPLE = 'synthetic_semicircle_LCO-like.csv';
const $ = (sel) => document.querySelector(sel);

/**
 * Every loaded spectrum, in the order given. `bytes` are the file's as read; `result`
 * is the latest fit (from a worker, or from this thread for the selected one, the same
 * either way); `loaded` holds the core's copy on this thread, made when first selected.
 */
const entries = [];
/** The same entries by id (results from the workers name their spectrum by id). */
const byId = new Map();
let selectedId = null;
let nextId = 1;
let sigmafitVersion = '';

// Timings for BENCHMARKS.md (read by tests/e2e/bench.mjs; exploreMs by bench-explore.mjs).
const timings = { fitMs: [], fitAndDrawMs: [] };
window.sigmafitTimings = timings;

// ---------------------------------------------------------------------------
// Settings

/** The message under a field, created on first use (it spans the grid's two columns). */
function fieldErrorNode(id) {
  let node = document.getElementById(`${id}-error`);
  if (!node) {
    const input = document.getElementById(id);
    const anchor = input.closest('.input-unit') ?? input;
    node = document.createElement('p');
    node.className = 'field-error';
    node.id = `${id}-error`;
    node.hidden = true;
    if (input.classList.contains('custom-only')) node.classList.add('custom-only');
    anchor.after(node);
  }
  return node;
}

function showSettingsError(message, field = null) {
  for (const input of document.querySelectorAll('#settings [aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    const node = document.getElementById(`${input.id}-error`);
    if (node) node.hidden = true;
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d && d !== `${input.id}-error`);
    if (described.length) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  if (field) {
    const input = document.getElementById(field);
    const node = fieldErrorNode(field);
    node.textContent = message;
    node.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    input.setAttribute('aria-describedby', [...described, node.id].join(' '));
  }
  const el = $('#settings-error');
  el.hidden = !message;
  const where = field ? ` (${document.querySelector(`label[for="${field}"]`)?.textContent.trim() ?? field})` : '';
  el.textContent = message ? `Settings${where}: ${message}. The results shown are from the previous valid settings.` : '';
}

/** A = πD²/4 and d/A of the pellet the settings describe (the core resolved it). */
function updateAreaNote(geometry) {
  const note = $('#area-note');
  if (geometry) {
    note.textContent = `A = ${geometry.diameter_cm ? 'πD²/4 = ' : ''}${sig(geometry.area_cm2, 4)} cm², d/A = ${sig(geometry.thickness_cm / geometry.area_cm2, 4)} cm⁻¹`;
  } else {
    note.textContent = 'Without thickness and diameter only R_con is reported.';
  }
}

/**
 * Valid settings (every field's text, as typed) or null, with the reason shown beside
 * the field the core names (`error.field`, `error.id`).
 */
function currentSettings() {
  const s = readSettings();
  try {
    const geometry = checkSettings(s);
    showSettingsError(null);
    updateAreaNote(geometry);
    return s;
  } catch (e) {
    showSettingsError(messageOf(e), e?.kind === 'settings' ? inputForError(e) : null);
    return null;
  }
}

function messageOf(e) {
  return e && e.message ? e.message : String(e);
}

// ---------------------------------------------------------------------------
// The list of spectra

/** The sidebar row every spectrum gets, cloned from one template (cheap for a thousand). */
const ROW_TEMPLATE = (() => {
  const template = document.createElement('template');
  template.innerHTML = '<li class="spectrum-row" data-spectrum-row>'
    + '<button type="button" class="row-select"><span class="row-name"></span><span class="row-right"><span class="row-badges"></span><span class="row-value"></span></span></button>'
    + '<button type="button" class="row-remove" data-remove>×</button><p class="row-error" hidden></p></li>';
  return template.content.firstElementChild;
})();

function makeRow(entry) {
  const li = ROW_TEMPLATE.cloneNode(true);
  li.dataset.file = entry.name;
  li.dataset.id = String(entry.id);
  const [select, remove] = li.children;
  setRowName(select.firstElementChild, entry.name);
  select.title = entry.name;
  remove.title = `Remove ${entry.name}`;
  remove.setAttribute('aria-label', `Remove ${entry.name}`);
  return li;
}

/** One listener for the list: select a spectrum, or remove it. */
function wireList() {
  $('#spectrum-list').addEventListener('click', (ev) => {
    const li = ev.target.closest('[data-spectrum-row]');
    if (!li) return;
    const id = Number(li.dataset.id);
    if (ev.target.closest('[data-remove]')) removeEntry(id);
    else if (ev.target.closest('.row-select')) selectEntry(id);
  });
}

/** Characters kept at the end of a long file name (where pressure, sample, date go). */
const NAME_TAIL = 16;

/**
 * A file name cut in the middle when it is too long for its row: the start shrinks
 * with an ellipsis, the last NAME_TAIL characters always show (the row's title has it all).
 */
function setRowName(node, name) {
  const cut = name.length > NAME_TAIL + 3 ? name.length - NAME_TAIL : name.length;
  const start = document.createElement('span');
  start.className = 'row-name-start';
  start.textContent = name.slice(0, cut);
  const end = document.createElement('span');
  end.className = 'row-name-end';
  end.textContent = name.slice(cut);
  node.replaceChildren(start, end);
}

/**
 * The sidebar row of `entry`. While its list is folded only the hooks (state, σ) are
 * written; the rest waits (`rowStale`) until the list is unfolded.
 */
function updateRow(entry, { full = !listFolded() } = {}) {
  const li = entry.row;
  li.dataset.state = entry.state;
  li.classList.toggle('selected', entry.id === selectedId);
  li.querySelector('.row-select').setAttribute('aria-pressed', String(entry.id === selectedId));
  const sigma = entry.sigma?.value;
  if (entry.state === 'done' && typeof sigma === 'number') li.dataset.sigma = String(sigma);
  else delete li.dataset.sigma;
  entry.rowStale = !full;
  if (!full) return;
  const value = li.querySelector('.row-value');
  const err = li.querySelector('.row-error');
  if (entry.state === 'fitting') value.textContent = 'fitting…';
  else if (entry.state === 'error') value.textContent = 'error';
  else if (typeof sigma === 'number') value.textContent = `${sci(sigma, 'S/cm', 3)}`;
  else if (entry.result && !entry.result.analysis?.r_con_ohm) value.textContent = 'no R_con';
  else value.textContent = entry.result ? 'R_con only (no d, D)' : '';
  value.className = `row-value state-${entry.state}`;
  // Badges are made again only for a new result (a thousand rows get painted as results stream in).
  if (li.shownResult !== entry.result || li.shownState !== entry.state) {
    li.shownResult = entry.result;
    li.shownState = entry.state;
    const badges = li.querySelector('.row-badges');
    badges.replaceChildren(...(entry.state === 'done' && entry.result ? qualityBadges(entry.result.analysis, true, entry.result.report) : []));
  }
  err.hidden = !entry.error;
  err.textContent = entry.error ?? '';
}

/** Rows whose entry changed since the last paint, painted together on a timer. */
const dirty = new Set();
let paintTimer = null;
/** Paints at most this often while results stream in (the series plot is redrawn too). */
const PAINT_INTERVAL_MS = 200;

function markDirty(entry) {
  dirty.add(entry);
  if (paintTimer === null) paintTimer = setTimeout(paint, PAINT_INTERVAL_MS);
}

/** Rows painted per task: more wait for the next one, so no task runs long. */
const ROWS_PER_TASK = 30;

/**
 * Paints the rows whose entry changed. While results stream in, a row's cells are
 * written only when it is near the table's view (its hooks always): writing a thousand
 * rows nobody sees kept this thread as busy as a worker. The rest follow when the run
 * ends or when scrolled to.
 */
function paint() {
  paintTimer = null;
  const streaming = progress.done < progress.total;
  // The hooks of every changed row at once (a thousand cost a few ms); the cells of at
  // most ROWS_PER_TASK, the rest left stale for freshenStale() or a scroll.
  let written = 0;
  for (const entry of dirty) {
    dirty.delete(entry);
    if (entry.removed) continue;
    const room = written < ROWS_PER_TASK;
    const listFull = room && !listFolded() && !streaming;
    if (entry.row) updateRow(entry, { full: listFull });
    const seriesFull = room && (!streaming || series.nearView(entry));
    series.updateRow(entry, { full: seriesFull });
    if (listFull || seriesFull) written += 1;
  }
  series.updateCount();
  // The plot and summary in a task of their own.
  setTimeout(() => series.refresh({ streaming }), 0);
  updateListFold();
}

/** Writes the cells left stale while results streamed in, a chunk per task. */
function freshenStale() {
  const stale = entries.filter((e) => (e.row && e.rowStale && !listFolded()) || e.seriesStale);
  inChunks(stale, ROWS_PER_TASK, (chunk) => {
    for (const entry of chunk) {
      if (entry.removed) continue;
      if (entry.row && entry.rowStale && !listFolded()) updateRow(entry, { full: true });
      if (entry.seriesStale) series.updateRow(entry, { full: true });
    }
  });
}

function listFolded() {
  return entries.length > LIST_UNFOLDED_MAX && !listUnfolded;
}

/**
 * A long list in the sidebar helps no one (the series table shows every spectrum): past
 * LIST_UNFOLDED_MAX rows it is folded away unless the user unfolds it. The rows stay in
 * the document, updated, with their hooks.
 */
const LIST_UNFOLDED_MAX = 30;
let listUnfolded = false;

function updateListFold() {
  const folded = listFolded();
  $('#spectrum-list').classList.toggle('folded', folded);
  const note = $('#list-fold');
  note.hidden = entries.length <= LIST_UNFOLDED_MAX;
  $('#list-fold-text').textContent = `${entries.length} spectra${folded ? ': each is a row of the series table' : ''}`;
  $('#list-fold-toggle').textContent = folded ? 'Show them here too' : 'Fold this list';
}

function selectEntry(id, { scroll = false } = {}) {
  const previous = byId.get(selectedId);
  selectedId = id;
  const entry = byId.get(id);
  for (const e of [previous, entry]) {
    if (e?.row) updateRow(e);
    if (e) series.updateRow(e);
  }
  showSelected();
  if (scroll) $('#result-panel').scrollIntoView({ block: 'start', behavior: 'smooth' });
}

function removeEntry(id) {
  const i = entries.findIndex((e) => e.id === id);
  if (i < 0) return;
  const [entry] = entries.splice(i, 1);
  entry.removed = true;
  forget([entry]);
  byId.delete(id);
  entry.row?.remove();
  entry.loaded?.free();
  placeAll();
  series.rebuild();
  if (selectedId === id) {
    const next = entries[Math.min(i, entries.length - 1)];
    selectedId = next ? next.id : null;
    if (next?.row) updateRow(next);
    showSelected();
  }
  updateExportButtons();
  scheduleFits();
}

/**
 * The settings one spectrum is fitted with: the form's, with the row's own thickness
 * where one was typed in the series table (pellets compact under pressure).
 */
function settingsFor(entry, settings) {
  const own = entry.thicknessMm ? { ...settings, thickness_mm: entry.thicknessMm } : settings;
  if (!entry.excludedHz?.length) return own;
  // The spectrum's own exclusions join the form's: by frequency, written out exactly.
  const excluded = [own.exclude_f_hz, ...entry.excludedHz.map(String)].filter((v) => v !== undefined && v !== null && String(v).trim() !== '');
  return { ...own, exclude_f_hz: excluded.join(', ') };
}

/** Where the pressure in force came from, as the CLI's JSON says it: typed, header, name (or null). */
function pressureSource(entry) {
  if (entry.typedPressureMpa !== null && entry.typedPressureMpa !== undefined) return 'typed';
  if (entry.headerPressureMpa !== null && entry.headerPressureMpa !== undefined) return 'header';
  if (entry.nameInfo?.pressure_mpa !== null && entry.nameInfo?.pressure_mpa !== undefined) return 'name';
  return null;
}

/** Pressure in force: typed in the table, else a header line of the file, else its name. */
function pressureOf(entry) {
  return entry.typedPressureMpa ?? entry.headerPressureMpa ?? entry.nameInfo?.pressure_mpa ?? null;
}

/** Measurement order, branch and cycle of every spectrum, by series (the core's rules). */
function placeAll() {
  const members = entries.map((e) => ({
    series: e.seriesLabel ?? e.nameInfo?.series ?? e.name,
    run: e.typedRun ?? e.nameInfo?.run ?? null,
    modified_ms: e.lastModified ?? null,
    given: e.given,
    // A file that could not be read has no σ to place on a branch.
    pressure_mpa: e.importFailed ? null : pressureOf(e),
  }));
  let placements = [];
  try {
    placements = placeSeries(members);
  } catch (e) {
    console.warn(`series: ${messageOf(e)}`);
  }
  entries.forEach((e, i) => { e.placement = placements[i] ?? null; });
}

// ---------------------------------------------------------------------------
// Kept in the browser (www/persist.js): a reload brings back the spectra and the form

/** This browser's storage, once opened (null where it keeps nothing). */
let store = null;
/** What of a spectrum's row is kept besides its bytes: what was typed in the series table. */
const EDIT_FIELDS = ['typedPressureMpa', 'thicknessMm', 'seriesLabel', 'typedRun', 'excludedHz'];

function editsOf(entry) {
  return Object.fromEntries(EDIT_FIELDS.map((k) => [k, entry[k] ?? null]));
}

/** The kept edits that are values a row can hold (what an older page kept is ignored). */
function keptEdits(edits) {
  const out = {};
  for (const k of EDIT_FIELDS) {
    const v = edits?.[k];
    if (v === null || v === undefined) continue;
    if (k === 'excludedHz') {
      if (Array.isArray(v) && v.every((f) => Number.isFinite(f) && f > 0)) out[k] = v;
    } else if (k === 'typedPressureMpa' || k === 'typedRun' ? Number.isFinite(v) : typeof v === 'string') {
      out[k] = v;
    }
  }
  return out;
}

/** Keeps newly added spectra (their File or bytes, as given); a file that could not be read is not kept. */
function keep(added) {
  if (!store) return;
  const kept = added.filter((e) => !e.importFailed && (e.file || e.bytes));
  const writing = store.add(kept.map((e) => ({ name: e.name, data: e.file ?? e.bytes, lastModified: e.lastModified, edits: editsOf(e) })));
  for (const e of kept) e.storing = writing;
  writing.then((keys) => kept.forEach((e, i) => {
    e.storing = null;
    e.storeKey = keys[i] ?? null;
    e.keptEdits = JSON.stringify(editsOf(e));
    // Removed while being written: forget it now that it has a key.
    if (e.removed) forget([e]);
  }));
}

function forget(removed) {
  if (!store) return;
  const keys = removed.filter((e) => e.storeKey !== null && e.storeKey !== undefined).map((e) => e.storeKey);
  for (const e of removed) e.storeKey = null;
  store.remove(keys);
}

/** Writes what was typed in series rows, for the rows whose typing changed. */
function keepEditsOfAll() {
  if (!store) return;
  for (const e of entries) {
    if (e.storeKey === null || e.storeKey === undefined) continue;
    const now = JSON.stringify(editsOf(e));
    if (now === e.keptEdits) continue;
    e.keptEdits = now;
    store.patch(e.storeKey, { edits: editsOf(e) });
  }
}

let formTimer = null;
function keepForm() {
  if (!store) return;
  clearTimeout(formTimer);
  formTimer = setTimeout(() => store.saveForm(formValues($('#settings'))), 300);
}

/** "Clear all": every spectrum off the page and out of the browser's storage, the kept settings too. */
function clearAll() {
  for (const e of [...entries]) removeEntry(e.id);
  store?.clear();
  clearTimeout(formTimer);
  showAddNote([]);
  const note = $('#add-note');
  note.hidden = false;
  note.textContent = store
    ? 'Cleared: no spectrum and no setting is kept in this browser now (the fields keep their values until the page is reloaded).'
    : 'Cleared.';
}

/**
 * What the last visit kept: the form's fields first (the fits use them), then the
 * spectra in the order they were given, with what was typed in their rows.
 * Returns whether any spectrum came back.
 */
async function restoreKept() {
  store = await Store.open();
  if (!store) return false;
  let kept;
  try {
    kept = await store.load();
  } catch (e) {
    console.warn(`sigmafit: the kept spectra could not be read back (${messageOf(e)})`);
    return false;
  }
  if (kept.form) {
    // An edited pellet field is no longer the assumed default: the same events as typing it.
    for (const input of restoreForm($('#settings'), kept.form)) input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  const items = kept.spectra
    .filter((r) => typeof r.name === 'string' && (r.data instanceof Blob || r.data instanceof Uint8Array))
    .map((r) => ({
      name: r.name,
      file: r.data instanceof Blob ? r.data : null,
      bytes: r.data instanceof Uint8Array ? r.data : null,
      lastModified: r.lastModified ?? null,
      storeKey: r.key,
      edits: r.edits,
      crashed: r.crashed === true,
    }));
  if (!items.length) return false;
  // The fits start as the spectra are added, with the settings just restored.
  lastGoodSettings = currentSettings();
  const added = addSpectra(items, { restored: true });
  for (const e of added) e.keptEdits = JSON.stringify(editsOf(e));
  const note = $('#add-note');
  note.hidden = false;
  note.textContent = `Restored ${items.length} spectr${items.length === 1 ? 'um' : 'a'} and the settings kept in this browser from your last visit (Clear all forgets them).`;
  return true;
}

/** What tells a file given twice: its name, size and modification time (or its bytes' length). */
function sameFileKey({ name, file, lastModified, bytes }) {
  const size = file ? file.size : bytes?.length;
  return `${name}\u0000${size ?? ''}\u0000${lastModified ?? ''}`;
}

/** Which files were given again and left out (none: the note goes). */
function showAddNote(repeated) {
  const note = $('#add-note');
  note.hidden = repeated.length === 0;
  const shown = repeated.slice(0, 3).join(', ');
  const more = repeated.length > 3 ? ` and ${repeated.length - 3} more` : '';
  note.textContent = repeated.length ? `Already loaded, not added again: ${shown}${more}.` : '';
}

/**
 * Adds spectra (files' bytes, or pasted text as UTF-8) in one pass: rows, series
 * placement, then the fits in the workers. The last one given becomes the selected one.
 */
function addSpectra(given, { example = false, restored = false } = {}) {
  const added = [];
  // The same file given again (same name, size and date) would count twice in the plot
  // and the summaries: it is left out, and said.
  const seen = new Set(entries.filter((e) => !e.removed).map(sameFileKey));
  const items = [];
  const repeated = [];
  for (const item of given) {
    const key = sameFileKey(item);
    if (seen.has(key)) repeated.push(item.name);
    else items.push(item);
    seen.add(key);
  }
  showAddNote(repeated);
  if (!items.length) return added;
  const described = describeNames(items.map((item) => item.name));
  items.forEach((item, i) => {
    const entry = {
      id: nextId++, given: nextGiven++, name: item.name, bytes: item.bytes ?? null, file: item.file ?? null,
      lastModified: item.lastModified ?? null,
      example, sha256: null, state: 'fitting', result: null, error: null, loaded: null, fitKey: null,
      headerPressureMpa: null, typedPressureMpa: null, thicknessMm: null, excludedHz: [], seriesLabel: null,
      nameInfo: described[i] ?? null, placement: null, hintOffered: null, mainKey: null, row: null,
      storeKey: item.storeKey ?? null,
      crashed: item.crashed === true,
    };
    Object.assign(entry, keptEdits(item.edits));
    withLazyResult(entry);
    if (item.readError) {
      entry.state = 'error';
      entry.error = `${item.name}: cannot be read (${item.readError})`;
      entry.importFailed = true;
    }
    entries.push(entry);
    byId.set(entry.id, entry);
    added.push(entry);
  });
  if (!example && !restored) keep(added);
  const previous = byId.get(selectedId);
  if (added.length) selectedId = added[added.length - 1].id;
  placeAll();
  // The fits start at once; the rows are built meanwhile, a chunk per task.
  scheduleFits();
  const show = () => {
    buildListRows();
    series.rebuild();
    if (previous?.row) updateRow(previous);
    updateListFold();
    updateExportButtons();
    showSelected();
  };
  // Taking a drop of many files is a task of its own; they are shown from the next one.
  if (added.length > ROWS_PER_TASK) setTimeout(show, 0);
  else show();
  return added;
}

/**
 * The sidebar rows not made yet, a chunk per task. A folded list (past
 * LIST_UNFOLDED_MAX spectra) gets its rows when unfolded: the series table has a row
 * for every spectrum, and a thousand hidden rows only cost time.
 */
function buildListRows() {
  if (listFolded()) return;
  const missing = entries.filter((e) => !e.row && !e.removed);
  inChunks(missing, ROWS_PER_TASK, (chunk) => {
    const fragment = document.createDocumentFragment();
    for (const entry of chunk) {
      if (entry.removed) continue;
      entry.row = makeRow(entry);
      updateRow(entry);
      fragment.append(entry.row);
    }
    $('#spectrum-list').append(fragment);
  }, updateListFold);
}

/**
 * `entry.result` parsed from the worker's JSON text when first read: a thousand results
 * arrive while fitting, and most are not looked at until the run ends. `entry.sigma`
 * ({value, stderr} or null) is known at once, for the rows' hooks and the plot.
 */
const utf8 = new TextDecoder();

function withLazyResult(entry) {
  let parsed = null;
  let text = null;
  Object.defineProperty(entry, 'result', {
    enumerable: true,
    get() {
      if (text !== null) {
        parsed = JSON.parse(typeof text === 'string' ? text : utf8.decode(text));
        text = null;
      }
      return parsed;
    },
    set(value) {
      parsed = value;
      text = null;
      entry.sigma = value?.analysis?.sigma_S_per_cm ?? null;
    },
  });
  // `json`: the worker's JSON as text or as UTF-8 bytes.
  entry.setResultJson = (json, sigma) => {
    parsed = null;
    text = json;
    entry.sigma = sigma ?? null;
  };
  entry.sigma = null;
}

/**
 * Runs `work` over `list` in chunks of `size`: the first chunk now, each further one in
 * a task of its own, so that a thousand rows never make one long task. Then `done`.
 */
function inChunks(list, size, work, done = () => {}) {
  let start = 0;
  const step = () => {
    work(list.slice(start, start + size));
    start += size;
    if (start < list.length) setTimeout(step, 0);
    else done();
  };
  step();
}

let lastGoodSettings = null;
let nextGiven = 0;

/** The settings key an entry's current result must have been fitted with. */
function wantedKey(entry, settings) {
  return JSON.stringify(settingsFor(entry, settings));
}

/**
 * Sends every spectrum whose result is not from the settings in force to the
 * workers, each series in measurement order (in chunks, so that both cores work and
 * a cancel takes effect soon). The selected spectrum is fitted at once on this
 * thread too, so that its view never waits for the queue.
 */
function scheduleFits() {
  const settings = lastGoodSettings;
  if (!settings || !pool) return;
  const todo = entries.filter((e) => !e.importFailed && (e.bytes || e.file) && e.fitKey !== wantedKey(e, settings));
  for (const e of todo) {
    if (e.state !== 'fitting') {
      e.state = 'fitting';
      markDirty(e);
    }
  }
  progress.start(todo.length);
  const chunks = chunked(todo, settings);
  pool.run(chunks, {
    result: (message) => onWorkerResult(message),
    done: (failure) => {
      progress.finish(failure);
      paint();
      freshenStale();
    },
  });
}

/** Most spectra in a chunk; fewer when there are few, so that every worker gets some. */
const MAX_CHUNK = 32;

function chunked(todo, settings) {
  const bySeries = new Map();
  for (const e of todo) {
    const key = e.placement?.series ?? e.name;
    if (!bySeries.has(key)) bySeries.set(key, []);
    bySeries.get(key).push(e);
  }
  const size = Math.max(1, Math.min(MAX_CHUNK, Math.ceil(todo.length / (2 * (pool?.size ?? 1)))));
  const chunks = [];
  for (const list of bySeries.values()) {
    list.sort((a, b) => (a.placement?.order ?? 0) - (b.placement?.order ?? 0) || a.given - b.given);
    for (let i = 0; i < list.length; i += size) {
      chunks.push(list.slice(i, i + size).map((e) => {
        const entrySettings = settingsFor(e, settings);
        const key = JSON.stringify(entrySettings);
        e.pendingKey = key;
        // A File crosses to the worker by reference: the worker reads it, not this thread.
        return { id: e.id, name: e.name, bytes: e.bytes, file: e.bytes ? null : e.file, settingsJson: key, key, columns: e.columns ?? null };
      }));
    }
  }
  return chunks;
}

function onWorkerResult(message) {
  const entry = byId.get(message.id);
  progress.step();
  if (!entry || entry.pendingKey === undefined) return;
  if (message.sha256) entry.sha256 = message.sha256;
  if (message.bytes && !entry.bytes) entry.bytes = message.bytes;
  if (message.headerPressureMpa !== undefined && message.headerPressureMpa !== entry.headerPressureMpa) {
    entry.headerPressureMpa = message.headerPressureMpa;
    placeAll();
    series.placementsChanged();
  }
  entry.fitKey = entry.pendingKey;
  entry.hintOffered = message.hintOffered ?? null;
  // A file that crashed a worker's WebAssembly is never given to this thread's (whose
  // crash would stop the page).
  if (message.error?.fatal) entry.crashed = true;
  if (message.resultJson) {
    entry.setResultJson(message.resultJson, message.sigma);
    entry.error = null;
    entry.state = 'done';
    timings.fitMs.push(message.fitMs);
  } else {
    entry.result = null;
    entry.error = message.error?.message ?? 'not fitted';
    entry.errorData = message.error ?? null;
    entry.state = 'error';
    if (message.importFailed && !entry.importFailed) {
      entry.importFailed = true;
      placeAll();
      series.placementsChanged();
    }
    if (message.error?.kind === 'settings' && entry.id === selectedId) showSettingsError(entry.error, inputForError(message.error));
    if (message.error?.importKind === 'columns_not_recognised') offerColumns(entry, message.error);
  }
  markDirty(entry);
  if (entry.id === selectedId) showSelected();
}

/**
 * The selected spectrum's fit on this thread (the plots need the fitted model in the
 * core's memory): the same settings and the same start as in the worker, so the
 * same result.
 */
function fitSelectedHere(entry) {
  const settings = lastGoodSettings;
  if (!settings || entry.importFailed || entry.crashed) return;
  if (!entry.bytes) {
    readBytes(entry);
    return;
  }
  const entrySettings = settingsFor(entry, settings);
  const key = JSON.stringify(entrySettings);
  const hintKey = JSON.stringify(entry.hintOffered ?? null);
  if (entry.mainKey === `${key}|${hintKey}`) return;
  const t0 = performance.now();
  try {
    if (!entry.loaded) entry.loaded = LoadedSpectrum.fromBytes(entry.bytes, entry.name, entry.columns ?? undefined);
    entry.sha256 = entry.loaded.sha256;
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      pageCrashed(entry, e);
      return;
    }
    entry.sha256 = sha256Hex(entry.bytes);
    entry.state = 'error';
    entry.error = messageOf(e);
    if (e?.importKind === 'columns_not_recognised') offerColumns(entry, e);
    entry.fitKey = key;
    markDirty(entry);
    // A file that cannot be read takes no branch, whoever found out first (as in onWorkerResult).
    if (!entry.importFailed) {
      entry.importFailed = true;
      placeAll();
      series.placementsChanged();
    }
    return;
  }
  try {
    entry.result = JSON.parse(entry.loaded.analyse(entrySettings, entry.hintOffered ?? undefined));
    entry.error = null;
    entry.state = 'done';
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      pageCrashed(entry, e);
      return;
    }
    entry.result = null;
    entry.error = messageOf(e);
    entry.state = 'error';
    // A setting only the fit can judge (a parameter name of the circuit): say it at its field too.
    if (e?.kind === 'settings') showSettingsError(messageOf(e), inputForError(e));
  }
  entry.mainKey = `${key}|${hintKey}`;
  entry.mainMs = performance.now() - t0;
  // The worker's result for these settings, if it comes, is the same one.
  if (entry.fitKey !== key && entry.pendingKey !== key) entry.fitKey = key;
  markDirty(entry);
}

/**
 * This thread's WebAssembly trapped (a panic) on `entry`: it cannot be used again, so
 * the page asks to be reloaded. Everything loaded is kept in the browser and comes back;
 * the file is marked, and is never fitted on this thread again.
 */
function pageCrashed(entry, e) {
  entry.crashed = true;
  entry.state = 'error';
  entry.error = `sigmafit crashed on this file (${messageOf(e)}). This is a bug: please report it with the file`;
  markDirty(entry);
  if (entry.storeKey !== null && entry.storeKey !== undefined) store?.patch(entry.storeKey, { crashed: true });
  const box = $('#result-error');
  box.hidden = false;
  box.textContent = `sigmafit crashed on ${entry.name} and must be reloaded. Your spectra and settings are kept in this browser and come back; ${entry.name} will be marked and not opened here again. `;
  box.append(Object.assign(document.createElement('button'), { type: 'button', className: 'button', textContent: 'Reload', onclick: () => window.location.reload() }));
}

const columnsStep = new ColumnMappingStep();

/**
 * A table whose columns the core did not recognise: read it again with the mapping the
 * user gives (or gave before for tables of the same shape), in the workers as any file.
 */
function offerColumns(entry, error) {
  if (entry.columnsOffered) return;
  entry.columnsOffered = true;
  columnsStep.offer(entry.name, error, (columns) => {
    entry.columns = columns;
    entry.importFailed = false;
    entry.loaded?.free();
    entry.loaded = null;
    entry.fitKey = undefined;
    entry.mainKey = undefined;
    entry.error = null;
    entry.errorData = null;
    placeAll();
    series.placementsChanged();
    scheduleFits();
    if (entry.id === selectedId) showSelected();
  });
}

/** Refit everything after a settings change (the selected spectrum at once). */
function refitAll() {
  const settings = currentSettings();
  if (!settings) return;
  // A blur fires 'change' after 'input' already refitted: nothing new to do.
  if (lastGoodSettings && JSON.stringify(settings) === JSON.stringify(lastGoodSettings)) return;
  lastGoodSettings = settings;
  scheduleFits();
  showSelected();
}

// ---------------------------------------------------------------------------
// Showing the selected spectrum

const canvases = {
  nyquist: () => $('#plot-nyquist'),
  bode: () => $('#plot-bode'),
  residuals: () => $('#plot-residuals'),
  kk: () => $('#plot-kk'),
};

/**
 * CSS sizes of the plot canvases as a ResizeObserver last saw them: reading them at each
 * redraw would force a layout of the page (and of a long series table) in the middle
 * of a task.
 */
const canvasSizes = new WeakMap();
const canvasWatcher = new ResizeObserver((observed) => {
  for (const { target, contentBoxSize } of observed) {
    const box = contentBoxSize?.[0];
    if (box) canvasSizes.set(target, { width: box.inlineSize, height: box.blockSize });
  }
});

function sizeCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  if (!canvasSizes.has(canvas)) canvasWatcher.observe(canvas);
  const rect = canvasSizes.get(canvas) ?? canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return dpr;
}

/** One plot of `entry` onto `canvas` (sized in device pixels) at `scale` device pixels per CSS px. */
function drawPlot(kind, entry, canvas, scale) {
  if (kind === 'nyquist') entry.loaded.drawNyquist(canvas, scale);
  else if (kind === 'bode') entry.loaded.drawBode(canvas, scale);
  else if (kind === 'kk') entry.loaded.drawKk(canvas, scale);
  else entry.loaded.drawResiduals(canvas, scale);
}

function drawPlots(entry) {
  // While a long run streams in, one plot per task: the three together made this
  // thread's longest task.
  const apart = progress.done < progress.total && progress.total > LONG_RUN;
  const token = (drawToken += 1);
  Object.entries(canvases).forEach(([kind, get], i) => {
    if (apart && i > 0) setTimeout(() => { if (token === drawToken) drawOne(kind, get(), entry); }, 0);
    else drawOne(kind, get(), entry);
  });
}

let drawToken = 0;

function drawOne(kind, canvas, entry) {
  const dpr = sizeCanvas(canvas);
  const ctx = canvas.getContext('2d');
  if (!entry || !entry.loaded) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  try {
    drawPlot(kind, entry, canvas, dpr);
  } catch (e) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    console.warn(`${kind} plot: ${messageOf(e)}`);
  }
}

/**
 * The Lin-KK verdict of the selected spectrum at `[data-result="kk"]`: computed in the
 * core for the whole spectrum (it does not depend on the settings), drawn by drawKk.
 */
function renderKk(entry) {
  const badge = $('#kk-verdict');
  const summary = $('#kk-summary');
  let kk = null;
  let message = '';
  if (entry?.loaded) {
    try {
      kk = entry.loaded.kk();
    } catch (e) {
      message = messageOf(e);
    }
  }
  badge.dataset.value = kk ? kk.verdict : '';
  badge.textContent = kk ? kk.verdict : '';
  badge.className = `badge ${kk ? { pass: 'measured', warn: 'warn', fail: 'bad' }[kk.verdict] : ''}`;
  const flagged = kk ? kk.residuals.filter((r) => r.flagged).length : 0;
  const excluded = entry?.excludedHz?.length ?? 0;
  summary.textContent = kk
    ? `M = ${kk.m}, μ = ${sig(kk.mu, 2)}, rms ${sci(100 * kk.rms, '%', 2)}, noise ${sci(100 * kk.noise, '%', 2)}${flagged ? `, ${flagged} flagged` : ''}${excluded ? `; ${excluded} excluded from the fit` : ''}`
    : message;
  $('#kk-exclude-flagged').disabled = !kk || kk.residuals.every((r) => !r.flagged || (entry.excludedHz ?? []).includes(r.f));
  $('#kk-include-all').hidden = excluded === 0;
}

/** Sets the selected spectrum's own exclusions (Hz) and refits it. */
function setExcluded(entry, frequencies) {
  entry.excludedHz = [...new Set(frequencies)].sort((x, y) => x - y);
  scheduleFits();
  showSelected();
  keepEditsOfAll();
}

/** The same measured frequency, written out or read back (0.5 %, as the core's exclusions match). */
function sameHz(a, b) {
  return Math.abs(a - b) <= 5e-3 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Clicking a point of the Nyquist or Bode plot leaves it out of the selected spectrum's
 * fit, clicking it again brings it back; Shift-dragging across the Bode plot leaves
 * out every point of that frequency range. Which point is under the pointer comes from
 * the core, which knows where it drew each one.
 */
function wireMasking() {
  const devicePoint = (canvas, ev) => {
    const box = canvas.getBoundingClientRect();
    return [(ev.clientX - box.left) * (canvas.width / box.width), (ev.clientY - box.top) * (canvas.height / box.height)];
  };
  const CLICK_RADIUS_CSS_PX = 8;
  for (const kind of ['nyquist', 'bode']) {
    const canvas = canvases[kind]();
    let sweepFrom = null;
    canvas.addEventListener('pointerdown', (ev) => {
      sweepFrom = kind === 'bode' && ev.shiftKey ? devicePoint(canvas, ev)[0] : null;
    });
    canvas.addEventListener('pointerup', (ev) => {
      const entry = byId.get(selectedId);
      if (!entry?.loaded || entry.state !== 'done') return;
      const [x, y] = devicePoint(canvas, ev);
      const excluded = entry.excludedHz ?? [];
      if (sweepFrom !== null && Math.abs(x - sweepFrom) > 3) {
        const swept = entry.loaded.frequenciesBetween(sweepFrom, x);
        sweepFrom = null;
        if (swept.length) setExcluded(entry, [...excluded, ...swept]);
        return;
      }
      sweepFrom = null;
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const f = entry.loaded.pointAt(kind, x, y, CLICK_RADIUS_CSS_PX * scale);
      if (f === undefined || f === null) return;
      const wasExcluded = excluded.some((g) => sameHz(g, f));
      setExcluded(entry, wasExcluded ? excluded.filter((g) => !sameHz(g, f)) : [...excluded, f]);
    });
  }
}

function wireKk() {
  $('#kk-exclude-flagged').addEventListener('click', () => {
    const entry = byId.get(selectedId);
    if (!entry?.loaded) return;
    const flagged = entry.loaded.kk().residuals.filter((r) => r.flagged).map((r) => r.f);
    setExcluded(entry, [...(entry.excludedHz ?? []), ...flagged]);
  });
  $('#kk-include-all').addEventListener('click', () => {
    const entry = byId.get(selectedId);
    if (entry) setExcluded(entry, []);
  });
}

function updateExportButtons() {
  for (const id of ['#export-csv', '#export-json']) $(id).disabled = entries.length === 0;
  $('#keep-example-label').hidden = !entries.some((e) => e.example);
}

function showSelected() {
  const entry = byId.get(selectedId) ?? null;
  const t0 = performance.now();
  if (entry) fitSelectedHere(entry);
  for (const button of document.querySelectorAll('[data-png]')) button.disabled = !entry?.loaded;
  updateExportButtons();
  const fitted = Boolean(entry?.loaded && entry.state === 'done');
  $('#export-fit-table').disabled = !fitted;
  setRowName($('#export-fit-table-file'), entry ? entry.name : 'the selected spectrum');
  $('#export-fit-table-what').title = entry ? `Data and fit of ${entry.name}` : '';
  renderTruth(entry);
  if (!entry) {
    renderEmpty();
    renderKk(null);
    drawPlots(null);
    return;
  }
  // A thickness typed on the spectrum's row is the user's, not an assumption.
  renderResult(entry, { assumed: assumedGeometry().filter((g) => !(g.id === 'thickness-mm' && entry.thicknessMm)) });
  renderKk(entry);
  drawPlots(entry);
  if (entry.mainMs !== undefined) {
    timings.fitAndDrawMs.push(performance.now() - t0);
    entry.mainMs = undefined;
  }
}

// ---------------------------------------------------------------------------
// Input: files, folders, drop, paste, examples

/**
 * Takes files as they are: the workers read them (this thread reads only the one it
 * shows, when it shows it), so a thousand files do not keep this thread busy.
 */
function addFiles(files, options = {}) {
  return addSpectra(files.map((file) => ({ name: file.name, file, lastModified: file.lastModified ?? null })), options);
}

/** The file's bytes on this thread (for the selected spectrum's own fit and plots). */
function readBytes(entry) {
  if (entry.reading || !entry.file) return;
  entry.reading = entry.file.arrayBuffer().then((buffer) => {
    entry.bytes = new Uint8Array(buffer);
  }, (e) => {
    entry.state = 'error';
    entry.error = `${entry.name}: cannot be read (${messageOf(e)})`;
    entry.importFailed = true;
    markDirty(entry);
  }).finally(() => {
    entry.reading = null;
    if (entry.id === selectedId) showSelected();
  });
}

/** Every file under the dropped items, folders walked (where the browser allows it). */
async function droppedFiles(dataTransfer) {
  const entriesDropped = [...(dataTransfer?.items ?? [])]
    .map((item) => (item.kind === 'file' && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (!entriesDropped.some((e) => e?.isDirectory)) return [...(dataTransfer?.files ?? [])];
  const files = [];
  const walk = async (entry) => {
    if (!entry) return;
    if (entry.isFile) {
      files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      // readEntries hands out a directory in batches until an empty one.
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entriesDropped) await walk(entry);
  files.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return files;
}

let pasteCount = 0;
function addPasted(text) {
  if (!text || !text.trim()) return;
  pasteCount += 1;
  addSpectra([{ name: `pasted-${pasteCount}.txt`, bytes: new TextEncoder().encode(text) }]);
}

async function fetchBytes(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function loadExample(name) {
  return addSpectra([{ name, bytes: await fetchBytes(`www/examples/${name}`) }], { example: true });
}

/** The bundled synthetic pressure series (two materials), listed in its index.json. */
async function loadExampleSeries() {
  // The bundled single example, untouched and alone, makes way for the series.
  if (entries.length && entries.every((e) => e.example)) for (const e of [...entries]) removeEntry(e.id);
  const index = JSON.parse(new TextDecoder().decode(await fetchBytes('www/examples/series/index.json')));
  const items = await Promise.all(index.files.map(async (name) => ({ name, bytes: await fetchBytes(`www/examples/series/${name}`) })));
  return addSpectra(items, { example: true });
}

function wireInput() {
  const input = $('#spectrum-files');
  // A real button (focusable, with a focus ring) opens the hidden file input.
  $('#choose-files').addEventListener('click', () => input.click());
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    await addFiles(files);
  });
  const overlay = $('#drop-overlay');
  let depth = 0;
  document.addEventListener('dragenter', (ev) => {
    if (![...(ev.dataTransfer?.types ?? [])].includes('Files')) return;
    depth += 1;
    overlay.classList.add('active');
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.classList.remove('active');
  });
  document.addEventListener('dragover', (ev) => ev.preventDefault());
  document.addEventListener('drop', (ev) => {
    ev.preventDefault();
    depth = 0;
    overlay.classList.remove('active');
    const text = ev.dataTransfer?.getData('text/plain');
    droppedFiles(ev.dataTransfer).then((files) => {
      if (files.length) addFiles(files);
      else addPasted(text);
    }).catch((e) => showSettingsError(`the dropped files could not be read (${messageOf(e)})`));
  });
  document.addEventListener('paste', (ev) => {
    const target = ev.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    const files = [...(ev.clipboardData?.files ?? [])];
    if (files.length) addFiles(files);
    else addPasted(ev.clipboardData?.getData('text/plain'));
  });
  $('#paste-add').addEventListener('click', () => {
    const area = $('#paste-text');
    addPasted(area.value);
    area.value = '';
  });
  for (const button of document.querySelectorAll('[data-example]')) {
    button.addEventListener('click', () => loadExample(button.dataset.example).catch((e) => showSettingsError(messageOf(e))));
  }
  $('#example-series').addEventListener('click', () => loadExampleSeries().catch((e) => showSettingsError(messageOf(e))));
  const folder = $('#spectrum-folder');
  $('#choose-folder').addEventListener('click', () => folder.click());
  folder.addEventListener('change', async () => {
    const files = [...folder.files].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    folder.value = '';
    await addFiles(files);
  });
}

function wireSettings() {
  const form = $('#settings');
  let timer = null;
  const onChange = (ev) => {
    document.body.classList.toggle('custom-circuit', $('#circuit').value === CUSTOM_CIRCUIT);
    // A circuit string is fitted once it is complete (Enter or leaving the field), not per keystroke.
    if (ev?.type === 'input' && ev.target?.id === 'circuit-text') return;
    clearTimeout(timer);
    timer = setTimeout(refitAll, 120);
  };
  form.addEventListener('input', onChange);
  form.addEventListener('change', onChange);
  $('#circuit-text').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      onChange(ev);
    }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
}

/** The caption under an exported plot: the file, σ with its ±, the main settings. */
function pngCaption(entry) {
  const a = entry.result?.analysis;
  const s = entry.result?.provenance?.settings ?? lastGoodSettings ?? {};
  const first = `${entry.name}${entry.example ? ' (synthetic example)' : ''}`;
  if (!a) return [first, entry.error ?? 'not fitted', `sigmafit ${sigmafitVersion}`];
  // The numbers as the core wrote them for this fit, and its own test of what the ± holds.
  const { figures } = entry.result.report;
  const given = (v) => v !== undefined && v !== null && String(v).trim() !== '';
  const geometryErr = a.geometry && (a.geometry.thickness_err_cm !== null || a.geometry.area_err_cm2 !== null);
  const r = a.r_con_ohm;
  const second = [
    figures.sigma ? `σ_eff = ${figures.sigma} (± ${geometryErr ? 'fit and geometry' : 'fit only'})` : 'σ_eff: none',
    r ? `R_con = ${figures.r_con}${r.status === 'extrapolated' ? ' (extrapolated)' : ''}` : 'no R_con',
  ].join(' · ');
  const mm = (v, err) => (!given(v) ? '—' : `${v}${given(err) ? ` ± ${err}` : ''} mm`);
  const assumed = assumedGeometry();
  const third = [
    `d = ${mm(s.thickness_mm, s.thickness_err_mm)}, D = ${mm(s.diameter_mm, s.diameter_err_mm)}${assumed.length ? ' (default)' : ''}`,
    a.circuit,
    `${a.stats?.weighting ?? s.weighting} weighting`,
    `sigmafit ${sigmafitVersion}`,
  ].join(' · ');
  return [first, second, third];
}

/** The caption under the exported series plot: what, which files, the settings in force. */
function seriesCaption() {
  const shown = series.ordered();
  const labels = [...new Set(shown.map((e) => e.placement?.series ?? e.name))];
  const synthetic = shown.some((e) => e.example) ? ' (synthetic example)' : '';
  const s = lastGoodSettings ?? {};
  const ownThickness = shown.filter((e) => e.thicknessMm).length;
  return [
    `σ_eff against stack pressure: ${labels.join(', ')}${synthetic}`,
    `${shown.length} spectra · loading filled, unloading hollow · d = ${s.thickness_mm ?? '—'} mm${ownThickness ? ` (${ownThickness} with their own d)` : ''}, D = ${s.diameter_mm ?? '—'} mm`,
    `${s.circuit ?? 'auto'} · ${s.weighting ?? ''} weighting · sigmafit ${sigmafitVersion}`,
  ];
}

/** The SVG with what it was made from: version, settings, and every file with its SHA-256. */
function withSvgProvenance(svgText, rows) {
  const provenance = {
    generator: `sigmafit ${sigmafitVersion} (web page)`,
    exported_at: new Date().toISOString(),
    settings: exportSettings(),
    files: rows.map((r) => ({ file: r.entry.name, sha256: r.entry.sha256, synthetic: Boolean(r.entry.example), series: r.series, pressure_mpa: r.pressure_mpa, branch: r.branch })),
  };
  const escaped = JSON.stringify(provenance, null, 1).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return svgText.replace(/<svg\b[^>]*>/, (open) => `${open}\n<metadata id="sigmafit-provenance">${escaped}</metadata>`);
}

/**
 * The pellet fields the user has not changed yet: their default value is an
 * assumption, marked "default" at the field and in the σ note until edited.
 */
const GEOMETRY_DEFAULTS = [['thickness-mm', 'thickness'], ['diameter-mm', 'diameter']];
const editedFields = new Set();

function assumedGeometry() {
  return GEOMETRY_DEFAULTS.filter(([id]) => !editedFields.has(id)).map(([id, what]) => ({
    id, what, text: document.getElementById(id).value.trim(),
  }));
}

function wireDefaults() {
  for (const [id] of GEOMETRY_DEFAULTS) {
    const input = document.getElementById(id);
    const mark = document.getElementById(`${id}-default`);
    const edited = () => {
      if (editedFields.has(id)) return;
      editedFields.add(id);
      mark.hidden = true;
      const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d && d !== mark.id);
      if (described.length) input.setAttribute('aria-describedby', described.join(' '));
      else input.removeAttribute('aria-describedby');
      // The σ note changes even when the value typed is the default one (no refit then).
      showSelected();
    };
    input.addEventListener('input', edited);
    input.addEventListener('change', edited);
  }
}

/** The settings an error row is exported with: the ones in force (the last valid ones). */
function exportSettings() {
  const typed = lastGoodSettings ?? currentSettings();
  return typed ? effectiveSettings(typed) : null;
}

function wireExport() {
  const stamp = () => new Date().toISOString().replace(/[:]/g, '-').replace(/\..*/, '');
  // The synthetic example stays out of the results unless kept (or it is all there is).
  const exported = () => exportedEntries(entries, $('#export-keep-example').checked);
  const baseName = (entry) => entry.name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
  $('#export-csv').addEventListener('click', () => {
    download(`sigmafit-results-${stamp()}.csv`, 'text/csv', exportCsv(exported(), sigmafitVersion, exportSettings()));
  });
  $('#export-json').addEventListener('click', () => {
    download(`sigmafit-results-${stamp()}.json`, 'application/json', exportJson(exported(), sigmafitVersion, exportSettings()));
  });
  $('#export-fit-table').addEventListener('click', () => {
    const entry = byId.get(selectedId);
    if (!entry?.loaded || entry.state !== 'done') return;
    try {
      download(`${baseName(entry)}_data-and-fit.csv`, 'text/csv', entry.loaded.fitTableCsv());
    } catch (e) {
      showSettingsError(messageOf(e));
    }
  });
  const seriesRows = () => series.ordered().filter((e) => exported().includes(e)).map((entry) => {
    const p = entry.placement;
    const input = series.pressureInput(entry);
    return {
      entry, series: p?.series ?? '', order: p?.order ?? null, cycle: p?.cycle ?? null, branch: p?.branch ?? '',
      run: entry.typedRun ?? entry.nameInfo?.run ?? null,
      pressure_mpa: pressureOf(entry), pressure_source: pressureSource(entry),
      thickness_mm: entry.thicknessValueMm ?? exportSettings()?.thickness_mm ?? null,
    };
  });
  $('#series-export-csv').addEventListener('click', () => {
    download(`sigmafit-series-${stamp()}.csv`, 'text/csv', exportSeriesCsv(seriesRows(), sigmafitVersion, exportSettings()));
  });
  $('#series-export-png').addEventListener('click', () => {
    const rect = $('#plot-series').getBoundingClientRect();
    const plot = document.createElement('canvas');
    plot.width = Math.max(1, Math.round(rect.width * PNG_SCALE));
    plot.height = Math.max(1, Math.round(rect.height * PNG_SCALE));
    series.drawOnto(plot, PNG_SCALE);
    const out = withCaption(plot, seriesCaption(), PNG_SCALE);
    out.toBlob((blob) => blob && download(`sigmafit-series-${stamp()}.png`, 'image/png', blob));
  });
  $('#series-export-svg').addEventListener('click', () => {
    const rect = $('#plot-series').getBoundingClientRect();
    let svgText;
    try {
      svgText = series.svg(Math.round(rect.width) || 800, Math.round(rect.height) || 500);
    } catch (e) {
      showSettingsError(messageOf(e));
      return;
    }
    download(`sigmafit-series-${stamp()}.svg`, 'image/svg+xml', withSvgProvenance(svgText, seriesRows()));
  });
  for (const button of document.querySelectorAll('[data-png]')) {
    button.addEventListener('click', () => {
      const kind = button.dataset.png;
      const entry = byId.get(selectedId);
      if (!entry?.loaded) return;
      // Drawn again at twice the on-screen size, then a caption strip says what it shows.
      const rect = canvases[kind]().getBoundingClientRect();
      const plot = document.createElement('canvas');
      plot.width = Math.max(1, Math.round(rect.width * PNG_SCALE));
      plot.height = Math.max(1, Math.round(rect.height * PNG_SCALE));
      try {
        drawPlot(kind, entry, plot, PNG_SCALE);
      } catch (e) {
        console.warn(`${kind} PNG: ${messageOf(e)}`);
        return;
      }
      const out = withCaption(plot, pngCaption(entry), PNG_SCALE);
      out.toBlob((blob) => blob && download(`${baseName(entry)}_${kind}.png`, 'image/png', blob));
    });
  }
}

/**
 * The sticky sidebar is as tall as the window below where it starts: under the
 * masthead at first, at 16px once the page has scrolled. Its pinned Export panel
 * then stays inside the window.
 */
function wireSidebarHeight() {
  const sidebar = $('.sidebar');
  let pending = false;
  const fit = () => {
    pending = false;
    const top = Math.max(16, Math.round(sidebar.getBoundingClientRect().top));
    sidebar.style.setProperty('--sidebar-top', `${Math.min(top, window.innerHeight / 2)}px`);
  };
  const schedule = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(fit);
    }
  };
  window.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  fit();
}

function wireResize() {
  let last = window.innerWidth;
  let timer = null;
  const redraw = () => {
    clearTimeout(timer);
    timer = setTimeout(() => drawPlots(byId.get(selectedId) ?? null), 80);
  };
  window.addEventListener('resize', () => {
    if (window.innerWidth !== last) {
      last = window.innerWidth;
      redraw();
    }
  });
  // A change of devicePixelRatio (zoom, moving to another screen) redraws sharp.
  const watchDpr = () => {
    const mq = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    mq.addEventListener('change', () => { redraw(); watchDpr(); }, { once: true });
  };
  watchDpr();
}

// ---------------------------------------------------------------------------
// The explorer (www/explore.js) at #explore, the calculator at any other hash

const explorer = new Explorer({
  // The pellet, εr and particle size of the calculator's settings, as typed.
  settings: () => readSettings(),
  fit: ({ name, text, truth }) => {
    // Fitted as any dropped file (synthetic, so marked as an example), with its truth.
    // Examples alone (the bundled one, earlier explorer spectra) make way for it, as for
    // the example series: one spectrum, its result at the top of the page.
    if (entries.length && entries.every((e) => e.example)) for (const e of [...entries]) removeEntry(e.id);
    const [entry] = addSpectra([{ name, bytes: new TextEncoder().encode(text) }], { example: true });
    if (entry) entry.truth = truth;
    window.location.hash = '#calculator';
    showSelected();
  },
});

/** Shows the view the hash names; the calculator's plots are drawn again on return (hidden, they had no size). */
function route() {
  const exploring = window.location.hash === '#explore';
  const wasExploring = !$('#explorer').hidden;
  $('#explorer').hidden = !exploring;
  $('main.layout').hidden = exploring;
  document.body.classList.toggle('exploring', exploring);
  for (const [id, on] of [['#tab-calculator', !exploring], ['#tab-explore', exploring]]) {
    if (on) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
  if (exploring) {
    explorer.show();
  } else if (wasExploring) {
    for (const get of Object.values(canvases)) canvasSizes.delete(get());
    drawPlots(byId.get(selectedId) ?? null);
  }
}

function wireRoutes() {
  window.addEventListener('hashchange', route);
  route();
}

// ---------------------------------------------------------------------------

/** The progress bar and cancel button of the fits in the workers. */
const progress = {
  total: 0,
  done: 0,
  start(total) {
    this.total = total;
    this.done = 0;
    this.show();
  },
  step() {
    this.done = Math.min(this.total, this.done + 1);
    if (this.timer === undefined) this.timer = setTimeout(() => { this.timer = undefined; this.show(); }, PAINT_INTERVAL_MS);
  },
  finish(failure) {
    this.done = this.total;
    this.show(failure);
  },
  show(failure = null) {
    const box = $('#fit-progress');
    const running = this.done < this.total;
    box.hidden = !running && !failure;
    const bar = $('#fit-progress-bar');
    bar.max = Math.max(1, this.total);
    bar.value = this.done;
    $('#fit-progress-text').textContent = failure
      ? `Fitting stopped: ${failure}`
      : `Fitting ${this.done} of ${this.total} spectra`;
    $('#fit-cancel').hidden = !running;
    // A long run draws the table and the plot once, at its end: laying out and painting
    // them while results stream in took as much of this 2-core machine as a worker.
    document.body.classList.toggle('long-run', running && this.total > LONG_RUN);
  },
};

/** From this many spectra, a run shows its progress and draws the table at its end. */
const LONG_RUN = 100;

let pool = null;
const series = new SeriesView({
  entries: () => entries,
  selectedId: () => selectedId,
  select: (id) => selectEntry(id, { scroll: true }),
  pressureOf,
  pressureSource,
  settingsThickness: () => (lastGoodSettings?.thickness_mm ?? null),
  streaming: () => progress.done < progress.total,
  edited: (entry, what) => {
    // A typed pressure moves the spectrum in its series; a thickness changes its σ.
    if (what === 'pressure' || what === 'label' || what === 'order') {
      placeAll();
      series.placementsChanged();
    }
    if (what === 'thickness') scheduleFits();
    if (entry?.id === selectedId) showSelected();
    keepEditsOfAll();
  },
});

function wireListFold() {
  $('#list-fold-toggle').addEventListener('click', () => {
    listUnfolded = !listUnfolded;
    updateListFold();
    buildListRows();
    freshenStale();
  });
}

function wireProgress() {
  $('#fit-cancel').addEventListener('click', () => {
    pool?.cancel();
    for (const e of entries) {
      if (e.state === 'fitting' && e.fitKey !== e.pendingKey) {
        e.state = 'cancelled';
        e.error = 'fit cancelled; change a setting or press Refit to fit it';
        markDirty(e);
      }
      e.pendingKey = undefined;
    }
    progress.total = progress.done;
    progress.show();
  });
}

/** The core compiled once, for this thread and every worker. */
async function compileCore() {
  const url = new URL('../pkg/sigmafit_bg.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return WebAssembly.compileStreaming ? WebAssembly.compileStreaming(response) : WebAssembly.compile(await response.arrayBuffer());
}

async function main() {
  const module = await compileCore();
  await init({ module_or_path: module });
  // ?workers=N sets the pool's size (the series benchmark's one-worker baseline).
  const asked = Number(new URLSearchParams(window.location.search).get('workers'));
  pool = Number.isInteger(asked) && asked > 0 ? new FitPool(module, asked) : new FitPool(module);
  window.sigmafitPoolSize = pool.size;
  // For the end-to-end test of masking: the point the core drew at (x, y) of a plot.
  window.sigmafitPointAt = (kind, x, y, radius) => byId.get(selectedId)?.loaded?.pointAt(kind, x, y, radius) ?? null;
  timings.exploreMs = explorer.timings;
  // Where each worker's time went (read, fit, parse of the result, posting): for the bench.
  timings.workers = () => pool.workers.map((slot) => slot.stats ?? null);
  buildSettingsForm($('#settings'));
  sigmafitVersion = version();
  $('#version').textContent = `v${sigmafitVersion}`;
  wireInput();
  wireSettings();
  wireDefaults();
  wireExport();
  wireKk();
  wireMasking();
  wireSidebarHeight();
  wireResize();
  wireProgress();
  wireList();
  wireListFold();
  series.wire();
  $('#settings').addEventListener('input', keepForm);
  $('#settings').addEventListener('change', keepForm);
  $('#clear-all').addEventListener('click', clearAll);
  const restored = await restoreKept();
  lastGoodSettings = currentSettings();
  wireRoutes();
  if (!restored) {
    try {
      await loadExample(EXAMPLE);
    } catch (e) {
      showSettingsError(`the bundled example could not be loaded (${messageOf(e)})`);
    }
  }
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const box = $('#result-error');
  box.hidden = false;
  box.textContent = `sigmafit could not start: ${messageOf(e)}`;
});

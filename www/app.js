// sigmafit page: loads the WebAssembly core, keeps the list of spectra, refits
// on every settings change and draws the results. No framework, no bundler.

import init, { LoadedSpectrum, checkSettings, effectiveSettings, version, sha256Hex } from '../pkg/sigmafit.js';
import { buildSettingsForm, readSettings, inputForError, CUSTOM_CIRCUIT } from './settings.js';
import { renderResult, renderEmpty, qualityBadges } from './views.js';
import { exportCsv, exportJson, exportedEntries, download } from './export.js';
import { sci, sig } from './format.js';
import { PNG_SCALE, withCaption } from './png.js';

const EXAMPLE = 'synthetic_semicircle_LCO-like.csv';
const $ = (sel) => document.querySelector(sel);

/** @type {{id:number, name:string, text:string, loaded:LoadedSpectrum|null, sha256:string|null,
 *          state:string, result:any, error:string|null, example:boolean, row:HTMLElement}[]} */
const entries = [];
let selectedId = null;
let nextId = 1;
let generation = 0;
let sigmafitVersion = '';

// Timings for BENCHMARKS.md (read by tests/e2e/bench.mjs).
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

function makeRow(entry) {
  const li = document.createElement('li');
  li.className = 'spectrum-row';
  li.dataset.spectrumRow = '';
  li.dataset.file = entry.name;
  const select = document.createElement('button');
  select.type = 'button';
  select.className = 'row-select';
  select.innerHTML = '<span class="row-name"></span><span class="row-right"><span class="row-badges"></span><span class="row-value"></span></span>';
  setRowName(select.querySelector('.row-name'), entry.name);
  select.title = entry.name;
  select.addEventListener('click', () => selectEntry(entry.id));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'row-remove';
  remove.title = `Remove ${entry.name}`;
  remove.setAttribute('aria-label', `Remove ${entry.name}`);
  remove.textContent = '×';
  remove.addEventListener('click', () => removeEntry(entry.id));
  const err = document.createElement('p');
  err.className = 'row-error';
  err.hidden = true;
  li.append(select, remove, err);
  $('#spectrum-list').append(li);
  return li;
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

function updateRow(entry) {
  const li = entry.row;
  li.dataset.state = entry.state;
  li.classList.toggle('selected', entry.id === selectedId);
  li.querySelector('.row-select').setAttribute('aria-pressed', String(entry.id === selectedId));
  const sigma = entry.result?.analysis?.sigma_S_per_cm?.value;
  if (entry.state === 'done' && typeof sigma === 'number') li.dataset.sigma = String(sigma);
  else delete li.dataset.sigma;
  const value = li.querySelector('.row-value');
  const err = li.querySelector('.row-error');
  if (entry.state === 'fitting') value.textContent = 'fitting…';
  else if (entry.state === 'error') value.textContent = 'error';
  else if (typeof sigma === 'number') value.textContent = `${sci(sigma, 'S/cm', 3)}`;
  else if (entry.result && !entry.result.analysis?.r_con_ohm) value.textContent = 'no R_con';
  else value.textContent = entry.result ? 'R_con only (no d, D)' : '';
  value.className = `row-value state-${entry.state}`;
  const badges = li.querySelector('.row-badges');
  badges.replaceChildren(...(entry.state === 'done' && entry.result ? qualityBadges(entry.result.analysis, true, entry.result.report) : []));
  err.hidden = !entry.error;
  err.textContent = entry.error ?? '';
}

function selectEntry(id) {
  selectedId = id;
  for (const e of entries) updateRow(e);
  showSelected();
}

function removeEntry(id) {
  const i = entries.findIndex((e) => e.id === id);
  if (i < 0) return;
  const [entry] = entries.splice(i, 1);
  entry.row.remove();
  entry.loaded?.free();
  if (selectedId === id) {
    const next = entries[Math.min(i, entries.length - 1)];
    selectedId = next ? next.id : null;
    for (const e of entries) updateRow(e);
    showSelected();
  }
}

/**
 * Adds one spectrum, from a file's bytes (hashed as they are) or from pasted text
 * (hashed as UTF-8); it becomes the selected one.
 */
async function addSpectrum(name, { bytes = null, text = null }, { example = false } = {}) {
  const entry = { id: nextId++, name, loaded: null, sha256: null, state: 'fitting', result: null, error: null, example };
  entries.push(entry);
  entry.row = makeRow(entry);
  selectedId = entry.id;
  for (const e of entries) updateRow(e);
  try {
    entry.loaded = bytes ? LoadedSpectrum.fromBytes(bytes, name) : new LoadedSpectrum(text, name);
    entry.sha256 = entry.loaded.sha256;
  } catch (e) {
    entry.sha256 = sha256Hex(bytes ?? new TextEncoder().encode(text));
    entry.state = 'error';
    entry.error = messageOf(e);
    updateRow(entry);
    showSelected();
    return entry;
  }
  const settings = currentSettings() ?? lastGoodSettings;
  if (settings) await fitEntry(entry, settings, generation);
  return entry;
}

let lastGoodSettings = null;

async function fitEntry(entry, settings, gen) {
  entry.state = 'fitting';
  updateRow(entry);
  await nextFrame();
  if (gen !== generation || !entries.includes(entry)) return;
  const t0 = performance.now();
  try {
    entry.result = entry.loaded.analyse(settings);
    entry.error = null;
    entry.state = 'done';
    timings.fitMs.push(entry.result.fit_ms);
  } catch (e) {
    entry.result = null;
    entry.error = messageOf(e);
    entry.state = 'error';
    // A setting only the fit can judge (a parameter name of the circuit): say it at its field too.
    if (e?.kind === 'settings') showSettingsError(messageOf(e), inputForError(e));
  }
  updateRow(entry);
  if (entry.id === selectedId) {
    showSelected();
    timings.fitAndDrawMs.push(performance.now() - t0);
  }
}

function nextFrame() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Refit everything after a settings change: the selected spectrum first. */
async function refitAll() {
  const settings = currentSettings();
  if (!settings) return;
  // A blur fires 'change' after 'input' already refitted: nothing new to do.
  if (lastGoodSettings && JSON.stringify(settings) === JSON.stringify(lastGoodSettings)) return;
  lastGoodSettings = settings;
  const gen = ++generation;
  const order = [...entries].sort((a, b) => (b.id === selectedId) - (a.id === selectedId));
  for (const entry of order) {
    if (gen !== generation) return;
    if (entry.loaded) await fitEntry(entry, settings, gen);
  }
}

// ---------------------------------------------------------------------------
// Showing the selected spectrum

const canvases = {
  nyquist: () => $('#plot-nyquist'),
  bode: () => $('#plot-bode'),
  residuals: () => $('#plot-residuals'),
};

function sizeCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
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
  else entry.loaded.drawResiduals(canvas, scale);
}

function drawPlots(entry) {
  for (const [kind, get] of Object.entries(canvases)) {
    const canvas = get();
    const dpr = sizeCanvas(canvas);
    const ctx = canvas.getContext('2d');
    if (!entry || !entry.loaded) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      continue;
    }
    try {
      drawPlot(kind, entry, canvas, dpr);
    } catch (e) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      console.warn(`${kind} plot: ${messageOf(e)}`);
    }
  }
}

function showSelected() {
  const entry = entries.find((e) => e.id === selectedId) ?? null;
  for (const button of document.querySelectorAll('[data-png]')) button.disabled = !entry?.loaded;
  for (const id of ['#export-csv', '#export-json']) $(id).disabled = entries.length === 0;
  const fitted = Boolean(entry?.loaded && entry.state === 'done');
  $('#export-fit-table').disabled = !fitted;
  setRowName($('#export-fit-table-file'), entry ? entry.name : 'the selected spectrum');
  $('#export-fit-table-what').title = entry ? `Data and fit of ${entry.name}` : '';
  $('#keep-example-label').hidden = !entries.some((e) => e.example);
  if (!entry) {
    renderEmpty();
    drawPlots(null);
    return;
  }
  renderResult(entry, { assumed: assumedGeometry() });
  drawPlots(entry);
}

// ---------------------------------------------------------------------------
// Input: files, drop, paste, examples

async function addFiles(files) {
  for (const file of files) {
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      bytes = null;
    }
    if (bytes === null) {
      const entry = { id: nextId++, name: file.name, loaded: null, sha256: null, state: 'error', result: null, error: `${file.name}: cannot be read`, example: false };
      entries.push(entry);
      entry.row = makeRow(entry);
      selectedId = entry.id;
      for (const e of entries) updateRow(e);
      showSelected();
      continue;
    }
    await addSpectrum(file.name, { bytes });
  }
}

let pasteCount = 0;
function addPasted(text) {
  if (!text || !text.trim()) return;
  pasteCount += 1;
  addSpectrum(`pasted-${pasteCount}.txt`, { text });
}

async function loadExample(name) {
  const response = await fetch(`www/examples/${name}`);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return addSpectrum(name, { bytes: new Uint8Array(await response.arrayBuffer()) }, { example: true });
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
    const files = [...(ev.dataTransfer?.files ?? [])];
    if (files.length) addFiles(files);
    else addPasted(ev.dataTransfer?.getData('text/plain'));
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
    const entry = entries.find((e) => e.id === selectedId);
    if (!entry?.loaded || entry.state !== 'done') return;
    try {
      download(`${baseName(entry)}_data-and-fit.csv`, 'text/csv', entry.loaded.fitTableCsv());
    } catch (e) {
      showSettingsError(messageOf(e));
    }
  });
  for (const button of document.querySelectorAll('[data-png]')) {
    button.addEventListener('click', () => {
      const kind = button.dataset.png;
      const entry = entries.find((e) => e.id === selectedId);
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
    timer = setTimeout(() => drawPlots(entries.find((e) => e.id === selectedId) ?? null), 80);
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

async function main() {
  await init();
  buildSettingsForm($('#settings'));
  sigmafitVersion = version();
  $('#version').textContent = `v${sigmafitVersion}`;
  wireInput();
  wireSettings();
  wireDefaults();
  wireExport();
  wireSidebarHeight();
  wireResize();
  lastGoodSettings = currentSettings();
  try {
    await loadExample(EXAMPLE);
  } catch (e) {
    showSettingsError(`the bundled example could not be loaded (${messageOf(e)})`);
  }
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const box = $('#result-error');
  box.hidden = false;
  box.textContent = `sigmafit could not start: ${messageOf(e)}`;
});

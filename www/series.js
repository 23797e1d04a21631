// The pressure-series view: a table of every spectrum (series, measurement order,
// pressure, branch, thickness, circuit, R_con and σ with their errors, fit quality),
// σ_eff against pressure drawn by the core, and the numbers the study discusses per
// series and cycle. Ordering, branches, cycles and the summary are the core's
// (src/series.rs); this file only lays them out.

import { drawSeries, seriesSvg, summariseSeries, parseNumber, pressuresDisagree } from '../pkg/sigmafit.js';
import { withError, withErrorScientific, sig } from './format.js';
import { qualityBadges } from './views.js';

const $ = (sel) => document.querySelector(sel);

/** Characters always shown at the end of a file name in the table. */
const NAME_TAIL = 16;

/** Rows made per task while the table is built. */
const ROWS_PER_TASK = 30;

/** Redraws of the plot and summary while results stream in, at most this often. */
const PLOT_INTERVAL_MS = 1000;
/** About the height of a table row, px; and rows painted beyond the view while streaming. */
const ROW_PX = 31;
const VIEW_MARGIN_ROWS = 20;

/** Where a pressure came from (app.js's pressureSource), said in a cell's title. */
const SOURCE_TEXT = { typed: 'typed', header: 'from the file’s header', name: 'from the file name', unknown: 'unknown' };

const KIND_SHORT = { inductive: '(a) inductive', semicircle: '(b) semicircle', custom: 'custom' };

/** Writes only what changed: an unchanged write would still cost the browser a style pass. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setData(node, key, value) {
  if (value === null || value === undefined) {
    if (key in node.dataset) delete node.dataset[key];
  } else if (node.dataset[key] !== value) {
    node.dataset[key] = value;
  }
}

/**
 * A row's hook attribute, written only when its value changes; the values written are
 * kept on the row, so that a thousand updates read no attribute back.
 */
function setHook(row, attribute, value) {
  row.hooks$ ??= {};
  if (row.hooks$[attribute] === value) return;
  row.hooks$[attribute] = value;
  if (value === null || value === undefined) row.removeAttribute(attribute);
  else row.setAttribute(attribute, value);
}

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A row's cells and inputs, found once. */
function cellsOf(tr) {
  if (!tr.cells$) {
    const [order, pressure, branch, thickness, file, kind, rcon, sigma, quality] = tr.children;
    tr.cells$ = {
      order, pressure, branch, thickness, file, kind, rcon, sigma, quality,
      orderInput: order.firstElementChild, pressureInput: pressure.firstElementChild, thicknessInput: thickness.firstElementChild,
    };
  }
  return tr.cells$;
}

/** A number typed into a table cell, by the core's parser (decimal comma allowed); null if blank. */
function typedNumber(text) {
  const trimmed = text.trim();
  if (!trimmed) return { value: null };
  try {
    return { value: parseNumber(trimmed) };
  } catch (e) {
    return { error: e?.message ?? String(e) };
  }
}

export class SeriesView {
  /**
   * @param {{entries: () => any[], selectedId: () => number|null, select: (id:number) => void,
   *          pressureOf: (entry:any) => number|null, edited: (entry:any, what:string) => void}} app
   */
  constructor(app) {
    this.app = app;
    // Linear, as the CLI's --svg draws it by default: the same data, the same plot.
    this.axis = 'linear';
    this.curves = [];
  }

  wire() {
    this.wireRows();
    // Where the table is scrolled, kept for nearView(); rows scrolled to get their cells.
    const scroller = $('#series-panel .table-scroll');
    let scrollTimer = null;
    const watch = () => {
      this.view = { top: scroller.scrollTop, height: scroller.clientHeight || 480 };
      clearTimeout(scrollTimer);
      scrollTimer = setTimeout(() => {
        for (const entry of this.app.entries()) if (entry.seriesStale && this.nearView(entry)) this.updateRow(entry);
      }, 100);
    };
    scroller.addEventListener('scroll', watch, { passive: true });
    new ResizeObserver(watch).observe(scroller);
    $('#series-axis').addEventListener('change', (ev) => {
      this.axis = ev.target.value;
      this.drawPlot();
    });
    // The canvas's size is watched, not measured at each redraw: measuring would force
    // a layout of the whole table while results stream in.
    this.canvasSize = null;
    let timer = null;
    new ResizeObserver(([observed]) => {
      const box = observed.contentBoxSize?.[0];
      this.canvasSize = box ? { width: box.inlineSize, height: box.blockSize } : null;
      clearTimeout(timer);
      timer = setTimeout(() => this.drawPlot(), 80);
    }).observe($('#plot-series'));
  }

  /** The series shown: a series view makes sense from two spectra, or one with a pressure. */
  visible() {
    const entries = this.app.entries();
    return entries.length >= 2 || entries.some((e) => this.app.pressureOf(e) !== null);
  }

  /** Entries in table order: series by first appearance, then measurement order. */
  ordered() {
    const entries = this.app.entries();
    const firstSeen = new Map();
    for (const e of entries) {
      const key = e.placement?.series ?? e.name;
      if (!firstSeen.has(key)) firstSeen.set(key, firstSeen.size);
    }
    return [...entries].sort((a, b) => {
      const sa = firstSeen.get(a.placement?.series ?? a.name);
      const sb = firstSeen.get(b.placement?.series ?? b.name);
      return sa - sb || (a.placement?.order ?? 0) - (b.placement?.order ?? 0) || a.given - b.given;
    });
  }

  /**
   * The whole table again (after spectra were added or removed, or reordered): rows
   * made or reused and put in order, ROWS_PER_TASK per task so that a thousand rows
   * never make one long task. A newer rebuild supersedes one still running.
   */
  rebuild() {
    const panel = $('#series-panel');
    panel.hidden = !this.visible();
    const body = $('#series-table .series-rows');
    const ordered = this.ordered();
    // Places in the table, group rows counted, for nearView().
    this.rowIndex = new Map();
    let place = 0;
    let previousKey = null;
    for (const e of ordered) {
      const key = e.placement?.series ?? e.name;
      if (key !== previousKey) place += 1;
      previousKey = key;
      this.rowIndex.set(e, place);
      place += 1;
    }
    const token = (this.rebuildToken = (this.rebuildToken ?? 0) + 1);
    const counts = new Map();
    for (const e of ordered) {
      const key = e.placement?.series ?? e.name;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let lastKey = null;
    let start = 0;
    const step = () => {
      if (token !== this.rebuildToken) return;
      const fragment = document.createDocumentFragment();
      const slice = ordered.slice(start, start + ROWS_PER_TASK);
      this.makeRows(slice.filter((entry) => !entry.removed && !entry.seriesRow));
      for (const entry of slice) {
        if (entry.removed) continue;
        const key = entry.placement?.series ?? entry.name;
        if (key !== lastKey) {
          fragment.append(this.groupRow(key, counts.get(key)));
          lastKey = key;
        }
        this.updateRow(entry, { full: !this.app.streaming() || this.nearView(entry) });
        fragment.append(entry.seriesRow);
      }
      if (start === 0) body.replaceChildren(fragment);
      else body.append(fragment);
      start += ROWS_PER_TASK;
      if (start < ordered.length) setTimeout(step, 0);
      else this.refresh();
    };
    // A few rows at once (a single spectrum shows without a wait); a drop of many is
    // built from the next task on, apart from the work of taking the files.
    if (ordered.length <= ROWS_PER_TASK) step();
    else setTimeout(step, 0);
  }

  /** The head of a series' rows: its name and how many spectra it has. */
  groupRow(key, count) {
    const row = document.createElement('div');
    row.className = 'series-group';
    row.setAttribute('role', 'row');
    const cell = document.createElement('div');
    cell.setAttribute('role', 'rowheader');
    cell.textContent = `${key} · ${count} spectr${count === 1 ? 'um' : 'a'}`;
    row.append(cell);
    return row;
  }

  placementsChanged() {
    this.rebuild();
  }

  /**
   * A typed order moves the spectrum to that place in its series; the whole series then
   * keeps the order shown (as run numbers), whatever the names or file dates said.
   */
  moveTo(entry, position) {
    const key = entry.placement?.series ?? entry.name;
    const members = this.ordered().filter((e) => (e.placement?.series ?? e.name) === key && e !== entry);
    members.splice(Math.min(position, members.length + 1) - 1, 0, entry);
    members.forEach((e, i) => { e.typedRun = i + 1; });
  }

  /**
   * The rows of `entries`, made from one string of HTML: the parser builds a thousand
   * rows several times faster than cloning and filling them node by node. Each row's
   * cells are looked up when first written ([`cellsOf`]).
   */
  makeRows(entries) {
    const html = entries.map((entry) => {
      const name = escapeHtml(entry.name);
      // The end of a name (run, pressure) tells rows apart: the start gives way first.
      const tail = entry.name.length > NAME_TAIL + 3 ? entry.name.length - NAME_TAIL : entry.name.length;
      return `<div class="series-grid-row" role="row" data-series-row tabindex="0" data-file="${name}" title="${name}: click to show its fit">`
        + `<div role="cell" class="num"><input class="cell-input" inputmode="numeric" data-edit="order" aria-label="Measurement order of ${name} in its series"></div>`
        + `<div role="cell" class="num"><input class="cell-input" inputmode="decimal" data-edit="pressure" aria-label="Pressure of ${name} in MPa"></div>`
        + '<div role="cell" class="branch"></div>'
        + `<div role="cell" class="num"><input class="cell-input" inputmode="decimal" data-edit="thickness" aria-label="Thickness of ${name} in mm (blank: the settings' value)"></div>`
        + `<div role="cell" class="file"><span class="cut-start">${escapeHtml(entry.name.slice(0, tail))}</span><span class="cut-end">${escapeHtml(entry.name.slice(tail))}</span></div>`
        + '<div role="cell" class="kind"></div><div role="cell" class="num"></div>'
        + '<div role="cell" class="num"></div><div role="cell" class="quality-cell"></div></div>';
    }).join('');
    const template = document.createElement('template');
    template.innerHTML = html;
    const rows = [...template.content.children];
    rows.forEach((tr, i) => {
      entries[i].seriesRow = tr;
      this.rowEntries.set(tr, entries[i]);
    });
  }

  /** The pressure cell's input of a spectrum's row, if it has one. */
  pressureInput(entry) {
    return entry.seriesRow ? cellsOf(entry.seriesRow).pressureInput : null;
  }

  /** One listener for all rows: a click shows the spectrum, a typed cell applies on change. */
  wireRows() {
    this.rowEntries = new WeakMap();
    const body = $('#series-table .series-rows');
    const entryOf = (node) => this.rowEntries.get(node.closest('[data-series-row]'));
    body.addEventListener('click', (ev) => {
      if (ev.target instanceof HTMLInputElement) return;
      const entry = entryOf(ev.target);
      if (entry) this.app.select(entry.id);
    });
    body.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' || ev.target instanceof HTMLInputElement) return;
      const entry = entryOf(ev.target);
      if (entry) this.app.select(entry.id);
    });
    body.addEventListener('change', (ev) => {
      const input = ev.target;
      const entry = entryOf(input);
      if (!entry || !(input instanceof HTMLInputElement)) return;
      const typed = typedNumber(input.value);
      const what = input.dataset.edit;
      const rules = {
        pressure: [(v) => v >= 0, 'a pressure is a number ≥ 0 (MPa)'],
        thickness: [(v) => v > 0, 'a thickness is a number > 0 (mm)'],
        order: [(v) => Number.isInteger(v) && v >= 1, 'the order is a whole number from 1'],
      };
      const [valid, rule] = rules[what];
      if (typed.error || (typed.value !== null && !valid(typed.value)) || (what === 'order' && typed.value === null)) {
        input.setAttribute('aria-invalid', 'true');
        input.title = typed.error ?? rule;
        return;
      }
      input.removeAttribute('aria-invalid');
      input.title = '';
      if (what === 'order') {
        this.moveTo(entry, typed.value);
      } else if (what === 'pressure') {
        // A blank cell gives the file's own pressure back (its header line, else its name).
        entry.typedPressureMpa = typed.value;
      } else {
        // The text goes to the core as typed (as the settings form's does); the number to exports.
        entry.thicknessMm = typed.value === null ? null : input.value.trim();
        entry.thicknessValueMm = typed.value;
      }
      this.app.edited(entry, what);
    });
  }

  /**
   * Rows near the table's view, by their place in the table (rows are about ROW_PX
   * tall): the scroll position is read on scroll, never in the middle of a paint.
   */
  nearView(entry) {
    const index = this.rowIndex?.get(entry);
    if (index === undefined) return false;
    const { top, height } = this.view ?? { top: 0, height: 600 };
    const first = Math.floor(top / ROW_PX) - VIEW_MARGIN_ROWS;
    const last = Math.ceil((top + height) / ROW_PX) + VIEW_MARGIN_ROWS;
    return index >= first && index <= last;
  }

  /** Its hooks always; its cells when `full` (else they wait, `seriesStale`). */
  updateRow(entry, { full = true } = {}) {
    const tr = entry.seriesRow;
    if (!tr) return;
    const p = entry.placement;
    const pressure = this.app.pressureOf(entry);
    const selected = entry.id === this.app.selectedId();
    if (Boolean(tr.selected$) !== selected) {
      tr.classList.toggle('selected', selected);
      tr.selected$ = selected;
    }
    setHook(tr, 'data-state', entry.state);
    setHook(tr, 'data-pressure-mpa', pressure === null ? null : String(pressure));
    setHook(tr, 'data-branch', p?.branch ?? null);
    const sigmaKnown = entry.state === 'done' ? entry.sigma : null;
    setHook(tr, 'data-sigma', typeof sigmaKnown?.value === 'number' ? String(sigmaKnown.value) : null);
    entry.seriesStale = !full;
    if (!full) return;
    const c = cellsOf(tr);
    const a = entry.state === 'done' ? entry.result?.analysis : null;
    const sigma = a?.sigma_S_per_cm;

    if (document.activeElement !== c.orderInput) {
      const shownOrder = p?.order ? String(p.order) : '';
      if (c.orderInput.value !== shownOrder) c.orderInput.value = shownOrder;
    }
    if (document.activeElement !== c.pressureInput) {
      const shown = pressure === null ? '' : sig(pressure, 6);
      if (c.pressureInput.value !== shown) c.pressureInput.value = shown;
      c.pressureInput.placeholder = pressure === null ? 'MPa?' : '';
    }
    const source = this.app.pressureSource(entry) ?? 'unknown';
    setData(c.pressureInput, 'source', source);
    // A header that disagrees with the name is used, and the name's value said beside it.
    const namePressure = entry.nameInfo?.pressure_mpa ?? null;
    const conflict = source === 'header' && pressuresDisagree(entry.headerPressureMpa, namePressure);
    setData(c.pressureInput, 'conflict', conflict ? 'name' : null);
    const said = `pressure ${SOURCE_TEXT[source]}${conflict ? `; the file name says ${sig(namePressure, 6)} MPa` : ''}`;
    if (!c.pressureInput.hasAttribute('aria-invalid') && c.pressureInput.title !== said) c.pressureInput.title = said;
    setText(c.branch, p?.branch ? `${p.branch}${p.cycle > 1 ? ` (cycle ${p.cycle})` : ''}` : (pressure === null ? 'no pressure' : ''));
    if (document.activeElement !== c.thicknessInput && c.thicknessInput.value !== (entry.thicknessMm ?? '')) {
      c.thicknessInput.value = entry.thicknessMm ?? '';
    }
    // Blank: the settings' thickness, shown greyed.
    const settingsThickness = this.app.settingsThickness() ?? '';
    if (c.thicknessInput.placeholder !== settingsThickness) c.thicknessInput.placeholder = settingsThickness;

    // The result's cells only when the result or the state changed.
    if (tr.shownResult === entry.result && tr.shownState === entry.state && tr.shownError === entry.error) return;
    tr.shownResult = entry.result;
    tr.shownState = entry.state;
    tr.shownError = entry.error;
    if (entry.state === 'error' || entry.state === 'cancelled') {
      c.rcon.textContent = '';
      c.sigma.textContent = '';
      c.quality.replaceChildren();
      const message = document.createElement('span');
      message.className = 'row-error-inline';
      message.textContent = entry.error ?? 'not fitted';
      c.kind.replaceChildren(message);
      c.kind.title = entry.error ?? '';
      c.kind.classList.add('error-cell');
      c.rcon.hidden = true;
      c.sigma.hidden = true;
      c.quality.hidden = true;
      return;
    }
    c.kind.classList.remove('error-cell');
    c.kind.title = '';
    c.rcon.hidden = false;
    c.sigma.hidden = false;
    c.quality.hidden = false;
    if (!a) {
      setText(c.kind, entry.state === 'fitting' ? 'fitting…' : '');
      setText(c.rcon, '');
      setText(c.sigma, '');
      c.quality.replaceChildren();
      return;
    }
    setText(c.kind, KIND_SHORT[a.kind] ?? a.kind);
    // The core wrote these numbers already (its report, typeset): no formatting here.
    const figures = entry.result.report?.figures ?? {};
    // The unit is in the column's head.
    setText(c.rcon, a.r_con_ohm ? (figures.r_con ?? withError(a.r_con_ohm.value, a.r_con_ohm.stderr, 'Ω')).replace(/\s*Ω$/, '') : 'none');
    // One notation down the column (σ spans decades), unlike the single view's figure.
    setText(c.sigma, sigma ? withErrorScientific(sigma.value, sigma.stderr, 'S/cm').replace(/\s*S\/cm$/, '') : '—');
    const rms = a.stats?.rms_relative;
    const badges = qualityBadges(a, true, entry.result.report);
    const rmsNode = document.createElement('span');
    rmsNode.className = 'rms';
    rmsNode.textContent = figures.rms ?? (typeof rms === 'number' ? `${sig(100 * rms, 2)} %` : '');
    c.quality.replaceChildren(rmsNode, ...badges);
  }

  /** Series, each with its points in measurement order, as the core's plot and summary take them. */
  seriesPoints() {
    const bySeries = new Map();
    for (const entry of this.ordered()) {
      const key = entry.placement?.series ?? entry.name;
      if (!bySeries.has(key)) bySeries.set(key, { label: key, points: [], entries: [] });
      const sigma = entry.state === 'done' ? entry.sigma : null;
      const p = entry.placement;
      const pressure = this.app.pressureOf(entry);
      if (!sigma || typeof sigma.value !== 'number' || pressure === null || !p?.branch) continue;
      bySeries.get(key).points.push({
        pressure_mpa: pressure, branch: p.branch, cycle: p.cycle ?? 1,
        sigma_s_per_cm: sigma.value, sigma_err: typeof sigma.stderr === 'number' ? sigma.stderr : null,
      });
      bySeries.get(key).entries.push(entry);
    }
    // A series with no plotted point yet has nothing to draw or summarise.
    return [...bySeries.values()].filter((curve) => curve.points.length > 0);
  }

  /**
   * Plot, summary and the fitted count again. While results stream in (`streaming`),
   * the plot and summary are redrawn at most every PLOT_INTERVAL_MS; the count always.
   */
  refresh({ streaming = false } = {}) {
    const entries = this.app.entries();
    this.updateCount();
    $('#series-panel').hidden = !this.visible();
    if ($('#series-panel').hidden) return;
    const now = performance.now();
    if (streaming && (document.body.classList.contains('long-run') || now - (this.lastPlot ?? -Infinity) < PLOT_INTERVAL_MS)) return;
    this.lastPlot = now;
    this.curves = this.seriesPoints();
    this.drawPlot();
    this.renderSummary();
    const plotted = this.curves.reduce((n, c) => n + c.points.length, 0);
    for (const id of ['#series-export-png', '#series-export-svg']) $(id).disabled = plotted === 0;
    $('#series-export-csv').disabled = entries.length === 0;
  }

  /** The fitted count, `[data-result="series-fitted"]`: cheap, so kept current at every paint. */
  updateCount() {
    const entries = this.app.entries();
    // Counted once its row is in the table and says so (its hooks written): a test, or a
    // user, that sees N fitted finds N rows with their σ.
    const fitted = entries.filter((e) => e.state === 'done' && e.seriesRow?.isConnected && e.seriesRow.hooks$?.['data-state'] === 'done').length;
    const counter = $('[data-result="series-fitted"]');
    const value = String(fitted);
    if (counter.dataset.value === value && this.countedOf === entries.length) return;
    counter.dataset.value = value;
    counter.textContent = `${fitted} of ${entries.length} fitted`;
    this.countedOf = entries.length;
  }

  plotData() {
    return { series: this.curves.map(({ label, points }) => ({ label, points })), pressure_axis: this.axis };
  }

  drawPlot() {
    const canvas = $('#plot-series');
    if ($('#series-panel').hidden) return;
    const dpr = window.devicePixelRatio || 1;
    const rect = this.canvasSize ?? canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    this.drawOnto(canvas, dpr);
  }

  drawOnto(canvas, scale) {
    try {
      drawSeries(canvas, this.plotData(), scale);
    } catch (e) {
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      console.warn(`series plot: ${e?.message ?? e}`);
    }
  }

  /** The series as SVG, drawn by the same core code as the canvas. */
  svg(width, height) {
    return seriesSvg(this.plotData(), width, height);
  }

  renderSummary() {
    const box = $('#series-summary');
    const fragment = document.createDocumentFragment();
    for (const curve of this.curves) {
      const section = document.createElement('section');
      section.className = 'series-card';
      section.dataset.series = curve.label;
      const head = document.createElement('h3');
      const swatchIndex = this.curves.indexOf(curve);
      head.className = `series-head swatch-${swatchIndex % 6}`;
      const label = document.createElement('input');
      label.className = 'series-label';
      label.value = curve.label;
      label.setAttribute('aria-label', `Label of the series ${curve.label}`);
      label.addEventListener('change', () => {
        const text = label.value.trim();
        if (!text) return;
        for (const entry of this.app.entries()) if ((entry.placement?.series ?? entry.name) === curve.label) entry.seriesLabel = text;
        this.app.edited(null, 'label');
      });
      head.append(label, Object.assign(document.createElement('span'), { className: 'subtle', textContent: ` ${curve.points.length} points` }));
      section.append(head);
      let lines = [];
      try {
        lines = summariseSeries(curve.points).flatMap((cycle) => cycle.lines);
      } catch (e) {
        lines = [`no summary: ${e?.message ?? e}`];
      }
      const list = document.createElement('ul');
      list.className = 'series-facts';
      for (const line of lines) list.append(Object.assign(document.createElement('li'), { textContent: line }));
      if (!lines.length) list.append(Object.assign(document.createElement('li'), { textContent: 'Not enough fitted points with a pressure yet.' }));
      section.append(list);
      fragment.append(section);
    }
    box.replaceChildren(fragment);
  }
}
